"""The sections of the HTML report (see :mod:`pqdml.report`); each adds HTML to the doc."""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from pqdml import explain
from pqdml.data.records import candidate_records
from pqdml.explain import plots
from pqdml.model.oof import learning_curve_data, oof_predictions

_MODEL_NAMES = {
    "xgboost": "XGBoost (this model)",
    "mean": "mean of training targets",
    "ridge": "ridge regression",
    "random_forest": "random forest",
}


def _num(value: Any) -> float:
    """Read a metric from JSON as a float (``null``/missing → NaN)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _cell(value: Any) -> str:
    return html.escape(str(value))


def _distinct(records: pd.DataFrame, column: str) -> int:
    if column not in records:
        return 0
    text = records[column].astype("string").str.strip()
    return int(text[text.notna() & (text != "")].nunique())


def summary(model: Any, records: pd.DataFrame | None, level: float) -> str:
    """Summary table: target, data, CV scheme, interval coverage."""
    meta, metrics = model.metadata, model.metrics
    rows_meta = meta.get("rows", {})
    cv = meta.get("cv", {}) if isinstance(meta.get("cv"), dict) else {}
    coverage = metrics.get("coverage", {})
    items: list[tuple[str, str]] = [
        ("target", f"{model.target} ({model.target_column}), {model.prediction_kind}"),
        (
            "training rows",
            f"{rows_meta.get('n_used', '?')} used of {rows_meta.get('n_input', '?')} "
            f"(skipped: {rows_meta.get('skipped') or 'none'})",
        ),
        (
            "CV scheme",
            f"{cv.get('scheme', metrics.get('cv', '?'))}: {cv.get('n_folds', '?')} folds over "
            f"{cv.get('n_groups', '?')} groups (every group's rows held out together)",
        ),
        (
            "interval coverage",
            f"{_num(coverage.get('mean')):.0%} of held-out rows inside their "
            f"{_num(coverage.get('level', level)):.0%} interval (per fold: "
            + ", ".join(f"{_num(c):.0%}" for c in coverage.get("per_fold", []))
            + ")",
        ),
        ("hyper-parameter trials", str(meta.get("n_trials", "?"))),
        ("training data sha256", str(meta.get("training_data_sha256", "?"))[:16] + "…"),
    ]
    if records is not None:
        column = records.get(model.target_column, pd.Series(np.nan, index=records.index))
        target = pd.to_numeric(column, errors="coerce")  # no labels: a candidate file
        items[2:2] = [
            (
                "data given to this report",
                f"{len(records)} rows, {int(target.notna().sum())} with {model.target_column}; "
                f"{_distinct(records, 'doi')} papers (distinct DOI); "
                f"{_distinct(records, 'composition')} compositions; "
                f"{_distinct(records, 'ligand_smiles')} distinct ligand SMILES",
            )
        ]
    body = "".join(f"<tr><th>{_cell(k)}</th><td>{_cell(v)}</td></tr>" for k, v in items)
    return (
        '<h2 id="summary">Summary</h2>'
        f"<table>{body}</table>"
        "<h3>Metrics, model vs baselines (grouped cross-validation, mean ± sd over folds)</h3>"
    )


def metrics_table(model: Any) -> pd.DataFrame:
    """Mean ± sd of MAE, RMSE, R², Spearman per model from ``metrics.json``."""
    out = []
    for name, entry in model.metrics.get("models", {}).items():
        s = entry.get("summary", {})
        row: dict[str, Any] = {"model": _MODEL_NAMES.get(name, name)}
        for key in ("mae", "rmse", "r2", "spearman"):
            m = s.get(key, {})
            row[key] = f"{_num(m.get('mean')):.3g} ± {_num(m.get('sd')):.2g}"
        row["n"] = int(_num(s.get("n", {}).get("total", 0)))
        out.append(row)
    return pd.DataFrame(out, columns=["model", "mae", "rmse", "r2", "spearman", "n"])


def performance(
    doc: Any, model: Any, records: pd.DataFrame | None, *, level: float, label: str
) -> None:
    """Parity plot with intervals, residuals by group, learning curve."""
    try:
        oof, provenance = oof_predictions(model, records, level=level)
    except ValueError as err:
        doc.note(str(err))
        return
    doc.add(f"<p>Out-of-fold predictions: {html.escape(provenance)}.</p>")
    cover = float(np.mean((oof["y_true"] >= oof["pi_low"]) & (oof["y_true"] <= oof["pi_high"])))
    ax = plots.parity(
        oof["y_true"], oof["y_pred"], pi_low=oof["pi_low"], pi_high=oof["pi_high"], label=label
    )
    mae = float(np.mean(np.abs(oof["y_true"] - oof["y_pred"])))
    doc.figure(
        "parity",
        ax,
        f"Each dot is one record predicted by a model that never saw its group "
        f"(out of fold); bars are {level:.0%} prediction intervals. MAE {mae:.2f}; "
        f"{cover:.0%} of measured values fall inside their interval; orange dots are outside.",
    )
    resid = oof["y_true"] - oof["y_pred"]
    ax = plots.residuals_by_group(resid, oof["group"], label=f"measured − predicted {label}")
    worst = resid.abs().groupby(oof["group"]).mean().sort_values(ascending=False)
    doc.figure(
        "residuals_by_group",
        ax,
        "Residuals of the out-of-fold predictions per CV group (paper by default): a group far "
        f"from zero is a paper the model cannot extrapolate to. Largest mean |residual|: "
        f"{worst.index[0]} ({worst.iloc[0]:.1f}).",
    )
    doc.csv("oof_predictions", oof)
    if records is None:
        return
    curve = learning_curve_data(model, records)
    if curve.empty:
        doc.note("Too few rows for a learning curve.")
        return
    steps = curve.groupby("fraction")
    sizes = steps["n_train"].mean().to_numpy()
    pivot_m = curve.pivot(index="fraction", columns="fold", values="mae_model").to_numpy()
    pivot_b = curve.pivot(index="fraction", columns="fold", values="mae_mean").to_numpy()
    ax = plots.learning_curve(sizes, pivot_m, baseline_mae=pivot_b, label=f"MAE ({label})")
    first, last = np.nanmean(pivot_m[0]), np.nanmean(pivot_m[-1])
    before = np.nanmean(pivot_m[-2]) if len(pivot_m) > 1 else first
    base = np.nanmean(pivot_b[-1])
    verdict = "below" if last < base else "not below"
    doc.figure(
        "learning_curve",
        ax,
        f"Held-out MAE when the model is trained on a growing share of the training groups "
        f"(whole groups, CV scheme {curve.attrs.get('scheme', '?')}; computed on the data "
        f"given to this report), mean ± sd over folds, beside the mean predictor. From "
        f"{sizes[0]:.0f} to {sizes[-1]:.0f} training rows the model's MAE goes from "
        f"{first:.2f} to {last:.2f} (last step {last - before:+.2f}); with all rows it is "
        f"{verdict} the mean predictor's {base:.2f}.",
    )
    doc.csv("learning_curve", curve)


def shap_sections(doc: Any, model: Any, records: pd.DataFrame, *, unit: str) -> None:
    """Concept bar, beeswarm, dependence plots."""
    result = explain.shap_values(model, records)
    ok = result.ok
    if not ok.any():
        doc.note("No record of the data could be featurized; nothing to explain.")
        return
    sub = explain.subset(result, ok)
    per_concept = explain.concept_values(sub)
    effects = explain.target_effects(model, sub, per_concept.to_numpy())
    table = explain.concept_importance(sub)
    mean_effect = dict(zip(per_concept.columns, np.abs(effects).mean(axis=0), strict=True))
    table["mean_abs_effect"] = table["concept"].map(mean_effect)
    ax = plots.concept_bar(table, unit=f"({unit})")
    first, second = table.sort_values("mean_abs_effect", ascending=False).iloc[:2].itertuples()
    doc.figure(
        "concept_importance",
        ax,
        f"Features grouped into concepts: SHAP values summed per record within a concept "
        f"(one-hot and fingerprint columns back to their concept), then the mean absolute "
        f"effect in {unit} over the {int(ok.sum())} records explained. The largest are "
        f"{first.concept} ({first.mean_abs_effect:.1f}) and {second.concept} "
        f"({second.mean_abs_effect:.1f}). Effects are g⁻¹(margin) − g⁻¹(margin − φ).",
    )
    doc.table("concept_importance", table)
    ax = plots.beeswarm(sub, max_display=12)
    doc.figure(
        "beeswarm",
        ax,
        "The 12 individual features with the largest mean |SHAP| (the rest summed in one "
        "row). Each dot is one record; right of zero raises the prediction, left lowers it; "
        "colour is the feature's value (red high, blue low). The x axis is the model's "
        f"fitting scale ({model.target_transform.kind}), not {unit}.",
    )
    _dependence(doc, model, sub, unit)


def _feature_effect(model: Any, sub: Any, name: str) -> tuple[np.ndarray, np.ndarray] | None:
    if name not in sub.feature_names:
        return None
    j = sub.feature_names.index(name)
    x = sub.X[:, j]
    if np.unique(x[np.isfinite(x)]).size < 2:
        return None
    return x, explain.target_effects(model, sub, sub.values[:, j])


def _dependence(doc: Any, model: Any, sub: Any, unit: str) -> None:
    doc.add("<h3>Dependence plots</h3>")
    missing = []
    halide = [f"composition__frac_{h}" for h in ("I", "Br", "Cl")]
    spread = {
        h: np.nanstd(sub.X[:, sub.feature_names.index(h)]) for h in halide if h in sub.feature_names
    }
    halide_name = max(spread, key=lambda k: spread[k]) if spread else halide[0]
    for feature, words in (
        ("ligand__chain_length", "chain length"),
        ("composition__tolerance_factor", "tolerance factor"),
        (halide_name, f"{halide_name.rpartition('_')[2]} fraction of the halide site"),
    ):
        got = _feature_effect(model, sub, feature)
        if got is None:
            missing.append(words)
            continue
        x, eff = got
        ax = plots.dependence(x, eff, xlabel=words, ylabel=f"contribution ({unit})")
        doc.figure(
            f"dependence_{feature.partition('__')[2]}", ax, trend_caption(x, eff, words, unit)
        )
    binding = sub.status.get("binding_type")
    concepts = np.array(sub.concepts())
    if binding is not None and "binding type" in concepts:
        phi = sub.values[:, concepts == "binding type"].sum(axis=1)
        eff = explain.target_effects(model, sub, phi)
        cats = binding.fillna("none").astype(str).to_numpy()
        ax = plots.category_dependence(
            cats, eff, xlabel="binding type (L, X, Z)", ylabel=f"contribution ({unit})"
        )
        means = pd.Series(eff).groupby(cats).mean().sort_values()
        doc.figure(
            "dependence_binding_type",
            ax,
            f"Contribution of the binding-type one-hots per record, by the ligand's binding "
            f"type. On average highest for {means.index[-1]} ({means.iloc[-1]:+.1f} {unit}) and "
            f"lowest for {means.index[0]} ({means.iloc[0]:+.1f} {unit}); n per type below each box.",
        )
    if missing:
        doc.note(
            "No dependence plot for " + ", ".join(missing) + ": constant or absent in the data."
        )


def domain_and_screen(
    doc: Any,
    model: Any,
    *,
    screen: pd.DataFrame | None,
    composition: str | None,
    top: int,
    unit: str,
) -> None:
    """AD map (training vs candidates) and the top candidates with waterfalls."""
    domain = model.domain
    train = np.asarray(domain.reference, dtype=float)
    cand_X = cand_in = None
    top_rows = None
    if screen is not None:
        ranked = screen
        if "status" in ranked:
            ranked = ranked[ranked["status"].astype(str) == "ok"]
        if "rank" in ranked:
            ranked = ranked.sort_values("rank", kind="stable")
        shown = ranked.head(500)
        recs, status, _ = candidate_records(shown, composition=composition)
        usable = (status == "ok").to_numpy()
        if usable.any():
            X, _ = model.transform(recs[usable])
            cand_X = (X[:, domain.columns] - domain.mean) / domain.scale
            cand_in = (
                shown.loc[usable, "in_domain"].astype(bool).to_numpy()
                if "in_domain" in shown
                else None
            )
        top_rows = (shown, recs, usable)
    if len(train) >= 3:
        ax = plots.ad_map(
            train, cand_X, in_domain=cand_in, space="ligand + composition descriptors"
        )
        n_out = 0 if cand_in is None else int((~cand_in).sum())
        extra = (
            f" Triangles are the {len(cand_X)} best-ranked screened candidates; {n_out} of them are "
            "outside the applicability domain (crosses)."
            if cand_X is not None
            else ""
        )
        doc.figure(
            "applicability_domain",
            ax,
            f"Where the training data lies: the {len(train)} distinct training points in the "
            "standardized ligand + composition descriptor space the applicability-domain check "
            "uses, projected on its first two principal components." + extra,
        )
    if top_rows is None:
        doc.add("<p>No screening output given (--screen RANKED): no candidates to show.</p>")
        return
    shown, recs, usable = top_rows
    cols = [c for c in ("rank", "ligand_name", "name", "canonical_smiles", "prediction", "pi_low",
                        "pi_high", "in_domain", "max_similarity", "binding_type", "chain_length")
            if c in shown]  # fmt: skip
    table = shown[cols].head(20).copy()
    explained = pd.Series("", index=table.index, dtype=object)
    twenty = recs.loc[table.index][usable[: len(table)]]
    if len(twenty):
        words = explain.explain_predictions(model, twenty, top=5)
        explained.loc[twenty.index] = ["; ".join(w) for w in words]
    doc.add(f"<h3>Top {len(table)} screened candidates</h3>")
    doc.add(
        "<p>Explanations of each candidate are in <code>top_candidates.csv</code>; the best "
        f"{top} are drawn as waterfalls below.</p>"
    )
    doc.csv("top_candidates", table.assign(explanation=explained).reset_index(drop=True))
    doc.show(table.reset_index(drop=True))
    best = recs[usable].head(top)
    if best.empty:
        doc.note(
            "The ranked file's top rows have no composition: pass --composition for waterfalls."
        )
        return
    result = explain.shap_values(model, best)
    if "prediction" in shown:
        # A ranked file from another model (or other options) would be explained wrongly.
        again = model.target_transform.inverse(result.margin)
        listed = pd.to_numeric(shown.loc[best.index, "prediction"], errors="coerce").to_numpy()
        gap = np.nanmax(np.abs(again - listed)) if np.isfinite(again).any() else 0.0
        if gap > 1e-3:
            doc.note(
                f"The screening output's predictions differ from this model's by up to "
                f"{gap:.2f} {unit}: it was produced by another model or with other options "
                "(composition, stage). The waterfalls explain this model."
            )
    per_concept = explain.concept_values(result)
    for i, (idx, row) in enumerate(per_concept.iterrows()):
        if not result.ok[i]:
            continue
        name = str(shown.loc[idx, "canonical_smiles"] if "canonical_smiles" in shown else idx)
        rank = f"rank {shown.loc[idx, 'rank']:.0f}" if "rank" in shown else f"candidate {i + 1}"
        ax = plots.waterfall(
            row, base_value=result.base_value, to_target=model.target_transform.inverse, unit=unit
        )
        doc.figure(
            f"waterfall_{i + 1}",
            ax,
            f"{rank.capitalize()}: {name}. Concept contributions from the average prediction "
            "to this one (model scale; the title gives both ends in target units). "
            + " · ".join(str(explained.get(idx, "")).split("; ")[:4]),
        )


def trend_caption(x: np.ndarray, effect: np.ndarray, name: str, unit: str) -> str:
    """Plain-words description of a dependence plot, computed from its points.

    Parameters
    ----------
    x
        Feature values.
    effect
        Contribution to the prediction per point, in target units.
    name
        Feature name in words (e.g. ``"chain length"``).
    unit
        Target unit words (e.g. ``"PLQY points"``).

    Returns
    -------
    str
        Range of the contributions, where (which value) they are highest and lowest on
        average, and the direction of the trend (Spearman rank correlation).
    """
    ok = np.isfinite(x) & np.isfinite(effect)
    x, effect = x[ok], effect[ok]
    if len(x) < 3 or np.unique(x).size < 2:
        return f"Too few distinct values of {name} in the data to read a trend."
    if np.ptp(effect) == 0:
        return (
            f"The model does not use {name}: its contribution is the same "
            f"({effect[0]:+.1f} {unit}) for every record."
        )
    frame = pd.DataFrame({"x": x, "e": effect})
    if frame["x"].nunique() > 12:
        frame["bin"] = pd.qcut(frame["x"], 5, duplicates="drop")
        means = frame.groupby("bin", observed=True)["e"].mean()
        where = {k: f"{k.left:.3g}–{k.right:.3g}" for k in means.index}
    else:
        means = frame.groupby("x")["e"].mean()
        where = {k: f"{k:.3g}" for k in means.index}
    hi, lo = means.idxmax(), means.idxmin()
    rho = float(spearmanr(x, effect).statistic)
    trend = (
        "rises with"
        if rho > 0.3
        else "falls with"
        if rho < -0.3
        else "shows no clear monotone trend with"
    )
    return (
        f"Each dot is one record. The contribution of {name} ranges from "
        f"{effect.min():+.1f} to {effect.max():+.1f} {unit} (vs the average prediction); "
        f"on average it is highest at {name} {where[hi]} ({means[hi]:+.1f}) and lowest at "
        f"{where[lo]} ({means[lo]:+.1f}). Overall it {trend} {name} "
        f"(Spearman ρ = {rho:.2f}, n = {len(x)}). This describes the model, not causation."
    )
