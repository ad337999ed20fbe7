"""``pqdml featurize``: a thin shell over :func:`pqdml.features.table.featurize_file`."""

from __future__ import annotations

from pathlib import Path

import click

from pqdml.cli import main
from pqdml.cli._options import format_option, handle_errors
from pqdml.features import featurize_file


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
    help="Worker processes (default: all cores above 20,000 rows, else 1; -1: all).",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=100_000,
    show_default=True,
    help="Rows read, featurized and written at a time (memory grows with it).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Force the progress bar on or off (default: shown for large inputs on a terminal).",
)
@handle_errors
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
    chunk_size: int,
    progress: bool | None,
) -> None:
    """Add ligand and composition features to every row of INPUT and write OUTPUT.

    INPUT is CSV, TSV, Parquet or .smi (or a public dataset in its original format with
    --format). All input columns are kept in order; failed rows are kept with
    ligand_status / composition_status saying why. Tables are streamed --chunk-size rows
    at a time, so memory stays bounded; OUTPUT appears only when complete. Prints one
    summary line.

    Example: pqdml featurize data/example_candidates.csv -o features.csv
    """
    summary = featurize_file(
        input_path,
        output,
        fmt=fmt,
        smiles_col=smiles_col,
        name_col=name_col,
        composition_col=composition_col,
        descriptors=descriptors,
        morgan_bits=morgan_bits,
        n_jobs=jobs,
        progress=progress,
        chunk_size=chunk_size,
    )
    if summary.composition_col is None:
        click.echo("note: no 'composition' column; composition features skipped", err=True)
    click.echo(f"{summary}; format: {summary.format}; wrote {output}")
