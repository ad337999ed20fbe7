"""Out-of-fold predictions and learning curves for the report, never in-sample.

:func:`pqdml.model.train` stores its out-of-fold (OOF) predictions in
``model.metrics["oof"]``; when present they are used as they are. Otherwise they are recomputed here with the model's own CV scheme (grouped by
paper by default, :func:`pqdml.model.cv.make_splits`) and its XGBoost hyper-parameters:
each fold's booster is fitted without the fold's groups, in the model's transformed
target space, and its intervals use a conformal half-width computed from the *other*
folds' OOF residuals only (as :func:`pqdml.model.conformal.fold_coverage` does). The
feature pipeline is the fitted one of the model: ligand and composition features are
stateless; only the one-hot vocabulary of categorical columns was learnt on all rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pqdml.model._rows import training_targets
from pqdml.model.baselines import make_xgb
from pqdml.model.conformal import conformal_quantile
from pqdml.model.cv import make_splits
from pqdml.model.duplicates import merge_training_duplicates
from pqdml.model.target import TargetTransform
from pqdml.model.trained import TrainedModel

__all__ = ["learning_curve_data", "oof_predictions"]


def _stored(model: TrainedModel) -> pd.DataFrame | None:
    """Return the OOF predictions :func:`pqdml.model.train` wrote to ``metrics["oof"]``, if any."""
    stored = model.metrics.get("oof")
    return pd.DataFrame(stored) if stored else None


def _training_rows(
    model: TrainedModel, data: pd.DataFrame
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.Series | None]:
    """Rows of ``data`` the model would train on: those with a usable target.

    As in :func:`pqdml.model.train`, rows whose featurization failed stay in with NaN
    features; with ``relative_to_control`` the target is the gain over the group's control.
    """
    relative = bool(model.metadata.get("relative_to_control", False))
    y_all, reason = training_targets(data, model.target_column, relative_to_control=relative)
    mask = np.isfinite(y_all.to_numpy(dtype=float)) & (reason == "").to_numpy()
    rows = data[mask].reset_index(drop=True)
    X, status = model.transform(rows)
    smiles = status["canonical_smiles"] if "canonical_smiles" in status else None
    y = y_all.to_numpy(dtype=float)[mask]
    # the same rows as training: one sample entered twice is merged (pqdml.model.duplicates)
    keep, y = merge_training_duplicates(rows, y, canonical=smiles)
    smiles = smiles[keep].reset_index(drop=True) if smiles is not None else None
    return rows[keep].reset_index(drop=True), np.asarray(X, dtype=np.float64)[keep], y[keep], smiles


def oof_predictions(
    model: TrainedModel, data: pd.DataFrame | None, *, level: float = 0.9, seed: int = 0
) -> tuple[pd.DataFrame, str]:
    """Out-of-fold predictions with intervals, from metadata or recomputed on ``data``.

    Parameters
    ----------
    model
        A :class:`pqdml.model.TrainedModel`.
    data
        Canonical records (with the target column) to recompute on when the metadata
        has no OOF predictions.
    level
        Interval level of recomputed intervals.
    seed
        Fold seed for recomputation (the model's own seed is used when known).

    Returns
    -------
    frame, provenance
        Columns ``record_id``, ``group``, ``fold``, ``y_true``, ``y_pred``, ``pi_low``,
        ``pi_high``; and a sentence saying where they came from.
    """
    stored = _stored(model)
    if stored is not None:
        text = "out-of-fold predictions stored with the model at training time"
        if not np.isclose(level, model.level):
            stored = _relevel(model, stored, level)
            text += f" (intervals re-calibrated at {level:.0%} from the other folds' residuals)"
        return stored, text
    if data is None:
        raise ValueError(
            "the model's metadata has no out-of-fold predictions; pass the training data "
            "(--data) so they can be recomputed with grouped cross-validation"
        )
    rows, X, y, smiles = _training_rows(model, data)
    seed = int(model.metadata.get("seed", seed))
    splits, groups, scheme = splits_for(rows, _cv_scheme(model), seed=seed, smiles=smiles)
    transform = model.target_transform
    z = transform.forward(y)
    z_oof = np.full(len(y), np.nan)
    fold = np.full(len(y), -1)
    for k, (train, test) in enumerate(splits):
        z_oof[test] = _fit_predict(model, X[train], z[train], X[test], seed=seed)
        fold[test] = k
    low, high = _fold_intervals(transform, z, z_oof, fold, level)
    ids = rows["record_id"].astype(str) if "record_id" in rows else pd.Series(range(len(rows)))
    frame = pd.DataFrame(
        {
            "record_id": ids.to_numpy(),
            "group": np.asarray(groups),
            "fold": fold,
            "y_true": y,
            "y_pred": transform.inverse(z_oof),
            "pi_low": low,
            "pi_high": high,
        }
    )
    text = (
        f"recomputed for this report: {len(splits)}-fold cross-validation "
        f"({scheme}), XGBoost with the final model's hyper-parameters (tuned on all rows, "
        f"so slightly optimistic next to the nested CV of metrics.json), conformal "
        f"intervals at {level:.0%} calibrated on the other folds"
    )
    return frame, text


def _fold_intervals(
    transform: TargetTransform, z: np.ndarray, z_oof: np.ndarray, fold: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Cross-conformal interval ends per row, each fold calibrated on the other folds."""
    resid = np.abs(z - z_oof)
    low = np.full(len(z), np.nan)
    high = np.full(len(z), np.nan)
    for k in np.unique(fold):
        test = fold == k
        q = conformal_quantile(resid[~test], level)
        low[test] = transform.inverse(z_oof[test] - q)
        high[test] = transform.inverse(z_oof[test] + q)
    return low, high


def _relevel(model: TrainedModel, oof: pd.DataFrame, level: float) -> pd.DataFrame:
    """Recompute the intervals of stored OOF predictions at another level."""
    transform = model.target_transform
    out = oof.copy()
    z = transform.forward(out["y_true"].to_numpy(dtype=float))
    z_oof = transform.forward(out["y_pred"].to_numpy(dtype=float))
    out["pi_low"], out["pi_high"] = _fold_intervals(
        transform, z, z_oof, out["fold"].to_numpy(), level
    )
    return out


def splits_for(
    rows: pd.DataFrame, scheme: str, *, seed: int, smiles: pd.Series | None
) -> tuple[list[tuple[np.ndarray, np.ndarray]], pd.Series, str]:
    """CV folds under the model's scheme, or ``group:doi`` when the data lacks its column.

    Returns the folds, each row's group label and the scheme actually used.
    """
    try:
        splits, groups = make_splits(rows, scheme, seed=seed, canonical_smiles=smiles)
    except KeyError:  # e.g. a build-time grouping column absent from the given records
        fallback = "group:doi"
        splits, groups = make_splits(rows, fallback, seed=seed, canonical_smiles=smiles)
        return splits, groups, f"{fallback} (the data has no column for the model's {scheme})"
    return splits, groups, scheme


def _cv_scheme(model: TrainedModel) -> str:
    """Return the CV scheme :func:`pqdml.model.train` wrote to ``metadata["cv"]["scheme"]``."""
    return str((model.metadata.get("cv") or {}).get("scheme") or "group:doi")


def _fit_predict(
    model: TrainedModel, X_train: np.ndarray, z_train: np.ndarray, X_test: np.ndarray, *, seed: int
) -> np.ndarray:
    params = dict(model.metadata.get("hyperparameters") or {})
    reg = make_xgb(params, seed=seed, n_jobs=1, z=z_train)
    reg.fit(X_train, z_train)
    return np.asarray(reg.predict(X_test), dtype=float)


def learning_curve_data(
    model: TrainedModel,
    data: pd.DataFrame,
    *,
    fractions: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8, 1.0),
    seed: int = 0,
) -> pd.DataFrame:
    """Held-out MAE (target units) vs training-set size under the model's CV scheme.

    In every outer fold the training groups are subsampled (whole groups, so a paper is
    never split) to each fraction, a booster with the model's hyper-parameters is
    fitted, and MAE is measured on the untouched held-out fold, beside the mean
    predictor of the same subsample.

    Returns
    -------
    pandas.DataFrame
        One row per (fraction, fold): ``fraction``, ``fold``, ``n_train``,
        ``mae_model``, ``mae_mean``.
    """
    rows, X, y, smiles = _training_rows(model, data)
    seed = int(model.metadata.get("seed", seed))
    splits, groups, scheme = splits_for(rows, _cv_scheme(model), seed=seed, smiles=smiles)
    group_arr = np.asarray(groups)
    transform = model.target_transform
    z = transform.forward(y)
    rng = np.random.default_rng(seed)
    out = []
    for k, (train, test) in enumerate(splits):
        order = rng.permutation(np.unique(group_arr[train]))
        for frac in fractions:
            chosen = set(order[: max(2, int(np.ceil(frac * len(order))))])
            sub = train[np.isin(group_arr[train], list(chosen))]
            if len(sub) < 5:
                continue
            pred = transform.inverse(_fit_predict(model, X[sub], z[sub], X[test], seed=seed))
            out.append(
                {
                    "fraction": frac,
                    "fold": k,
                    "n_train": len(sub),
                    "mae_model": float(np.mean(np.abs(pred - y[test]))),
                    "mae_mean": float(np.mean(np.abs(np.mean(y[sub]) - y[test]))),
                }
            )
    frame = pd.DataFrame(out, columns=["fraction", "fold", "n_train", "mae_model", "mae_mean"])
    frame.attrs["scheme"] = scheme
    return frame
