"""Replayed campaigns: experiments pqdml's suggestion strategies need, against random and a GP.

Run from the repository root::

    python benchmarks/campaigns.py            # the table in docs/suggest.md (30 seeds)
    python benchmarks/campaigns.py --quick    # CI-sized: 4 seeds, 3 strategies, 2 goals

Each goal is a pool whose every row is measured (:mod:`pqdml.campaign.replay`). A
campaign starts from ``k=5`` random rows (the same rows for every strategy with the same
seed), then measures batches of ``n=4`` chosen by the strategy, up to ``--budget``
experiments. Figures per goal and strategy: experiments (including the 5 initial ones)
until a row of the pool's top 5 % / 10 % is measured, median and IQR over seeds (a
campaign that never gets there within the budget counts as ``budget + 1``); the
enhancement factor ``median(random) / median(strategy)`` with a bootstrap 90 % interval
over seeds; the mean best-so-far curve (``docs/img/campaigns.png``).

Goals:

- ``synth-plqy``: synthesizer CsPbBr3 syntheses, maximise PLQY (PLQY 0 = not measured: those
  rows are not in the pool);
- ``synth-460nm``: the same pool, highest PLQY with the emission peak within 455–465 nm
  (constrained EI: a second surrogate predicts the peak);
- ``buried-gain``: buried-interface molecules, maximise the PCE gain over the same paper's
  control (top 10 % is the headline);
- ``passivator-gain``: passivator-screening molecules, maximise PCE_passivated − PCE_pristine
  (read through the canonical route: this branch has no passivator-screening adapter);
- ``curated-cspbbr3``: the curated literature PLQY of CsPbBr3 (30 rows, many papers: the
  weakest pool, reported for completeness).

``gp-ei`` is a plain scikit-learn GP (Matérn 5/2 + white noise) on the standardised
features with the same EI and batch rule. With ``--baybe``, BayBE (in its own virtual
environment, ``/work/venv-bo`` or ``$PQDML_BAYBE_PYTHON``) replays the synthesizer PLQY
goal on the same standardised features (see ``benchmarks/campaigns_baybe.py``).

Writes ``benchmarks/results/campaigns.json`` and ``benchmarks/results/campaigns.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from pqdml.campaign.acquisition import Objective
from pqdml.campaign.replay import CampaignPool, best_so_far, pool_features, replay
from pqdml.config import bundled_data_dir, datasets_dir
from pqdml.data import datasets
from pqdml.data.formats import FORMATS
from pqdml.model.train import training_targets

ROOT = Path(__file__).resolve().parent.parent
STRATEGIES = ("random", "ei", "thompson", "greedy", "gp-ei")  # ucb: available, not replayed
TOPS = (0.05, 0.10)


def _synth() -> pd.DataFrame:
    s = datasets.load("synthesizer")
    return s[pd.to_numeric(s["plqy_percent"], errors="coerce") > 0].reset_index(drop=True)


def _gain_pool(
    records: pd.DataFrame, column: str = "pce_percent"
) -> tuple[pd.DataFrame, np.ndarray]:
    gain, reason = training_targets(records, column, relative_to_control=True)
    use = (reason == "").to_numpy()
    return records[use].reset_index(drop=True), gain[use].to_numpy(dtype=float)


def _passivator() -> pd.DataFrame:
    if "passivator-screening" in FORMATS:
        return datasets.load("passivator-screening")
    path = datasets_dir() / "passivator_screening" / "Summary_of_the_entire_dataset.csv"
    raw = pd.read_csv(path).drop_duplicates()
    rows = []
    for i, r in raw.reset_index(drop=True).iterrows():
        doi = str(r["DOI"]).replace("DOI:", "").strip().lower()
        group = f"pass-{i}"
        base = {"doi": doi, "composition": r["perovskite_type"], "group_id": group}
        rows.append(
            {
                **base,
                "record_id": f"{group}-c",
                "stage": "control",
                "is_control": 1,
                "pce_percent": r["PCE_pristine(%)"],
            }
        )
        rows.append(
            {
                **base,
                "record_id": group,
                "stage": "film-treatment",
                "is_control": 0,
                "ligand_name": r["name"],
                "ligand_smiles": r["SMILES"],
                "pce_percent": r["PCE_passivated(%)"],
            }
        )
    return pd.DataFrame(rows)


def load_goals(names: list[str]) -> list[CampaignPool]:
    """Build the measured pools of the named goals."""
    goals = []
    for name in names:
        if name in ("synth-plqy", "synth-460nm"):
            recs = _synth()
            y = recs["plqy_percent"].to_numpy(dtype=float)
            within = None
            if name == "synth-460nm":
                within = (recs["emission_nm"].to_numpy(dtype=float), 455.0, 465.0)
            X = pool_features(recs, "plqy_percent")
            goals.append(CampaignPool(name, X, y, Objective("maximize"), within, (0.0, 100.0)))
        elif name == "buried-gain":
            recs, y = _gain_pool(datasets.load("buried-interface"))
            goals.append(CampaignPool(name, pool_features(recs, "pce_percent"), y, Objective()))
        elif name == "passivator-gain":
            recs, y = _gain_pool(_passivator())
            goals.append(CampaignPool(name, pool_features(recs, "pce_percent"), y, Objective()))
        elif name == "curated-cspbbr3":
            c = pd.read_csv(bundled_data_dir() / "pqd_literature.csv")
            c = c[(c["composition"] == "CsPbBr3") & c["plqy_percent"].notna()]
            recs = c.reset_index(drop=True)
            y = recs["plqy_percent"].to_numpy(dtype=float)
            goals.append(
                CampaignPool(
                    name, pool_features(recs, "plqy_percent"), y, Objective(), None, (0.0, 100.0)
                )
            )
        else:
            raise SystemExit(f"unknown goal {name!r}")
    return goals


def _summary(values: np.ndarray) -> dict[str, float]:
    q1, med, q3 = np.percentile(values, [25, 50, 75])
    return {"median": float(med), "q1": float(q1), "q3": float(q3)}


def _enhancement(rand: np.ndarray, strat: np.ndarray, seed: int = 0) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    ef = float(np.median(rand) / np.median(strat))
    boots = []
    m = min(len(rand), len(strat))  # seed i starts from the same rows in both: resample pairs
    for _ in range(2000):
        i = rng.integers(0, m, m)
        boots.append(np.median(rand[:m][i]) / np.median(strat[:m][i]))
    lo, hi = np.percentile(boots, [5, 95])
    return {"ef": ef, "lo": float(lo), "hi": float(hi)}


def _baybe(pool: CampaignPool, seeds: int, k: int, n: int, budget: int) -> list[list[int]] | str:
    python = os.environ.get("PQDML_BAYBE_PYTHON", "/work/venv-bo/bin/python")
    if not Path(python).exists():
        return f"no BayBE environment at {python}"
    with tempfile.TemporaryDirectory() as tmp:
        npz = Path(tmp) / "pool.npz"
        np.savez(npz, Z=pool.Z, y=pool.y)
        out = Path(tmp) / "orders.json"
        cmd = [
            python,
            str(ROOT / "benchmarks" / "campaigns_baybe.py"),
            str(npz),
            str(out),
            "--seeds",
            str(seeds),
            "--k",
            str(k),
            "--n",
            str(n),
            "--budget",
            str(budget),
        ]
        run = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if run.returncode != 0:
            return "BayBE run failed: " + run.stderr.strip().splitlines()[-1]
        return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="CI-sized run")
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--budget", type=int, default=45)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--members", type=int, default=8, help="ensemble size in replays")
    ap.add_argument("--strategies", default=",".join(STRATEGIES))
    ap.add_argument(
        "--goals", default="synth-plqy,synth-460nm,buried-gain,passivator-gain,curated-cspbbr3"
    )
    ap.add_argument("--baybe", type=int, default=0, help="BayBE seeds on synth-plqy (0: skip)")
    ap.add_argument(
        "--baybe-orders", default=None, help="orders.json of an earlier campaigns_baybe.py run"
    )
    ap.add_argument("--export-pool", default=None, help="write the synth-plqy pool (.npz), exit")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    ap.add_argument("--plot", default=str(ROOT / "docs" / "img" / "campaigns.png"))
    args = ap.parse_args(argv)
    if args.quick:
        args.seeds, args.budget = 4, 25
        args.strategies, args.goals = "random,ei,gp-ei", "synth-plqy,buried-gain"
    warnings.filterwarnings("ignore", module="sklearn")
    strategies = args.strategies.split(",")
    goals = load_goals(args.goals.split(","))
    if args.export_pool:
        pool = next(g for g in goals if g.name == "synth-plqy")
        np.savez(args.export_pool, Z=pool.Z, y=pool.y)
        return 0
    results: dict[str, dict] = {}
    curves: dict[str, dict[str, np.ndarray]] = {}
    for pool in goals:
        budget = min(args.budget, len(pool.y))
        orders: dict[str, list[np.ndarray]] = {}
        t0 = time.perf_counter()
        for strat in strategies:
            orders[strat] = [
                replay(pool, strat, s, k=args.k, n=args.n, budget=budget, n_members=args.members)
                for s in range(args.seeds)
            ]
        if args.baybe_orders and pool.name == "synth-plqy":
            got = json.loads(Path(args.baybe_orders).read_text())
            orders["baybe"] = [np.asarray(o)[:budget] for o in got]
        elif args.baybe and pool.name == "synth-plqy":
            got = _baybe(pool, args.baybe, args.k, args.n, budget)
            if isinstance(got, str):
                print(f"baybe: {got}", file=sys.stderr)
                results.setdefault("_notes", {})["baybe"] = got
            else:
                orders["baybe"] = [np.asarray(o) for o in got]
        res: dict[str, dict] = {"n_pool": len(pool.y), "budget": budget, "strategies": {}}
        succ = pool.success()
        for strat, os_ in orders.items():
            entry: dict[str, object] = {"n_seeds": len(os_)}
            for top in TOPS:
                thr = pool.threshold(top)
                exp = []
                for o in os_:
                    hit = np.flatnonzero(succ[o] >= thr)
                    exp.append(int(hit[0] + 1) if len(hit) else budget + 1)
                entry[f"top{int(top * 100)}"] = _summary(np.asarray(exp, dtype=float))
                entry[f"_exp{int(top * 100)}"] = exp
            res["strategies"][strat] = entry
        for entry in res["strategies"].values():
            for top in TOPS:
                key = f"_exp{int(top * 100)}"
                entry[f"ef{int(top * 100)}"] = _enhancement(
                    np.asarray(res["strategies"]["random"][key], dtype=float),
                    np.asarray(entry[key], dtype=float),
                )
        curves[pool.name] = {
            s: np.mean([best_so_far(pool, o) for o in os_], axis=0) for s, os_ in orders.items()
        }
        res["seconds"] = round(time.perf_counter() - t0, 1)
        results[pool.name] = res
        print(f"{pool.name}: {len(pool.y)} rows, {res['seconds']} s", file=sys.stderr)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table = markdown(results, args)
    (out / "campaigns.json").write_text(
        json.dumps({"args": vars(args), "results": results}, indent=1)
    )
    (out / "campaigns.md").write_text(table)
    plot(curves, goals, Path(args.plot))
    print(table)
    return 0


def markdown(results: dict, args: argparse.Namespace) -> str:
    """The results table (one row per goal and strategy)."""
    lines = [
        f"Seeds {args.seeds}, k={args.k} initial random rows, batches of n={args.n}, "
        f"budget {args.budget} experiments (not reached → budget + 1).",
        "",
        "| goal | pool | strategy | to top 5 % (median [IQR]) | EF top 5 % [90 % CI] "
        "| to top 10 % (median [IQR]) | EF top 10 % [90 % CI] |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for goal, res in results.items():
        if goal.startswith("_"):
            continue
        for strat, e in res["strategies"].items():
            cells = []
            for top in (5, 10):
                s, ef = e[f"top{top}"], e[f"ef{top}"]
                cells.append(f"{s['median']:.1f} [{s['q1']:.0f}–{s['q3']:.0f}]")
                cells.append(f"{ef['ef']:.2f} [{ef['lo']:.2f}–{ef['hi']:.2f}]")
            lines.append(f"| {goal} | {res['n_pool']} | {strat} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(curves: dict[str, dict[str, np.ndarray]], goals: list[CampaignPool], path: Path) -> Path:
    """Mean best-so-far success score against experiments, one panel per goal."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(goals), figsize=(4.2 * len(goals), 3.4), squeeze=False)
    for ax, pool in zip(axes[0], goals, strict=True):
        for strat, curve in curves[pool.name].items():
            ax.plot(
                np.arange(1, len(curve) + 1), curve, label=strat, lw=2 if strat == "ei" else 1.2
            )
        ax.axhline(pool.threshold(0.05), color="grey", ls=":", lw=1)
        ax.set_title(pool.name)
        ax.set_xlabel("experiments")
    axes[0][0].set_ylabel("best so far (mean over seeds)")
    axes[0][-1].legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


if __name__ == "__main__":
    raise SystemExit(main())
