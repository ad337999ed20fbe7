"""Baselines trained and reported beside XGBoost every time, and the XGBoost factory.

``mean``
    Predicts the training-fold mean (:class:`~sklearn.dummy.DummyRegressor`).
``ridge``
    Median imputation (with missing-value indicators) → standardisation → ridge regression
    with the penalty chosen by efficient leave-one-out (:class:`~sklearn.linear_model.RidgeCV`).
``random_forest``
    Median imputation → 300-tree random forest (``min_samples_leaf=2``).

Baselines are fitted on the target in its own units and their predictions clipped to the
physical range of bounded targets; XGBoost is fitted in the transformed space
(:mod:`pqdml.model.target`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from xgboost import XGBRegressor

from pqdml.model.presets import DEFAULT_PRESET, preset_params

#: Baseline names in report order.
BASELINES = ("mean", "ridge", "random_forest")

#: XGBoost settings used as the search's anchor: the default preset (:mod:`pqdml.model.presets`).
DEFAULT_XGB_PARAMS: dict[str, Any] = preset_params(DEFAULT_PRESET)


def make_baseline(name: str, *, seed: int = 0, n_jobs: int = 1) -> RegressorMixin:
    """Return an unfitted baseline regressor by name (see the module docstring).

    Examples
    --------
    >>> make_baseline("mean").fit(np.zeros((3, 1)), [1.0, 2.0, 3.0]).predict(np.zeros((1, 1)))
    array([2.])
    """
    if name == "mean":
        return DummyRegressor(strategy="mean")
    if name == "ridge":
        return make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            StandardScaler(),
            RidgeCV(alphas=np.logspace(-3, 3, 13)),
        )
    if name == "random_forest":
        return make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            RandomForestRegressor(
                n_estimators=300,
                min_samples_leaf=2,
                max_features=0.5,
                n_jobs=n_jobs,
                random_state=seed,
            ),
        )
    raise KeyError(f"unknown baseline {name!r}; known: {', '.join(BASELINES)}")


def make_xgb(
    params: dict[str, Any] | None = None,
    *,
    seed: int = 0,
    n_jobs: int = 1,
    z: np.ndarray | None = None,
) -> XGBRegressor:
    """XGBoost regressor (``tree_method="hist"``) with ``params`` over :data:`DEFAULT_XGB_PARAMS`.

    For the pseudo-Huber loss the start value is the median of the training target ``z``
    and the Huber slope is its scaled median absolute deviation (``"huber_slope": "mad"``,
    at least 1e-3): the loss's gradient is bounded, so without them a target far from 0
    (an emission peak near 500 nm) never gets there.
    """
    merged = {"objective": "reg:squarederror", **DEFAULT_XGB_PARAMS, **(params or {})}
    if merged["objective"] == "reg:pseudohubererror" and z is not None and len(z):
        centre = float(np.median(z))
        merged["base_score"] = centre
        if merged.get("huber_slope") == "mad":
            mad = 1.4826 * float(np.median(np.abs(np.asarray(z) - centre)))
            merged["huber_slope"] = max(mad, 1e-3)
    if merged.get("huber_slope") == "mad":
        merged["huber_slope"] = 1.0
    return XGBRegressor(tree_method="hist", n_jobs=n_jobs, random_state=seed, **merged)
