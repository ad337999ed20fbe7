"""``pqdml report`` through the CLI entry point."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pqdml.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model_dir(tiny_model_dir: Path) -> Path:
    return tiny_model_dir


def test_report_command_writes_html_and_folder(
    tmp_path: Path, model_dir: Path, repo_root: Path
) -> None:
    out = tmp_path / "r.html"
    result = CliRunner().invoke(
        main,
        [
            "report",
            "--model",
            str(model_dir),
            "--data",
            str(repo_root / "data" / "pqd_literature.csv"),
            "--format",
            "canonical",
            "--level",
            "0.8",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    text = out.read_text(encoding="utf-8")
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', text)) >= 8
    assert (tmp_path / "r_files" / "parity.svg").exists()
    assert (tmp_path / "r_files" / "concept_importance.csv").exists()


def test_report_command_refuses_a_missing_model(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", "--model", str(tmp_path / "nope"), "-o", "x.html"])
    assert result.exit_code != 0
    assert "does not exist" in result.output


def test_python_m_pqdml_report_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pqdml", "report", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for option in ("--model", "--data", "--format", "--screen", "--composition", "-o"):
        assert option in done.stdout
