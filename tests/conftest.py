"""Shared fixtures: where the public datasets are, and a skip when they are absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pqdml.config import datasets_dir

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """Path of the public datasets; skips (fails in CI) when they are not there."""
    path = datasets_dir()
    if not path.is_dir():
        msg = (
            f"public datasets not found at {path} (set PQDML_DATASETS to the folder holding "
            "synthesizer/, buried_interface/, perovskite_database/)"
        )
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


#: Debian's chromium (.ci/run installs it); Playwright's own browser download is not used.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> dict[str, object]:
    """Keyword arguments of ``playwright.chromium.launch`` for Debian's chromium.

    Skips when chromium or playwright is missing; with ``CI`` set it fails instead, so CI
    cannot silently pass without the browser tests.
    """
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} not found (install Debian's chromium: apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "playwright (python) is not installed: pip install -e '.[test]'"
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser test cannot run in CI: {problem}")
        pytest.skip(problem)
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def tiny_model():
    """One PLQY model on the bundled curated data, trained once per test session.

    Tests that need *a* real trained model (report, screening, CLI, browser) share it
    instead of each training their own.
    """
    from pqdml.model import train

    return train(REPO_ROOT / "data" / "pqd_literature.csv", "plqy", n_trials=0, seed=0)


@pytest.fixture(scope="session")
def tiny_model_dir(tiny_model, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """:func:`tiny_model` saved as a model directory."""
    return tiny_model.save(tmp_path_factory.mktemp("tiny_model") / "plqy")
