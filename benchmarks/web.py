"""Response time of ``pqdml serve``'s predict page for one ligand, with the model loaded.

Starts the app (shipped ``plqy`` model, warmed up as ``pqdml serve`` does) under
uvicorn on a free loopback port in this process, then requests over real HTTP:

- ``GET /?ligand=...&composition=...`` — the predict page (prediction, interval,
  domain verdict with drawn neighbours, ligand and composition panels, five SHAP
  sentences); the page's SHAP waterfall is a separate image request:
- ``GET /predict/waterfall.svg?...`` — that figure (matplotlib SVG);

each for a panel of ligands (names and SMILES), ``--repeats`` rounds; and, for scale,
the screen page: upload ``--screen-rows`` candidates (``POST /screen``) and wait until
the ranked result is ready. The first
round of each ligand is its first sight in this process ("new ligand"); later rounds
hit the featurizer's cache ("repeat"). Median and 90th percentile are reported per
kind, and the page + figure total a browser waits for (the figure loads after the
page), with the median CPU time of this process per request (server and client: on a
busy machine the wall time also counts waiting for a core). Target: the page under
300 ms.

Run::

    python benchmarks/web.py              # 12 ligands x 5 rounds; a 5,000-row upload

It prints a markdown table and writes ``benchmarks/out/web.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import uvicorn

from pqdml.io import atomic_open
from pqdml.model import default_model
from pqdml.web import create_app

LIGANDS = [
    "oleylamine",
    "oleic acid",
    "octylamine",
    "didodecyldimethylammonium bromide",
    "phenethylammonium iodide",
    "trioctylphosphine oxide",
    "CCCCCCCCCCCCS",
    "CCCCCCCCCC(=O)O",
    "NCCCCCCCCCCC(=O)O",
    "CCCCCCCCCCCCCCCCP(=O)(O)O",
    "c1ccc(CC[NH3+])cc1.[Br-]",
    "CCCCCCCCCCCCCCCCCC[N+](C)(C)C.[Cl-]",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[float, float, int, int]:
    """Wall and CPU seconds (this process: server and client) of one GET, status, size."""
    c0, t0 = time.process_time(), time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as r:
        body = r.read()
        status = r.status
    return time.perf_counter() - t0, time.process_time() - c0, status, len(body)


def _stats(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)
    return {
        "n": len(ms),
        "median_ms": statistics.median(ms),
        "p90_ms": ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))],
        "max_ms": ms[-1],
    }


def _screen(base: str, n_rows: int) -> dict[str, float]:
    """Upload ``n_rows`` enumerated candidates and time it until the job is done."""
    import re

    import httpx

    from pqdml.library import generate_library

    lib = generate_library(chain_lengths=range(2, 19))
    rows = (lib["ligand_smiles"].tolist() * (n_rows // len(lib) + 1))[:n_rows]
    body = "ligand_smiles\n" + "\n".join(rows) + "\n"
    t0 = time.perf_counter()
    with httpx.Client(base_url=base, timeout=600, follow_redirects=True) as client:
        r = client.post(
            "/screen",
            files={"candidates": ("bench.csv", body.encode(), "text/csv")},
            data={"composition": "CsPbBr3"},
        )
        uploaded = time.perf_counter() - t0
        while True:
            state = re.search(r'data-state="(\w+)"', client.get(str(r.url)).text)
            if state is None or state.group(1) not in ("queued", "running"):
                break
            time.sleep(0.5)
    assert state is not None and state.group(1) == "done", state
    total = time.perf_counter() - t0
    return {"rows": n_rows, "upload_s": uploaded, "total_s": total, "rows_per_s": n_rows / total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--composition", default="CsPbBr3")
    parser.add_argument("--screen-rows", type=int, default=5000, help="0 skips the upload")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/web.json"))
    args = parser.parse_args()

    t0 = time.perf_counter()
    app = create_app(default_model("plqy"), warm_up=True)
    startup = time.perf_counter() - t0
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    kinds = ("page_new", "page_repeat", "figure_new", "figure_repeat", "total_repeat")
    times: dict[str, list[float]] = {k: [] for k in kinds}
    cpu: dict[str, list[float]] = {k: [] for k in kinds}
    try:
        for rnd in range(args.repeats):
            kind = "new" if rnd == 0 else "repeat"
            for ligand in LIGANDS:
                query = urllib.parse.urlencode({"ligand": ligand, "composition": args.composition})
                page, page_cpu, status, size = _get(f"{base}/?{query}")
                assert status == 200 and size > 10_000, (ligand, status, size)
                figure, figure_cpu, status, _ = _get(f"{base}/predict/waterfall.svg?{query}")
                assert status == 200, (ligand, status)
                times[f"page_{kind}"].append(page)
                times[f"figure_{kind}"].append(figure)
                cpu[f"page_{kind}"].append(page_cpu)
                cpu[f"figure_{kind}"].append(figure_cpu)
                if kind == "repeat":
                    times["total_repeat"].append(page + figure)
                    cpu["total_repeat"].append(page_cpu + figure_cpu)
        screen = _screen(base, args.screen_rows) if args.screen_rows else None
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    result = {
        "benchmark": "web predict page",
        "ligands": LIGANDS,
        "composition": args.composition,
        "repeats": args.repeats,
        "startup_s": startup,
        "timings": {k: _stats(v) for k, v in times.items() if v},
        "cpu": {k: _stats(v) for k, v in cpu.items() if v},
        "screen_upload": screen,
        "load_average": os.getloadavg(),
        "target_ms": 300,
        "machine": {"python": platform.python_version(), "cpu": platform.processor()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=2)
    print(f"app start with model load and warm-up: {startup:.1f} s")
    print("| request | n | median ms | p90 ms | max ms | median CPU ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for key, st in result["timings"].items():
        print(
            f"| {key} | {st['n']} | {st['median_ms']:.0f} | {st['p90_ms']:.0f} "
            f"| {st['max_ms']:.0f} | {result['cpu'][key]['median_ms']:.0f} |"
        )
    if screen:
        print(
            f"screen page: {screen['rows']} rows uploaded and ranked in {screen['total_s']:.1f} s "
            f"({screen['rows_per_s']:.0f} rows/s)"
        )
    print(f"load average during the run: {os.getloadavg()}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
