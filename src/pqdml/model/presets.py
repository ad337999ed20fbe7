"""Fixed, regularised XGBoost presets and the pickle-free linear predictor of the baselines.

Why presets and no per-fold search by default: on 50–1,000 literature rows the inner-CV
score a random search minimises is a noisy, sometimes *negatively* correlated, estimate of
held-out error (issue 12: Spearman −0.58 between inner score and held-out MAE on the fold
that holds out the synthesizer paper). A few fixed settings chosen for small data — shallow
trees, a large ``min_child_weight`` and L2 penalty, row and column subsampling — are
stable, cheap and deterministic for a seed; :func:`pqdml.model.train` with ``select=True``
chooses among them and the baselines by repeated nested grouped CV.

Presets (all ``tree_method="hist"``, seeded, deterministic for a seed and ``n_jobs``):

``xgb_shallow`` (default)
    depth 2, 400 trees at learning rate 0.03, ``min_child_weight`` 4, ``lambda`` 10,
    subsample 0.7, colsample 0.7.
``xgb_huber``
    ``xgb_shallow`` with the pseudo-Huber loss (slope = the scaled MAD of the training
    target in the fitting space, start value its median; see
    :func:`pqdml.model.baselines.make_xgb`): robust to the few rows whose label disagrees
    with everything else (lower bounds, aged samples).
``xgb_stumps``
    depth 1 (an additive model of single features), 500 trees at 0.05, ``lambda`` 5.
``xgb_deep``
    the former defaults (depth 4, ``min_child_weight`` 2, ``lambda`` 1): kept as a rival.

Candidates a shipped model may *predict with* must be storable without pickle: the
XGBoost presets (XGBoost JSON), ``ridge`` and ``mean`` (:class:`LinearPredictor`, a few
numbers). ``random_forest`` is always reported as a baseline but never shipped: a forest
has no compact pickle-free form here, so when it scores best the model ships the best
pickle-free candidate and ``metadata["selection"]`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

#: The default preset: shallow trees, slow learning, strong L2 (xgb_huber changes only the loss).
_SHALLOW: dict[str, Any] = {
    "n_estimators": 400,
    "learning_rate": 0.03,
    "max_depth": 2,
    "min_child_weight": 4.0,
    "subsample": 0.7,
    "colsample_bytree": 0.7,
    "reg_lambda": 10.0,
}

#: XGBoost presets: name → keyword arguments of :class:`xgboost.XGBRegressor`.
XGB_PRESETS: dict[str, dict[str, Any]] = {
    "xgb_shallow": dict(_SHALLOW),
    "xgb_huber": {
        **_SHALLOW,
        "objective": "reg:pseudohubererror",
        "huber_slope": "mad",
    },
    "xgb_stumps": {
        "n_estimators": 500,
        "learning_rate": 0.05,
        "max_depth": 1,
        "min_child_weight": 4.0,
        "subsample": 0.7,
        "colsample_bytree": 0.7,
        "reg_lambda": 5.0,
    },
    "xgb_deep": {
        "n_estimators": 300,
        "learning_rate": 0.05,
        "max_depth": 4,
        "min_child_weight": 2.0,
        "subsample": 0.8,
        "colsample_bytree": 0.8,
        "reg_lambda": 1.0,
    },
}
#: Preset used when no selection is asked for.
DEFAULT_PRESET = "xgb_shallow"
#: Candidates that can be shipped as the predictor (stored without pickle).
SHIPPABLE = (*XGB_PRESETS, "ridge", "mean")


def preset_params(name: str) -> dict[str, Any]:
    """Copy of the XGBoost keyword arguments of preset ``name``.

    Examples
    --------
    >>> preset_params("xgb_shallow")["max_depth"]
    2
    """
    try:
        return dict(XGB_PRESETS[name])
    except KeyError:
        raise KeyError(
            f"unknown XGBoost preset {name!r}; known: {', '.join(XGB_PRESETS)}"
        ) from None


@dataclass
class LinearPredictor:
    """A fitted impute → standardise → linear model, as plain numbers (JSON, no pickle).

    ``predict(X) = intercept + coef · ((impute(X) ⊕ missing-indicators(X)) − mean) / scale``,
    then clipped to ``[low, high]``. Built from the ``ridge`` / ``mean`` baselines with
    :meth:`from_estimator`; :meth:`to_dict` / :meth:`from_dict` round-trip it exactly.

    Examples
    --------
    >>> lp = LinearPredictor(name="mean", intercept=2.0)
    >>> lp.predict(np.zeros((2, 3))).tolist()
    [2.0, 2.0]
    """

    name: str
    intercept: float
    medians: list[float] = field(default_factory=list)
    indicator_columns: list[int] = field(default_factory=list)
    mean: list[float] = field(default_factory=list)
    scale: list[float] = field(default_factory=list)
    coef: list[float] = field(default_factory=list)
    low: float = -np.inf
    high: float = np.inf

    @classmethod
    def from_estimator(
        cls, name: str, estimator: Any, *, low: float = -np.inf, high: float = np.inf
    ) -> LinearPredictor:
        """Read the parameters of a fitted ``mean`` (DummyRegressor) or ``ridge`` pipeline."""
        if not isinstance(estimator, Pipeline):
            return cls(
                name=name, intercept=float(np.ravel(estimator.constant_)[0]), low=low, high=high
            )
        imputer, scaler, ridge = (step for _, step in estimator.steps)
        indicator = getattr(imputer, "indicator_", None)
        return cls(
            name=name,
            intercept=float(ridge.intercept_),
            medians=[float(v) if np.isfinite(v) else 0.0 for v in imputer.statistics_],
            indicator_columns=[int(i) for i in indicator.features_]
            if indicator is not None
            else [],
            mean=[float(v) for v in scaler.mean_],
            scale=[float(v) for v in scaler.scale_],
            coef=[float(v) for v in np.ravel(ridge.coef_)],
            low=low,
            high=high,
        )

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictions in the target's units (clipped to the bounds)."""
        X = np.asarray(X, dtype=float)
        if not self.coef:
            out = np.full(X.shape[0], self.intercept)
        else:
            missing = np.isnan(X)
            filled = np.where(missing, np.asarray(self.medians), X)
            parts = [filled, missing[:, self.indicator_columns].astype(float)]
            Z = (np.hstack(parts) - np.asarray(self.mean)) / np.asarray(self.scale)
            out = self.intercept + Z @ np.asarray(self.coef)
        return np.clip(out, self.low, self.high)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able parameters (infinite bounds as None)."""
        return {
            "name": self.name,
            "intercept": self.intercept,
            "medians": self.medians,
            "indicator_columns": self.indicator_columns,
            "mean": self.mean,
            "scale": self.scale,
            "coef": self.coef,
            "low": None if not np.isfinite(self.low) else self.low,
            "high": None if not np.isfinite(self.high) else self.high,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinearPredictor:
        """Inverse of :meth:`to_dict`."""
        low = data.get("low")
        high = data.get("high")
        return cls(
            name=str(data["name"]),
            intercept=float(data["intercept"]),
            medians=list(data.get("medians", [])),
            indicator_columns=[int(i) for i in data.get("indicator_columns", [])],
            mean=list(data.get("mean", [])),
            scale=list(data.get("scale", [])),
            coef=list(data.get("coef", [])),
            low=-np.inf if low is None else float(low),
            high=np.inf if high is None else float(high),
        )
