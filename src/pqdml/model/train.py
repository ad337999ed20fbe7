"""Training: canonical records → honest cross-validation → final XGBoost model with intervals.

Steps of :func:`train`:

1. Read the records (a DataFrame or a file via :func:`pqdml.data.read_records`). Rows with a
   missing target are not training rows; they are counted in ``metadata["rows"]``. With
   ``relative_to_control=True`` the target becomes the gain over the mean of the control
   rows (``is_control == 1``) of the same ``group_id``; control rows and rows without a
   control are excluded and counted.
2. Featurize every unique ligand and composition once (:func:`pqdml.features.featurize_records`);
   failed rows keep NaN features and are counted per error code.
3. Outer cross-validation (:mod:`pqdml.model.cv`, default ``group:doi``). In each fold the
   feature names are learnt on the training part, XGBoost's hyper-parameters are searched
   on the training part only (:mod:`pqdml.model.tuning`) and XGBoost plus the baselines
   (:mod:`pqdml.model.baselines`) are scored on the held-out part. Duplicate records
   (same canonical SMILES, composition, stage and process values) falling in both the
   training and the test part of a fold are counted.
4. Out-of-fold residuals calibrate the conformal intervals (:mod:`pqdml.model.conformal`),
   whose empirical coverage per fold is reported. The out-of-fold predictions of every
   model (``metrics["oof"]``: record_id, fold, group, y_true, y_pred, pi_low, pi_high,
   y_pred_<baseline>) are kept for parity plots and benchmarks.
5. The final model: search on all rows, fit, applicability domain from all training rows.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xgboost

from pqdml import __version__
from pqdml.data.labels import label_values
from pqdml.data.records import ligand_text
from pqdml.data.targets import TARGETS
from pqdml.features import RecordFeaturizer, featurize_records, process_columns
from pqdml.io import sha256_file
from pqdml.model.baselines import BASELINES, make_baseline, make_xgb
from pqdml.model.conformal import conformal_quantile, fold_coverage
from pqdml.model.cv import DEFAULT_CV, make_splits
from pqdml.model.domain import SIMILARITY_THRESHOLD, ApplicabilityDomain
from pqdml.model.metrics import regression_metrics, summarize
from pqdml.model.target import TargetTransform
from pqdml.model.trained import TrainedModel, ligand_info, row_status
from pqdml.model.tuning import tune


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
    from pqdml.data.formats import read_records

    path = Path(data)
    frame, _ = read_records(path, format=fmt)
    digest = sha256_file(path) if path.is_file() else ""
    return frame.reset_index(drop=True), digest


def _is_control(records: pd.DataFrame) -> pd.Series:
    if "is_control" not in records:
        return pd.Series(False, index=records.index)
    return pd.to_numeric(records["is_control"], errors="coerce").fillna(0).astype(int) == 1


def training_targets(
    records: pd.DataFrame, column: str, *, relative_to_control: bool = False
) -> tuple[pd.Series, pd.Series]:
    """Target per row (NaN for non-training rows) and the reason each excluded row is skipped.

    With ``relative_to_control`` the target is ``value − mean(control values of the group)``.
    """
    if column not in records:
        raise ValueError(f"the data has no {column!r} column to train on")
    y, reason, notes = label_values(records[column], column)  # as validate: no clipping
    for note in notes:
        warnings.warn(note, stacklevel=2)
    if not relative_to_control:
        return y, reason
    control = _is_control(records)
    if "group_id" not in records:
        raise ValueError(
            "relative_to_control needs a group_id column linking controls to treated rows"
        )
    gid = records["group_id"].astype("string").fillna("").str.strip()
    ctrl_value = (
        y[control & y.notna() & (gid != "")].groupby(gid[control & y.notna() & (gid != "")]).mean()
    )
    base = gid.map(ctrl_value).astype(float)
    gain = y - base
    reason[(reason == "") & control] = "control row (its gain is 0 by definition)"
    reason[(reason == "") & base.isna()] = "no control row with a value in its group_id"
    gain[reason != ""] = np.nan
    return gain, reason


def duplicate_keys(records: pd.DataFrame, canonical: pd.Series) -> np.ndarray:
    """Key identifying a repeated measurement: canonical SMILES + composition + stage + process."""
    lig = canonical.fillna("").astype(str).where(canonical.notna(), ligand_text(records))
    parts = [lig, records.get("composition", pd.Series("", index=records.index)).astype(str)]
    parts.append(records.get("stage", pd.Series("", index=records.index)).astype(str))
    for col in process_columns(records):
        parts.append(pd.to_numeric(records[col], errors="coerce").round(6).astype(str))
    key = parts[0].astype(str)
    for p in parts[1:]:
        key = key + "|" + p.astype(str)
    return key.to_numpy()


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


def _count_failures(frame: pd.DataFrame) -> dict[str, dict[str, int]]:
    out = {}
    for prefix in ("ligand", "composition"):
        col = f"{prefix}_status"
        if col in frame:
            # no ligand (e.g. a control) is not a failure; a missing composition is
            fine = ("ok", "empty") if prefix == "ligand" else ("ok",)
            counts = Counter(str(s) for s in frame[col].fillna("ok") if s not in fine)
            out[prefix] = dict(sorted(counts.items()))
    return out


def train(
    data: pd.DataFrame | str | os.PathLike[str],
    target: str,
    *,
    cv: str | None = None,
    seed: int = 0,
    level: float = 0.9,
    n_trials: int = 20,
    relative_to_control: bool = False,
    fmt: str | None = None,
    descriptors: str = "default",
    morgan_bits: int = 0,
    ad_similarity_threshold: float = SIMILARITY_THRESHOLD,
    extra_features: list[str] | None = None,
    n_jobs: int = 1,
) -> TrainedModel:
    """Train an XGBoost model with honest CV, baselines, conformal intervals and an AD.

    Parameters
    ----------
    data
        Canonical records, or a file path read with :func:`pqdml.data.read_records`.
    target
        ``plqy``, ``pce``, ``voc``, ``jsc``, ``ff`` or ``emission`` (or the column name).
    cv
        CV scheme (:mod:`pqdml.model.cv`); None → ``group:doi``.
    seed
        Seed of folds, search and models: the same seed gives bit-identical predictions.
    level
        Default interval level.
    n_trials
        Optuna trials per search (0: fixed defaults).
    relative_to_control
        Model the gain over the group's control instead of the value.
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
    >>> model = train("data/pqd_literature.csv", "plqy", n_trials=0)  # doctest: +SKIP
    >>> model.predict(records)[["prediction", "pi_low", "pi_high", "in_domain"]]  # doctest: +SKIP
    """
    t0 = time.perf_counter()
    key, column = resolve_target(target)
    records, digest = read_data(data, fmt)
    y_all, reason = training_targets(records, column, relative_to_control=relative_to_control)
    use = (reason == "").to_numpy()
    if use.sum() < 5:
        raise ValueError(
            f"only {int(use.sum())} rows have a usable {column}; at least 5 are needed"
        )
    recs = records[use].reset_index(drop=True)
    y = y_all[use].to_numpy(dtype=float)
    transform = TargetTransform.for_column(column, relative=relative_to_control)
    z = transform.forward(y)

    frame = featurize_records(recs, descriptors=descriptors, morgan_bits=morgan_bits)
    canonical = frame.get("ligand_canonical_smiles", pd.Series([None] * len(recs)))
    scheme = cv or DEFAULT_CV
    splits, groups = make_splits(recs, scheme, seed=seed, canonical_smiles=canonical)
    group_arr = groups.to_numpy()
    dup_key = duplicate_keys(recs, canonical)

    def featurizer() -> RecordFeaturizer:
        return RecordFeaturizer(
            target_column=column,
            descriptors=descriptors,
            morgan_bits=morgan_bits,
            extra_features=extra_features,
        )

    names = ["xgboost", *BASELINES]
    folds: dict[str, list[dict[str, Any]]] = {m: [] for m in names}
    y_oof = {m: np.full(len(y), np.nan) for m in names}
    z_oof = np.full(len(y), np.nan)
    fold_of = np.full(len(y), -1)
    duplicates = []
    for k, (tr, te) in enumerate(splits):
        f = featurizer().fit(recs.iloc[tr], feature_frame=frame.iloc[tr])
        X = f.transform(recs, feature_frame=frame)
        params = tune(X[tr], z[tr], group_arr[tr], n_trials=n_trials, seed=seed, n_jobs=n_jobs)
        xgb = make_xgb(params, seed=seed, n_jobs=n_jobs).fit(X[tr], z[tr])
        z_oof[te] = xgb.predict(X[te])
        fold_of[te] = k
        preds = {"xgboost": transform.inverse(z_oof[te])}
        for b in BASELINES:
            est = make_baseline(b, seed=seed, n_jobs=n_jobs).fit(X[tr], y[tr])
            preds[b] = transform.clip(est.predict(X[te]))
        for m in names:
            y_oof[m][te] = preds[m]
            folds[m].append({"fold": k, **regression_metrics(y[te], preds[m])})
        duplicates.append(int(np.isin(dup_key[te], dup_key[tr]).sum()))

    resid = np.abs(z - z_oof)
    cover, widths = fold_coverage(z, z_oof, fold_of, level)
    q_all = conformal_quantile(resid, level)
    q_fold = np.array(widths)[fold_of]
    ids = (
        recs["record_id"].astype(str)
        if "record_id" in recs
        else pd.Series(range(len(y))).astype(str)
    )
    oof = {
        "record_id": ids.tolist(),
        "fold": fold_of.tolist(),
        "group": group_arr.tolist(),
        "y_true": y.tolist(),
        "y_pred": y_oof["xgboost"].tolist(),
        "pi_low": transform.inverse(z_oof - q_fold).tolist(),
        "pi_high": transform.inverse(z_oof + q_fold).tolist(),
        **{f"y_pred_{b}": y_oof[b].tolist() for b in BASELINES},
    }

    f = featurizer().fit(recs, feature_frame=frame)
    X = f.transform(recs, feature_frame=frame)
    feature_names = list(f.get_feature_names_out())
    final_params = tune(X, z, group_arr, n_trials=n_trials, seed=seed, n_jobs=n_jobs)
    booster = make_xgb(final_params, seed=seed, n_jobs=n_jobs).fit(X, z).get_booster()
    lig = ligand_info(frame)
    domain = ApplicabilityDomain.fit(
        X, feature_names, lig, similarity_threshold=ad_similarity_threshold
    )
    elapsed = time.perf_counter() - t0

    metrics: dict[str, Any] = {
        "target": key,
        "target_column": column,
        "prediction_kind": "gain_over_control" if relative_to_control else "value",
        "cv": scheme,
        "n_rows": len(y),
        "n_groups": int(groups.nunique()),
        "n_folds": len(splits),
        "cv_note": (
            "every row is its own group: equivalent to random K-fold, optimistic for data "
            "from few papers"
            if groups.nunique() == len(y)
            else ""
        ),
        "models": {m: {"folds": folds[m], "summary": summarize(folds[m])} for m in names},
        "coverage": {
            "level": level,
            "per_fold": cover,
            "mean": float(np.mean(cover)),
            "half_width_per_fold": widths,
            "note": "each fold's interval calibrated on the other folds' out-of-fold residuals",
        },
        "duplicates_across_folds": {"per_fold": duplicates, "total": int(sum(duplicates))},
        "training_time_s": round(elapsed, 2),
        "oof": oof,
    }
    skipped = Counter(r for r in reason if r)
    status, _ = row_status(frame)
    metadata: dict[str, Any] = {
        "pqdml_version": __version__,
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "prediction_kind": metrics["prediction_kind"],
        "relative_to_control": relative_to_control,
        "featurizer": {
            "descriptors": descriptors,
            "morgan_bits": morgan_bits,
            "extra_features": list(extra_features or []),
            "ligand_text": "ligand_smiles, else ligand_name",
        },
        "training_data_sha256": digest,
        "rows": {
            "n_input": len(records),
            "n_used": len(y),
            "skipped": dict(sorted(skipped.items())),
            "featurization_failures": _count_failures(frame),
            "rows_with_nan_features_due_to_failures": int((status != "ok").sum()),
        },
        "cv": {
            "scheme": scheme,
            "n_folds": len(splits),
            "n_groups": int(groups.nunique()),
            "summary": {m: metrics["models"][m]["summary"] for m in names},
        },
        "hyperparameters": final_params,
        "conformal": {
            "method": "CV (cross-conformal) residuals in the fitting space; Barber et al. 2021",
            "level": level,
            "half_width_at_level": q_all,
            "coverage_per_fold": cover,
        },
        "training_target_mean": float(np.mean(y)),
        "seed": seed,
        "n_trials": n_trials,
        "versions": _versions(),
        "training_time_s": round(elapsed, 2),
    }
    return TrainedModel(
        target=key,
        target_column=column,
        feature_names=feature_names,
        booster=booster,
        target_transform=transform,
        residuals=resid[np.isfinite(resid)],
        domain=domain,
        metadata=metadata,
        metrics=metrics,
    )
