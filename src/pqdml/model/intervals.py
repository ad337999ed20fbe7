"""Per-candidate intervals: normalised conformal prediction with crepes.

The plain cross-conformal interval (:mod:`pqdml.model.conformal`) has one half-width for
every candidate, so ranking by its lower bound is ranking by the prediction. Here each
candidate's interval is scaled by a *difficulty* estimate

    σ(x) = β + |ẑ_xgb(x) − ẑ_ridge(x)|      (fitting space)

— how much two unlike models (boosted trees and a linear model, both stored) disagree on
the candidate, plus β, the median disagreement over the out-of-fold rows, which keeps σ
away from zero. The calibration scores are the out-of-fold residuals divided by σ
(Papadopoulos et al., normalised nonconformity; Boström, crepes ``ConformalRegressor``
with ``sigmas``), so the interval is ``ẑ ± q·σ(x)``. Coverage is measured the same way
as the plain method: each outer fold calibrated on the other folds only.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from crepes import ConformalRegressor


def difficulty(z_xgb: np.ndarray | float, z_ridge: np.ndarray | float, beta: float) -> np.ndarray:
    """σ = β + |ẑ_xgb − ẑ_ridge| (module docstring)."""
    return beta + np.abs(np.asarray(z_xgb, float) - np.asarray(z_ridge, float))


def normalised_half_widths(
    residuals: np.ndarray, sigmas: np.ndarray, sigma_new: np.ndarray, level: float
) -> np.ndarray:
    """Half-widths ``q·σ_new`` of crepes' normalised conformal regressor at ``level``."""
    keep = np.isfinite(residuals) & np.isfinite(sigmas)
    cr = ConformalRegressor().fit(np.asarray(residuals)[keep], sigmas=np.asarray(sigmas)[keep])
    sigma_new = np.asarray(sigma_new, dtype=float)
    intervals = cr.predict_int(np.zeros(len(sigma_new)), sigmas=sigma_new, confidence=level)
    return np.asarray(intervals[:, 1], dtype=float)


def validate(
    z: np.ndarray,
    z_pred: np.ndarray,
    sigmas: np.ndarray,
    folds: np.ndarray,
    level: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Coverage flag and half-width of every row, each fold calibrated without itself."""
    resid = np.abs(np.asarray(z, float) - np.asarray(z_pred, float))
    inside = np.zeros(len(z), dtype=bool)
    half = np.full(len(z), np.nan)
    for k in np.unique(folds):
        test = folds == k
        half[test] = normalised_half_widths(resid[~test], sigmas[~test], sigmas[test], level)
        inside[test] = resid[test] <= half[test]
    return inside, half


def summary(inside: np.ndarray, width: np.ndarray, sources: np.ndarray) -> dict[str, Any]:
    """Pooled and per-source coverage and median width (target units)."""
    out: dict[str, Any] = {
        "pooled": float(np.mean(inside)) if len(inside) else math.nan,
        "median_width": float(np.nanmedian(width)) if len(width) else math.nan,
        "width_iqr": (
            float(np.nanpercentile(width, 75) - np.nanpercentile(width, 25))
            if len(width)
            else math.nan
        ),
    }
    names = [s for s in dict.fromkeys(sources.tolist()) if s]
    if len(names) >= 2:
        out["per_source"] = {
            s: {
                "coverage": float(np.mean(inside[sources == s])),
                "median_width": float(np.nanmedian(width[sources == s])),
            }
            for s in names
        }
    return out
