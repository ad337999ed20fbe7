"""Predictive distributions for candidate experiments.

:class:`EnsembleSurrogate` is a bootstrap ensemble of XGBoost regressors whose spread is
calibrated into a conformal predictive system (crepes' normalized
:class:`~crepes.ConformalPredictiveSystem`, Vovk et al. 2017): each training row's
out-of-bag residual, divided by the out-of-bag spread of the members, is a calibration
score, and a candidate's distribution is ``mean + spread × score``. The distribution is
returned as a fixed grid of quantiles (:class:`Predictive`), which every acquisition
function (:mod:`pqdml.campaign.acquisition`) reads the same way.

:class:`GPSurrogate` is the plain scikit-learn Gaussian process used as a baseline in the
replayed campaigns; its Gaussian predictive distribution is put on the same grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import crepes
import numpy as np
from scipy.stats import norm
from xgboost import XGBRegressor

#: XGBoost parameters of one ensemble member: small, regularised trees (a campaign starts
#: from a handful of rows, so deep trees would only memorise them).
MEMBER_PARAMS: dict[str, Any] = {
    "n_estimators": 60,
    "learning_rate": 0.15,
    "max_depth": 3,
    "min_child_weight": 1.0,
    "subsample": 1.0,
    "colsample_bytree": 0.8,
    "reg_lambda": 1.0,
}

#: Number of quantiles a predictive distribution is summarised by.
N_QUANTILES = 41


@dataclass(frozen=True)
class Predictive:
    """Predictive distributions of ``n`` candidates.

    Attributes
    ----------
    mean : numpy.ndarray
        ``[n]`` point prediction.
    samples : numpy.ndarray
        ``[n, N_QUANTILES]`` equally weighted quantiles of each distribution (sorted).
    members : numpy.ndarray
        ``[n_members, n]`` one function draw per row (ensemble members, or GP posterior
        draws), used by Thompson sampling.
    """

    mean: np.ndarray
    samples: np.ndarray
    members: np.ndarray

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Central interval of each distribution at ``level`` (from the quantile grid)."""
        a = (1.0 - level) / 2.0
        return (
            np.quantile(self.samples, a, axis=1, method="lower"),
            np.quantile(self.samples, 1.0 - a, axis=1, method="higher"),
        )


def _levels(n: int = N_QUANTILES) -> np.ndarray:
    return (np.arange(n) + 0.5) / n


class EnsembleSurrogate:
    """Bootstrap XGBoost ensemble calibrated by a normalized conformal predictive system.

    Parameters
    ----------
    n_members
        Bootstrap members.
    params
        XGBoost parameters of each member (default :data:`MEMBER_PARAMS`).
    seed
        Seed of the bootstrap samples and of the members.
    n_jobs
        Threads per member.
    bounds
        ``(low, high)`` the target can take (e.g. 0–100 for PLQY); distributions are clipped.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(size=(30, 3)); y = X[:, 0] * 10
    >>> s = EnsembleSurrogate(n_members=4, seed=0).fit(X, y)
    >>> p = s.predict(X[:2])
    >>> p.samples.shape, p.members.shape
    ((2, 41), (4, 2))
    """

    def __init__(
        self,
        *,
        n_members: int = 16,
        params: dict[str, Any] | None = None,
        seed: int = 0,
        n_jobs: int = 1,
        bounds: tuple[float, float] | None = None,
    ) -> None:
        self.n_members = n_members
        self.params = params
        self.seed = seed
        self.n_jobs = n_jobs
        self.bounds = bounds

    def fit(self, X: np.ndarray, y: np.ndarray) -> EnsembleSurrogate:
        """Fit the members on bootstrap samples and calibrate on out-of-bag residuals."""
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        n = len(y)
        if n < 2:
            raise ValueError(f"a surrogate needs at least 2 measured rows, got {n}")
        rng = np.random.default_rng(self.seed)
        params = {**MEMBER_PARAMS, **(self.params or {})}
        self.members_: list[XGBRegressor] = []
        oob = np.full((self.n_members, n), np.nan)
        for m in range(self.n_members):
            bag = rng.integers(0, n, n)
            while len(np.unique(bag)) < min(2, n):
                bag = rng.integers(0, n, n)
            est = XGBRegressor(
                tree_method="exact",  # campaign data are small: no histogram to build
                n_jobs=self.n_jobs,
                random_state=self.seed * 1000 + m,
                objective="reg:squarederror",
                **params,
            ).fit(X[bag], y[bag])
            self.members_.append(est)
            out = np.setdiff1d(np.arange(n), bag)
            if len(out):
                oob[m, out] = est.predict(X[out])
        counts = np.isfinite(oob).sum(axis=0)
        usable = counts >= 2
        if usable.sum() < 2:  # too few out-of-bag rows: every member's own residual
            usable = counts >= 1
        with np.errstate(invalid="ignore"):
            oob_mean = np.nanmean(oob[:, usable], axis=0)
            oob_sd = np.nan_to_num(np.nanstd(oob[:, usable], axis=0))
        # the median spread floors every spread, so a near-zero spread cannot turn a plain
        # residual into a huge calibration score
        self.scale_floor_ = float(np.median(oob_sd)) + 0.01 * float(np.std(y)) + 1e-9
        residuals = y[usable] - oob_mean
        self.n_calibration_ = int(usable.sum())
        self.cps_ = crepes.ConformalPredictiveSystem().fit(
            residuals, sigmas=oob_sd + self.scale_floor_
        )
        return self

    def predict(self, X: np.ndarray) -> Predictive:
        """Predictive distribution of each row of ``X``."""
        X = np.asarray(X, dtype=float)
        members = np.vstack([est.predict(X) for est in self.members_]).astype(float)
        mean = members.mean(axis=0)
        sigma = members.std(axis=0) + self.scale_floor_
        low, high = self.bounds or (-np.inf, np.inf)
        _, cpds = self.cps_.predict(
            mean, sigmas=sigma, y_min=low, y_max=high, return_cpds=True, lower_percentiles=[50]
        )
        cpds = np.clip(np.asarray(cpds, dtype=float).reshape(len(mean), -1), low, high)
        samples = np.quantile(cpds, _levels(), axis=1).T
        return Predictive(mean=np.clip(mean, low, high), samples=samples, members=members)


class GPSurrogate:
    """A plain scikit-learn Gaussian process (Matérn 5/2 + white noise, normalised ``y``).

    The baseline of the replayed campaigns; features should be standardised.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(size=(20, 2)); y = X[:, 0]
    >>> GPSurrogate(seed=0).fit(X, y).predict(X[:3]).samples.shape
    (3, 41)
    """

    def __init__(self, *, seed: int = 0, n_draws: int = 16) -> None:
        self.seed = seed
        self.n_draws = n_draws

    def fit(self, X: np.ndarray, y: np.ndarray) -> GPSurrogate:
        """Fit the GP (kernel hyper-parameters by marginal likelihood)."""
        # scikit-learn's GP module is only needed by this baseline
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        kernel = ConstantKernel(1.0) * Matern(length_scale=1.0, nu=2.5) + WhiteKernel(0.1)
        self.gp_ = GaussianProcessRegressor(
            kernel=kernel, normalize_y=True, random_state=self.seed, n_restarts_optimizer=1
        ).fit(np.asarray(X, dtype=float), np.asarray(y, dtype=float))
        return self

    def predict(self, X: np.ndarray) -> Predictive:
        """Gaussian predictive distribution on the quantile grid, plus posterior draws."""
        X = np.asarray(X, dtype=float)
        mean, sd = self.gp_.predict(X, return_std=True)
        samples = mean[:, None] + sd[:, None] * norm.ppf(_levels())[None, :]
        rng = np.random.default_rng(self.seed)
        # independent marginal draws: a joint draw over a large pool costs O(n³)
        members = mean[None, :] + sd[None, :] * rng.standard_normal((self.n_draws, len(mean)))
        return Predictive(mean=mean, samples=samples, members=members)
