"""``pqdml suggest``: a thin shell over :func:`pqdml.campaign.suggest`."""

from __future__ import annotations

import click

from pqdml.cli import main
from pqdml.cli._options import format_option


@main.command("suggest")
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Records measured so far.",
)
@format_option
@click.option(
    "--candidates",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Candidate pool (same schema, no target values; `pqdml library` output works).",
)
@click.option(
    "--target",
    required=True,
    type=click.Choice(["plqy", "pce", "voc", "jsc", "ff", "emission"]),
    help="Quantity to optimise.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Suggestions table (CSV/TSV/Parquet); the pool status goes to <name>.status.csv.",
)
@click.option(
    "--n", "n", default=4, show_default=True, type=click.IntRange(min=1), help="Batch size."
)
@click.option(
    "--maximize", "direction", flag_value="maximize", default=True, help="Maximise (default)."
)
@click.option("--minimize", "direction", flag_value="minimize", help="Minimise.")
@click.option("--goal", type=float, default=None, help="Hit this value (e.g. --goal 460 nm).")
@click.option(
    "--within",
    default=None,
    help="A second target that must land in a window, e.g. 'emission=455:465'.",
)
@click.option(
    "--strategy",
    type=click.Choice(["ei", "ucb", "thompson", "greedy", "random"]),
    default="ei",
    show_default=True,
    help="Acquisition strategy.",
)
@click.option("--reference", default=None, help="Measured ligand p_improve is compared with.")
@click.option("--exclude-out-of-domain", is_flag=True, help="Never suggest out-of-domain rows.")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option("--effect", is_flag=True, help="Optimise the gain over the group's control.")
@click.option("--composition", default=None, help="Composition for pool rows without one.")
@click.option("--grid", default=None, help="Expand the pool: 'col=v1,v2;col2=w1,w2'.")
@click.option(
    "--n-members", default=16, show_default=True, type=click.IntRange(min=2), help="Ensemble size."
)
def suggest_cmd(
    data: str,
    fmt: str | None,
    candidates: str,
    target: str,
    output: str,
    n: int,
    direction: str,
    goal: float | None,
    within: str | None,
    strategy: str,
    reference: str | None,
    exclude_out_of_domain: bool,
    seed: int,
    effect: bool,
    composition: str | None,
    grid: str | None,
    n_members: int,
) -> None:
    """Suggest the next N experiments from CANDIDATES, given the measured DATA."""
    from pqdml.campaign import suggest

    try:
        result = suggest(
            data,
            candidates,
            target,
            n=n,
            direction=direction,
            goal=goal,
            strategy=strategy,
            reference=reference,
            exclude_out_of_domain=exclude_out_of_domain,
            seed=seed,
            effect=effect,
            composition=composition,
            grid=grid,
            within=within,
            fmt=fmt,
            n_members=n_members,
        )
        table_path, status_path = result.write(output)
    except (ValueError, KeyError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc).strip("'\"")) from None
    s = result.summary
    click.echo(
        f"{s['n_suggested']} suggestions for {s['target']} ({s['objective']}"
        + (f" {s['goal']}" if s["goal"] is not None else "")
        + f", strategy {s['strategy']}) from {s['n_measured']} measured rows; "
        f"best measured {s['best_measured']}"
    )
    click.echo(f"pool rows: {s['n_pool']}; status: {s['pool_status']}")
    for row in result.table.itertuples():
        click.echo(
            f"  {row.rank}. {row.prediction:.3g} [{row.pi_low:.3g}, {row.pi_high:.3g}] "
            f"p_improve {row.p_improve:.2f}  {row.why}"
        )
    click.echo(f"suggestions written to {table_path}; pool status to {status_path}")
