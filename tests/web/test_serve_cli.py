"""`pqdml serve` through the click entry point and as a real process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from pqdml.cli import main


def test_serve_help_lists_the_options_and_binds_loopback_by_default() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--model", "--target", "--host", "--port", "--max-upload-rows", "--data"):
        assert option in result.output
    assert "default: 127.0.0.1" in result.output


def test_serve_without_the_web_extra_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if uvicorn were not installed
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 1
    assert 'pip install "pqdml[web]"' in result.output and "uvicorn" in result.output


@pytest.mark.slow
def test_serve_runs_answers_and_stops(free_port: int) -> None:
    port = free_port
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pqdml", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        body = None
        while body is None:
            assert proc.poll() is None, proc.communicate()[0]
            assert time.monotonic() < deadline, "pqdml serve did not answer"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/model", timeout=5) as r:
                    body = json.load(r)
            except OSError:
                time.sleep(0.3)
        assert body["target"] == "plqy"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert f"open http://127.0.0.1:{port}" in out
    assert proc.returncode is not None


def test_serve_passes_its_options_to_uvicorn_and_warns_off_loopback(monkeypatch) -> None:
    import uvicorn

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    result = CliRunner().invoke(
        main, ["serve", "--host", "0.0.0.0", "--port", "8123", "--max-upload-rows", "10"]
    )
    assert result.exit_code == 0, result.output
    assert calls[0]["host"] == "0.0.0.0" and calls[0]["port"] == 8123
    assert "other machines can reach this app" in result.output
    from fastapi.testclient import TestClient

    client = TestClient(calls[0]["app"])
    rows = b"ligand_smiles,composition\n" + b"CCN,CsPbBr3\n" * 11
    refused = client.post("/screen", files={"candidates": ("c.csv", rows, "text/csv")})
    assert "at most 10 rows" in refused.text


def test_serve_refuses_a_missing_model_directory(tmp_path) -> None:
    result = CliRunner().invoke(main, ["serve", "--model", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "does not exist" in result.output
