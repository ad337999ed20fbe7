"""Ctrl-C and kill -9 of a real ``pqdml screen`` process: quick exit, no process left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from pqdml.library import generate_library

pytestmark = pytest.mark.slow


def _candidates(path: Path, n: int) -> Path:
    lib = generate_library(chain_lengths=range(2, 31))
    lib = lib.sample(n=n, replace=True, random_state=0).reset_index(drop=True)
    lib[["ligand_smiles"]].assign(composition="CsPbBr3").to_csv(path, index=False)
    return path


def _start(tmp_path: Path) -> tuple[subprocess.Popen[str], list[str], Path]:
    src = _candidates(tmp_path / "cands.csv", 3000)
    out = tmp_path / "ranked.csv"
    cmd = [
        sys.executable, "-m", "pqdml", "screen", str(src), "-o", str(out),
        "--chunk-size", "20", "-j", "2", "--no-progress",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    return proc, cmd, out


def _wait_for_parts(proc: subprocess.Popen[str], out: Path, n: int = 2) -> list[psutil.Process]:
    parts = out.with_name(out.name + ".parts")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if len(list(parts.glob("part-*.parquet"))) >= n:
            return psutil.Process(proc.pid).children(recursive=True)
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("no part was written in time")


def _gone(children: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(children, timeout=timeout)
    for p in alive:  # do not leave them to the next test
        p.kill()
    return alive


def test_ctrl_c_stops_quickly_keeps_parts_and_says_how_to_resume(tmp_path):
    proc, cmd, out = _start(tmp_path)
    try:
        children = _wait_for_parts(proc, out)
        assert len(children) >= 2
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole group
        _, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert took < 10, f"Ctrl-C took {took:.1f} s"
    assert "Traceback" not in err
    assert "run the same command again to resume" in err
    assert not _gone(children, 5), "workers outlived Ctrl-C"
    kept = list(out.with_name(out.name + ".parts").glob("part-*.parquet"))
    assert kept and not out.exists()
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert "resumed" in rerun.stdout


def test_kill_9_of_the_main_process_ends_its_workers(tmp_path):
    proc, _, out = _start(tmp_path)
    try:
        children = _wait_for_parts(proc, out, n=1)
        workers = [p for p in children if "resource_tracker" not in " ".join(p.cmdline())]
        assert len(workers) >= 2
        os.kill(proc.pid, signal.SIGKILL)  # the main process only
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert not _gone(children, 5), "workers outlived the main process"


def test_ctrl_c_stops_a_parallel_featurize_quickly(tmp_path):
    src = _candidates(tmp_path / "ligands.csv", 30_000)
    out = tmp_path / "features.csv"
    cmd = [sys.executable, "-m", "pqdml", "featurize", str(src), "-o", str(out), "-j", "2"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(psutil.Process(proc.pid).children()) < 2:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        time.sleep(1.0)
        children = psutil.Process(proc.pid).children(recursive=True)
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert took < 10, f"Ctrl-C took {took:.1f} s"
    assert "Traceback" not in err
    assert not _gone(children, 5)
    assert not out.exists()  # no partial output
