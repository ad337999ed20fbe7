"""Streaming ``pqdml featurize`` on a large file: wall time and peak RSS.

Builds a CSV of ``--rows`` rows by repeating ``data/example_candidates.csv`` (20 ligands on
CsPbI3, one with an unparseable SMILES) with a ``row`` column, then runs the CLI exactly as
a user would, ``python -m pqdml featurize big.csv -o out.{csv,parquet}``, in a
subprocess, and samples the RSS of that process and its worker processes.

Run from the repository root::

    python benchmarks/featurize_file.py                 # 2,000,000 rows, as in the README
    python benchmarks/featurize_file.py --rows 200000   # quicker

Writes ``benchmarks/out/featurize_file.json`` and prints a markdown table. The input
repeats few distinct ligands, so this measures the streaming (read, features, write) and
its memory, not the per-molecule cost (see ``benchmarks/featurize.py``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from screen import PeakRSS  # benchmarks/screen.py: RSS of this process and its children

from pqdml.io import atomic_open

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "featurize_file.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="rows of the input CSV")
    parser.add_argument("--chunk-size", type=int, default=None, help="--chunk-size to pass on")
    args = parser.parse_args()

    base = pd.read_csv(ROOT / "data" / "example_candidates.csv")
    reps = -(-args.rows // len(base))
    big = pd.concat([base] * reps, ignore_index=True).iloc[: args.rows]
    big.insert(0, "row", np.arange(len(big)))
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "big.csv"
        big.to_csv(src, index=False)
        del big
        for suffix in ("csv", "parquet"):
            cmd = [sys.executable, "-m", "pqdml", "featurize", str(src), "-o"]
            cmd += [str(Path(tmp) / f"out.{suffix}"), "--no-progress"]
            if args.chunk_size:
                cmd += ["--chunk-size", str(args.chunk_size)]
            with PeakRSS() as rss:
                t0 = time.perf_counter()
                done = subprocess.run(cmd, capture_output=True, text=True, check=True)
                seconds = time.perf_counter() - t0
            results[suffix] = {
                "rows": args.rows,
                "seconds": round(seconds, 1),
                "rows_per_s": round(args.rows / seconds),
                "peak_rss_gb": round(rss.peak_children / 1e9, 2),  # the command and its workers
                "summary": done.stdout.strip(),
            }
            print(suffix, results[suffix], flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(OUT, "w", encoding="utf-8") as fh:
        json.dump(results, fh, indent=2)
    print("| output | rows | seconds | rows/s | peak RSS (GB) |")
    print("|---|---|---|---|---|")
    for suffix, res in results.items():
        print(
            f"| {suffix} | {res['rows']:,} | {res['seconds']} | {res['rows_per_s']:,} | "
            f"{res['peak_rss_gb']} |"
        )
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
