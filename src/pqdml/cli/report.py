"""``pqdml report``: the self-contained HTML report of a trained model."""

from __future__ import annotations

from pathlib import Path

import click

from pqdml.cli import main
from pqdml.cli._options import format_option, handle_errors
from pqdml.io import check_output


@main.command("report")
@click.option(
    "--model",
    "model_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="Saved model directory (pqdml train -o DIR).",
)
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Records to explain (normally the training data); enables the SHAP sections.",
)
@format_option
@click.option(
    "--screen",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Ranked screening output (pqdml screen -o RANKED): adds the top candidates.",
)
@click.option(
    "--composition",
    default=None,
    help="Composition of screened candidates whose rows carry none (as given to pqdml screen).",
)
@click.option(
    "--suggestions",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Suggestions file (pqdml suggest -o SUGGESTIONS): adds a 'next experiments' section.",
)
@click.option("--level", type=float, default=None, help="Interval level (default: the model's).")
@click.option(
    "-o",
    "--out",
    default="report.html",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="HTML file to write; figures and tables go to <stem>_files/ beside it.",
)
@handle_errors
def report(
    model_dir: str,
    data: str | None,
    fmt: str | None,
    screen: str | None,
    composition: str | None,
    suggestions: str | None,
    level: float | None,
    out: str,
) -> None:
    """Write one self-contained HTML report (metrics, parity, SHAP, applicability domain).

    Example: pqdml report --model models/plqy --data data/pqd_literature.csv -o report.html
    """
    # heavy (xgboost, shap, matplotlib): loaded by this command only, not by `pqdml --help`
    from pqdml.model import load_model
    from pqdml.report import write_report

    check_output(out, inputs=[model_dir, data, screen, suggestions])
    check_output(Path(out).with_name(Path(out).stem + "_files") / "x", inputs=[model_dir])
    path = write_report(
        load_model(model_dir),
        data=data,
        screen=screen,
        out=out,
        level=level,
        fmt=fmt,
        composition=composition,
        suggestions=suggestions,
    )
    click.echo(f"wrote {path} and {path.parent / (path.stem + '_files')}/")
