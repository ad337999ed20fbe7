"""Run-wide settings read from the environment: where the public datasets live, caches."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming the folder that holds the public datasets.
DATASETS_ENV = "PQDML_DATASETS"
#: Environment variable naming the download cache used by :mod:`pooch`.
CACHE_ENV = "PQDML_CACHE"

_REPO_ROOT = Path(__file__).resolve().parents[2]


def datasets_dir() -> Path:
    """Folder holding the public datasets.

    ``$PQDML_DATASETS`` if set, else ``../shared/datasets`` relative to the current
    directory, else relative to a source checkout of pqdml. The folder may not exist:
    callers then fall back to downloading (see :func:`pqdml.data.datasets.fetch`).
    """
    env = os.environ.get(DATASETS_ENV)
    if env:
        return Path(env).expanduser()
    for base in (Path.cwd(), _REPO_ROOT):
        candidate = (base / ".." / "shared" / "datasets").resolve()
        if candidate.is_dir():
            return candidate
    return (Path.cwd() / ".." / "shared" / "datasets").resolve()


def cache_dir() -> Path:
    """Download cache for public datasets (``$PQDML_CACHE`` or the OS cache folder)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import pooch

    return Path(pooch.os_cache("pqdml"))


def models_dir() -> Path:
    """Folder with the shipped default models (``models/`` of a source checkout, or packaged)."""
    packaged = Path(__file__).resolve().parent / "_models"
    if packaged.is_dir():
        return packaged
    return _REPO_ROOT / "models"


def bundled_data_dir() -> Path:
    """Folder with the bundled data: ``pqd_literature.csv`` and ``example_candidates.csv``.

    ``data/`` of a source checkout, else the copy packaged as ``pqdml/_bundled_data``.
    """
    packaged = Path(__file__).resolve().parent / "_bundled_data"
    if packaged.is_dir():
        return packaged
    return _REPO_ROOT / "data"


def cpu_count() -> int:
    """Cores this process may use (its CPU affinity where the OS tells, else all cores)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
