"""Ligand featurization throughput: pqdml's default set vs RDKit's full descriptor loop.

Generates N deterministic ligand SMILES (anchor group x chain length x backbone x
end group x counter-ion), then measures

- pqdml ``featurize_ligands`` (default set) on all N, one core and ``--jobs`` cores,
  each with cold caches, ``--repeats`` times each (interleaved); the run with the median
  wall time is reported, and every run's rate is kept in the JSON;
- the baseline: ``rdkit.Chem.Descriptors.CalcMolDescriptors`` in a plain loop (one
  core) on a deterministic subset, and pqdml on the same subset for a like-for-like
  ratio;
- peak resident memory (this process and its worker processes).

Run::

    python benchmarks/featurize.py            # 100k ligands, 5k baseline subset, 2 jobs, 3 repeats

It prints a markdown table and writes ``benchmarks/out/featurize.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import resource
import sys
import time
from pathlib import Path

import rdkit
from rdkit import Chem, RDLogger
from rdkit.Chem import Descriptors

from pqdml.chem import _compute, ligand
from pqdml.io import atomic_open

ANCHORS = [
    "N",  # primary amine
    "N(C)",  # secondary amine
    "N(C)(C)",  # tertiary amine (written as a branch on the chain start)
    "[NH3+]",
    "C[N+](C)(C)",
    "OC(=O)",
    "[O-]C(=O)",
    "OP(O)(=O)",
    "OS(=O)(=O)",
    "S",
    "P(CCCC)(CCCC)",
    "O=P(CCCC)(CCCC)",
    "c1ccncc1",
    "NC(=[NH2+])",
    "O",  # alcohol: no anchor
    "c1cncn1",  # N-alkyl imidazole: pyridine-type N
    "NC(=O)",  # amide: no anchor
    "OP(=O)(O)OC",  # phosphate monoester
    "OC(=O)CN(CC(=O)O)",  # amino acid (zwitterion, chelating)
    "CSC",  # thioether
]
COUNTER = {
    "[NH3+]": ".[Br-]",
    "C[N+](C)(C)": ".[I-]",
    "[O-]C(=O)": ".[Cs+]",
    "NC(=[NH2+])": ".[S-]C#N",
}
END_GROUPS = [
    "",
    "C(C)C",
    "c1ccccc1",
    "F",
    "O",
    "C(=O)O",
    "Cl",
    "C(F)(F)F",
    "c1ccc(F)cc1",
    "OC",
    "N",
    "S",
    "Br",
    "C#N",
    "C=C",
    "C(=O)OC",
    "c1ccncc1",
    "C1CC1",
    "[Si](C)(C)C",
    "C(C)(C)C",
]


def _backbone(kind: int, n: int) -> str:
    if kind == 0:  # linear
        return "C" * n
    if kind == 1:  # methyl branch near the anchor
        return "C(C)" + "C" * max(n - 1, 0)
    if kind == 2:  # cis double bond in the middle
        half = max(n // 2, 1)
        return "C" * half + "/C=C\\" + "C" * max(n - half - 1, 1)
    if kind == 3:  # phenylene spacer
        return "C" * (n // 2) + "c1ccc(cc1)" + "C" * (n - n // 2)
    if kind == 4:  # ether in the chain
        return "C" * max(n // 2, 1) + "O" + "C" * max(n - n // 2, 1)
    return "C" * n + "C1CCCCC1"  # cyclohexyl terminus


def generate(n: int) -> list[str]:
    """Return ``n`` distinct, deterministic ligand SMILES."""
    out: list[str] = []
    seen: set[str] = set()
    for length, anchor, kind, end, salt in itertools.product(
        range(1, 31), ANCHORS, range(6), END_GROUPS, (False, True)
    ):
        smi = anchor + _backbone(kind, length) + end
        if salt:
            smi += COUNTER.get(anchor, ".[Na+]" if anchor.startswith(("OC", "OP", "OS")) else "")
        if smi in seen:
            continue
        seen.add(smi)
        out.append(smi)
        if len(out) == n:
            return out
    raise ValueError(f"the generator yields only {len(out)} ligands")


def _cold() -> None:
    ligand._cache.clear()
    _compute._LOGP_CACHE.clear()


def _cpu() -> float:
    """CPU seconds used by this process and its finished worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _time_default(smiles: list[str], jobs: int) -> tuple[float, float, int]:
    """Return wall seconds, CPU seconds and the number of ok rows of one cold run."""
    _cold()
    t0, c0 = time.perf_counter(), _cpu()
    frame = ligand.featurize_ligands(smiles, n_jobs=jobs, progress=False)
    dt, dc = time.perf_counter() - t0, _cpu() - c0
    return dt, dc, int((frame["ligand_status"] == "ok").sum())


def _median_run(runs: list[tuple[float, float, int]]) -> tuple[float, float, int]:
    """The run with the median wall time (for an even count, the slower middle one)."""
    return sorted(runs)[len(runs) // 2]


def _time_full_loop(smiles: list[str]) -> tuple[float, float]:
    RDLogger.DisableLog("rdApp.*")
    t0, c0 = time.perf_counter(), _cpu()
    for smi in smiles:
        mol = Chem.MolFromSmiles(smi)
        Descriptors.CalcMolDescriptors(mol)
    return time.perf_counter() - t0, _cpu() - c0


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0  # Linux: kB


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run the benchmark; print a markdown table and write the JSON result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="generated ligands")
    parser.add_argument(
        "--subset", type=int, default=5_000, help="ligands in the RDKit baseline loop"
    )
    parser.add_argument("--jobs", type=int, default=2, help="cores for the parallel run")
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs of each full-size timing (median reported)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "out" / "featurize.json"
    )
    args = parser.parse_args(argv)

    load_before = os.getloadavg()[0]
    smiles = generate(args.n)
    subset = random.Random(0).sample(smiles, min(args.subset, len(smiles)))
    runs: dict[int, list[tuple[float, float, int]]] = {1: [], args.jobs: []}
    for _ in range(args.repeats):  # interleaved, so a slow spell of the machine hits both
        for jobs in runs:
            runs[jobs].append(_time_default(smiles, jobs))
    t1, c1, ok1 = _median_run(runs[1])
    tj, cj, okj = _median_run(runs[args.jobs])
    ts, cs, _ = _time_default(subset, 1)
    tf, cf = _time_full_loop(subset)
    n, k = len(smiles), len(subset)
    result: dict[str, object] = {
        "n_ligands": n,
        "n_ok": ok1,
        "default_1core_s": round(t1, 3),
        "default_1core_per_s": round(n / t1, 1),
        "default_1core_per_cpu_s": round(n / c1, 1),
        f"default_{args.jobs}core_s": round(tj, 3),
        f"default_{args.jobs}core_per_s": round(n / tj, 1),
        f"default_{args.jobs}core_cpu_s": round(cj, 3),
        "repeats": args.repeats,
        "default_1core_per_s_runs": [round(len(smiles) / r[0], 1) for r in runs[1]],
        f"default_{args.jobs}core_per_s_runs": [
            round(len(smiles) / r[0], 1) for r in runs[args.jobs]
        ],
        "subset_size": k,
        "default_subset_1core_per_s": round(k / ts, 1),
        "default_subset_per_cpu_s": round(k / cs, 1),
        "rdkit_full_subset_1core_per_s": round(k / tf, 1),
        "rdkit_full_subset_per_cpu_s": round(k / cf, 1),
        "speedup_vs_full_1core": round((k / ts) / (k / tf), 1),
        "speedup_vs_full_cpu": round((k / cs) / (k / cf), 1),
        "speedup_100k_vs_full_cpu": round((n / c1) / (k / cf), 1),
        "peak_rss_mb": round(_rss_mb(resource.RUSAGE_SELF), 1),
        "peak_rss_workers_mb": round(_rss_mb(resource.RUSAGE_CHILDREN), 1),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "rdkit": rdkit.__version__,
        "load_avg_1min_before": round(load_before, 2),
        "load_avg_1min_after": round(os.getloadavg()[0], 2),
    }
    assert okj == ok1
    rows = [
        ("pqdml default set, 1 process", n, t1, c1),
        (f"pqdml default set, {args.jobs} processes", n, tj, cj),
        ("pqdml default set, 1 process, subset", k, ts, cs),
        ("RDKit CalcMolDescriptors loop, 1 process, same subset", k, tf, cf),
    ]
    print(f"full-size runs: median of {args.repeats} (ligands/s of each run in the JSON)\n")
    print("| run | ligands | wall s | ligands/s (wall) | ligands per CPU-s |")
    print("|---|---|---|---|---|")
    for name, count, wall, cpu in rows:
        print(f"| {name} | {count:,} | {wall:.1f} | {count / wall:,.0f} | {count / cpu:,.0f} |")
    print(
        f"\nspeed-up vs the full-descriptor loop on the same subset: "
        f"{result['speedup_vs_full_1core']}x (wall), {result['speedup_vs_full_cpu']}x (CPU); "
        f"all {n:,} at 1 process vs the loop: {result['speedup_100k_vs_full_cpu']}x (CPU); peak RSS {result['peak_rss_mb']} MB main, "
        f"{result['peak_rss_workers_mb']} MB per worker; load average {load_before:.2f} before, "
        f"{result['load_avg_1min_after']} after, on {os.cpu_count()} cores"
    )
    with atomic_open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=2)
    print(f"wrote {args.out}", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
