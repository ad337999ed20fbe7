"""``pqdml predict``, ``pqdml screen`` and ``pqdml library``: thin shells over the library."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from pqdml.cli import main
from pqdml.cli._options import format_option, shipped_model_options
from pqdml.exceptions import PQDMLError


def _friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn pqdml's input errors into a one-line CLI error (exit code 1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (PQDMLError, FileNotFoundError) as err:
            raise click.ClickException(str(err)) from err

    return wrapper


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _process(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        key, sep, val = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--process")
        out[key.strip()] = val.strip()
    return out


@main.command("predict")
@click.option("--ligand", required=True, help="Ligand name (dictionary) or SMILES.")
@click.option("--composition", required=True, help="Perovskite formula, e.g. CsPbI3.")
@shipped_model_options
@click.option(
    "--stage", default=None, help="synthesis | post-synthesis | purification | film-treatment"
)
@click.option(
    "--process",
    "process",
    multiple=True,
    metavar="proc_NAME_UNIT=VALUE",
    help="Process value, repeatable (e.g. proc_temperature_c=25).",
)
@click.option("--level", type=click.FloatRange(0.5, 0.999), default=0.9, show_default=True)
@click.option(
    "--top",
    type=click.IntRange(0),
    default=5,
    show_default=True,
    help="Contributions in words (0: none).",
)
@_friendly
def predict_command(
    ligand: str,
    composition: str,
    model_dir: str | None,
    target: str,
    stage: str | None,
    process: tuple[str, ...],
    level: float,
    top: int,
) -> None:
    """Predict one ligand on one perovskite: value, interval, domain verdict, reasons."""
    from pqdml.predict import predict_one

    report = predict_one(
        ligand,
        composition,
        model=model_dir,
        target=target,
        stage=stage,
        process=_process(process),  # type: ignore[arg-type]
        level=level,
        top=top,
    )
    click.echo(str(report))


@main.command("screen")
@click.argument("candidates", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Ranked output (.csv, .tsv or .parquet).",
)
@shipped_model_options
@click.option(
    "--composition", default=None, help="Perovskite formula for rows without a composition column."
)
@click.option("--stage", default=None, help="Stage for rows without a stage column.")
@click.option(
    "--top",
    type=click.IntRange(1),
    default=None,
    help="Also write <out>_top<N>.csv with SHAP explanations.",
)
@click.option("--chunk-size", type=click.IntRange(1), default=50_000, show_default=True)
@click.option(
    "-j",
    "--jobs",
    "n_jobs",
    type=click.IntRange(1),
    default=None,
    help="Worker processes (default: all cores).",
)
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option(
    "--scheduler",
    default=None,
    help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster).",
)
@click.option(
    "--level",
    type=click.FloatRange(0.5, 0.999),
    default=None,
    help="Interval level (default: the model's).",
)
@click.option("--restart", is_flag=True, help="Discard the parts of an interrupted run.")
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: on a terminal)."
)
@format_option
@_friendly
def screen_command(
    candidates: str,
    out: str,
    model_dir: str | None,
    target: str,
    composition: str | None,
    stage: str | None,
    top: int | None,
    chunk_size: int,
    n_jobs: int | None,
    engine: str,
    scheduler: str | None,
    level: float | None,
    restart: bool,
    progress: bool | None,
    fmt: str | None,
) -> None:
    """Predict and rank every candidate of CANDIDATES (CSV, Parquet or .smi), resumably.

    CANDIDATES may also be an original public-dataset file (see --format).
    """
    from pqdml.screen import screen

    summary = screen(
        candidates,
        out,
        model=model_dir,
        target=target,
        composition=composition,
        stage=stage,
        top=top,
        chunk_size=chunk_size,
        n_jobs=n_jobs,
        engine=engine,
        scheduler=scheduler,
        progress=progress,
        resume=not restart,
        level=level,
        fmt=fmt,
    )
    click.echo(str(summary))


@main.group("library")
def library_group() -> None:
    """Candidate ligand libraries: enumerated (generate) or real molecules (real)."""


@library_group.command("generate")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False))
@click.option("--anchors", default=None, help="Comma-separated anchoring groups (default: all).")
@click.option("--min-chain", type=click.IntRange(1), default=2, show_default=True)
@click.option("--max-chain", type=click.IntRange(1), default=18, show_default=True)
@click.option("--backbones", default="linear,branched,aromatic", show_default=True)
@click.option("--max-size", type=click.IntRange(0), default=None)
@_friendly
def generate_command(
    out: str,
    anchors: str | None,
    min_chain: int,
    max_chain: int,
    backbones: str,
    max_size: int | None,
) -> None:
    """Enumerate anchoring group x chain length x backbone as canonical SMILES with names."""
    from pqdml.io import write_table
    from pqdml.library import BACKBONES, generate_library

    if min_chain > max_chain:
        raise click.BadParameter("--min-chain is larger than --max-chain")
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
@click.option("--max-heavy-atoms", type=click.IntRange(1), default=40, show_default=True)
@_friendly
def real_command(out: str, anchors: str | None, max_heavy_atoms: int) -> None:
    """Real molecules with an anchoring group, from the PubChem table bundled in `chemicals`."""
    from pqdml.io import write_table
    from pqdml.library import real_library

    lib = real_library(anchors=_split(anchors), max_heavy_atoms=max_heavy_atoms)
    path = write_table(lib, Path(out))
    click.echo(f"wrote {len(lib)} molecules to {path}")
