"""Screening benchmark: end-to-end candidates/s and peak RSS at 100k and 1M, vs a naive loop.

Run from the repository root::

    python benchmarks/screen.py                 # as in the README: see docs/screening.md
    python benchmarks/screen.py --sizes 100000 --naive 1000   # quicker

Candidates: a deterministic pool of ``--unique`` distinct ligand SMILES (anchoring group x
chain length x methyl-branch position x tail substituent x double-bond position, built
from :data:`pqdml.library.ANCHORS`). Three runs:

- ``distinct N``: the first ``--distinct`` pool molecules, each once (no repeats: the
  worst case, every row is featurized and predicted);
- ``100000`` and ``1000000``: rows drawn from the pool with replacement (fixed seed), so
  repeats occur at the rate reported (about 37% at 100k and 90% at 1M with a 100k pool):
  a repeated molecule is featurized and predicted once per worker. The model is the
shipped default model for ``--target`` if ``models/`` has one, else a model trained here on
``data/pqd_literature.csv`` with ``n_trials=0``.

Naive baseline (one core, as a user would write it): for each row, RDKit
``Descriptors.CalcMolDescriptors`` on the molecule plus ``model.predict`` on a one-row
DataFrame, in a Python loop, over ``--naive`` molecules of the distinct subset.

Ratio run (``--ratio N``, default 200,000; 0 skips it): ``pqdml screen`` as a user runs it
(a fresh process: start-up, shipped model, 2 workers) on N distinct candidates, against a
plain one-core RDKit loop over the same file (``MolFromSmiles`` + ``MolToSmiles`` per row),
timed in the same run. The ratio is screening wall time / loop wall time (target <= 2.0).

Writes ``benchmarks/out/screen.json`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "screen.json"
TAILS = ("", "F", "Cl", "O", "c1ccccc1")


def _variants() -> Iterator[str]:
    """Distinct ligand SMILES, most diverse first (deterministic)."""
    from pqdml.library import ANCHORS

    anchors = [a for a in ANCHORS if a not in ("phosphine", "phosphine_oxide")]
    for double in (None, *range(1, 20)):
        for branch in (None, *range(1, 24)):
            for tail in TAILS:
                for n in range(2, 26):
                    if branch is not None and branch >= n - 1:
                        continue
                    if double is not None and (double >= n - 1 or double == branch):
                        continue
                    atoms = ["C"] * n
                    if branch is not None:
                        atoms[branch] = "C(C)"
                    if double is not None:
                        atoms[double] = atoms[double] + "/C=C/"
                    chain = tail + "".join(atoms)
                    for anchor in anchors:
                        yield ANCHORS[anchor][1](chain, chain)


def candidate_pool(n_unique: int) -> list[str]:
    """The first ``n_unique`` distinct SMILES strings of :func:`_variants`."""
    seen: dict[str, None] = {}
    for smi in _variants():
        seen.setdefault(smi, None)
        if len(seen) >= n_unique:
            break
    return list(seen)


def write_candidates(
    path: Path, pool: list[str], n_rows: int, seed: int = 0, *, distinct: bool = False
) -> float:
    """Write ``n_rows`` candidates drawn from ``pool``; return the duplicate rate.

    ``distinct``: the first ``n_rows`` molecules of the pool, each once (no repeats).
    """
    rng = np.random.default_rng(seed)
    idx = np.arange(n_rows) if distinct else rng.integers(0, len(pool), size=n_rows)
    pd.DataFrame({"ligand_smiles": np.asarray(pool, dtype=object)[idx]}).to_parquet(path)
    return 1.0 - len(np.unique(idx)) / n_rows


class PeakRSS:
    """Sample the RSS of this process plus its children every ``interval`` seconds.

    ``peak`` is the largest total; ``peak_children`` the largest sum over the child
    processes alone (e.g. a command run with :mod:`subprocess` and its workers).
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak = 0
        self.peak_children = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        children = 0
        for child in me.children(recursive=True):
            try:
                children += child.memory_info().rss
            except psutil.Error:
                pass
        self.peak_children = max(self.peak_children, children)
        self.peak = max(self.peak, me.memory_info().rss + children)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def get_model(target: str):
    from pqdml.model import default_model, train

    try:
        return default_model(target), f"shipped models/{target}"
    except Exception as err:  # no shipped model yet: train one here
        print(f"no shipped model ({err}); training one on data/pqd_literature.csv")
        model = train(ROOT / "data" / "pqd_literature.csv", target, n_trials=0)
        return model, "trained in the benchmark on data/pqd_literature.csv (n_trials=0)"


def run_screen(model, path: Path, n_jobs: int, chunk_size: int) -> dict:
    from pqdml.screen import screen

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ranked.parquet"
        with PeakRSS() as rss:
            t0 = time.perf_counter()
            summary = screen(
                path,
                out,
                model=model,
                composition="CsPbI3",
                stage="post-synthesis",
                n_jobs=n_jobs,
                chunk_size=chunk_size,
                progress=False,
            )
            seconds = time.perf_counter() - t0
    return {
        "rows": summary.n_rows,
        "ok": summary.n_ok,
        "duplicates": summary.n_duplicates,
        "status_counts": summary.status_counts,
        "seconds": round(seconds, 2),
        "candidates_per_s": round(summary.n_rows / seconds, 1),
        "peak_rss_mib": round(rss.peak / 2**20, 1),
    }


def run_naive(model, smiles: list[str]) -> dict:
    from rdkit import Chem
    from rdkit.Chem import Descriptors

    t0 = time.perf_counter()
    preds = []
    for smi in smiles:
        mol = Chem.MolFromSmiles(smi)
        if mol is not None:
            Descriptors.CalcMolDescriptors(mol)
        record = pd.DataFrame(
            [{"ligand_smiles": smi, "composition": "CsPbI3", "stage": "post-synthesis"}]
        )
        preds.append(float(model.predict(record)["prediction"].iloc[0]))
    seconds = time.perf_counter() - t0
    return {
        "rows": len(smiles),
        "seconds": round(seconds, 2),
        "candidates_per_s": round(len(smiles) / seconds, 1),
    }


def rdkit_loop(path: Path) -> float:
    """Seconds of a plain one-core RDKit loop over the file: parse + canonical SMILES per row."""
    from rdkit import Chem, RDLogger

    RDLogger.DisableLog("rdApp.*")
    t0 = time.perf_counter()
    smiles = pd.read_parquet(path, columns=["ligand_smiles"])["ligand_smiles"].tolist()
    for smi in smiles:
        mol = Chem.MolFromSmiles(smi)
        if mol is not None:
            Chem.MolToSmiles(mol)
    return time.perf_counter() - t0


def run_ratio(pool: list[str], n: int, target: str, n_jobs: int) -> dict:
    """``pqdml screen`` (a fresh process, start-up included) vs :func:`rdkit_loop`, same file."""
    import subprocess
    import sys

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "distinct.parquet"
        write_candidates(path, pool, n, distinct=True)
        loop = rdkit_loop(path)
        cmd = [
            sys.executable,
            "-m",
            "pqdml",
            "screen",
            str(path),
            "-o",
            str(Path(tmp) / "r.parquet"),
        ]
        cmd += ["--target", target, "--composition", "CsPbI3", "-j", str(n_jobs), "--no-progress"]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        wall = time.perf_counter() - t0
    return {
        "rows": n,
        "screen_seconds": round(wall, 2),
        "rdkit_loop_seconds": round(loop, 2),
        "ratio": round(wall / loop, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="rows drawn from the pool")
    parser.add_argument(
        "--unique", type=int, default=100_000, help="distinct molecules in the pool"
    )
    parser.add_argument(
        "--distinct", type=int, default=20_000, help="rows of the all-distinct run (the subset)"
    )
    parser.add_argument(
        "--naive", type=int, default=20_000, help="rows of the subset the naive loop runs on"
    )
    parser.add_argument(
        "--ratio", type=int, default=200_000, help="distinct rows of the ratio run (0: skip)"
    )
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--target", default="plqy")
    args = parser.parse_args()
    from pqdml.config import cpu_count

    n_jobs = args.jobs or cpu_count()
    model, model_source = get_model(args.target)
    pool = candidate_pool(args.unique)
    results: dict = {
        "machine": {
            "cores": cpu_count(),
            "cpu": platform.processor() or platform.machine(),
            "python": platform.python_version(),
        },
        "model": model_source,
        "pool_unique_smiles": len(pool),
        "n_jobs": n_jobs,
        "chunk_size": args.chunk_size,
        "screen": {},
    }
    runs = [(f"distinct {args.distinct}", args.distinct, True)] if args.distinct else []
    runs += [(str(int(s)), int(s), False) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory() as tmp:
        for label, size, distinct in runs:
            path = Path(tmp) / f"cands_{size}.parquet"
            dup = write_candidates(path, pool, size, distinct=distinct)
            print(f"screening {size} candidates ({dup:.1%} repeats) ...", flush=True)
            res = run_screen(model, path, n_jobs, args.chunk_size)
            res["duplicate_rate"] = round(dup, 4)
            results["screen"][label] = res
            print(res, flush=True)
            path.unlink()
    if args.naive:
        # a sample of the all-distinct subset (the naive loop is too slow for more)
        rng = np.random.default_rng(1)
        subset = list(rng.permutation(pool[: max(args.distinct, args.naive)])[: args.naive])
        print(f"naive loop on {len(subset)} rows ...", flush=True)
        results["naive"] = run_naive(model, subset)
        print(results["naive"], flush=True)
        for res in results["screen"].values():
            res["speedup_vs_naive"] = round(
                res["candidates_per_s"] / results["naive"]["candidates_per_s"], 1
            )
    if args.ratio:
        print(f"ratio run: pqdml screen vs a plain RDKit loop on {args.ratio} rows ...", flush=True)
        ratio_pool = pool if len(pool) >= args.ratio else candidate_pool(args.ratio)
        results["ratio"] = run_ratio(ratio_pool, args.ratio, args.target, n_jobs)
        print(results["ratio"], flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = OUT.with_suffix(".json.tmp")
    tmp_out.write_text(json.dumps(results, indent=2))
    os.replace(tmp_out, OUT)
    print()
    print(f"model: {model_source}; pool {len(pool)} distinct SMILES; {n_jobs} jobs")
    print("| run | rows | repeats | seconds | candidates/s | peak RSS (MiB) | vs naive |")
    print("|---|---|---|---|---|---|---|")
    for size, res in results["screen"].items():
        print(
            f"| pqdml screen {size} | {res['rows']} | {res['duplicate_rate']:.1%} | {res['seconds']} | "
            f"{res['candidates_per_s']:,.0f} | {res['peak_rss_mib']} | "
            f"{res.get('speedup_vs_naive', '')}x |"
        )
    if "naive" in results:
        nv = results["naive"]
        print(
            f"| naive loop (CalcMolDescriptors + predict per row, 1 core) | {nv['rows']} | | "
            f"{nv['seconds']} | {nv['candidates_per_s']:,.1f} | | 1x |"
        )
    if "ratio" in results:
        r = results["ratio"]
        print(
            f"\nratio: pqdml screen {r['screen_seconds']} s / RDKit parse+canonical loop "
            f"{r['rdkit_loop_seconds']} s on {r['rows']} distinct rows = {r['ratio']} (target <= 2.0)"
        )
    print(f"\nwrote {OUT}")


if __name__ == "__main__":
    main()
