"""Featurize a whole table: every input column kept in order, ligand + composition features added.

:func:`featurize_file` is the library function behind ``pqdml featurize``: it streams a
file through :func:`featurize_table` chunk by chunk. Rows are never dropped:
``ligand_status`` / ``composition_status`` say ``ok`` or why a row failed, and the
failed row's features stay empty (NaN).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from pqdml.chem.composition import featurize_compositions
from pqdml.chem.ligand import featurize_ligands, shared_workers, useful_jobs
from pqdml.config import cpu_count
from pqdml.data.formats import canonical_dtypes, guess_format, read_records
from pqdml.data.records import ligand_text
from pqdml.exceptions import UnknownFormatError
from pqdml.io import (
    check_output,
    count_rows,
    input_columns,
    read_chunks,
    read_table,
    table_kind,
    write_chunks,
    write_table,
)

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "FeaturizeSummary",
    "featurize_file",
    "featurize_table",
    "read_input",
    "summarize",
]

#: Rows per chunk of :func:`featurize_file` (peak memory about 0.6 GB at the default features).
DEFAULT_CHUNK_SIZE = 100_000
#: Input rows above which :func:`featurize_file` uses every core by default.
_PARALLEL_ROWS = 20_000


def _ligand_text(df: pd.DataFrame, smiles_col: str | None, name_col: str | None) -> pd.Series:
    """Per row: the SMILES column when filled, else the name column (names or SMILES)."""
    has_smiles = smiles_col is not None and smiles_col in df.columns
    has_name = name_col is not None and name_col in df.columns
    if not has_smiles and not has_name:
        wanted = " or ".join(repr(c) for c in (smiles_col, name_col) if c)
        raise ValueError(
            f"no ligand column: expected {wanted}; columns are {', '.join(map(str, df.columns))}"
        )
    text = ligand_text(
        df, smiles_col=smiles_col if has_smiles else "", name_col=name_col if has_name else ""
    )
    return text.where(text != "", None)


def featurize_table(
    df: pd.DataFrame,
    *,
    smiles_col: str | None = "ligand_smiles",
    composition_col: str | None = "composition",
    name_col: str | None = "ligand_name",
    descriptors: str = "default",
    morgan_bits: int = 0,
    n_jobs: int | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Return ``df`` with ligand and composition features appended.

    Parameters
    ----------
    df
        Any table; all of its columns are kept, in order.
    smiles_col
        Column holding ligand SMILES or names. Where it is empty, ``name_col`` is used.
    composition_col
        Column of perovskite formulas; ``None`` skips the composition features.
    name_col
        Fallback ligand column (names or SMILES); ignored when absent from ``df``.
    descriptors, morgan_bits, n_jobs, progress
        Passed to :func:`pqdml.chem.ligand.featurize_ligands`.

    Returns
    -------
    pandas.DataFrame
        Input columns, then ``ligand_status``, ``ligand_error``, ligand features, then
        ``composition_status``, ``composition_error`` and composition features.
        Re-featurizing an already featurized table overwrites those columns in place.

    Raises
    ------
    ValueError
        When neither ligand column nor the requested composition column exists.

    Examples
    --------
    >>> out = featurize_table(pd.DataFrame({"ligand_smiles": ["OA"], "composition": ["CsPbBr3"]}))
    >>> row = out.iloc[0]
    >>> row["ligand_status"], float(row["chain_length"]), row["composition_status"]
    ('ok', 18.0, 'ok')
    """
    text = _ligand_text(df, smiles_col, name_col)
    if composition_col is not None and composition_col not in df.columns:
        raise ValueError(
            f"composition column {composition_col!r} not found; columns are "
            f"{', '.join(map(str, df.columns))}"
        )
    ligands = featurize_ligands(
        text, descriptors=descriptors, morgan_bits=morgan_bits, n_jobs=n_jobs, progress=progress
    )
    parts = [ligands]
    if composition_col is not None:
        comps = featurize_compositions(df[composition_col].tolist())
        comps.index = df.index
        parts.append(comps)
    out = df.copy()
    for part in parts:
        new = [c for c in part.columns if c not in out.columns]
        for col in part.columns:
            if col in out.columns:
                out[col] = part[col]
        out = pd.concat([out, part[new]], axis=1)
    return out


def _status_counts(out: pd.DataFrame) -> tuple[int, int, dict[str, dict[str, int]]]:
    """Rows, rows ok in every status column, and failure counts per code (first seen first)."""
    ok = pd.Series(True, index=out.index)
    failures: dict[str, dict[str, int]] = {}
    for col in ("ligand_status", "composition_status"):
        if col not in out.columns:
            continue
        bad = out[col] != "ok"
        ok &= ~bad
        if bad.any():
            counts = out.loc[bad, col].value_counts(sort=False)
            failures[col.removesuffix("_status")] = {str(k): int(v) for k, v in counts.items()}
    return len(out), int(ok.sum()), failures


def _summary_line(rows: int, ok: int, failures: dict[str, dict[str, int]]) -> str:
    details = [
        f"{what}: " + ", ".join(f"{k} {v}" for k, v in sorted(codes.items(), key=lambda kv: -kv[1]))
        for what, codes in failures.items()
        if codes
    ]
    line = f"rows: {rows}, ok: {ok}, failed: {rows - ok}"
    return f"{line} ({'; '.join(details)})" if details else line


def summarize(out: pd.DataFrame) -> str:
    """One-line summary of a featurized table: rows, ok, failed (with codes).

    Examples
    --------
    >>> summarize(pd.DataFrame({"ligand_status": ["ok", "unknown_ligand"]}))
    'rows: 2, ok: 1, failed: 1 (ligand: unknown_ligand 1)'
    """
    return _summary_line(*_status_counts(out))


def read_input(
    path: str | os.PathLike[str],
    fmt: str | None = None,
    *,
    reader: Callable[..., tuple[pd.DataFrame, str]] | None = None,
) -> tuple[pd.DataFrame, str]:
    """Read a table to featurize; return it and the format used.

    With ``fmt`` given, :func:`pqdml.data.read_records` reads it (public datasets in
    their original formats are converted to canonical records). Without it, the
    format is guessed; a table that matches no known record format (e.g. a plain list
    of ligands) and ``.smi`` files are read as they are, every column kept.

    Parameters
    ----------
    path
        CSV, TSV, Parquet, ``.smi`` or an original public-dataset file.
    fmt
        ``canonical``, ``synthesizer``, ``buried-interface``, ``perovskite-database``
        or ``None``.
    reader
        Override of :func:`pqdml.data.read_records` (for tests).
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"input file {str(p)!r} does not exist")
    if reader is None:
        reader = read_records
    if fmt is None and p.suffix.lower() == ".smi":
        return read_table(p), "table"
    try:
        return reader(p, fmt)
    except UnknownFormatError:
        if fmt is not None:
            raise
    table: Any = read_table(p)
    return table, "table"


@dataclass(frozen=True)
class FeaturizeSummary:
    """What :func:`featurize_file` wrote; ``str(summary)`` is the one-line summary.

    Attributes
    ----------
    output : pathlib.Path
        The file written.
    format : str
        How the input was read: ``table``, ``canonical`` or a public dataset format.
    rows, ok : int
        Rows written, and rows whose every status is ``ok``.
    failures : dict of str to dict of str to int
        Per status (``ligand``, ``composition``): rows per error code.
    composition_col : str or None
        The formula column used; ``None`` when the composition features were skipped.
    chunks : int
        Chunks featurized (1 when the input was read whole).
    """

    output: Path
    format: str
    rows: int
    ok: int
    failures: dict[str, dict[str, int]]
    composition_col: str | None
    chunks: int

    def __str__(self) -> str:
        return _summary_line(self.rows, self.ok, self.failures)


def _streamable(path: Path, fmt: str | None) -> tuple[str, dict[str, str]] | None:
    """How :func:`read_input` would read ``path``, if it can be read in chunks.

    Returns the format name and the CSV column types, or ``None`` for a public dataset in
    its original format (converted whole by its adapter) or a file that is not a table.
    """
    try:
        kind = table_kind(path)
    except UnknownFormatError:
        return None
    if kind == "smi":
        return ("table", {}) if fmt is None else None
    if fmt is None:
        try:
            fmt = guess_format(path)
        except UnknownFormatError:
            return "table", {}
    return ("canonical", canonical_dtypes(path)) if fmt == "canonical" else None


def _composition_col(wanted: str | None, columns: Any) -> str | None:
    if wanted is not None:
        return wanted
    return "composition" if "composition" in list(columns) else None


def featurize_file(
    input_path: str | os.PathLike[str],
    output_path: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    smiles_col: str | None = "ligand_smiles",
    name_col: str | None = "ligand_name",
    composition_col: str | None = None,
    descriptors: str = "default",
    morgan_bits: int = 0,
    n_jobs: int | None = None,
    progress: bool | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> FeaturizeSummary:
    r"""Featurize every row of a table file and write the result, in bounded memory.

    A plain table or canonical records (CSV, TSV, Parquet, ``.smi``) is read
    ``chunk_size`` rows at a time; each chunk goes through :func:`featurize_table` and is
    appended to a temporary file beside ``output_path``, renamed into place at the end.
    On an error or Ctrl-C the temporary file is removed: no partial output appears.
    Whatever the chunk size, the output is the same. The input columns of a CSV/TSV file
    pass through as the text written (``007`` stays ``007``, ``None`` stays ``None``;
    only empty cells are missing); a header naming a column twice is refused. A public
    dataset in its original format is converted and featurized whole.

    Parameters
    ----------
    input_path
        Table to featurize (see :func:`read_input`).
    output_path
        ``.csv``, ``.tsv`` or ``.parquet`` file to write.
    fmt
        Input format, as in :func:`read_input`; ``None`` guesses it.
    smiles_col, name_col, descriptors, morgan_bits
        As in :func:`featurize_table`.
    composition_col
        Column of perovskite formulas; ``None`` uses ``composition`` when the input has
        it and skips the composition features otherwise.
    n_jobs
        Worker processes; ``None`` uses every core for inputs above 20,000 rows (read
        whole: above 20,000 distinct ligands) and one below; ``-1`` uses every core. One
        pool serves all chunks, so its workers keep their memos from chunk to chunk.
    progress
        ``True`` forces a tqdm bar over rows on stderr, ``False`` hides it, ``None``
        shows it for 5,000 rows or more when stderr is a terminal.
    chunk_size
        Rows per chunk; memory grows with it (about 3 kB per row at the default
        features, on top of about 250 MB for the libraries).

    Returns
    -------
    FeaturizeSummary
        Counts over all rows; ``str()`` gives the one-line summary.

    Raises
    ------
    ValueError
        When the ligand or the requested composition column is missing (raised on the
        first chunk, before anything is written) or ``chunk_size`` is below 1.
    UnknownFormatError
        When ``output_path`` is not ``.csv``, ``.tsv`` or ``.parquet``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "in.csv").write_text("ligand_smiles,composition\nOA,CsPbBr3\nC(C,CsPbI3\n")
    >>> summary = featurize_file(d / "in.csv", d / "out.csv", chunk_size=1)
    >>> str(summary), summary.chunks
    ('rows: 2, ok: 1, failed: 1 (ligand: invalid_smiles 1)', 2)
    """
    src, out = Path(input_path), Path(output_path)
    check_output(out, inputs=[src], kinds=("csv", "tsv", "parquet"))
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    if not src.exists():
        raise FileNotFoundError(f"input file {str(src)!r} does not exist")
    options: dict[str, Any] = {
        "smiles_col": smiles_col,
        "name_col": name_col,
        "descriptors": descriptors,
        "morgan_bits": morgan_bits,
    }
    plan = _streamable(src, fmt)
    if plan is None:
        df, used = read_input(src, fmt)
        comp = _composition_col(composition_col, df.columns)
        res = featurize_table(df, composition_col=comp, n_jobs=n_jobs, progress=progress, **options)
        write_table(res, out)
        return FeaturizeSummary(out, used, *_status_counts(res), comp, 1)

    used, dtype = plan
    kind = table_kind(src)
    total = count_rows(src, kind)
    if n_jobs is None:
        n_jobs = cpu_count() if total is not None and total > _PARALLEL_ROWS else 1
    elif n_jobs < 0:
        n_jobs = cpu_count()
    comp = _composition_col(composition_col, input_columns(src, kind))
    tally = {"rows": 0, "ok": 0, "chunks": 0}
    failures: dict[str, dict[str, int]] = {"ligand": {}, "composition": {}}
    disable = not progress if progress is not None else (None if (total or 0) >= 5000 else True)

    def featurized() -> Iterator[pd.DataFrame]:
        with tqdm(total=total, unit="row", desc="ligands", file=sys.stderr, disable=disable) as bar:
            # user columns pass through as written (007 stays 007, "None" stays "None")
            for chunk in read_chunks(src, chunk_size, dtype=dtype, verbatim=True):
                res = featurize_table(
                    chunk, composition_col=comp, n_jobs=n_jobs, progress=False, **options
                )
                rows, ok, fails = _status_counts(res)
                tally["rows"] += rows
                tally["ok"] += ok
                tally["chunks"] += 1
                for what, codes in fails.items():
                    for code, n in codes.items():
                        failures[what][code] = failures[what].get(code, 0) + n
                yield res
                bar.update(rows)

    rows_per_chunk = chunk_size if total is None else min(chunk_size, total)
    with shared_workers(useful_jobs(n_jobs, rows_per_chunk)):  # one worker pool for all chunks
        write_chunks(featurized(), out)
    failures = {what: codes for what, codes in failures.items() if codes}
    return FeaturizeSummary(out, used, tally["rows"], tally["ok"], failures, comp, tally["chunks"])
