"""Hyper-parameter search for XGBoost: Optuna TPE with a fixed seed, inside training folds only.

:func:`tune` is always called on the rows of one *training* set (an outer CV training fold,
or all rows for the final model) and scores each trial by grouped inner cross-validation
within those rows, repeated 3 times with different fold assignments (mean absolute
error in the fitting space), so the outer test fold never
informs the choice. ``n_trials=0`` skips the search and returns
:data:`~pqdml.model.baselines.DEFAULT_XGB_PARAMS`. The first trial always evaluates the
defaults, so the search can only keep or improve on them (by inner-CV score).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from pqdml.model.baselines import DEFAULT_XGB_PARAMS, make_xgb
from pqdml.model.cv import inner_splits

#: Repeats of the grouped inner CV that scores each trial (different fold assignments).
INNER_REPEATS = 3


def _suggest(trial: Any) -> dict[str, Any]:
    return {
        "n_estimators": trial.suggest_int("n_estimators", 100, 500, step=50),
        "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
        "max_depth": trial.suggest_int("max_depth", 2, 7),
        "min_child_weight": trial.suggest_float("min_child_weight", 1.0, 10.0, log=True),
        "subsample": trial.suggest_float("subsample", 0.6, 1.0),
        "colsample_bytree": trial.suggest_float("colsample_bytree", 0.4, 1.0),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-2, 10.0, log=True),
    }


def tune(
    X: np.ndarray,
    z: np.ndarray,
    groups: np.ndarray,
    *,
    n_trials: int,
    seed: int = 0,
    n_jobs: int = 1,
) -> dict[str, Any]:
    """Best XGBoost parameters for ``(X, z)`` by grouped inner CV (see module docstring).

    Parameters
    ----------
    X, z
        Training matrix and target in the fitting space.
    groups
        Group label of every row (inner folds keep groups together).
    n_trials
        Optuna trial budget; 0 returns the defaults.
    seed
        Seed of the TPE sampler and of the inner folds.
    n_jobs
        XGBoost threads.

    Returns
    -------
    dict
        XGBoost keyword arguments.
    """
    if n_trials <= 0 or len(z) < 6:
        return dict(DEFAULT_XGB_PARAMS)
    import optuna  # heavy (sqlalchemy, alembic): loaded only when tuning runs

    optuna.logging.set_verbosity(logging.WARNING)
    folds = [
        fold
        for r in range(INNER_REPEATS)
        for fold in inner_splits(np.asarray(groups), seed=seed + r)
    ]

    def objective(trial: Any) -> float:
        params = _suggest(trial)
        errors = []
        for tr, va in folds:
            model = make_xgb(params, seed=seed, n_jobs=n_jobs).fit(X[tr], z[tr])
            errors.append(float(np.mean(np.abs(model.predict(X[va]) - z[va]))))
        return float(np.mean(errors))

    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.enqueue_trial(dict(DEFAULT_XGB_PARAMS))
    study.optimize(objective, n_trials=n_trials)
    return {**DEFAULT_XGB_PARAMS, **study.best_params}
