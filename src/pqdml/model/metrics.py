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
    if result.get("n_pairs"):
        ci = result.get("concordance_ci") or [math.nan, math.nan]
        lines.append(
            f"within-group ranking: concordance {f(result['concordance'])} "
            f"(95% CI {f(ci[0])}–{f(ci[1])}, {result['n_pairs']} pairs; chance 0.5)"
        )
    if result.get("ranking_verdict"):
        lines.append(result["ranking_verdict"])
    if "mae_gain" in result:
        lines.append(
            f"MAE of the gain: {f(result['mae_gain'])} (training-mean effect: "
            f"{f(result['baseline_mae_gain'])})"
        )
    if result.get("n_in_training"):
        lines.append(
            f"warning: {result['n_in_training']} of the {result['n']} scored rows were training rows "
            "(same record_id and value): these scores are in-sample and optimistic"
        )
    if result.get("n_failed"):
        lines.append(f"{result['n_failed']} row(s) could not be featurized and were not scored")
    return "\n".join(lines)


def pooled_summary(y: np.ndarray, oof: np.ndarray, fold_of: np.ndarray) -> dict[str, Any]:
    """Headline metrics of one model from its OOF predictions over CV repeats.

    Parameters
    ----------
    y
        Truth per row.
    oof
        ``(n_repeats, n_rows)`` out-of-fold predictions.
    fold_of
        ``(n_repeats, n_rows)`` outer fold of each row in each repeat.

    Returns
    -------
    dict
        ``pooled`` (metrics over all rows, averaged over repeats), ``repeat_sd`` (sd of the
        pooled metrics over repeats), ``per_repeat`` (pooled metrics of each repeat),
        ``folds`` (per-fold metrics of repeat 0) and ``summary`` (their mean ± sd).
    """
    per_repeat = [regression_metrics(y, oof[r]) for r in range(oof.shape[0])]
    pooled: dict[str, Any] = {}
    spread: dict[str, float] = {}
    for key in METRICS:
        vals = np.array([p[key] for p in per_repeat], dtype=float)
        finite = vals[np.isfinite(vals)]
        pooled[key] = float(finite.mean()) if len(finite) else math.nan
        spread[key] = float(finite.std(ddof=1)) if len(finite) > 1 else math.nan
    pooled["n"] = per_repeat[0]["n"]
    folds = [
        {"fold": int(k), **regression_metrics(y[fold_of[0] == k], oof[0][fold_of[0] == k])}
        for k in np.unique(fold_of[0])
        if k >= 0
    ]
    return {
        "pooled": pooled,
        "repeat_sd": spread,
        "per_repeat": per_repeat,
        "folds": folds,
        "summary": summarize(folds),
    }


def per_source(y: np.ndarray, pred: np.ndarray, sources: np.ndarray) -> dict[str, dict[str, Any]]:
    """:func:`regression_metrics` per value of ``sources`` (only when there are at least two)."""
    names = [s for s in dict.fromkeys(sources.tolist()) if s]
    if len(names) < 2:
        return {}
    return {s: regression_metrics(y[sources == s], pred[sources == s]) for s in names}


def _num(v: Any, digits: int = 3) -> str:
    return f"{v:.{digits}f}" if isinstance(v, float | int) and math.isfinite(v) else "n/a"


def format_pooled_table(metrics: dict[str, Any]) -> str:
    """CLI table: pooled OOF metrics (headline), repeat spread, per-fold mean ± sd, ranking skill."""
    head = (
        f"{'model':<17} {'MAE':>8} {'±rep':>6} {'RMSE':>8} {'R²':>7} {'Spearman':>8} "
        f"{'fold MAE':>15} {'concord.':>8} {'95% CI':>11} {'pairs':>5}"
    )
    cv_line = (
        f"target {metrics['target']} ({metrics['prediction_kind']}), CV {metrics['cv']}"
        f" × {metrics.get('n_repeats', 1)} repeats: {metrics['n_rows']} rows, "
        f"{metrics['n_groups']} groups, {metrics['n_folds']} folds"
    )
    lines = [cv_line]
    if metrics.get("cv_reason"):
        lines.append(f"CV choice: {metrics['cv_reason']}")
    lines += ["pooled out-of-fold metrics (mean over repeats; ±rep = sd over repeats)", head]
    lines.append("-" * len(head))
    for name, block in metrics["models"].items():
        p, sd, s = block["pooled"], block["repeat_sd"], block["summary"]
        rk = block.get("ranking", {})
        ci = rk.get("concordance_ci") or [math.nan, math.nan]
        fold = f"{_num(s['mae']['mean'], 2)} ± {_num(s['mae']['sd'], 2)}"
        lines.append(
            f"{name:<17} {_num(p['mae']):>8} {_num(sd['mae'], 2):>6} {_num(p['rmse']):>8} "
            f"{_num(p['r2'], 2):>7} {_num(p['spearman'], 2):>8} {fold:>15} "
            f"{_num(rk.get('concordance', math.nan), 2):>8} "
            f"{_num(ci[0], 2) + '–' + _num(ci[1], 2):>11} {rk.get('n_pairs', 0):>5}"
        )
    for name, block in metrics["models"].items():
        if block.get("gain"):
            g = block["gain"]
            lines.append(
                f"  {name}: MAE of the gain {_num(g['mae'])} (target units), R² {_num(g['r2'], 2)}"
            )
    for name, block in metrics.get("ranking_rivals", {}).items():
        ci = block.get("concordance_ci") or [math.nan, math.nan]
        lines.append(
            f"rival '{name}': concordance {_num(block.get('concordance', math.nan), 2)} "
            f"({_num(ci[0], 2)}–{_num(ci[1], 2)}, {block.get('n_pairs', 0)} pairs)"
        )
    sel = metrics.get("selection", {})
    if sel:
        lines.append(f"model used for predictions: {sel['predictor']} — {sel['note']}")
        if sel.get("inner_picks"):
            lines.append(f"nested selection picks (outer folds × repeats): {sel['inner_picks']}")
    if metrics.get("ranking_verdict"):
        lines.append(f"ranking within a system: {metrics['ranking_verdict']}")
    cov = metrics["coverage"]
    lines.append(
        f"interval coverage at {cov['level']:.0%}: pooled {_num(cov.get('pooled', math.nan))}, "
        f"mean over folds {_num(cov['mean'])}"
    )
    for src, block in metrics.get("per_source", {}).items():
        lines.append(
            f"  source {src}: n {block['n']}, MAE {_num(block['mae'])}, R² {_num(block['r2'], 2)}, "
            f"coverage {_num(block.get('coverage', math.nan))}"
        )
    dup = metrics.get("duplicates", {})
    if dup:
        lines.append(
            f"duplicates merged: {dup.get('n_rows_merged', 0)} row(s) in {len(dup.get('merged', []))} "
            f"cluster(s); same inputs in different papers (label noise, kept): "
            f"{dup.get('same_inputs_different_papers', {}).get('n_rows', 0)} rows"
        )
    return "\n".join(lines)
