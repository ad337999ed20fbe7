"""``pqdml library``: candidate ligand libraries, thin shells over :mod:`pqdml.library`."""

from __future__ import annotations

from pathlib import Path

import click

from pqdml.chem.ligand import MAX_HEAVY_ATOMS
from pqdml.cli import main
from pqdml.cli._options import handle_errors
from pqdml.io import check_output, write_table
from pqdml.library import BACKBONES, MAX_CHAIN, generate_library, real_library


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


@main.group("library")
def library_group() -> None:
    """Candidate ligand libraries: enumerated (generate) or real molecules (real)."""


@library_group.command("generate")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False))
@click.option("--anchors", default=None, help="Comma-separated anchoring groups (default: all).")
@click.option("--min-chain", type=click.IntRange(1, MAX_CHAIN), default=2, show_default=True)
@click.option("--max-chain", type=click.IntRange(1, MAX_CHAIN), default=18, show_default=True)
@click.option("--backbones", default="linear,branched,aromatic", show_default=True)
@click.option("--max-size", type=click.IntRange(0), default=None)
@handle_errors
def generate_command(
    out: str,
    anchors: str | None,
    min_chain: int,
    max_chain: int,
    backbones: str,
    max_size: int | None,
) -> None:
    """Enumerate anchoring group x chain length x backbone as canonical SMILES with names."""
    if min_chain > max_chain:
        raise click.BadParameter("--min-chain is larger than --max-chain")
    check_output(out, kinds=("csv", "tsv", "parquet"))
    lib = generate_library(
        anchors=_split(anchors),
        chain_lengths=range(min_chain, max_chain + 1),
        backbones=_split(backbones) or list(BACKBONES),
        max_size=max_size,
    )
    path = write_table(lib, Path(out))
    click.echo(f"wrote {len(lib)} ligands to {path}")


@library_group.command("real")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False))
@click.option("--anchors", default=None, help="Comma-separated anchoring groups (default: any).")
@click.option(
    "--max-heavy-atoms", type=click.IntRange(1, MAX_HEAVY_ATOMS), default=40, show_default=True
)
@handle_errors
def real_command(out: str, anchors: str | None, max_heavy_atoms: int) -> None:
    """Real molecules with an anchoring group, from the PubChem table bundled in `chemicals`."""
    check_output(out, kinds=("csv", "tsv", "parquet"))
    lib = real_library(anchors=_split(anchors), max_heavy_atoms=max_heavy_atoms)
    path = write_table(lib, Path(out))
    click.echo(f"wrote {len(lib)} molecules to {path}")
