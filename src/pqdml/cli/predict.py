"""``pqdml predict``: one ligand on one perovskite, a thin shell over :func:`pqdml.predict_one`."""

from __future__ import annotations

import click

from pqdml.cli import main
from pqdml.cli._options import handle_errors, shipped_model_options


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
@handle_errors
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
    from pqdml.predict import predict_one  # heavy (xgboost, shap): loaded by this command only

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
