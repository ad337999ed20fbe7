"""``pqdml quickstart``: the main job on the bundled data (train → screen → report)."""

from __future__ import annotations

import click

from pqdml.cli import main
from pqdml.cli._options import handle_errors, target_option


@main.command("quickstart")
@click.option(
    "-o",
    "--output",
    "output",
    default="pqdml-quickstart",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Output folder.",
)
@target_option(shipped=True)
@click.option(
    "--n-trials",
    default=0,
    show_default=True,
    type=int,
    help="Optuna trials of a per-fold search (0: nested selection among fixed presets).",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@handle_errors
def quickstart_cmd(output: str, target: str, n_trials: int, seed: int) -> None:
    """Train on the bundled literature data, screen the example ligands, write the report.

    Writes OUTPUT/model/ (the trained model), OUTPUT/ranked.csv (every example candidate,
    ranked, with interval and applicability-domain verdict), OUTPUT/ranked_top5.csv (the
    best five with their explanations) and OUTPUT/report.html (open it in a browser).
    """
    from pqdml.quickstart import run_quickstart  # heavy (trains a model): this command only

    click.echo(f"training a {target} model on the bundled curated literature data ...")
    result = run_quickstart(output, target=target, n_trials=n_trials, seed=seed)
    click.echo(result.cv_table)
    cols = [
        c
        for c in ("rank", "ligand_name", "prediction", "pi_low", "pi_high", "in_domain")
        if c in result.top_candidates.columns
    ]
    click.echo("\ntop example candidates on CsPbI3:")
    click.echo(result.top_candidates[cols].to_string(index=False, float_format="%.1f"))
    click.echo(f"\nmodel:   {result.model_dir}")
    click.echo(f"ranked:  {result.ranked}")
    if result.top is not None:
        click.echo(f"top:     {result.top}")
    click.echo(f"report:  {result.report}  (open it in a browser)")
