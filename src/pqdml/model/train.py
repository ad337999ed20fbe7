"""Training: canonical records → honest cross-validation → final model with intervals.

Steps of :func:`train` (the work is done in :mod:`pqdml.model._fit`):

1. Read the records (a DataFrame or a file via :func:`pqdml.data.read_records`). Rows with a
   missing target are not training rows; they are counted in ``metadata["rows"]``. With
   ``relative_to_control=True`` the target becomes the gain over the mean of the control
   rows (``is_control == 1``) of the same ``group_id``; control rows and rows without a
   control are excluded and counted.
2. Featurize every unique ligand and composition once (:func:`pqdml.features.featurize_records`);
   failed rows keep NaN features and are counted per error code.
3. Duplicates (one sample entered twice, e.g. a review quoting a paper) are merged and
   "same inputs, different papers" is reported as label noise (:mod:`pqdml.model.duplicates`).
   Rows whose ``qualifier`` is a bound (``>=``, ``<=``) are not training rows.
4. Outer cross-validation (:mod:`pqdml.model.cv`; by default ``group:doi`` when there are
   enough papers, else ``group:recipe``), repeated ``n_repeats`` times with different fold
   assignments (:mod:`pqdml.model.crossval`). In each fold the feature names are learnt
   on the training part and XGBoost (a fixed regularised preset, :mod:`pqdml.model.presets`,
   or a search with ``n_trials > 0``) plus the baselines are scored on the held-out part.
   Headline metrics are pooled over all out-of-fold rows, with the per-fold mean ± sd and
   the spread over repeats beside them, per source when the data has a ``dataset`` column,
   and the within-group ranking skill (:mod:`pqdml.model.ranking`).
5. Out-of-fold residuals calibrate the conformal intervals (:mod:`pqdml.model.conformal`),
   whose empirical coverage per fold is reported. The out-of-fold predictions of every
   model (``metrics["oof"]``: record_id, fold, group, y_true, y_pred, pi_low, pi_high,
   y_pred_<baseline>) are kept for parity plots and benchmarks.
6. The final model: the XGBoost preset fitted on all rows (it also explains), and — when
   ``select=True`` picks a baseline — that baseline as the predictor, stored as plain
   numbers. Applicability domain from all training rows.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import time
from pathlib import Path

import pandas as pd
import xgboost

from pqdml import __version__
from pqdml.data.formats import read_records
from pqdml.data.targets import TARGETS
from pqdml.io import sha256_file
from pqdml.model._fit import fit_model
from pqdml.model._rows import training_targets
from pqdml.model.domain import SIMILARITY_THRESHOLD
from pqdml.model.presets import DEFAULT_PRESET
from pqdml.model.trained import TrainedModel

__all__ = ["read_data", "resolve_target", "train", "training_targets"]


def target_columns() -> dict[str, str]:
    """``--target`` name → column (:data:`pqdml.data.targets.TARGETS`)."""
    return dict(TARGETS)


def resolve_target(target: str) -> tuple[str, str]:
    """``(key, column)`` for a target key (``"plqy"``) or column name (``"plqy_percent"``)."""
    targets = target_columns()
    if target in targets:
        return target, targets[target]
    for key, col in targets.items():
        if target == col:
            return key, col
    raise ValueError(f"unknown target {target!r}; choose one of {', '.join(targets)}")


def read_data(
    data: pd.DataFrame | str | os.PathLike[str], fmt: str | None = None
) -> tuple[pd.DataFrame, str]:
    """Return the records as a DataFrame and the sha256 of the training data (file bytes or table CSV)."""
    if isinstance(data, pd.DataFrame):
        digest = hashlib.sha256(data.to_csv(index=False).encode()).hexdigest()
        return data.reset_index(drop=True), digest
    path = Path(data)
    frame, _ = read_records(path, format=fmt)
    digest = sha256_file(path) if path.is_file() else ""
    return frame.reset_index(drop=True), digest


def _versions() -> dict[str, str]:
    out = {
        "pqdml": __version__,
        "python": platform.python_version(),
        "xgboost": xgboost.__version__,
    }
    for pkg in ("numpy", "pandas", "scikit-learn", "rdkit", "optuna", "scipy"):
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return out


def train(
    data: pd.DataFrame | str | os.PathLike[str],
    target: str,
    *,
    cv: str | None = None,
    seed: int = 0,
    level: float = 0.9,
    n_trials: int = 0,
    relative_to_control: bool = False,
    effect: bool = False,
    select: bool = False,
    preset: str = DEFAULT_PRESET,
    n_repeats: int = 3,
    merge_duplicates: bool = True,
    fmt: str | None = None,
    descriptors: str = "default",
    morgan_bits: int = 0,
    ad_similarity_threshold: float = SIMILARITY_THRESHOLD,
    extra_features: list[str] | None = None,
    n_jobs: int = 1,
) -> TrainedModel:
    """Train a model with repeated grouped CV, baselines, conformal intervals and an AD.

    Parameters
    ----------
    data
        Canonical records, or a file path read with :func:`pqdml.data.read_records`.
    target
        ``plqy``, ``pce``, ``voc``, ``jsc``, ``ff`` or ``emission`` (or the column name).
    cv
        CV scheme (:mod:`pqdml.model.cv`); None → ``group:doi`` with at least 5 papers,
        else ``group:recipe`` (the metrics say which and why).
    seed
        Seed of folds and models: the same seed gives bit-identical models.
    level
        Default interval level.
    n_trials
        Optuna trials of a per-fold XGBoost search (0, the default: the fixed ``preset``).
    relative_to_control
        Model the plain gain over the group's control instead of the value.
    effect
        Model the effect against the group's control (fraction of headroom closed for PLQY
        and PCE, :mod:`pqdml.model.effect`); predictions convert back with
        :meth:`TrainedModel.to_target`.
    select
        Choose the predictor among the XGBoost presets and the pickle-free baselines by
        repeated nested grouped CV (:mod:`pqdml.model.crossval`).
    preset
        XGBoost preset (:data:`pqdml.model.presets.XGB_PRESETS`) when not selecting.
    n_repeats
        Repeats of the outer CV with different fold assignments (≥ 3 for ``select``).
    merge_duplicates
        Merge rows that are one sample entered twice (:mod:`pqdml.model.duplicates`).
    fmt
        Input format for a path (see :func:`pqdml.data.read_records`).
    descriptors, morgan_bits
        Ligand featurizer configuration.
    ad_similarity_threshold
        Minimum max-Tanimoto similarity for ``in_domain``.
    extra_features
        Extra numeric record columns used as features (target columns raise ``LeakageError``).
    n_jobs
        Threads for XGBoost and the random forest.

    Returns
    -------
    TrainedModel
        With ``.metrics`` (the ``metrics.json`` content) and ``.metadata``.

    Examples
    --------
    >>> model = train("data/pqd_literature.csv", "plqy")  # doctest: +SKIP
    >>> model.predict(records)[["prediction", "pi_low", "pi_high", "in_domain"]]  # doctest: +SKIP
    """
    t0 = time.perf_counter()
    key, column = resolve_target(target)
    records, digest = read_data(data, fmt)
    if effect and relative_to_control:
        raise ValueError("choose one of effect=True and relative_to_control=True")
    if select and n_repeats < 3:
        raise ValueError(f"select=True needs n_repeats >= 3, got {n_repeats}")
    model = fit_model(
        records,
        key,
        column,
        cv=cv,
        seed=seed,
        level=level,
        n_trials=n_trials,
        relative_to_control=relative_to_control,
        effect=effect,
        select=select,
        preset=preset,
        n_repeats=n_repeats,
        merge_duplicates=merge_duplicates,
        descriptors=descriptors,
        morgan_bits=morgan_bits,
        ad_similarity_threshold=ad_similarity_threshold,
        extra_features=extra_features,
        n_jobs=n_jobs,
    )
    elapsed = round(time.perf_counter() - t0, 2)
    model.metadata["training_data_sha256"] = digest
    model.metadata["versions"] = _versions()
    model.metadata["training_time_s"] = elapsed
    model.metrics["training_time_s"] = elapsed
    return model
