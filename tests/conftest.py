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
