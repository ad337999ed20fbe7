"""Evaluate a trained model on new labelled records."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import pandas as pd

from pqdml.model.metrics import regression_metrics
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
        ``prediction_kind``.
    """
    from pqdml.model.train import read_data, training_targets

    records, _ = read_data(data, fmt)
    y, reason = training_targets(
        records,
        model.target_column,
        relative_to_control=model.prediction_kind == "gain_over_control",
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
    }
