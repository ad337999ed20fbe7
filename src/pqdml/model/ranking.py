"""Within-group ranking skill: whether a model orders two treatments of one system as measured.

Literature values differ mostly *between* papers (set-up, purification, measurement), so
a model's absolute error says little about the question a chemist asks: "in my system,
which ligand beats the one I use?". This module measures that question directly on
out-of-fold predictions:

- **pairwise concordance**: over every pair of treated rows of one group (``group_id``,
  else the paper) whose measured values differ, the fraction the model orders as
  measured (a tie in the prediction counts one half). Pairs of all groups are pooled.
  Chance is 0.5, a perfect ranker 1, a reversed one 0.
- a 95 % **bootstrap confidence interval** that resamples whole groups (pairs of one group
  are not independent);
- the mean **within-group Spearman** ρ over groups with at least three treated rows.

Examples
--------
>>> y = np.array([1.0, 2.0, 3.0, 10.0, 20.0])
>>> g = np.array(["a", "a", "a", "b", "b"])
>>> pairwise_concordance(y, y, g)["concordance"]
1.0
>>> pairwise_concordance(y, -y, g)["concordance"]
0.0
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.stats import spearmanr

#: Bootstrap resamples of the groups for the confidence interval.
N_BOOTSTRAP = 1000
#: Fewest pairs (and groups) for a skill verdict; fewer: "not measurable".
MIN_PAIRS, MIN_GROUPS = 10, 3


def _group_pairs(y: np.ndarray, p: np.ndarray, tol: float) -> tuple[float, int]:
    """Concordant-pair score (ties in ``p`` count 1/2) and number of scored pairs of one group."""
    i, j = np.triu_indices(len(y), k=1)
    dy = y[i] - y[j]
    keep = np.abs(dy) > tol
    if not keep.any():
        return 0.0, 0
    dp = p[i][keep] - p[j][keep]
    sign = np.sign(dy[keep]) * np.sign(dp)
    return float(np.sum(sign > 0) + 0.5 * np.sum(sign == 0)), int(keep.sum())


def pairwise_concordance(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    groups: np.ndarray,
    *,
    tol: float = 1e-9,
    n_bootstrap: int = N_BOOTSTRAP,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, Any]:
    """Pooled within-group pairwise concordance with a group-bootstrap CI (module docstring).

    Parameters
    ----------
    y_true, y_pred
        Measured and predicted values (any monotone scale of the prediction gives the same
        result). Rows with a non-finite value are ignored.
    groups
        Group of every row; pairs are formed within a group only.
    tol
        Measured differences up to ``tol`` are ties and not scored.
    n_bootstrap, seed, level
        Group-bootstrap resamples, their seed and the interval level.

    Returns
    -------
    dict
        ``concordance`` (NaN without pairs), ``concordance_ci`` (two-item list),
        ``n_pairs``, ``n_groups`` (groups with at least one pair), ``spearman_within``
        (mean over groups with ≥ 3 rows) and ``n_groups_spearman``.
    """
    t = np.asarray(y_true, dtype=float)
    p = np.asarray(y_pred, dtype=float)
    g = np.asarray(groups).astype(str)
    keep = np.isfinite(t) & np.isfinite(p)
    t, p, g = t[keep], p[keep], g[keep]
    scores: list[float] = []
    counts: list[int] = []
    rhos: list[float] = []
    for name in np.unique(g):
        m = g == name
        if m.sum() < 2:
            continue
        s, n = _group_pairs(t[m], p[m], tol)
        if n:
            scores.append(s)
            counts.append(n)
        if m.sum() >= 3 and np.ptp(t[m]) > tol and np.ptp(p[m]) > 0:
            rhos.append(float(spearmanr(t[m], p[m]).statistic))
    n_pairs = int(sum(counts))
    out: dict[str, Any] = {
        "concordance": math.nan,
        "concordance_ci": [math.nan, math.nan],
        "n_pairs": n_pairs,
        "n_groups": len(counts),
        "spearman_within": float(np.mean(rhos)) if rhos else math.nan,
        "n_groups_spearman": len(rhos),
    }
    if not n_pairs:
        return out
    s_arr, n_arr = np.asarray(scores), np.asarray(counts, dtype=float)
    out["concordance"] = float(s_arr.sum() / n_arr.sum())
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(s_arr), size=(n_bootstrap, len(s_arr)))
    boot = s_arr[draws].sum(axis=1) / n_arr[draws].sum(axis=1)
    alpha = (1.0 - level) / 2.0
    out["concordance_ci"] = [float(np.quantile(boot, alpha)), float(np.quantile(boot, 1 - alpha))]
    return out


#: Below this concordance a ranking that beats chance is called only slightly better.
WEAK_CONCORDANCE = 0.6


def skill_verdict(result: dict[str, Any]) -> str:
    """One sentence on a :func:`pairwise_concordance` result: better than chance or not.

    Examples
    --------
    >>> skill_verdict({"concordance": 0.55, "concordance_ci": [0.45, 0.65], "n_pairs": 40,
    ...                "n_groups": 8})
    'no demonstrated ranking skill: concordance 0.55 (95% CI 0.45–0.65, 40 pairs) includes chance (0.5)'
    >>> skill_verdict({"concordance": 0.52, "concordance_ci": [0.505, 0.57], "n_pairs": 944,
    ...                "n_groups": 50}).split(":")[0]
    'ranks only slightly better than chance within a system'
    """
    c = result.get("concordance", math.nan)
    lo, hi = result.get("concordance_ci", [math.nan, math.nan])
    n = result.get("n_pairs", 0)
    if c is None or not n or not math.isfinite(c):
        return (
            "ranking skill not measured: no pair of treatments with different values in one group"
        )
    if n < MIN_PAIRS or result.get("n_groups", MIN_GROUPS) < MIN_GROUPS:
        return (
            f"ranking skill not measurable: only {n} pair(s) of treatments in "
            f"{result.get('n_groups', '?')} group(s) (need {MIN_PAIRS} pairs in {MIN_GROUPS} groups)"
        )
    text = f"concordance {c:.2f} (95% CI {lo:.2f}–{hi:.2f}, {n} pairs)"
    if lo > 0.5 and c < WEAK_CONCORDANCE:
        return (
            f"ranks only slightly better than chance within a system: {text}; about "
            f"{round(100 * c)} of 100 pairs in the right order, so treat a ranking as a hypothesis"
        )
    if lo > 0.5:
        return f"ranks better than chance within a system: {text}"
    if hi < 0.5:
        return f"ranks worse than chance (reversed) within a system: {text}"
    return f"no demonstrated ranking skill: {text} includes chance (0.5)"


#: What the apps say when a model stores no ranking measurement (saved before it existed).
NO_VERDICT = "ranking skill not measured: this model stores no ranking measurement (retrain it)"


def model_ranking_verdict(model: Any) -> str:
    """Return the ranking-skill sentence a model stores (:func:`skill_verdict` of its CV).

    Read from ``model.metrics["ranking_verdict"]``, else ``model.metadata["ranking"]``;
    :data:`NO_VERDICT` for a model saved without one.

    Examples
    --------
    >>> class M:
    ...     metrics = {"ranking_verdict": "ranks better than chance within a system: ..."}
    >>> model_ranking_verdict(M())
    'ranks better than chance within a system: ...'
    """
    metrics = getattr(model, "metrics", None) or {}
    verdict = metrics.get("ranking_verdict")
    if not verdict:
        verdict = ((getattr(model, "metadata", None) or {}).get("ranking") or {}).get("verdict")
    return str(verdict) if verdict else NO_VERDICT


def ranking_caveat(verdict: str) -> str | None:
    """Return a plain-words warning for a verdict without shown skill (None when skilled).

    Examples
    --------
    >>> ranking_caveat("no demonstrated ranking skill: concordance 0.52 (...)")[:60]
    'the order of candidates within one system is not better than'
    >>> ranking_caveat("ranks better than chance within a system: ...") is None
    True
    """
    if verdict.startswith("ranks better than chance"):
        return None
    if verdict.startswith("no demonstrated ranking skill"):
        return (
            "the order of candidates within one system is not better than chance on "
            "held-out papers: treat the ranking as a list to test, not a measured preference"
        )
    if verdict.startswith("ranks worse than chance"):
        return (
            "on held-out papers the model ordered candidates of one system the wrong way "
            "round more often than not: do not choose by this ranking"
        )
    return (
        "the order of candidates within one system has no measured skill on held-out "
        "papers: treat the ranking as a list to test, not a measured preference"
    )
