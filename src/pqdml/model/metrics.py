"""Regression metrics used in cross-validation and evaluation (in the target's own units)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.stats import spearmanr

METRICS = ("mae", "rmse", "r2", "spearman")


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """MAE, RMSE, R², Spearman ρ and n over the finite pairs.

    R² is NaN for fewer than 2 rows or a constant truth; Spearman is NaN when either side
    is constant.

    Examples
    --------
    >>> regression_metrics(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))["mae"]
    0.3333333333333333
    """
    t = np.asarray(y_true, dtype=float)
    p = np.asarray(y_pred, dtype=float)
    keep = np.isfinite(t) & np.isfinite(p)
    t, p = t[keep], p[keep]
    n = len(t)
    if n == 0:
        return {"n": 0, "mae": math.nan, "rmse": math.nan, "r2": math.nan, "spearman": math.nan}
    err = p - t
    ss_tot = float(np.sum((t - t.mean()) ** 2))
    r2 = 1.0 - float(np.sum(err**2)) / ss_tot if n >= 2 and ss_tot > 0 else math.nan
    rho = math.nan
    if n >= 3 and np.ptp(t) > 0 and np.ptp(p) > 0:
        rho = float(spearmanr(t, p).statistic)
    return {
        "n": n,
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "r2": r2,
        "spearman": rho,
    }


def summarize(folds: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Mean ± sample sd of each metric over folds (NaN folds ignored), plus total n."""
    out: dict[str, dict[str, float]] = {}
    for key in METRICS:
        vals = np.array([f[key] for f in folds], dtype=float)
        vals = vals[np.isfinite(vals)]
        out[key] = {
            "mean": float(vals.mean()) if len(vals) else math.nan,
            "sd": float(vals.std(ddof=1)) if len(vals) > 1 else math.nan,
        }
    out["n"] = {"total": float(sum(f["n"] for f in folds)), "folds": float(len(folds))}
    return out


def _pm(summary: dict[str, dict[str, float]], key: str) -> str:
    mean, sd = summary[key]["mean"], summary[key]["sd"]
    if not math.isfinite(mean):
        return "n/a"
    return f"{mean:.3f} ± {sd:.3f}" if math.isfinite(sd) else f"{mean:.3f}"


def format_cv_table(metrics: dict[str, Any]) -> str:
    """Plain-text table of CV metrics (mean ± sd over folds) for XGBoost and the baselines."""
    head = f"{'model':<14} {'MAE':>17} {'RMSE':>17} {'R²':>17} {'Spearman':>17} {'n':>6}"
    lines = [
        f"target {metrics['target']} ({metrics['prediction_kind']}), CV {metrics['cv']}: "
        f"{metrics['n_rows']} rows, {metrics['n_groups']} groups, {metrics['n_folds']} folds",
        head,
        "-" * len(head),
    ]
    for name, block in metrics["models"].items():
        s = block["summary"]
        lines.append(
            f"{name:<14} {_pm(s, 'mae'):>17} {_pm(s, 'rmse'):>17} {_pm(s, 'r2'):>17} "
            f"{_pm(s, 'spearman'):>17} {int(s['n']['total']):>6}"
        )
    cov = metrics["coverage"]
    lines.append(
        f"interval coverage at {cov['level']:.0%}: {cov['mean']:.3f} (mean over folds); "
        f"duplicates across folds: {metrics['duplicates_across_folds']['total']}"
    )
    return "\n".join(lines)


def format_eval_table(result: dict[str, Any]) -> str:
    """Plain-text table of :func:`pqdml.model.evaluate` output: model vs training mean."""

    def f(v: float) -> str:
        return f"{v:.3f}" if isinstance(v, float) and math.isfinite(v) else "n/a"

    lines = [
        f"{'model':<14} {'MAE':>9} {'RMSE':>9} {'R²':>9} {'coverage':>9} {'n':>6}",
        f"{'xgboost':<14} {f(result['mae']):>9} {f(result['rmse']):>9} {f(result['r2']):>9} "
        f"{f(result['coverage']):>9} {result['n']:>6}",
        f"{'training mean':<14} {f(result['baseline_mae']):>9} {f(result['baseline_rmse']):>9} "
        f"{f(result['baseline_r2']):>9} {'':>9} {result['n']:>6}",
    ]
    if result.get("n_in_training"):
        lines.append(
            f"warning: {result['n_in_training']} of the {result['n']} scored rows were training rows "
            "(same record_id and value): these scores are in-sample and optimistic"
        )
    if result.get("n_failed"):
        lines.append(f"{result['n_failed']} row(s) could not be featurized and were not scored")
    return "\n".join(lines)
