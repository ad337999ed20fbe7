"""Repeated outer cross-validation of every candidate, with optional nested selection.

:func:`run_cv` scores the candidates of :mod:`pqdml.model.presets` and the baselines on the
same outer folds, repeated ``n_repeats`` times with different fold assignments (seed
``seed + r``). Every candidate gets out-of-fold (OOF) predictions for every row in every
repeat, in *model units* (the target, or the effect of :mod:`pqdml.model.effect`).

With ``select=True`` each outer training part also runs an inner selection — grouped
3-fold CV repeated twice, on that training part only — and records which candidate it
would ship; the ``nested_selection`` entry holds the outer predictions of those picks,
an honest estimate of "select, then predict" that never looks at the outer scores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

from pqdml.model.baselines import make_baseline, make_xgb
from pqdml.model.cv import make_splits
from pqdml.model.effect import from_effect, to_effect
from pqdml.model.presets import SHIPPABLE, XGB_PRESETS, preset_params
from pqdml.model.target import TargetTransform
from pqdml.model.tuning import tune

#: Inner selection: grouped folds × repeats.
INNER_FOLDS, INNER_REPEATS = 3, 2


@dataclass
class Problem:
    """What the candidates are fitted on (positional arrays over the training rows)."""

    y: np.ndarray  # model units (target value, or effect)
    transform: TargetTransform  # fitting space of XGBoost (identity for effects)
    groups: np.ndarray  # CV group labels (used by tuning / inner folds)
    low: float = -np.inf
    high: float = np.inf
    control: np.ndarray | None = None  # control value per row (effect models)
    ceiling: float | None = None
    n_jobs: int = 1
    seed: int = 0
    n_trials: int = 0


def fit_predict(
    name: str, prob: Problem, X: np.ndarray, tr: np.ndarray, te: np.ndarray
) -> np.ndarray:
    """Fit candidate ``name`` on rows ``tr`` and predict rows ``te`` (model units)."""
    y = prob.y
    if name in XGB_PRESETS or name == "xgboost_tuned":
        z = prob.transform.forward(y[tr])
        if name == "xgboost_tuned":
            params = tune(X[tr], z, prob.groups[tr], n_trials=prob.n_trials, seed=prob.seed)
        else:
            params = preset_params(name)
        model = make_xgb(params, seed=prob.seed, n_jobs=prob.n_jobs, z=z).fit(X[tr], z)
        out = prob.transform.inverse(model.predict(X[te]))
        return np.clip(out, prob.low, prob.high)
    if name == "mean_gain":
        assert prob.control is not None
        c = prob.control
        gain = float(np.mean(from_effect(y[tr], c[tr], prob.ceiling) - c[tr]))
        return to_effect(c[te] + gain, c[te], prob.ceiling)
    est = make_baseline(name, seed=prob.seed, n_jobs=prob.n_jobs).fit(X[tr], y[tr])
    return np.clip(est.predict(X[te]), prob.low, prob.high)


def _inner_pick(prob: Problem, X: np.ndarray, rows: np.ndarray, names: list[str]) -> str:
    """Candidate with the lowest pooled inner-CV MAE on ``rows`` (outer training part)."""
    groups = prob.groups[rows]
    k = min(INNER_FOLDS, len(np.unique(groups)))
    if k < 2:
        return names[0]
    err: dict[str, list[float]] = {n: [] for n in names}
    for r in range(INNER_REPEATS):
        cv = GroupKFold(n_splits=k, shuffle=True, random_state=prob.seed + 1000 + r)
        pred = {n: np.full(len(rows), np.nan) for n in names}
        for itr, ite in cv.split(np.zeros(len(rows)), groups=groups):
            for n in names:
                pred[n][ite] = fit_predict(n, prob, X, rows[itr], rows[ite])
        for n in names:
            err[n].append(float(np.nanmean(np.abs(pred[n] - prob.y[rows]))))
    return min(names, key=lambda n: (np.mean(err[n]), names.index(n)))


@dataclass
class CVResult:
    """Out-of-fold predictions of every candidate over all repeats."""

    names: list[str]
    scheme: str
    groups: pd.Series
    oof: dict[str, np.ndarray]  # name → (n_repeats, n_rows)
    fold_of: np.ndarray  # (n_repeats, n_rows)
    n_folds: int
    picks: list[str] = field(default_factory=list)


def run_cv(
    records: pd.DataFrame,
    X_of: Callable[[np.ndarray], np.ndarray],
    prob: Problem,
    names: list[str],
    *,
    scheme: str,
    canonical: pd.Series | None,
    n_repeats: int,
    select: bool,
) -> CVResult:
    """Outer repeated CV (see module docstring).

    ``X_of(train_rows)`` returns the full feature matrix with the featurizer fitted on
    ``train_rows`` (feature names learnt on the training part only).
    """
    n = len(prob.y)
    repeats = 1 if scheme.startswith("leave-one-group-out") else max(1, n_repeats)
    shippable = [m for m in names if m in SHIPPABLE]
    all_names = [*names, "nested_selection"] if select else list(names)
    oof = {m: np.full((repeats, n), np.nan) for m in all_names}
    fold_of = np.full((repeats, n), -1)
    picks: list[str] = []
    groups0 = None
    n_folds = 0
    for r in range(repeats):
        splits, groups = make_splits(
            records, scheme, seed=prob.seed + r, canonical_smiles=canonical
        )
        if r == 0:
            groups0, n_folds = groups, len(splits)
        for k, (tr, te) in enumerate(splits):
            X = X_of(tr)
            fold_of[r, te] = k
            for m in names:
                oof[m][r, te] = fit_predict(m, prob, X, tr, te)
            if select:
                pick = _inner_pick(prob, X, tr, shippable)
                picks.append(pick)
                oof["nested_selection"][r, te] = oof[pick][r, te]
    assert groups0 is not None
    return CVResult(all_names, scheme, groups0, oof, fold_of, n_folds, picks)


def winner(result: CVResult, y: np.ndarray) -> tuple[str, dict[str, float]]:
    """Shippable candidate with the lowest pooled OOF MAE averaged over repeats, and all MAEs."""
    maes = {}
    for m in result.names:
        if m in SHIPPABLE:
            per_rep = [
                float(np.nanmean(np.abs(result.oof[m][r] - y))) for r in range(len(result.fold_of))
            ]
            maes[m] = float(np.mean(per_rep))
    best = min(maes, key=lambda m: (maes[m], list(maes).index(m)))
    return best, maes


def pick_counts(picks: list[str]) -> dict[str, Any]:
    """How often each candidate won the inner selection of an outer fold."""
    return dict(pd.Series(picks, dtype=object).value_counts().sort_index().astype(int).items())
