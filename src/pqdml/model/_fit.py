"""The work of :func:`pqdml.model.train`: targets, duplicates, repeated CV, final fit, metadata."""

from __future__ import annotations

import math
import time
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from pqdml import __version__
from pqdml.features import RecordFeaturizer, featurize_records
from pqdml.model import intervals
from pqdml.model._rows import (
    _count_failures,
    _domain_table,
    _sources,
    ranking_groups,
    training_targets,
)
from pqdml.model.baselines import BASELINES, make_baseline, make_xgb
from pqdml.model.conformal import conformal_quantile
from pqdml.model.crossval import Problem, pick_counts, run_cv, winner
from pqdml.model.cv import choose_scheme, make_splits
from pqdml.model.domain import ApplicabilityDomain
from pqdml.model.duplicates import MERGED_KINDS, find_duplicates, same_inputs_different_papers
from pqdml.model.duplicates import merge_duplicates as merge_rows
from pqdml.model.effect import ceiling_for, control_values, from_effect, to_effect
from pqdml.model.metrics import per_source, pooled_summary, regression_metrics
from pqdml.model.pbetter import fit_p_better
from pqdml.model.presets import SHIPPABLE, XGB_PRESETS, LinearPredictor, preset_params
from pqdml.model.ranking import pairwise_concordance, skill_verdict
from pqdml.model.target import TargetTransform
from pqdml.model.trained import TrainedModel, ligand_info, row_status
from pqdml.model.tuning import tune

#: Heuristic rivals of the ranking metric: rank treatments by this feature, bigger first.
RANKING_RIVALS = {
    "bigger_is_better": "ligand__mol_weight",
    "longer_is_better": "ligand__chain_length",
}


def fit_model(
    records: pd.DataFrame,
    key: str,
    column: str,
    *,
    cv: str | None,
    seed: int,
    level: float,
    n_trials: int,
    relative_to_control: bool,
    effect: bool,
    select: bool,
    preset: str,
    n_repeats: int,
    merge_duplicates: bool,
    descriptors: str,
    morgan_bits: int,
    ad_similarity_threshold: float,
    extra_features: list[str] | None,
    n_jobs: int,
) -> TrainedModel:
    """Everything :func:`pqdml.model.train` does after reading the data (see its docstring)."""
    preset_params(preset)  # unknown preset → KeyError before any work
    y_all, reason = training_targets(
        records, column, relative_to_control=relative_to_control, effect=effect
    )
    use = (reason == "").to_numpy()
    if use.sum() < 5:
        raise ValueError(
            f"only {int(use.sum())} rows have a usable {column}; at least 5 are needed"
        )
    recs = records[use].reset_index(drop=True)
    y = y_all[use].to_numpy(dtype=float)
    ceiling = ceiling_for(column) if effect else None
    raw = pd.to_numeric(recs[column], errors="coerce")
    control = control_values(records, pd.to_numeric(records[column], errors="coerce"))[use]
    control = control.to_numpy(dtype=float)

    frame = featurize_records(recs, descriptors=descriptors, morgan_bits=morgan_bits)
    canonical = frame.get("ligand_canonical_smiles", pd.Series([None] * len(recs)))
    # duplicates: one sample entered twice is merged; same inputs in other papers is reported
    clusters = find_duplicates(recs, raw, canonical=canonical)
    noise = same_inputs_different_papers(recs, raw, canonical=canonical)
    merged_log: list[dict[str, Any]] = []
    if merge_duplicates and clusters:
        keep, merged_raw, merged_log = merge_rows(recs, raw, clusters)
        y_new = y.copy()
        for c in clusters:
            if c["kind"] not in MERGED_KINDS:
                continue
            kept = next(i for i in c["rows"] if keep[i])
            if effect:
                y_new[kept] = to_effect(merged_raw[kept], control[kept], ceiling)
            elif relative_to_control:
                y_new[kept] = merged_raw[kept] - control[kept]
            else:
                y_new[kept] = merged_raw[kept]
        recs = recs[keep].reset_index(drop=True)
        frame = frame[keep].reset_index(drop=True)
        canonical = canonical[keep].reset_index(drop=True)
        y, control = y_new[keep], control[keep]
    n_merged = int(sum(len(e["merged"]) for e in merged_log))

    transform = (
        TargetTransform()
        if effect
        else TargetTransform.for_column(column, relative=relative_to_control)
    )
    low, high = (-1.0, 1.0) if (effect and ceiling is not None) else (transform.low, transform.high)
    if transform.kind == "identity" and not (effect and ceiling is not None):
        low, high = -np.inf, np.inf
    cv_reason = ""
    scheme = cv
    if scheme in (None, "auto"):
        scheme, cv_reason = choose_scheme(recs)

    def featurizer() -> RecordFeaturizer:
        return RecordFeaturizer(
            target_column=column,
            descriptors=descriptors,
            morgan_bits=morgan_bits,
            extra_features=extra_features,
        )

    def X_of(rows: np.ndarray) -> np.ndarray:
        f = featurizer().fit(recs.iloc[rows], feature_frame=frame.iloc[rows])
        return f.transform(recs, feature_frame=frame)

    xgb_main = "xgboost_tuned" if n_trials > 0 else preset
    xgb_names = list(XGB_PRESETS) if select else [xgb_main]
    if select and n_trials > 0:
        xgb_names = ["xgboost_tuned", *XGB_PRESETS]
    names = [*xgb_names, *BASELINES]
    if effect:
        names.append("mean_gain")
    prob = Problem(
        y=y,
        transform=transform,
        groups=run_cv_groups(recs, scheme, seed, canonical),
        low=low,
        high=high,
        control=control if effect else None,
        ceiling=ceiling,
        n_jobs=n_jobs,
        seed=seed,
        n_trials=n_trials,
    )
    res = run_cv(
        recs,
        X_of,
        prob,
        names,
        scheme=scheme,
        canonical=canonical,
        n_repeats=n_repeats,
        select=select,
    )
    best, cv_mae = winner(res, y)
    xgb_best = min(
        (m for m in res.names if m in XGB_PRESETS or m == "xgboost_tuned"),
        key=lambda m: float(np.nanmean(np.abs(res.oof[m] - y))) if select else 0.0,
    )
    predictor_name = best if select else xgb_main
    # ----- metrics -----
    rank_groups, treated = ranking_groups(recs)
    sources = _sources(recs)
    out_names = {m: ("xgboost" if m == xgb_best and not select else m) for m in res.names}
    models: dict[str, Any] = {}
    gain_true = (from_effect(y, control, ceiling) - control) if effect else None
    for m in res.names:
        block = pooled_summary(y, res.oof[m], res.fold_of)
        block["ranking"] = pairwise_concordance(
            y[treated], res.oof[m][0][treated], rank_groups[treated], seed=seed
        )
        if gain_true is not None:
            pred_gain = from_effect(res.oof[m][0], control, ceiling) - control
            block["gain"] = regression_metrics(gain_true, pred_gain)
        models[out_names[m]] = block
    X_full = X_of(np.arange(len(y)))
    f_full = featurizer().fit(recs, feature_frame=frame)
    feature_names = list(f_full.get_feature_names_out())
    rivals = {}
    for rival, feat in RANKING_RIVALS.items():
        if feat in feature_names:
            col = X_full[:, feature_names.index(feat)]
            rivals[rival] = pairwise_concordance(
                y[treated], col[treated], rank_groups[treated], seed=seed
            )

    # ----- applicability domain, validated on the repeat-0 folds -----
    lig = ligand_info(frame)
    in_domain = np.ones(len(y), dtype=bool)
    novel = np.zeros(len(y), dtype=bool)
    for k in np.unique(res.fold_of[0]):
        te = np.flatnonzero(res.fold_of[0] == k)
        tr = np.flatnonzero(res.fold_of[0] != k)
        f_k = featurizer().fit(recs.iloc[tr], feature_frame=frame.iloc[tr])
        X_k = f_k.transform(recs, feature_frame=frame)
        dom_k = ApplicabilityDomain.fit(
            X_k[tr],
            list(f_k.get_feature_names_out()),
            lig.iloc[tr],
            similarity_threshold=ad_similarity_threshold,
        )
        verdict = dom_k.assess(X_k[te], lig.iloc[te])
        in_domain[te] = verdict["in_domain"].to_numpy(dtype=bool)
        novel[te] = verdict["ad_reasons"].str.contains("never occur", regex=False).to_numpy()
    domain_check = _domain_table(y, res.oof[predictor_name][0], in_domain, novel, treated)
    domain_check["criterion"] = "similarity_and_distance"

    # ----- conformal calibration on the predictor's repeat-0 OOF -----
    oof0 = res.oof[predictor_name][0]
    z = transform.forward(y)
    z_oof = transform.forward(oof0)
    resid = np.abs(z - z_oof)
    fold0 = res.fold_of[0]
    cover, widths, inside = [], [], np.zeros(len(y), dtype=bool)
    for k in np.unique(fold0):
        test = fold0 == k
        q = conformal_quantile(resid[~test], level)
        inside[test] = resid[test] <= q
        cover.append(float(np.mean(inside[test])))
        widths.append(q)
    q_fold = np.array(widths)[fold0]
    q_all = conformal_quantile(resid, level)
    plain_width = transform.inverse(z_oof + q_fold) - transform.inverse(z_oof - q_fold)
    # per-candidate (normalised) intervals and the model-disagreement domain check
    disagree = np.abs(
        transform.forward(res.oof[xgb_best][0]) - transform.forward(res.oof["ridge"][0])
    )
    beta = float(np.median(disagree)) or float(np.mean(disagree)) or 1e-6
    sigmas = intervals.difficulty(0.0, disagree, beta)
    inside_n, half_n = intervals.validate(z, z_oof, sigmas, fold0, level)
    norm_width = transform.inverse(z_oof + half_n) - transform.inverse(z_oof - half_n)
    norm_summary = intervals.summary(inside_n, norm_width, sources)
    plain_summary = intervals.summary(inside, plain_width, sources)
    use_normalised = 0.85 <= norm_summary["pooled"] <= 0.95
    threshold = float(np.quantile(disagree, 0.8))
    agree_check = _domain_table(y, oof0, disagree <= threshold, novel, treated)
    criterion = (
        "disagreement"
        if agree_check["passes"] and not domain_check["passes"]
        else "similarity_and_distance"
    )
    src_metrics = per_source(y, oof0, sources)
    for s_name, block in src_metrics.items():
        block["coverage"] = float(np.mean(inside[sources == s_name]))
        block["ranking"] = pairwise_concordance(
            y[treated & (sources == s_name)],
            oof0[treated & (sources == s_name)],
            rank_groups[treated & (sources == s_name)],
            seed=seed,
        )

    ids = (
        recs["record_id"].astype(str)
        if "record_id" in recs
        else pd.Series(range(len(y))).astype(str)
    )
    oof = {
        "record_id": ids.tolist(),
        "fold": fold0.tolist(),
        "group": res.groups.astype(str).tolist(),
        "rank_group": rank_groups.tolist(),
        "is_treated": treated.astype(int).tolist(),
        "source": sources.tolist(),
        "y_true": y.tolist(),
        "y_pred": oof0.tolist(),
        "pi_low": transform.inverse(z_oof - q_fold).tolist(),
        "pi_high": transform.inverse(z_oof + q_fold).tolist(),
        **{f"y_pred_{out_names[m]}": res.oof[m][0].tolist() for m in res.names},
    }
    if effect:
        oof["control"] = control.tolist()

    # ----- final fit on all rows -----
    final_params = (
        tune(X_full, transform.forward(y), prob.groups, n_trials=n_trials, seed=seed, n_jobs=n_jobs)
        if xgb_best == "xgboost_tuned"
        else preset_params(xgb_best)
    )
    booster = make_xgb(final_params, seed=seed, n_jobs=n_jobs, z=z).fit(X_full, z).get_booster()
    partner_est = make_baseline("ridge", seed=seed, n_jobs=n_jobs).fit(X_full, y)
    partner = LinearPredictor.from_estimator("ridge", partner_est, low=low, high=high)
    predictor = None
    if predictor_name in ("ridge", "mean"):
        est = make_baseline(predictor_name, seed=seed, n_jobs=n_jobs).fit(X_full, y)
        predictor = LinearPredictor.from_estimator(predictor_name, est, low=low, high=high)
    domain = ApplicabilityDomain.fit(
        X_full, feature_names, lig, similarity_threshold=ad_similarity_threshold
    )

    best_baseline = min(
        (m for m in res.names if m in BASELINES or m == "mean_gain"),
        key=lambda m: models[out_names[m]]["pooled"]["mae"],
    )
    pred_mae = models[out_names[predictor_name]]["pooled"]["mae"]
    base_mae = models[out_names[best_baseline]]["pooled"]["mae"]
    if select:
        note = (
            f"chosen by repeated grouped CV among {', '.join(m for m in res.names if m in SHIPPABLE)}"
            f" (pooled OOF MAE {pred_mae:.3f})"
        )
        if predictor_name not in XGB_PRESETS and predictor_name != "xgboost_tuned":
            note += f"; a baseline won: it predicts, XGBoost ({xgb_best}) is kept for explanations"
        rf = models.get("random_forest", {}).get("pooled", {}).get("mae", math.inf)
        if rf < pred_mae:
            note += (
                f"; random_forest scored lower ({rf:.3f}) but has no pickle-free form: the "
                "best pickle-free candidate is shipped"
            )
    else:
        note = f"XGBoost preset {xgb_main} (no selection)"
        if base_mae < pred_mae:
            note += (
                f"; WARNING: baseline {best_baseline} scores better "
                f"(pooled MAE {base_mae:.3f} < {pred_mae:.3f}); train with select=True"
            )
    selection = {
        "predictor": predictor_name,
        "xgboost_preset": xgb_best,
        "note": note,
        "best_baseline": best_baseline,
        "best_baseline_mae": base_mae,
        "predictor_mae": pred_mae,
        "baseline_beats_model": bool(base_mae < pred_mae),
        "cv_mae": cv_mae,
        "inner_picks": pick_counts(res.picks) if res.picks else {},
        "n_inner_selections": len(res.picks),
    }
    ranking = models[out_names[predictor_name]]["ranking"]
    kind = (
        "effect_headroom_fraction"
        if effect and ceiling is not None
        else ("gain_over_control" if (relative_to_control or effect) else "value")
    )
    n_groups = int(res.groups.nunique())
    metrics: dict[str, Any] = {
        "target": key,
        "target_column": column,
        "prediction_kind": kind,
        "cv": scheme,
        "cv_reason": cv_reason or f"given: {scheme}",
        "n_repeats": int(res.fold_of.shape[0]),
        "n_rows": len(y),
        "n_groups": n_groups,
        "n_folds": res.n_folds,
        "cv_note": (
            "every row is its own group: equivalent to random K-fold, optimistic for data "
            "from few papers"
            if n_groups == len(y)
            else ""
        ),
        "models": models,
        "selection": selection,
        "ranking_rivals": rivals,
        "ranking_verdict": skill_verdict(ranking),
        "per_source": src_metrics,
        "domain_validation": {
            "similarity_and_distance": domain_check,
            "disagreement": {**agree_check, "threshold": threshold},
            "criterion_used": criterion,
        },
        "intervals": {
            "level": level,
            "plain": plain_summary,
            "normalised": {**norm_summary, "beta": beta},
            "method_used": "normalised" if use_normalised else "plain",
        },
        "coverage": {
            "level": level,
            "pooled": float(np.mean(inside)),
            "per_fold": cover,
            "mean": float(np.mean(cover)),
            "half_width_per_fold": widths,
            "note": "each fold's interval calibrated on the other folds' out-of-fold residuals",
        },
        "duplicates": {
            "clusters": [{k: v for k, v in c.items() if k != "rows"} for c in clusters],
            "merged": merged_log,
            "n_rows_merged": n_merged,
            "n_replicate_rows": int(
                sum(len(c["rows"]) for c in clusters if c["kind"] == "replicates")
            ),
            "same_inputs_different_papers": noise,
        },
        "oof": oof,
    }
    skipped = Counter(r for r in reason if r)
    status, _ = row_status(frame)
    metadata: dict[str, Any] = {
        "pqdml_version": __version__,
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "prediction_kind": kind,
        "relative_to_control": relative_to_control,
        "effect": (
            {"kind": "headroom_fraction" if ceiling is not None else "gain", "ceiling": ceiling}
            if effect
            else None
        ),
        "featurizer": {
            "descriptors": descriptors,
            "morgan_bits": morgan_bits,
            "extra_features": list(extra_features or []),
            "ligand_text": "ligand_smiles, else ligand_name",
        },
        "rows": {
            "n_input": len(records),
            "n_used": len(y),
            "n_merged_duplicates": n_merged,
            "skipped": dict(sorted(skipped.items())),
            "featurization_failures": _count_failures(frame),
            "rows_with_nan_features_due_to_failures": int((status != "ok").sum()),
        },
        "cv": {
            "scheme": scheme,
            "reason": metrics["cv_reason"],
            "n_folds": res.n_folds,
            "n_repeats": metrics["n_repeats"],
            "n_groups": n_groups,
            "pooled": {out_names[m]: models[out_names[m]]["pooled"] for m in res.names},
            "summary": {out_names[m]: models[out_names[m]]["summary"] for m in res.names},
        },
        "selection": {k: v for k, v in selection.items() if k != "cv_mae"},
        "ranking": {"predictor": ranking, "verdict": metrics["ranking_verdict"], "rivals": rivals},
        "predictor": predictor.to_dict() if predictor is not None else None,
        "hyperparameters": final_params,
        "conformal": {
            "method": "CV (cross-conformal) residuals in the fitting space; Barber et al. 2021",
            "level": level,
            "half_width_at_level": q_all,
            "coverage_per_fold": cover,
            "coverage_pooled": metrics["coverage"]["pooled"],
            "method_used": "normalised" if use_normalised else "plain",
            "normalised": {
                "beta": beta,
                "residuals": [round(float(v), 8) for v in resid],
                "sigmas": [round(float(v), 8) for v in sigmas],
            },
        },
        "p_better": fit_p_better(y[treated], oof0[treated], rank_groups[treated]),
        "domain_check": {"criterion": criterion, "disagreement_threshold": threshold},
        "ridge_partner": partner.to_dict(),
        "training_target_mean": float(np.mean(y)),
        "seed": seed,
        "n_trials": n_trials,
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
        predictor=predictor,
    )


def run_cv_groups(
    records: pd.DataFrame, scheme: str, seed: int, canonical: pd.Series | None
) -> np.ndarray:
    """Group label of every row under ``scheme`` (used by inner tuning and selection folds)."""
    return make_splits(records, scheme, seed=seed, canonical_smiles=canonical)[1].to_numpy()
