"""Featurize a whole table: every input column kept in order, ligand + composition features added.

This is the library function behind ``pqdml featurize``. Rows are never dropped:
``ligand_status`` / ``composition_status`` say ``ok`` or why a row failed, and the
failed row's features stay empty (NaN).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from pqdml.chem.ligand import featurize_ligands
from pqdml.exceptions import UnknownFormatError
from pqdml.io import read_table

__all__ = ["featurize_table", "read_input", "summarize"]


def _ligand_text(df: pd.DataFrame, smiles_col: str | None, name_col: str | None) -> pd.Series:
    """Per row: the SMILES column when filled, else the name column (names or SMILES)."""
    has_smiles = smiles_col is not None and smiles_col in df.columns
    has_name = name_col is not None and name_col in df.columns
    if not has_smiles and not has_name:
        wanted = " or ".join(repr(c) for c in (smiles_col, name_col) if c)
        raise ValueError(
            f"no ligand column: expected {wanted}; columns are {', '.join(map(str, df.columns))}"
        )
    empty = pd.Series(None, index=df.index, dtype=object)
    smiles = df[smiles_col].astype(object) if has_smiles else empty
    names = df[name_col].astype(object) if has_name else empty
    blank = smiles.isna() | smiles.map(lambda v: isinstance(v, str) and not v.strip())
    return smiles.where(~blank, names)


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
    >>> out[["ligand_status", "chain_length", "composition_status"]].iloc[0].tolist()
    ['ok', 18.0, 'ok']
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
        from pqdml.chem.composition import featurize_compositions

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


def summarize(out: pd.DataFrame) -> str:
    """One-line summary of a featurized table: rows, ok, failed (with codes).

    Examples
    --------
    >>> summarize(pd.DataFrame({"ligand_status": ["ok", "unknown_ligand"]}))
    'rows: 2, ok: 1, failed: 1 (ligand: unknown_ligand 1)'
    """
    status_cols = [c for c in ("ligand_status", "composition_status") if c in out.columns]
    ok = pd.Series(True, index=out.index)
    details = []
    for col in status_cols:
        bad = out[col] != "ok"
        ok &= ~bad
        if bad.any():
            counts = out.loc[bad, col].value_counts()
            what = col.removesuffix("_status")
            details.append(f"{what}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    n_ok = int(ok.sum())
    line = f"rows: {len(out)}, ok: {n_ok}, failed: {len(out) - n_ok}"
    return f"{line} ({'; '.join(details)})" if details else line


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
        from pqdml.data import read_records as reader_fn

        reader = reader_fn
    if fmt is None and p.suffix.lower() == ".smi":
        return read_table(p), "table"
    try:
        return reader(p, fmt)
    except UnknownFormatError:
        if fmt is not None:
            raise
    table: Any = read_table(p)
    return table, "table"
