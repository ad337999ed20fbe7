"""Evaluate a trained model on new labelled records."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import pandas as pd

from pqdml.model._rows import ranking_groups, training_targets
from pqdml.model.effect import control_values, from_effect
from pqdml.model.metrics import regression_metrics
from pqdml.model.ranking import pairwise_concordance, skill_verdict
from pqdml.model.train import read_data
from pqdml.model.trained import TrainedModel


def evaluate(
    model: TrainedModel,
    data: pd.DataFrame | str | os.PathLike[str],
    *,
    fmt: str | None = None,
    level: float | None = None,
) -> dict[str, Any]:
    """Predict labelled records and score the predictions and intervals.

    Rows without a target value (or, for a gain model, without a control in their group)
    are not scored; rows the featurizers reject are counted in ``n_failed``.

    Parameters
    ----------
    model
        A trained model.
    data
        Canonical records or a path (read with :func:`pqdml.data.read_records`).
    fmt
        Input format for a path.
    level
        Interval level (default: the model's).

    Returns
    -------
    dict
        ``n``, ``mae``, ``rmse``, ``r2``, ``spearman``, ``coverage`` (fraction of truths inside
        the interval), ``level``, ``baseline_mae`` / ``baseline_rmse`` / ``baseline_r2`` of the
        training-mean predictor, ``n_failed``, ``n_out_of_domain``, ``n_in_training`` (scored
        rows with the ``record_id`` and target value of a training row: those scores are
        in-sample, optimistic),
        ``prediction_kind``; the within-group ranking skill on the treated rows
        (:mod:`pqdml.model.ranking`: ``concordance``, ``concordance_ci``, ``n_pairs``,
        ``spearman_within``, ``ranking_verdict``); for effect models ``mae_gain`` and
        ``baseline_mae_gain`` (the training-mean effect) in the target's units.
    """
    records, _ = read_data(data, fmt)
    effect = bool(model.metadata.get("effect"))
    y, reason = training_targets(
        records,
        model.target_column,
        relative_to_control=model.prediction_kind == "gain_over_control" and not effect,
        effect=effect,
    )
    labelled = (reason == "").to_numpy()
    pred = model.predict(records[labelled], level=level)
    truth = y[labelled].to_numpy(dtype=float)
    ok = (pred["status"] == "ok").to_numpy()
    p = pred["prediction"].to_numpy(dtype=float)
    scores = regression_metrics(truth[ok], p[ok])
    lo, hi = pred["pi_low"].to_numpy(float)[ok], pred["pi_high"].to_numpy(float)[ok]
    inside = (truth[ok] >= lo) & (truth[ok] <= hi)
    oof = model.metrics.get("oof") or {}
    seen = {
        (str(i), round(float(v), 6))
        for i, v in zip(oof.get("record_id", []), oof.get("y_true", []), strict=True)
    }
    n_seen = 0
    if seen and "record_id" in records:
        ids = records.loc[labelled, "record_id"].astype(str).to_numpy()[ok]
        n_seen = sum((i, round(float(v), 6)) in seen for i, v in zip(ids, truth[ok], strict=True))
    mean = float(model.metadata.get("training_target_mean", math.nan))
    base = regression_metrics(truth[ok], np.full(int(ok.sum()), mean))
    groups, treated = ranking_groups(records[labelled].reset_index(drop=True))
    sel = treated & ok
    ranking = pairwise_concordance(truth[sel], p[sel], groups[sel])
    extra: dict[str, Any] = {}
    if effect:
        raw = pd.to_numeric(records[model.target_column], errors="coerce")
        control = control_values(records, raw)[labelled].to_numpy(dtype=float)[ok]
        ceiling = model.metadata["effect"].get("ceiling")
        true_gain = from_effect(truth[ok], control, ceiling) - control
        pred_gain = from_effect(p[ok], control, ceiling) - control
        extra["mae_gain"] = float(np.mean(np.abs(pred_gain - true_gain))) if ok.any() else math.nan
        base_gain = from_effect(np.full(int(ok.sum()), mean), control, ceiling) - control
        extra["baseline_mae_gain"] = (
            float(np.mean(np.abs(base_gain - true_gain))) if ok.any() else math.nan
        )
    return {
        "n": scores["n"],
        "mae": scores["mae"],
        "rmse": scores["rmse"],
        "r2": scores["r2"],
        "spearman": scores["spearman"],
        "coverage": float(inside.mean()) if len(inside) else math.nan,
        "level": pred.attrs["level"],
        "baseline_mae": base["mae"],
        "baseline_rmse": base["rmse"],
        "baseline_r2": base["r2"],
        "n_failed": int((~ok).sum()),
        "n_unlabelled": int((~labelled).sum()),
        "n_out_of_domain": int((~pred["in_domain"].to_numpy(bool)[ok]).sum()),
        "n_in_training": n_seen,
        "prediction_kind": model.prediction_kind,
        "target": model.target,
        "concordance": ranking["concordance"],
        "concordance_ci": ranking["concordance_ci"],
        "n_pairs": ranking["n_pairs"],
        "spearman_within": ranking["spearman_within"],
        "ranking_verdict": skill_verdict(ranking),
        **extra,
    }
