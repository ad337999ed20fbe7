"""Benchmark pqdml models on each public dataset and the curated set (grouped CV).

    python benchmarks/models.py [--n-trials 20] [--out benchmarks/results/models.json]

For each (dataset, target, CV scheme) it runs :func:`pqdml.model.train` — nested search,
XGBoost vs the mean / ridge / random-forest baselines on the same outer folds — and records
MAE, RMSE, R², Spearman (mean ± sd over folds), n, number of groups and training time.
For buried-interface PCE it also scores the ``control_PCE + mean gain`` baseline on the
treated rows (each fold's mean gain from its training rows only). Prints a Markdown table;
docs/benchmarks.md quotes it.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

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
    ("synthesizer", "plqy", "random", False, ""),
    ("synthesizer", "plqy", "group:antisolvent_name", False, ""),
    ("buried-interface", "pce", "group:doi", False, "model must beat control_PCE + mean gain"),
    ("buried-interface", "pce", "group:doi", True, "gain from molecule descriptors: R² ≈ 0"),
    (
        "perovskite-database",
        "pce",
        "group:doi",
        False,
        "full database, paper-grouped CV: R² ≈ 0.41–0.43",
    ),
    ("curated", "plqy", "group:doi", False, ""),
    ("curated", "pce", "group:doi", False, ""),
]


def dataset(name: str) -> pd.DataFrame:
    if name == "curated":
        return read_records(ROOT / "data" / "pqd_literature.csv")[0]
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


def run(n_trials: int) -> list[dict[str, object]]:
    cache: dict[str, pd.DataFrame] = {}
    results = []
    for name, target, cv, relative, reference in RUNS:
        data = cache.setdefault(name, dataset(name))
        t0 = time.perf_counter()
        model = train(data, target, cv=cv, n_trials=n_trials, relative_to_control=relative, seed=0)
        elapsed = time.perf_counter() - t0
        m = model.metrics
        row: dict[str, object] = {
            "dataset": name,
            "target": target + (" gain" if relative else ""),
            "cv": cv,
            "n": m["n_rows"],
            "n_groups": m["n_groups"],
            "train_time_s": round(elapsed, 1),
            "coverage_90": m["coverage"]["mean"],
            "reference": reference,
            "models": {k: v["summary"] for k, v in m["models"].items()},
        }
        if name == "buried-interface" and not relative:
            row["control_plus_mean_gain"] = control_plus_mean_gain(data, pd.DataFrame(m["oof"]))
        results.append(row)
        print(f"done {name} {target} {cv} in {elapsed:.1f} s", flush=True)
    return results


def _finite(obj: object) -> object:
    """JSON has no NaN: write None."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def fmt(summary: dict[str, dict[str, float]], key: str) -> str:
    mean, sd = summary[key]["mean"], summary[key]["sd"]
    if mean is None or not np.isfinite(mean):
        return "n/a"
    return f"{mean:.2f} ± {sd:.2f}" if sd is not None and np.isfinite(sd) else f"{mean:.2f}"


def markdown(results: list[dict[str, object]]) -> str:
    lines = [
        "| dataset | target | CV | n (groups) | model | MAE | RMSE | R² | Spearman |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        models = r["models"]
        assert isinstance(models, dict)
        for i, (name, s) in enumerate(models.items()):
            head = (
                f"| {r['dataset']} | {r['target']} | {r['cv']} | {r['n']} ({r['n_groups']}) "
                if i == 0
                else "| | | | "
            )
            lines.append(
                f"{head}| {name} | {fmt(s, 'mae')} | {fmt(s, 'rmse')} | {fmt(s, 'r2')} | {fmt(s, 'spearman')} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-trials", type=int, default=20)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "models.json")
    args = parser.parse_args()
    results = run(args.n_trials)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(args.out, "w", encoding="utf-8") as fh:
        json.dump(
            _finite({"n_trials": args.n_trials, "results": results}), fh, indent=1, default=str
        )
    print(markdown(results))
    for r in results:
        print(
            r["dataset"],
            r["target"],
            r["cv"],
            "time",
            r["train_time_s"],
            "s, coverage",
            r["coverage_90"],
            r.get("control_plus_mean_gain", ""),
        )


if __name__ == "__main__":
    main()
