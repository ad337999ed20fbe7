"""``pqdml screen``: rank a candidate file, a thin shell over :func:`pqdml.screen.screen`."""

from __future__ import annotations

import click

from pqdml.cli import main
from pqdml.cli._options import (
    INTERRUPTED,
    format_option,
    handle_errors,
    shipped_model_options,
)


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
@click.option(
    "--rank-by",
    type=click.Choice(["prediction", "lower", "p-better"]),
    default="prediction",
    show_default=True,
    help="Order: point prediction, interval lower bound, or P(beats --reference).",
)
@click.option(
    "--reference",
    default=None,
    metavar="LIGAND",
    help="Reference ligand (name or SMILES): adds p_better = P(candidate beats it in its system).",
)
@click.option("--restart", is_flag=True, help="Discard the parts of an interrupted run.")
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: on a terminal)."
)
@format_option
@handle_errors
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
    rank_by: str,
    reference: str | None,
    restart: bool,
    progress: bool | None,
    fmt: str | None,
) -> None:
    """Predict and rank every candidate of CANDIDATES (CSV, Parquet or .smi), resumably.

    CANDIDATES may also be an original public-dataset file (see --format).
    """
    # heavy (xgboost, dask): loaded by this command only
    from pqdml.screen import screen as screen_run

    try:
        summary = screen_run(
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
            rank_by=rank_by,
            reference=reference,
        )
    except KeyboardInterrupt:
        click.echo(
            f"\ninterrupted (Ctrl-C): the finished chunks are kept in {out}.parts/; run the "
            "same command again to resume, or add --restart to start over",
            err=True,
        )
        raise click.exceptions.Exit(INTERRUPTED) from None
    click.echo(str(summary))
