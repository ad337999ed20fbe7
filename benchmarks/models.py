"""Benchmark pqdml models on each public dataset, the curated set and the shipped training sets.

    python benchmarks/models.py [--repeats 3] [--quick] [--out benchmarks/results/models.json]

For each (dataset, target, CV scheme) it runs :func:`pqdml.model.train` with
``select=True``: every XGBoost preset and the mean / ridge / random-forest baselines on the
same outer folds, repeated ``--repeats`` times with different fold assignments, plus the
nested selection (an inner repeated grouped CV on each outer training part picks the
candidate; its outer score is the honest estimate of "select, then predict"). It records
pooled out-of-fold MAE, RMSE, R², Spearman (mean over repeats, with the sd over repeats),
the per-fold mean ± sd, the within-group ranking concordance, the selected predictor and
how often the inner selections picked each candidate, and — for the shipped training sets
(curated + synthesizer for PLQY; curated + buried-interface + perovskite-database +
passivator-screening for PCE) — every metric per source. ``--quick`` runs one repeat
without selection (development only). The Markdown table replaces the block between the
``models`` markers of ``docs/benchmarks.md``.
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
from pqdml.io import atomic_open
from pqdml.model import train
from pqdml.model.metrics import regression_metrics

ROOT = Path(__file__).resolve().parents[1]


#: (dataset, target, cv, relative_to_control, published reference point)
RUNS = [
    ("synthesizer", "emission", "random", False, "Synthesizer paper: PL peak to 1–3 nm"),
    ("synthesizer", "emission", "group:antisolvent_name", False, ""),
    ("synthesizer", "plqy", None, False, ""),
    ("synthesizer", "plqy", "group:antisolvent_name", False, ""),
    ("buried-interface", "pce", "group:doi", False, "model must beat control_PCE + mean gain"),
    ("passivator-screening", "pce", "group:doi", False, ""),
    (
        "perovskite-database",
        "pce",
        "group:doi",
        False,
        "full database, paper-grouped CV: R² ≈ 0.41–0.43",
    ),
    ("curated", "plqy", "group:doi", False, ""),
    ("curated", "pce", "group:doi", False, ""),
    ("shipped-plqy", "plqy", "group:doi", False, "training set of models/plqy"),
    ("shipped-pce", "pce", "group:doi", False, "training set of models/pce"),
]
#: Sources of the shipped models' training sets (as in scripts/build_models.sh).
SHIPPED = {
    "shipped-plqy": ("curated", "synthesizer"),
    "shipped-pce": ("curated", "buried-interface", "perovskite-database", "passivator-screening"),
}


def dataset(name: str) -> pd.DataFrame:
    if name in SHIPPED:
        parts = []
        for part in SHIPPED[name]:
            df = dataset(part)
            df["dataset"] = part
            parts.append(df)
        return pd.concat(parts, ignore_index=True)
    if name == "curated":
        return read_records(ROOT / "data" / "pqd_literature.csv")[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load(name)


def control_plus_mean_gain(data: pd.DataFrame, oof: pd.DataFrame) -> dict[str, float]:
    """Score ``control PCE of the group + mean training-fold gain`` and XGBoost on treated rows."""
    rec = data.set_index(data["record_id"].astype(str))
    ctrl = rec[rec["is_control"] == 1].groupby("group_id")["pce_percent"].mean()
    frame = oof.copy()
    frame["group_id"] = rec.loc[frame["record_id"], "group_id"].to_numpy()
    frame["is_control"] = rec.loc[frame["record_id"], "is_control"].to_numpy()
    frame["control"] = frame["group_id"].map(ctrl)
    treated = frame[(frame["is_control"] == 0) & frame["control"].notna()].copy()
    treated["baseline"] = np.nan
    for k in treated["fold"].unique():
        train_rows = treated[treated["fold"] != k]
        gain = float((train_rows["y_true"] - train_rows["control"]).mean())
        sel = treated["fold"] == k
        treated.loc[sel, "baseline"] = treated.loc[sel, "control"] + gain
    base = regression_metrics(treated["y_true"].to_numpy(), treated["baseline"].to_numpy())
    model = regression_metrics(treated["y_true"].to_numpy(), treated["y_pred"].to_numpy())
    return {
        "n_treated": base["n"],
        "baseline_mae": base["mae"],
        "baseline_r2": base["r2"],
        "xgboost_mae_treated": model["mae"],
        "xgboost_r2_treated": model["r2"],
    }


def run(repeats: int, quick: bool) -> list[dict[str, object]]:
    cache: dict[str, pd.DataFrame] = {}
    results = []
    for name, target, cv, relative, reference in RUNS:
        data = cache.setdefault(name, dataset(name))
        t0 = time.perf_counter()
        model = train(
            data,
            target,
            cv=cv,
            relative_to_control=relative,
            seed=0,
            select=not quick,
            n_repeats=1 if quick else repeats,
        )
        elapsed = time.perf_counter() - t0
        m = model.metrics
        row: dict[str, object] = {
            "dataset": name,
            "target": target + (" gain" if relative else ""),
            "cv": m["cv"],
            "cv_reason": m["cv_reason"],
            "repeats": m["n_repeats"],
            "n": m["n_rows"],
            "n_groups": m["n_groups"],
            "train_time_s": round(elapsed, 1),
            "coverage_90": m["coverage"]["pooled"],
            "intervals": m["intervals"],
            "reference": reference,
            "selection": {k: v for k, v in m["selection"].items()},
            "models": {
                k: {
                    "pooled": v["pooled"],
                    "repeat_sd": v["repeat_sd"],
                    "summary": v["summary"],
                    "ranking": v["ranking"],
                }
                for k, v in m["models"].items()
            },
            "per_source": m["per_source"],
            "domain_validation": m["domain_validation"],
            "duplicates_merged": m["duplicates"]["n_rows_merged"],
        }
        if name == "buried-interface" and not relative:
            row["control_plus_mean_gain"] = control_plus_mean_gain(data, pd.DataFrame(m["oof"]))
        results.append(row)
        print(f"done {name} {target} {m['cv']} in {elapsed:.1f} s", flush=True)
    return results


def _f(v: object, d: int = 2) -> str:
    return f"{v:.{d}f}" if isinstance(v, float | int) and np.isfinite(v) else "n/a"


def markdown(results: list[dict[str, object]]) -> str:
    lines = [
        "| dataset | target | CV × repeats | n (groups) | model | pooled MAE (± repeats) | per-fold MAE | RMSE | R² | Spearman | concordance (pairs) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        models = r["models"]
        sel = r["selection"]
        assert isinstance(models, dict) and isinstance(sel, dict)
        for i, (name, v) in enumerate(models.items()):
            p, sd, s = v["pooled"], v["repeat_sd"], v["summary"]
            head = (
                f"| {r['dataset']} | {r['target']} | {r['cv']} × {r['repeats']} | {r['n']} ({r['n_groups']}) "
                if i == 0
                else "| | | | "
            )
            label = f"**{name}** (shipped)" if name == sel["predictor"] else name
            rk = v["ranking"]
            lines.append(
                f"{head}| {label} | {_f(p['mae'])} ± {_f(sd['mae'])} | "
                f"{_f(s['mae']['mean'])} ± {_f(s['mae']['sd'])} | {_f(p['rmse'])} | {_f(p['r2'])} | "
                f"{_f(p['spearman'])} | {_f(rk['concordance'])} ({rk['n_pairs']}) |"
            )
        picks = ", ".join(f"{k} {n}" for k, n in sel["inner_picks"].items()) or "n/a"
        lines.append(f"| | | | | inner picks: {picks} | | | | | | |")
    lines += [
        "",
        "Per source (shipped training sets, the shipped predictor's out-of-fold rows):",
        "",
    ]
    lines += [
        "| training set | source | n | MAE | R² | coverage at 90% | concordance (pairs) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for src, b in (r.get("per_source") or {}).items():
            rk = b.get("ranking", {})
            lines.append(
                f"| {r['dataset']} | {src} | {b['n']} | {_f(b['mae'])} | {_f(b['r2'])} | "
                f"{_f(b.get('coverage', float('nan')))} | {_f(rk.get('concordance', float('nan')))} ({rk.get('n_pairs', 0)}) |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one repeat, no selection")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "models.json")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    results = run(args.repeats, args.quick)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(args.out, "w", encoding="utf-8") as fh:
        json.dump(
            json_safe({"repeats": args.repeats, "results": results}), fh, indent=1, default=str
        )
    table = markdown(results)
    print(table)
    for r in results:
        print(
            r["dataset"],
            r["target"],
            "time",
            r["train_time_s"],
            "s",
            r.get("control_plus_mean_gain", ""),
        )
    if not args.no_docs:
        write_block("models", table, "Pooled out-of-fold results")


if __name__ == "__main__":
    main()
