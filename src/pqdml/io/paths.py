"""Output paths checked before any work: never an input, never a model's own file.

Every command calls :func:`check_output` (or :func:`check_model_output` for a model
directory) on each path it will write, before it reads or computes anything, so a typo
such as ``-o`` naming the input fails at once with a one-line reason instead of
destroying the input after a long run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from pqdml.exceptions import OutputPathError
from pqdml.io.tables import table_kind

__all__ = ["check_model_output", "check_output", "is_model_dir"]

#: The files that make a folder a pqdml model directory.
MODEL_MARKERS = ("metadata.json", "model.json")


def is_model_dir(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder holding a saved model (``metadata.json`` and ``model.json``)."""
    p = Path(path)
    return p.is_dir() and all((p / name).is_file() for name in MODEL_MARKERS)


def _same(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        try:
            return os.path.samefile(a, b)
        except OSError:
            pass
    return a.resolve() == b.resolve()


def _writable_dir(path: Path, shown: str) -> None:
    """Refuse when the folder that will hold ``path`` cannot be created or written."""
    parent = path.resolve().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputPathError(f"cannot write {shown!r}: {str(parent)!r} is not a directory")
    try:  # a real probe: os.access says yes to root on a read-only file system
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise OutputPathError(
            f"cannot write {shown!r}: directory {str(parent)!r} is not writable "
            f"({exc.strerror or exc})"
        ) from None


def check_output(
    out: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    protect_model_dirs: bool = True,
    kinds: Iterable[str] | None = None,
) -> Path:
    """Refuse an output path that would destroy an input or a model file; return it.

    Parameters
    ----------
    out
        The file the command will write.
    inputs
        Files (or model folders) the command reads; ``None`` entries are ignored. The
        output may not be any of them, nor lie inside an input folder.
    protect_model_dirs
        Also refuse a file inside any model directory (:func:`is_model_dir`).
    kinds
        Table kinds the command can write (``csv``, ``tsv``, ``parquet``), checked from the
        file name; None skips this check.

    Raises
    ------
    OutputPathError
        The output is an input, lies in a model directory or an input folder, is a
        directory, has a suffix the command cannot write, or its folder is not writable.

    Examples
    --------
    >>> check_output("ranked.csv", inputs=["candidates.csv"]).name
    'ranked.csv'
    >>> check_output("same.csv", inputs=["same.csv"])  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    pqdml.exceptions.OutputPathError: refusing to write 'same.csv': it is the input ...
    """
    path = Path(out)
    shown = str(out)
    if kinds is not None:
        allowed = tuple(kinds)
        kind = table_kind(path)
        if kind not in allowed:
            raise OutputPathError(
                f"cannot write {shown!r}: a .{kind} output is not supported; use "
                + ", ".join(f".{k}" for k in allowed)
            )
    if path.is_dir():
        raise OutputPathError(f"cannot write {shown!r}: it is a directory")
    for item in inputs:
        if item is None:
            continue
        source = Path(item)
        if _same(path, source):
            raise OutputPathError(
                f"refusing to write {shown!r}: it is the input {str(source)!r}, which would be "
                "destroyed; choose another output path"
            )
        if source.is_dir() and path.resolve().is_relative_to(source.resolve()):
            raise OutputPathError(
                f"refusing to write {shown!r}: it lies inside the input folder {str(source)!r}"
            )
    if protect_model_dirs and is_model_dir(path.resolve().parent):
        raise OutputPathError(
            f"refusing to write {shown!r}: it lies inside the model directory "
            f"{str(path.resolve().parent)!r}, whose files are verified on load; write it elsewhere"
        )
    _writable_dir(path, shown)
    return path


def check_model_output(
    out: str | os.PathLike[str], *, inputs: Iterable[str | os.PathLike[str] | None] = ()
) -> Path:
    """Refuse a model directory path that would destroy an input or a non-model folder.

    The folder may be new, empty, or an existing model (retraining replaces it as a
    whole, atomically); any other existing folder or file is refused.

    Examples
    --------
    >>> check_model_output("models/new_plqy").name
    'new_plqy'
    """
    path = Path(out)
    shown = str(out)
    if path.exists() and not path.is_dir():
        raise OutputPathError(f"cannot write the model to {shown!r}: it is a file, not a folder")
    if path.is_dir() and any(path.iterdir()) and not is_model_dir(path):
        raise OutputPathError(
            f"refusing to write the model to {shown!r}: the folder holds files that are not a "
            "pqdml model, and saving replaces the whole folder; choose a new or empty folder"
        )
    for item in inputs:
        if item is None:
            continue
        source = Path(item).resolve()
        if source == path.resolve() or source.is_relative_to(path.resolve()):
            raise OutputPathError(
                f"refusing to write the model to {shown!r}: the input {str(item)!r} lies in it"
            )
    _writable_dir(path / "metadata.json", shown)
    return path
