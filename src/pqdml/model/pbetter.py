"""``p_better``: the calibrated probability that a candidate beats a reference in one system.

A chemist compares a candidate ligand with the one they use (e.g. oleylamine) in *their*
system. The model's predicted difference ``d = ŷ_candidate − ŷ_reference`` is turned into
a probability with a one-parameter logistic curve ``p = 1 / (1 + exp(−a·d))`` fitted on
the out-of-fold predictions of every pair of treatments of one group whose measured values
differ (label: the first measured higher). The curve has no intercept, so
``p(d) + p(−d) = 1`` and ``p(0) = 0.5``, and its slope ``a`` shrinks towards 0 — every
probability towards 0.5 — when the model has no ranking skill. The fit is nearly
unpenalised (``C = 100``): the pairs are many and a penalty would make a model with real
skill under-confident. Calibration is measured on
new data in the tests (``tests/integration/test_model_effects.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression


def pair_differences(
    y: np.ndarray, pred: np.ndarray, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Predicted differences and outcomes (1: first measured higher) of within-group pairs."""
    diffs, wins = [], []
    g = np.asarray(groups).astype(str)
    for name in np.unique(g):
        idx = np.flatnonzero(g == name)
        if len(idx) < 2:
            continue
        i, j = np.triu_indices(len(idx), k=1)
        a, b = idx[i], idx[j]
        keep = (y[a] != y[b]) & np.isfinite(pred[a]) & np.isfinite(pred[b])
        diffs.append(pred[a][keep] - pred[b][keep])
        wins.append((y[a][keep] > y[b][keep]).astype(int))
    if not diffs:
        return np.zeros(0), np.zeros(0, dtype=int)
    return np.concatenate(diffs), np.concatenate(wins)


def fit_p_better(y: np.ndarray, pred: np.ndarray, groups: np.ndarray) -> dict[str, Any]:
    """Slope ``a`` of the calibration curve from out-of-fold predictions (module docstring).

    Returns ``{"slope": a, "n_pairs": n}``; slope 0 (every p = 0.5) without pairs.

    Examples
    --------
    >>> y = np.array([1.0, 2.0, 3.0, 1.0, 2.0, 3.0])
    >>> fit_p_better(y, y, np.array(["a"] * 3 + ["b"] * 3))["slope"] > 1
    True
    """
    d, w = pair_differences(np.asarray(y, float), np.asarray(pred, float), groups)
    if len(d) < 2:
        return {"slope": 0.0, "n_pairs": len(d)}
    # both orientations of every pair: the fit is symmetric, p(0) = 0.5
    X = np.concatenate([d, -d])[:, None]
    t = np.concatenate([w, 1 - w])
    lr = LogisticRegression(fit_intercept=False, C=100.0).fit(X, t)
    return {"slope": float(lr.coef_[0, 0]), "n_pairs": len(d)}


def p_better(pred: np.ndarray, pred_reference: float | np.ndarray, slope: float) -> np.ndarray:
    """Probability that each candidate beats the reference: ``1 / (1 + exp(−slope·d))``.

    Examples
    --------
    >>> p_better(np.array([1.0, 0.0]), 0.0, 2.0).round(3).tolist()
    [0.881, 0.5]
    """
    d = np.asarray(pred, dtype=float) - np.asarray(pred_reference, dtype=float)
    return 0.5 * (1.0 + np.tanh(0.5 * slope * d))
