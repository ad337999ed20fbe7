"""The project's own checks: ruff (lint + format) and mypy on src/ pass."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (it is in the 'test' extra)")
    return found


@pytest.mark.parametrize(
    "args",
    [
        ["check", "src", "tests", "benchmarks", "scripts"],
        ["format", "--check", "src", "tests", "benchmarks", "scripts"],
    ],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff(args):
    proc = subprocess.run([_tool("ruff"), *args], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_mypy_on_src():
    proc = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_import_layers():
    """The stage layers of pyproject.toml ([tool.importlinter]) hold: no import points back up."""
    proc = subprocess.run(
        [_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_no_private_top_level_modules():
    """Private helper files live inside their stage's folder, not beside it at the top."""
    top = sorted(p.name for p in (ROOT / "src" / "pqdml").glob("_*.py"))
    assert top == ["__init__.py", "__main__.py"]
