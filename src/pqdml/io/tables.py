"""Reading and writing tables: CSV, Parquet and ``.smi``, always written atomically."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd

from pqdml.exceptions import UnknownFormatError

TABLE_SUFFIXES = (".csv", ".parquet", ".pq", ".smi", ".tsv", ".txt")


def table_kind(path: str | os.PathLike[str]) -> str:
    """Return ``"csv"``, ``"tsv"``, ``"parquet"`` or ``"smi"`` from a file name."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".tsv", ".txt"):
        return "tsv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == ".smi":
        return "smi"
    raise UnknownFormatError(
        f"cannot tell the table format of {str(path)!r}: expected one of {', '.join(TABLE_SUFFIXES)}"
    )


def iter_smi(path: str | os.PathLike[str]) -> Iterator[tuple[str, str | None]]:
    """Yield ``(smiles, name or None)`` per line of a ``.smi`` file.

    One SMILES per line, optionally followed by whitespace and a name; blank lines and
    lines starting with ``#`` are skipped.
    """
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            parts = text.split(maxsplit=1)
            yield parts[0], parts[1] if len(parts) > 1 else None


def read_smi(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a ``.smi`` file (see :func:`iter_smi`); a line without a name gets ``""``."""
    rows = list(iter_smi(path))
    return pd.DataFrame(
        {"ligand_smiles": [s for s, _ in rows], "ligand_name": [n or "" for _, n in rows]}
    )


@contextlib.contextmanager
def decoding(path: str | os.PathLike[str]) -> Iterator[None]:
    """Turn a decoding error (or an empty file) while reading ``path`` into one naming it."""
    try:
        yield
    except pd.errors.EmptyDataError:
        raise UnknownFormatError(f"{str(path)!r} is empty: no header row, no data") from None
    except UnicodeDecodeError as exc:
        raise UnknownFormatError(
            f"{str(path)!r} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position "
            f"{exc.start}): it may be binary or compressed, or use another encoding; save it "
            "as UTF-8 (Excel: 'CSV UTF-8')"
        ) from None


def read_table(path: str | os.PathLike[str], **kwargs: object) -> pd.DataFrame:
    """Read a CSV, TSV, Parquet or ``.smi`` file into a DataFrame, keeping every row."""
    kind = table_kind(path)
    if not Path(path).exists():
        raise FileNotFoundError(f"input file {str(path)!r} does not exist")
    if kind == "csv":
        with decoding(path):
            return pd.read_csv(path, keep_default_na=True, **kwargs)
    if kind == "tsv":
        with decoding(path):
            return pd.read_csv(path, sep="\t", **kwargs)
    if kind == "parquet":
        return pd.read_parquet(path)
    return read_smi(path)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    A reader never sees a half-written file: either the old file (or none) or the
    complete new one.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp creates 0600 files; give the result the permissions a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    done = False
    try:
        yield tmp_path
        os.replace(tmp_path, target)
        done = True
    finally:
        if not done:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str], mode: str = "w", **kwargs: object
) -> Iterator[IO[Any]]:
    """Open a temporary file for writing that replaces ``path`` atomically on close."""
    with atomic_path(path) as tmp, open(tmp, mode, **kwargs) as fh:  # type: ignore[call-overload]
        yield fh


def write_table(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as CSV/TSV/Parquet (by extension), atomically; return the path."""
    kind = table_kind(path)
    if df.attrs:  # run-time annotations (e.g. an adapter report) are not file contents
        df = df.copy(deep=False)
        df.attrs = {}
    with atomic_path(path) as tmp:
        if kind == "csv":
            df.to_csv(tmp, index=False)
        elif kind == "tsv":
            df.to_csv(tmp, sep="\t", index=False)
        elif kind == "parquet":
            df.to_parquet(tmp, index=False)
        else:
            raise UnknownFormatError(f"cannot write {str(path)!r}: .smi output is not supported")
    return Path(path)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()
