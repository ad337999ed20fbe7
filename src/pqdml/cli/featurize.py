"""``pqdml featurize``: a thin shell over :func:`pqdml.chem.table.featurize_table`."""

from __future__ import annotations

from pathlib import Path

import click

from pqdml.cli import main
from pqdml.cli._options import format_option


@main.command("featurize")
@click.argument(
    "input_path", metavar="INPUT", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output table; .csv, .tsv or .parquet (format by extension), written atomically.",
)
@click.option(
    "--smiles-col",
    default="ligand_smiles",
    show_default=True,
    help="Ligand column: SMILES or names (e.g. 'OAm', 'DDAB'); empty cells fall back to --name-col.",
)
@click.option(
    "--name-col",
    default="ligand_name",
    show_default=True,
    help="Fallback ligand column used where --smiles-col is empty (ignored if absent).",
)
@click.option(
    "--composition-col",
    default=None,
    help="Perovskite formula column [default: composition; skipped with a note if absent].",
)
@format_option
@click.option(
    "--descriptors",
    type=click.Choice(["default", "full"]),
    default="default",
    show_default=True,
    help="'full' adds every RDKit descriptor as rdkit_<name> (slow).",
)
@click.option(
    "--morgan-bits",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Morgan fingerprint bits to add as morgan_<i>.",
)
@click.option(
    "-j",
    "--jobs",
    type=int,
    default=None,
    help="Worker processes (default: all cores above 20,000 distinct ligands, else 1; -1: all).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Force the progress bar on or off (default: shown for large inputs on a terminal).",
)
def featurize_cmd(
    input_path: Path,
    output: Path,
    smiles_col: str,
    name_col: str,
    composition_col: str | None,
    fmt: str | None,
    descriptors: str,
    morgan_bits: int,
    jobs: int | None,
    progress: bool | None,
) -> None:
    """Add ligand and composition features to every row of INPUT and write OUTPUT.

    INPUT is CSV, TSV, Parquet or .smi (or a public dataset in its original format with
    --format). All input columns are kept in order; failed rows are kept with
    ligand_status / composition_status saying why. Prints one summary line.

    Example: pqdml featurize data/example_candidates.csv -o features.csv
    """
    from pqdml.chem.table import featurize_table, read_input, summarize
    from pqdml.exceptions import PQDMLError
    from pqdml.io import table_kind, write_table

    try:
        table_kind(output)
        df, used = read_input(input_path, fmt)
    except PQDMLError as exc:
        raise click.ClickException(str(exc)) from exc
    comp_col: str | None = composition_col or "composition"
    if composition_col is None and "composition" not in df.columns:
        click.echo("note: no 'composition' column; composition features skipped", err=True)
        comp_col = None
    try:
        out = featurize_table(
            df,
            smiles_col=smiles_col,
            composition_col=comp_col,
            name_col=name_col,
            descriptors=descriptors,
            morgan_bits=morgan_bits,
            n_jobs=jobs,
            progress=progress,
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    write_table(out, output)
    click.echo(f"{summarize(out)}; format: {used}; wrote {output}")
