"""Replayed campaigns: how many experiments a strategy needs on a fully measured pool.

A replay starts from ``k`` random rows of a pool whose every row has been measured,
then repeats: fit the surrogate on the rows revealed so far, choose a batch of ``n`` with
a strategy (:mod:`pqdml.campaign.acquisition`), reveal their measured values. The best
*success score* found after each experiment is the best-so-far curve; the number of
experiments (including the ``k`` initial ones) until the best reaches the pool's top 5 %
or 10 % is the figure of merit (Rohr et al. 2020; Liang et al. 2021).

The replay shortcut: :func:`pqdml.campaign.suggest` trains the full model with
:func:`pqdml.train` (cross-validation, applicability domain, SHAP explanations) on every
call; a replay featurizes the pool once (:class:`pqdml.features.RecordFeaturizer` fitted
on the pool's inputs, never its targets) and refits only the surrogate ensemble at each
step — the same :class:`~pqdml.campaign.surrogate.EnsembleSurrogate`, acquisition and
batch rule as ``suggest``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pqdml.campaign.acquisition import Objective, score, select_batch
from pqdml.campaign.surrogate import EnsembleSurrogate, GPSurrogate
from pqdml.features import RecordFeaturizer, featurize_records

#: Strategies a replay understands: the acquisition strategies and the GP-EI baseline.
REPLAY_STRATEGIES: tuple[str, ...] = ("ei", "ucb", "thompson", "greedy", "random", "gp-ei")


def design_matrix(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop empty and constant columns of ``X``; return ``(X_kept, Z)``.

    ``Z`` is the standardised, median-imputed copy used for distances and the GP.

    Examples
    --------
    >>> X = np.array([[1.0, 5.0, np.nan], [3.0, 5.0, np.nan]])
    >>> kept, Z = design_matrix(X)
    >>> kept.shape, Z.tolist()
    ((2, 1), [[-1.0], [1.0]])
    """
    X = np.asarray(X, dtype=float)
    finite = np.isfinite(X)
    with np.errstate(invalid="ignore"):
        lo = np.where(finite, X, np.inf).min(axis=0)
        hi = np.where(finite, X, -np.inf).max(axis=0)
    # a column with missing values is informative (XGBoost learns a branch for them)
    keep = finite.any(axis=0) & ((hi > lo) | (finite.sum(axis=0) < len(X)))
    kept = X[:, keep]
    med = np.nanmedian(kept, axis=0) if kept.shape[1] else np.zeros(0)
    filled = np.where(np.isfinite(kept), kept, med)
    sd = filled.std(axis=0)
    sd[sd == 0] = 1.0
    return kept, (filled - filled.mean(axis=0)) / sd


def pool_features(records: pd.DataFrame, target_column: str | None = None) -> np.ndarray:
    """Featurize records once for a replay (feature names learnt from the inputs only)."""
    frame = featurize_records(records)
    f = RecordFeaturizer(target_column=target_column).fit(records, feature_frame=frame)
    return f.transform(records, feature_frame=frame)


@dataclass
class CampaignPool:
    """A fully measured pool and what the campaign wants of it.

    Attributes
    ----------
    name : str
        Label in tables and plots.
    X : numpy.ndarray
        Features of every pool row (from :func:`pool_features`).
    y : numpy.ndarray
        Measured target of every row.
    objective : Objective
        Maximise, minimise or hit a goal.
    within : tuple or None
        ``(values, low, high)``: a second measured quantity that must land in
        ``[low, high]`` (e.g. the emission peak), or None.
    bounds : tuple or None
        Physical range of ``y`` (clips the predictive distributions).
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    objective: Objective
    within: tuple[np.ndarray, float, float] | None = None
    bounds: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        self.X, self.Z = design_matrix(self.X)
        self.y = np.asarray(self.y, dtype=float)

    def feasible(self, idx: np.ndarray) -> np.ndarray:
        """Whether rows ``idx`` satisfy the window constraint (all True without one)."""
        if self.within is None:
            return np.ones(len(idx), dtype=bool)
        values, lo, hi = self.within
        return (values[idx] >= lo) & (values[idx] <= hi)

    def success(self) -> np.ndarray:
        """Success score of every row: the utility, or the pool's worst utility outside the window."""
        u = self.objective.utility(self.y)
        return np.where(self.feasible(np.arange(len(u))), u, u.min())

    def threshold(self, top: float) -> float:
        """Success score a row needs to be in the pool's top ``top`` fraction."""
        return float(np.quantile(self.success(), 1.0 - top))


def _fit(
    kind: str,
    X: np.ndarray,
    y: np.ndarray,
    seed: int,
    n_members: int,
    bounds: tuple[float, float] | None,
):
    if kind == "gp":
        return GPSurrogate(seed=seed).fit(X, y)
    return EnsembleSurrogate(n_members=n_members, seed=seed, bounds=bounds).fit(X, y)


def replay(
    pool: CampaignPool,
    strategy: str,
    seed: int,
    *,
    k: int = 5,
    n: int = 4,
    budget: int | None = None,
    n_members: int = 8,
) -> np.ndarray:
    """Replay one campaign; return the order in which rows were measured.

    Parameters
    ----------
    pool
        The measured pool.
    strategy
        One of :data:`REPLAY_STRATEGIES` (``gp-ei``: EI on a scikit-learn GP, same batch rule).
    seed
        Picks the ``k`` initial rows (shared by every strategy with this seed) and seeds
        the surrogate and the batch choice.
    k, n
        Initial random rows; batch size.
    budget
        Stop after this many experiments (default: the whole pool).
    n_members
        Ensemble size.

    Returns
    -------
    numpy.ndarray
        Row positions in measurement order (length ``budget``).
    """
    if strategy not in REPLAY_STRATEGIES:
        raise ValueError(
            f"unknown strategy {strategy!r}; choose one of {', '.join(REPLAY_STRATEGIES)}"
        )
    total = len(pool.y)
    budget = total if budget is None else min(budget, total)
    order = list(np.random.default_rng(seed).permutation(total)[:k])
    rng = np.random.default_rng(seed + 7919)
    kind = "gp" if strategy == "gp-ei" else "xgb"
    acq = "ei" if strategy == "gp-ei" else strategy
    X = pool.Z if kind == "gp" else pool.X
    step = 0
    while len(order) < budget:
        seen = np.asarray(order)
        rest = np.setdiff1d(np.arange(total), seen)
        want = min(n, budget - len(order))
        if acq == "random":
            batch = rest[rng.permutation(len(rest))[:want]]
            order.extend(int(i) for i in batch)
            continue
        s = seed * 100 + step
        step += 1
        pred = _fit(kind, X[seen], pool.y[seen], s, n_members, pool.bounds).predict(X[rest])
        u_seen = pool.objective.utility(pool.y[seen])
        ok = pool.feasible(seen)
        floor = float(u_seen.min())
        best = float(u_seen[ok].max()) if ok.any() else floor
        p_within = members_within = None
        if pool.within is not None:
            values, lo, hi = pool.within
            cpred = _fit(kind, X[seen], values[seen], s + 1, n_members, None).predict(X[rest])
            p_within = ((cpred.samples >= lo) & (cpred.samples <= hi)).mean(axis=1)
            members_within = (cpred.members >= lo) & (cpred.members <= hi)
        sc = score(
            acq,
            pred,
            pool.objective,
            best,
            p_within=p_within,
            within_members=members_within,
            floor=floor,
        )
        tie = pool.objective.utility(pred.mean)
        batch = select_batch(acq, sc, pool.Z[rest], want, rng, tie_break=tie)
        if len(batch) < want:  # identical candidates left: fill at random
            extra = np.setdiff1d(np.arange(len(rest)), batch)
            batch = np.concatenate([batch, rng.permutation(extra)[: want - len(batch)]])
        order.extend(int(i) for i in rest[batch])
    return np.asarray(order[:budget], dtype=int)


def best_so_far(pool: CampaignPool, order: np.ndarray) -> np.ndarray:
    """Best success score after each experiment of ``order``."""
    return np.maximum.accumulate(pool.success()[order])


def experiments_to(pool: CampaignPool, order: np.ndarray, top: float) -> float:
    """Experiments until a row of the top ``top`` fraction is measured (inf if never)."""
    hit = np.flatnonzero(pool.success()[order] >= pool.threshold(top))
    return float(hit[0] + 1) if len(hit) else float("inf")
