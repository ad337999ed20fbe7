"""Tables too large for memory: read them in chunks, write the results chunk by chunk.

Used by :func:`pqdml.features.featurize_file` and :func:`pqdml.screen.screen`.

- :func:`read_chunks` yields a CSV/TSV/Parquet/``.smi`` file in chunks whose column types
  are those :func:`pqdml.io.read_table` gives the whole file, so the result does not
  depend on the chunk size (a CSV column of whole numbers with one empty cell is float
  in every chunk, not only in the chunk holding the empty cell).
- :func:`write_chunks` writes a stream of frames as one CSV/TSV/Parquet table into a
  temporary file beside the output and renames it into place at the end; on any error
  (or Ctrl-C) the temporary file is removed and no partial output appears.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pqdml.exceptions import UnknownFormatError
from pqdml.io.tables import atomic_path, decoding, iter_smi, read_table, table_kind

__all__ = ["count_rows", "input_columns", "iter_chunks", "read_chunks", "write_chunks"]


def count_rows(path: Path, kind: str) -> int | None:
    """Count the data rows (exact for Parquet and ``.smi``, line count for CSV/TSV)."""
    if kind == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    if kind == "smi":
        n = 0
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                text = line.strip()
                n += bool(text) and not text.startswith("#")
        return n
    n = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 24):
            n += block.count(b"\n")
    return max(n - 1, 0)


def iter_chunks(
    path: Path, kind: str, chunk_size: int, *, dtype: Any = str, verbatim: bool = False
) -> Iterator[pd.DataFrame]:
    """Yield the input in chunks of ``chunk_size`` rows, every row exactly once, in order.

    CSV/TSV columns are read as text by default (empty cells are missing), so every chunk
    has the same column types; ``dtype`` is passed on to :func:`pandas.read_csv` instead
    (``None`` infers types chunk by chunk). With ``verbatim``, every cell is the text as
    written: only empty cells are missing (``"None"``, ``"NaN"``, ``"null"`` stay text).
    Parquet keeps the file's types.
    """
    if kind in ("csv", "tsv"):
        sep = "," if kind == "csv" else "\t"
        input_columns(path, kind)  # refuses duplicated column names
        extra: dict[str, Any] = (
            {"dtype": str, "keep_default_na": False, "na_values": [""]}
            if verbatim
            else {"dtype": dtype}
        )
        with decoding(path):
            yield from pd.read_csv(path, sep=sep, chunksize=chunk_size, **extra)
    elif kind == "parquet":
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
            yield batch.to_pandas()
    elif kind == "smi":
        smiles: list[str] = []
        names: list[str | None] = []
        for smi, name in iter_smi(path):
            smiles.append(smi)
            names.append(name)
            if len(smiles) == chunk_size:
                yield _smi_frame(smiles, names)
                smiles, names = [], []
        if smiles:
            yield _smi_frame(smiles, names)
    else:  # pragma: no cover - table_kind limits the kinds
        raise UnknownFormatError(f"cannot read a {kind!r} file {str(path)!r} in chunks")


def _smi_frame(smiles: list[str], names: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame({"ligand_smiles": smiles, "ligand_name": names}, dtype="str")


def input_columns(path: Path, kind: str) -> list[str]:
    """Column names of the input without reading its rows.

    Raises
    ------
    UnknownFormatError
        A CSV/TSV header that names a column twice (pandas would rename one silently).
    """
    if kind == "parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    if kind == "smi":
        return ["ligand_smiles", "ligand_name"]
    sep = "," if kind == "csv" else "\t"
    with decoding(path), open(path, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh, delimiter=sep), [])
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        raise UnknownFormatError(
            f"{str(path)!r} names the column(s) {', '.join(map(repr, twice))} more than once; "
            "rename them so that every column has its own name"
        )
    with decoding(path):
        return list(pd.read_csv(path, sep=sep, nrows=0).columns)


def _kind(values: pd.Series) -> str:
    """Coarse type of one chunk's non-missing values, as pandas inferred it."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if (
        pd.api.types.is_object_dtype(dtype)
        and pd.api.types.infer_dtype(values, skipna=True) == "boolean"
    ):
        return "bool"
    return "text"


def _csv_plan(
    path: Path, kind: str, chunk_size: int, dtype: Mapping[str, str] | None
) -> tuple[dict[str, str], list[str]]:
    """Read the file once to find the columns whose inferred type differs between chunks.

    Returns the types to parse them with (``float64`` for numbers, ``str`` for anything
    mixed with text) and the columns of booleans with missing cells, which a whole read
    gives as ``object`` (``True``/``False``/NaN).
    """
    dtypes: dict[str, set[str]] = {}
    kinds: dict[str, set[str]] = {}
    missing: set[str] = set()
    for chunk in iter_chunks(path, kind, chunk_size, dtype=dict(dtype) if dtype else None):
        for col in chunk.columns:
            values = chunk[col]
            dtypes.setdefault(col, set()).add(str(values.dtype))
            na = values.isna()
            if na.any():
                missing.add(col)
            if not na.all():
                kinds.setdefault(col, set()).add(_kind(values))
    parse: dict[str, str] = {}
    to_object: list[str] = []
    for col, seen in dtypes.items():
        if len(seen) == 1:
            continue
        found = kinds.get(col, set())
        if found <= {"int", "float"}:
            parse[col] = "float64"
        elif found == {"bool"} and col in missing:
            to_object.append(col)
        else:
            parse[col] = "str"
    return parse, to_object


def _parquet_plan(path: Path, chunk_size: int) -> dict[str, str]:
    """Integer and boolean columns with nulls anywhere: float64 / object, as a whole read gives."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    wanted = [f.name for f in schema if pa.types.is_integer(f.type) or pa.types.is_boolean(f.type)]
    with_nulls: set[str] = set()
    if wanted:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size, columns=wanted):
            with_nulls.update(n for n in wanted if batch.column(n).null_count)
    return {
        f.name: "object" if pa.types.is_boolean(f.type) else "float64"
        for f in schema
        if f.name in with_nulls
    }


def read_chunks(
    path: str | os.PathLike[str],
    chunk_size: int,
    *,
    dtype: Mapping[str, str] | None = None,
    verbatim: bool = False,
) -> Iterator[pd.DataFrame]:
    """Yield a table in chunks of ``chunk_size`` rows, every row once, in order.

    Column types are those of ``read_table(path, dtype=dtype)``: when the file holds
    more than one chunk, CSV/TSV files are read twice (first to find the columns whose
    inferred type changes between chunks). A file without rows yields one empty frame.

    Parameters
    ----------
    path
        CSV, TSV, Parquet or ``.smi`` file.
    chunk_size
        Rows per chunk (the last one may be shorter).
    dtype
        Column types for :func:`pandas.read_csv` (e.g. text columns of canonical records).
    verbatim
        CSV/TSV cells as the text written (see :func:`iter_chunks`); ``dtype`` is ignored.
    """
    p = Path(path)
    kind = table_kind(p)
    n_rows = count_rows(p, kind)
    fix: dict[str, str] = {}
    if kind in ("csv", "tsv") and verbatim:
        chunks = iter_chunks(p, kind, chunk_size, verbatim=True)
    elif kind in ("csv", "tsv"):
        parse: dict[str, str] = {}
        to_object: list[str] = []
        if n_rows is None or n_rows >= chunk_size:  # line counts may be one short
            parse, to_object = _csv_plan(p, kind, chunk_size, dtype)
        fix = dict.fromkeys(to_object, "object")
        chunks = iter_chunks(p, kind, chunk_size, dtype={**(dtype or {}), **parse} or None)
    elif kind == "parquet":
        if n_rows is not None and n_rows > chunk_size:
            fix = _parquet_plan(p, chunk_size)
        chunks = iter_chunks(p, kind, chunk_size)
    else:
        chunks = (c.fillna({"ligand_name": ""}) for c in iter_chunks(p, kind, chunk_size))
    empty = True
    for chunk in chunks:
        empty = False
        for col, to in fix.items():
            if col in chunk.columns and isinstance(chunk[col].dtype, np.dtype):
                chunk[col] = chunk[col].astype(to)
        yield chunk
    if empty:
        if verbatim and kind in ("csv", "tsv"):
            yield read_table(p, dtype=str, keep_default_na=False, na_values=[""])
        else:
            yield read_table(p, **({"dtype": dict(dtype)} if dtype else {}))


def write_chunks(frames: Iterable[pd.DataFrame], path: str | os.PathLike[str]) -> Path:
    """Write frames one after another as one CSV, TSV or Parquet table, atomically.

    Only one frame is held at a time. The output is the same as
    :func:`pqdml.io.write_table` of all frames concatenated: CSV text is appended with the
    header once; Parquet goes through one writer whose schema is the first frame's, and
    a column that was all-missing so far takes the type of the first values it gets
    (the part written so far is rewritten once with that type).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        When there is no frame, or a frame's columns differ from the first frame's.
    """
    kind = table_kind(path)
    if kind == "smi":
        raise UnknownFormatError(f"cannot write {str(path)!r}: .smi output is not supported")
    with atomic_path(path) as tmp:
        if kind == "parquet":
            n = _write_parquet(frames, tmp)
        else:
            n = _write_text(frames, tmp, "\t" if kind == "tsv" else ",")
        if n == 0:
            raise ValueError(f"nothing to write to {str(path)!r}: no chunks")
    return Path(path)


def _check_columns(frame: pd.DataFrame, columns: list[str], index: int) -> None:
    if list(frame.columns) != columns:
        raise ValueError(
            f"chunk {index + 1} has columns {list(frame.columns)}, the first chunk {columns}"
        )


def _write_text(frames: Iterable[pd.DataFrame], tmp: Path, sep: str) -> int:
    n = 0
    columns: list[str] = []
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        for frame in frames:
            if n == 0:
                columns = list(frame.columns)
            _check_columns(frame, columns, n)
            frame.to_csv(fh, sep=sep, index=False, header=n == 0)
            n += 1
    return n


def _write_parquet(frames: Iterable[pd.DataFrame], tmp: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 0
    writer: Any = None
    schema: Any = None
    try:
        for frame in frames:
            if frame.attrs:
                frame = frame.copy(deep=False)
                frame.attrs = {}
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                schema = table.schema
                writer = pq.ParquetWriter(tmp, schema)
            else:
                _check_columns(frame, schema.names, n)
                typed = [
                    i
                    for i, (old, new) in enumerate(zip(schema, table.schema, strict=True))
                    if pa.types.is_null(old.type) and not pa.types.is_null(new.type)
                ]
                if typed:
                    writer.close()
                    writer = None
                    for i in typed:
                        schema = schema.set(i, table.schema.field(i))
                    writer = _rewrite(tmp, schema)
                try:
                    table = table.cast(schema)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
                    raise ValueError(
                        f"chunk {n + 1} does not fit the table's columns {schema}: {exc}"
                    ) from exc
            writer.write_table(table)
            n += 1
    finally:
        if writer is not None:
            writer.close()
    return n


def _rewrite(tmp: Path, schema: Any) -> Any:
    """Copy ``tmp`` row group by row group into a new writer with ``schema``; return it open."""
    import pyarrow.parquet as pq

    old = tmp.with_name(tmp.name + ".old")
    os.replace(tmp, old)
    writer = pq.ParquetWriter(tmp, schema)
    done = False
    try:
        with pq.ParquetFile(old) as source:
            for i in range(source.num_row_groups):
                writer.write_table(source.read_row_group(i).cast(schema))
        done = True
    finally:
        if not done:
            writer.close()
        old.unlink(missing_ok=True)
    return writer
