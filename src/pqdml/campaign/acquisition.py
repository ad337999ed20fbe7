"""Acquisition: which candidates to measure next, as a diverse batch.

Every strategy reads a :class:`~pqdml.campaign.surrogate.Predictive` through a *utility*
(:class:`Objective`): ``y`` to maximise, ``−y`` to minimise, ``−|y − goal|`` to hit a
goal (e.g. an emission peak of 460 nm). With a window constraint on a second target
(``within``), a candidate outside the window is worth the worst measured utility, and
each score is weighted by the probability of landing inside (constrained expected
improvement, Gardner et al. 2014).

Strategies (``STRATEGIES``):

- ``ei`` — expected improvement over the best measured utility (the default);
- ``ucb`` — the 90th percentile of the utility distribution;
- ``greedy`` — the mean utility;
- ``thompson`` — each slot of the batch takes the best candidate of a different function
  draw (a bootstrap member);
- ``random`` — uniform among eligible candidates.

Batches (:func:`select_batch`): for ``ei``, ``ucb`` and ``greedy`` the batch is built one
slot at a time; after each choice every other candidate's score is multiplied by
``1 − exp(−(d / ℓ)²)``, ``d`` its standardised feature distance to the chosen one and
``ℓ`` the 10th percentile of the pairwise distances in the pool (local penalisation,
González et al. 2016), so a batch is not one recipe four times. Candidates identical to a
chosen one are never taken in the same batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pqdml.campaign.surrogate import Predictive

STRATEGIES: tuple[str, ...] = ("ei", "ucb", "thompson", "greedy", "random")
#: Quantile read by ``ucb``.
UCB_QUANTILE = 0.9


@dataclass(frozen=True)
class Objective:
    """What a campaign wants from the target.

    Parameters
    ----------
    direction
        ``"maximize"``, ``"minimize"`` or ``"goal"``.
    goal
        The value to hit when ``direction == "goal"``.

    Examples
    --------
    >>> Objective("goal", 460.0).utility(np.array([450.0, 470.0, 460.0])).tolist()
    [-10.0, -10.0, -0.0]
    """

    direction: str = "maximize"
    goal: float | None = None

    def __post_init__(self) -> None:
        if self.direction not in ("maximize", "minimize", "goal"):
            raise ValueError(
                f"unknown direction {self.direction!r}; use maximize, minimize or goal"
            )
        if self.direction == "goal" and self.goal is None:
            raise ValueError("direction 'goal' needs a goal value")

    def utility(self, y: np.ndarray) -> np.ndarray:
        """Return the utility of target values (larger is better)."""
        y = np.asarray(y, dtype=float)
        if self.direction == "maximize":
            return y
        if self.direction == "minimize":
            return -y
        return -np.abs(y - float(self.goal))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Scores:
    """Per-candidate acquisition inputs and outputs."""

    acquisition: np.ndarray
    p_improve: np.ndarray
    members: np.ndarray  # [n_members, n] utility of each function draw (feasibility applied)


def score(
    strategy: str,
    pred: Predictive,
    objective: Objective,
    best: float,
    *,
    reference: float | None = None,
    p_within: np.ndarray | None = None,
    within_members: np.ndarray | None = None,
    floor: float | None = None,
) -> Scores:
    """Acquisition value and probability of improvement of every candidate.

    Parameters
    ----------
    strategy
        One of :data:`STRATEGIES`.
    pred
        Predictive distributions of the candidates.
    objective
        The campaign's :class:`Objective`.
    best
        Best measured utility.
    reference
        Utility that ``p_improve`` compares with (default ``best``).
    p_within, within_members
        Probability that each candidate lands inside the window constraint, and whether
        each function draw does (``[n_members, n]`` booleans); None without a constraint.
    floor
        Utility of a candidate outside the window (default: ``best``).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    u = objective.utility(pred.samples)
    um = objective.utility(pred.members)
    ref = best if reference is None else reference
    p_imp = (u > ref).mean(axis=1)
    pw = np.ones(len(u)) if p_within is None else np.asarray(p_within, dtype=float)
    fl = best if floor is None else floor
    if within_members is not None:
        um = np.where(within_members, um, fl)
    if strategy == "ei":
        acq = pw * np.maximum(u - best, 0.0).mean(axis=1)
    elif strategy == "ucb":
        acq = pw * np.quantile(u, UCB_QUANTILE, axis=1) + (1 - pw) * fl
    elif strategy == "greedy":
        acq = pw * u.mean(axis=1) + (1 - pw) * fl
    else:  # thompson and random choose from the draws or at random
        acq = pw * u.mean(axis=1) + (1 - pw) * fl
    return Scores(acquisition=acq, p_improve=pw * p_imp, members=um)


def length_scale(Z: np.ndarray, rng: np.random.Generator, *, sample: int = 400) -> float:
    """10th percentile of pairwise distances between (at most ``sample``) rows of ``Z``."""
    if len(Z) < 2:
        return 1.0
    idx = rng.choice(len(Z), size=min(sample, len(Z)), replace=False)
    S = Z[idx]
    d = np.sqrt(((S[:, None, :] - S[None, :, :]) ** 2).sum(-1))
    d = d[np.triu_indices(len(S), 1)]
    d = d[d > 0]
    return float(np.quantile(d, 0.1)) if len(d) else 1.0


def select_batch(
    strategy: str,
    scores: Scores,
    Z: np.ndarray,
    n: int,
    rng: np.random.Generator,
    *,
    tie_break: np.ndarray | None = None,
) -> np.ndarray:
    """Positions (into the candidates) of a batch of ``n`` distinct candidates.

    Parameters
    ----------
    strategy
        One of :data:`STRATEGIES`.
    scores
        From :func:`score`.
    Z
        ``[n_candidates, d]`` standardised features, for the diversity penalty and for
        telling identical candidates apart.
    n
        Batch size (fewer when fewer candidates are distinct).
    rng
        Random generator (Thompson member order, random choice, ties).
    tie_break
        Secondary score when the acquisition is flat (e.g. all-zero expected
        improvement): the mean utility.
    """
    m = len(Z)
    chosen: list[int] = []
    free = np.ones(m, dtype=bool)

    def take(i: int) -> None:
        chosen.append(i)
        same = np.all(Z == Z[i], axis=1)
        free[same] = False

    if strategy == "random":
        for i in rng.permutation(m):
            if len(chosen) == n:
                break
            if free[i]:
                take(int(i))
        return np.asarray(chosen, dtype=int)
    if strategy == "thompson":
        draws = scores.members
        order = rng.permutation(len(draws))
        k = 0
        while len(chosen) < n and free.any():
            row = np.where(free, draws[order[k % len(draws)]], -np.inf)
            take(int(np.argmax(row)))
            k += 1
        return np.asarray(chosen, dtype=int)
    acq = scores.acquisition.astype(float)
    if tie_break is not None and np.ptp(acq) <= 1e-12 * (1 + np.abs(acq).max()):
        acq = np.asarray(tie_break, dtype=float)
    base = acq - acq.min() + 1e-12
    base = base + 1e-9 * rng.random(m) * base.max()  # reproducible tie order
    ell = length_scale(Z, rng)
    penalty = np.ones(m)
    while len(chosen) < n and free.any():
        value = np.where(free, base * penalty, -np.inf)
        i = int(np.argmax(value))
        take(i)
        d = np.sqrt(((Z - Z[i]) ** 2).sum(axis=1))
        penalty *= 1.0 - np.exp(-((d / ell) ** 2))
    return np.asarray(chosen, dtype=int)
