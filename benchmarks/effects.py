"""Benchmark effect models: whether a model ranks the treatments of one system better than chance.

    python benchmarks/effects.py [--repeats 3] [--out benchmarks/results/effects.json]

For each dataset with control/treated groups (curated PLQY, buried-interface PCE,
passivator-screening PCE) it trains ``pqdml.train(..., effect=True)`` — the fraction of
headroom closed against the group's own control (:mod:`pqdml.model.effect`) — with repeated
paper-grouped CV, and reports for XGBoost and every baseline: the MAE of the gain in the
target's units, the pooled within-group pairwise concordance with its 95 % group-bootstrap
CI (chance 0.5), the within-group Spearman, the in/out-of-domain error, and the interval
coverage and median width. Three no-ligand rivals sit beside the models: the mean headroom
fraction (``mean``), the mean gain (``mean_gain``) and the mean relative gain (computed
here from the same folds), plus the "bigger is better" / "longer is better" rankings. The
absolute (value) model's within-group concordance on the same treated rows is shown for
comparison. The Markdown table replaces the block between the ``effects`` markers of
``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _docs import json_safe, write_block

from pqdml.data.datasets import load
from pqdml.data.formats import read_records
from pqdml.explain import concept_importance, concept_values, shap_values
from pqdml.io import atomic_open
from pqdml.model import train
from pqdml.model.effect import from_effect, to_effect

ROOT = Path(__file__).resolve().parents[1]
RUNS = [("curated", "plqy"), ("buried-interface", "pce"), ("passivator-screening", "pce")]


def dataset(name: str) -> pd.DataFrame:
    if name == "curated":
        return read_records(ROOT / "data" / "pqd_literature.csv")[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load(name)


def relative_gain_mae(oof: pd.DataFrame, ceiling: float | None) -> float:
    """MAE of the gain of ``control × (1 + mean relative gain of the training folds)``."""
    c = oof["control"].to_numpy()
    t = from_effect(oof["y_true"].to_numpy(), c, ceiling)
    pred = np.full(len(c), np.nan)
    for k in oof["fold"].unique():
        test = (oof["fold"] == k).to_numpy()
        rel = float(np.mean((t[~test] - c[~test]) / c[~test]))
        pred[test] = c[test] * (1 + rel)
    return float(np.mean(np.abs(pred - t)))


def headroom_mae(oof: pd.DataFrame, ceiling: float | None, to: float) -> float:
    """MAE of the gain of ``c + mean fraction of the gap to ``to`` closed (training folds)``."""
    c = oof["control"].to_numpy()
    t = from_effect(oof["y_true"].to_numpy(), c, ceiling)
    frac = to_effect(t, c, to)
    pred = np.full(len(c), np.nan)
    for k in oof["fold"].unique():
        test = (oof["fold"] == k).to_numpy()
        pred[test] = from_effect(np.full(test.sum(), frac[~test].mean()), c[test], to)
    return float(np.mean(np.abs(pred - t)))


#: The review's questions: which concepts carry the effect, and in which direction.
QUESTIONS = ("chain length", "binding type", "anchoring group", "zwitterionic")


def concepts(model: object, data: pd.DataFrame) -> dict[str, object]:
    """Concept SHAP of an effect model on its treated training rows, and signed answers."""
    treated = data[pd.to_numeric(data["is_control"], errors="coerce").fillna(0) == 0]
    result = shap_values(model, treated.reset_index(drop=True))
    table = concept_importance(result)
    per_row = concept_values(result)[result.ok]
    X = pd.DataFrame(result.X[result.ok], columns=result.feature_names)
    answers: dict[str, object] = {}
    for name, feat in (("L-type", "ligand__binding_L"), ("zwitterionic", "ligand__zwitterionic")):
        if feat in X and "binding type" in per_row:
            concept = "binding type" if name == "L-type" else "zwitterionic"
            has = X[feat].to_numpy() == 1
            answers[name] = {
                "n_treated_rows": int(has.sum()),
                "mean_contribution": float(per_row[concept].to_numpy()[has].mean())
                if has.any()
                else float("nan"),
            }
    if "ligand__chain_length" in X and "chain length" in per_row:
        rho = pd.Series(X["ligand__chain_length"].to_numpy()).corr(
            pd.Series(per_row["chain length"].to_numpy()), method="spearman"
        )
        answers["chain length"] = {
            "distinct_values": int(X["ligand__chain_length"].nunique()),
            "spearman_length_vs_contribution": float(rho),
        }
    return {
        "importance": table[["concept", "mean_abs_shap"]].to_dict(orient="records"),
        "answers": answers,
    }


def run(repeats: int) -> list[dict[str, object]]:
    rows = []
    for name, target in RUNS:
        data = dataset(name)
        t0 = time.perf_counter()
        eff = train(data, target, effect=True, n_repeats=repeats, seed=0)
        absolute = train(data, target, n_repeats=1, seed=0)
        m = eff.metrics
        ceiling = eff.metadata["effect"]["ceiling"]
        oof = pd.DataFrame(m["oof"])
        c = oof["control"].to_numpy()
        lo = from_effect(oof["pi_low"].to_numpy(), c, ceiling)
        hi = from_effect(oof["pi_high"].to_numpy(), c, ceiling)
        dom = m["domain_validation"]
        used = dom["criterion_used"]
        row: dict[str, object] = {
            "dataset": name,
            "target": target,
            "n_treated": m["n_rows"],
            "n_groups": m["n_groups"],
            "cv": m["cv"],
            "repeats": m["n_repeats"],
            "ceiling": ceiling,
            "models": {
                k: {
                    "mae_gain": v["gain"]["mae"],
                    "r2_gain": v["gain"]["r2"],
                    "mae_effect_pooled": v["pooled"]["mae"],
                    "mae_effect_repeat_sd": v["repeat_sd"]["mae"],
                    **{
                        key: v["ranking"][key]
                        for key in ("concordance", "concordance_ci", "n_pairs", "spearman_within")
                    },
                }
                for k, v in m["models"].items()
            },
            "relative_gain_mae": relative_gain_mae(oof, ceiling),
            "sq_headroom_mae": (
                headroom_mae(oof, ceiling, 33.7) if target == "pce" else float("nan")
            ),
            "rivals": m["ranking_rivals"],
            "absolute_model_ranking": absolute.metrics["models"]["xgboost"]["ranking"],
            "domain": {
                "criterion_used": used,
                "similarity_and_distance": dom["similarity_and_distance"],
                "disagreement": dom["disagreement"],
            },
            "intervals": m["intervals"],
            "coverage_gain_units": float(
                np.mean((oof["y_true"] >= oof["pi_low"]) & (oof["y_true"] <= oof["pi_high"]))
            ),
            "median_width_target_units": float(np.median(hi - lo)),
            "verdict": m["ranking_verdict"],
            "concepts": concepts(eff, data),
            "time_s": round(time.perf_counter() - t0, 1),
        }
        rows.append(row)
        print(f"done {name} in {row['time_s']} s", flush=True)
    return rows


def _f(v: object, d: int = 2) -> str:
    return f"{v:.{d}f}" if isinstance(v, float) and np.isfinite(v) else "n/a"


def target_is_pce(r: dict[str, object]) -> bool:
    return r["target"] == "pce"


def markdown(rows: list[dict[str, object]]) -> str:
    unit = {"plqy": "PLQY points", "pce": "PCE points"}
    out = [
        "| dataset (treated rows, groups) | model | MAE of the gain | concordance (95% CI) | pairs | within-group ρ |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        head = f"{r['dataset']} {r['target']} ({r['n_treated']}, {r['n_groups']})"
        models = r["models"]
        best = min(models, key=lambda k: models[k]["mae_gain"])
        for i, (k, v) in enumerate(models.items()):
            ci = v["concordance_ci"]
            name = f"**{k}**" if k == best else k
            out.append(
                f"| {head if i == 0 else ''} | {name} | {_f(v['mae_gain'])} {unit[r['target']]} | "
                f"{_f(v['concordance'])} ({_f(ci[0])}–{_f(ci[1])}) | {v['n_pairs']} | "
                f"{_f(v['spearman_within'])} |"
            )
        out.append(f"| | mean relative gain | {_f(r['relative_gain_mae'])} | | | |")
        if target_is_pce(r):
            out.append(
                f"| | mean fraction of the gap to 33.7 % (SQ) | {_f(r['sq_headroom_mae'])} | | | |"
            )
        for k, v in r["rivals"].items():
            ci = v["concordance_ci"]
            out.append(
                f"| | rival: {k} | | {_f(v['concordance'])} ({_f(ci[0])}–{_f(ci[1])}) | {v['n_pairs']} | {_f(v['spearman_within'])} |"
            )
        a = r["absolute_model_ranking"]
        ci = a["concordance_ci"]
        out.append(
            f"| | absolute-value XGBoost | | {_f(a['concordance'])} ({_f(ci[0])}–{_f(ci[1])}) | {a['n_pairs']} | {_f(a['spearman_within'])} |"
        )
    out += [
        "",
        "| dataset | domain check (criterion) | in-domain MAE (n) | out-of-domain MAE (n) | passes | interval coverage at 90% (plain / normalised) | median width, target units | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        dom = r["domain"]
        iv = r["intervals"]
        for crit in ("similarity_and_distance", "disagreement"):
            d = dom[crit]
            mark = " (used)" if crit == dom["criterion_used"] else ""
            out.append(
                f"| {r['dataset']} {r['target']} | {crit}{mark} | {_f(d['in_domain']['mae'], 3)} ({d['in_domain']['n']}) | "
                f"{_f(d['out_of_domain']['mae'], 3)} ({d['out_of_domain']['n']}) | {'yes' if d['passes'] else 'no'} | "
                + (
                    f"{_f(iv['plain']['pooled'])} / {_f(iv['normalised']['pooled'])} ({iv['method_used']} used) | "
                    f"{_f(r['median_width_target_units'])} | {r['verdict']} |"
                    if crit == "similarity_and_distance"
                    else "| | |"
                )
            )
    out += [
        "",
        "Concept SHAP of each effect model on its treated rows (mean |SHAP|, effect units):",
        "",
    ]
    out += [
        "| dataset | "
        + " | ".join(QUESTIONS)
        + " | top concept | L-type rows: mean contribution | zwitterion rows: mean contribution |"
    ]
    out += ["|---|" + "---|" * (len(QUESTIONS) + 3)]
    for r in rows:
        c = r["concepts"]
        imp = {d["concept"]: d["mean_abs_shap"] for d in c["importance"]}
        top = max(imp, key=lambda k: imp[k]) if imp else "n/a"
        ans = c["answers"]
        lt = ans.get("L-type", {})
        zw = ans.get("zwitterionic", {})
        out.append(
            f"| {r['dataset']} {r['target']} | "
            + " | ".join(_f(imp.get(q, float("nan")), 4) for q in QUESTIONS)
            + f" | {top} ({_f(imp.get(top, float('nan')), 4)}) | "
            f"{_f(lt.get('mean_contribution', float('nan')), 4)} ({lt.get('n_treated_rows', 0)} rows) | "
            f"{_f(zw.get('mean_contribution', float('nan')), 4)} ({zw.get('n_treated_rows', 0)} rows) |"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "effects.json"
    )
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    rows = run(args.repeats)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(args.out, "w", encoding="utf-8") as fh:
        json.dump(json_safe(rows), fh, indent=1)
    table = markdown(rows)
    print(table)
    if not args.no_docs:
        write_block("effects", table, "Ligand effects: ranking within a system")


if __name__ == "__main__":
    main()
