"""Conformal prediction intervals from out-of-fold residuals (the "CV" / cross-conformal method).

Method (Barber, Candès, Ramdas & Tibshirani, *Predictive inference with the jackknife+*,
Ann. Statist. 49, 2021, §3, "CV" and "CV+"; Vovk, "Cross-conformal predictors", 2015):
during the outer cross-validation every training row gets an out-of-fold prediction from
a model that never saw its group. The absolute residuals ``r_i = |z_i - ẑ_oof,i|`` in the
model's fitting space (logit for bounded targets) are the calibration scores. A new
point's interval at level ``1 - α`` is

    ẑ(x) ± q,   q = the ⌈(1 - α)(n + 1)⌉-th smallest r_i,

back-transformed to the target's units (so intervals stay in the physical range). Using
the full model's ẑ(x) instead of the K fold models (CV+) is the simpler "CV" variant; its
coverage is not guaranteed in theory but is close to nominal in practice when the fold
models are stable, and we *measure* it: the empirical coverage reported in
``metrics.json`` evaluates each outer fold with a quantile computed from the other folds'
residuals only. MAPIE 1.x was not used because its cross-conformal regressor refits its
own estimator clones and does not take our nested search and grouped folds cleanly.
The residuals are stored (sorted) in ``metadata.json``, so any level can be asked for
at prediction time.
"""

from __future__ import annotations

import math

import numpy as np


def conformal_quantile(residuals: np.ndarray, level: float) -> float:
    """Half-width ``q`` of a level-``level`` interval from absolute calibration residuals.

    Returns ``inf`` when there are too few residuals for the level (``⌈level (n+1)⌉ > n``).

    Examples
    --------
    >>> conformal_quantile(np.arange(1.0, 20.0), 0.9)
    18.0
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"interval level must be in (0, 1), got {level!r}")
    r = np.sort(np.asarray(residuals, dtype=float)[np.isfinite(residuals)])
    n = len(r)
    k = math.ceil(level * (n + 1))
    if n == 0 or k > n:
        return math.inf
    return float(r[k - 1])


def fold_coverage(
    z_true: np.ndarray, z_oof: np.ndarray, folds: np.ndarray, level: float
) -> tuple[list[float], list[float]]:
    """Empirical coverage of each outer fold, each calibrated without that fold.

    Parameters
    ----------
    z_true, z_oof
        Targets and out-of-fold predictions in the fitting space.
    folds
        Outer fold number of every row.
    level
        Interval level.

    Returns
    -------
    coverage, half_width
        Per-fold fraction of rows whose interval contains the truth and the interval
        half-width (fitting space) used for that fold.
    """
    resid = np.abs(np.asarray(z_true, float) - np.asarray(z_oof, float))
    cover, width = [], []
    for k in np.unique(folds):
        test = folds == k
        q = conformal_quantile(resid[~test], level)
        cover.append(float(np.mean(resid[test] <= q)))
        width.append(q)
    return cover, width
