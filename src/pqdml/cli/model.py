"""``pqdml train`` and ``pqdml evaluate``: thin shells over :mod:`pqdml.model`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pqdml.cli import main
from pqdml.cli._options import format_option, handle_errors, target_option
from pqdml.io import atomic_open, check_model_output, check_output


@main.command("train")
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Records file.",
)
@format_option
@target_option(required=True)
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(file_okay=False),
    help="Model directory.",
)
@click.option(
    "--cv",
    default=None,
    help="CV scheme: random, group:<col>, group:recipe, leave-one-group-out:<col> "
    "[auto: group:doi with >= 5 papers, else group:recipe].",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option(
    "--n-trials",
    default=0,
    show_default=True,
    type=int,
    help="Optuna trials of a per-fold XGBoost search (0: the fixed --preset).",
)
@click.option(
    "--preset",
    default="xgb_shallow",
    show_default=True,
    type=click.Choice(["xgb_shallow", "xgb_huber", "xgb_stumps", "xgb_deep"]),
    help="Regularised XGBoost preset used without --select.",
)
@click.option(
    "--select",
    is_flag=True,
    help="Choose among the XGBoost presets and the baselines by repeated nested grouped CV.",
)
@click.option(
    "--effect",
    is_flag=True,
    help="Model the effect against the group's control (fraction of headroom closed).",
)
@click.option(
    "--repeats",
    "n_repeats",
    default=3,
    show_default=True,
    type=int,
    help="Repeats of the outer CV with different fold assignments.",
)
@click.option(
    "--level", default=0.9, show_default=True, type=float, help="Prediction interval level."
)
@click.option(
    "--descriptors",
    type=click.Choice(["default", "full"]),
    default="default",
    show_default=True,
    help="Ligand descriptor set (full: every RDKit descriptor).",
)
@click.option(
    "--morgan-bits",
    default=0,
    show_default=True,
    type=int,
    help="Morgan fingerprint bits as features.",
)
@click.option(
    "--relative-to-control", is_flag=True, help="Model the gain over the group's control."
)
@click.option(
    "--n-jobs", default=1, show_default=True, type=int, help="Threads for XGBoost / random forest."
)
@handle_errors
def train_cmd(
    data: str,
    fmt: str | None,
    target: str,
    output: str,
    cv: str | None,
    seed: int,
    n_trials: int,
    level: float,
    descriptors: str,
    morgan_bits: int,
    relative_to_control: bool,
    n_jobs: int,
    preset: str,
    select: bool,
    effect: bool,
    n_repeats: int,
) -> None:
    """Train a model with repeated grouped CV, baselines, conformal intervals; write MODEL_DIR."""
    # heavy (xgboost, scikit-learn, RDKit): loaded by this command only, not by `pqdml --help`
    from pqdml.model import train
    from pqdml.model.metrics import format_pooled_table

    check_model_output(output, inputs=[data])  # before a long training, not after it
    model = train(
        data,
        target,
        cv=cv,
        seed=seed,
        level=level,
        n_trials=n_trials,
        relative_to_control=relative_to_control,
        effect=effect,
        select=select,
        preset=preset,
        n_repeats=n_repeats,
        fmt=fmt,
        descriptors=descriptors,
        morgan_bits=morgan_bits,
        n_jobs=n_jobs,
    )
    path = model.save(output)
    click.echo(format_pooled_table(model.metrics))
    rows = model.metadata["rows"]
    click.echo(
        f"rows used {rows['n_used']} of {rows['n_input']}; skipped: {rows['skipped'] or 'none'}"
    )
    failures = {k: v for k, v in rows["featurization_failures"].items() if v}
    if failures:
        click.echo(
            f"rows kept with missing (NaN) features because featurization failed: {failures}"
        )
    if model.metrics.get("cv_note"):
        click.echo(f"note: {model.metrics['cv_note']}")
    click.echo(f"model written to {path}")


@main.command("evaluate")
@click.option(
    "--model",
    "model_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="Model directory.",
)
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Labelled records.",
)
@format_option
@click.option(
    "--json",
    "json_out",
    default=None,
    type=click.Path(dir_okay=False),
    help="Also write the metrics as JSON.",
)
@handle_errors
def evaluate_cmd(model_dir: str, data: str, fmt: str | None, json_out: str | None) -> None:
    """Score MODEL on labelled DATA: MAE, RMSE, R², interval coverage vs the training mean."""
    # heavy (xgboost, scikit-learn, RDKit): loaded by this command only, not by `pqdml --help`
    from pqdml.model import evaluate, load_model
    from pqdml.model.metrics import format_eval_table

    if json_out:
        check_output(json_out, inputs=[data, model_dir], kinds=None)
    result = evaluate(load_model(model_dir), data, fmt=fmt)
    click.echo(format_eval_table(result))
    if json_out:

        def finite(v: object) -> object:
            if isinstance(v, list):
                return [finite(x) for x in v]
            return None if isinstance(v, float) and v != v else v

        clean = {k: finite(v) for k, v in result.items()}
        with atomic_open(Path(json_out), "w", encoding="utf-8") as fh:
            json.dump(clean, fh, indent=1)
        click.echo(f"metrics written to {json_out}")
