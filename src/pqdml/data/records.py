"""Record rules every stage shares: which text is a row's ligand, what counts as missing.

One owner for these rules, so training, featurizing a table, screening, the report and the
web page read a row the same way:

- A cell is *missing* when it is None, NA, NaN, blank, or the text ``nan``/``none``/``<na>``
  that a string conversion of a missing value leaves behind (:func:`clean_text`).
- A row's ligand is its SMILES (``ligand_smiles``, or ``smiles`` in a plain candidate
  table) when filled, else its ``ligand_name`` (a dictionary name or a SMILES)
  (:func:`ligand_text`).
- Candidate rows (a screening file, a suggestion pool, a web upload) become canonical
  records with :func:`candidate_records`, which also says why a row cannot be predicted.

Examples
--------
>>> import pandas as pd
>>> ligand_text(pd.DataFrame({"ligand_smiles": ["CCN", None], "ligand_name": ["x", "OAm"]})).tolist()
['CCN', 'OAm']
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from pqdml.data.schema import STAGES
from pqdml.exceptions import InvalidInputError

__all__ = [
    "LIGAND_NAME_COLUMN",
    "LIGAND_SMILES_COLUMNS",
    "candidate_records",
    "check_stage",
    "clean_text",
    "input_keys",
    "ligand_columns",
    "ligand_text",
    "sample_keys",
]

#: Columns read as a ligand SMILES, in order of preference.
LIGAND_SMILES_COLUMNS: tuple[str, ...] = ("ligand_smiles", "smiles")
#: Column read as a ligand name (or a SMILES) when no SMILES is given.
LIGAND_NAME_COLUMN = "ligand_name"
_MISSING_TEXT = ("nan", "none", "<na>")


def clean_text(values: pd.Series) -> pd.Series:
    """Strip text; missing cells (see the module docstring) become ``""``."""
    out = values.astype("string").fillna("").str.strip()
    return out.mask(out.str.lower().isin(_MISSING_TEXT), "").astype(object)


def ligand_columns(columns: Sequence[str]) -> tuple[str | None, str | None]:
    """``(smiles column, name column)`` of a table; at least one of them is present.

    Raises
    ------
    InvalidInputError
        Neither a SMILES nor a name column (code ``missing_ligand_column``).
    """
    smiles_col = next((c for c in LIGAND_SMILES_COLUMNS if c in columns), None)
    name_col = LIGAND_NAME_COLUMN if LIGAND_NAME_COLUMN in columns else None
    if smiles_col is None and name_col is None:
        raise InvalidInputError(
            f"no ligand column among {list(columns)}: expected 'ligand_smiles', 'smiles' or "
            "'ligand_name'",
            code="missing_ligand_column",
        )
    return smiles_col, name_col


def ligand_text(
    records: pd.DataFrame, *, smiles_col: str | None = None, name_col: str | None = None
) -> pd.Series:
    """Per row: the SMILES when filled, else the name, else ``""`` (same index as ``records``).

    ``smiles_col``/``name_col`` default to the first of :data:`LIGAND_SMILES_COLUMNS` and
    :data:`LIGAND_NAME_COLUMN` present in ``records``; a named column that is absent counts
    as empty.
    """
    if smiles_col is None:
        smiles_col = next((c for c in LIGAND_SMILES_COLUMNS if c in records.columns), None)
    if name_col is None:
        name_col = LIGAND_NAME_COLUMN
    empty = pd.Series([""] * len(records), index=records.index, dtype=object)
    smiles = clean_text(records[smiles_col]) if smiles_col in records.columns else empty
    names = clean_text(records[name_col]) if name_col in records.columns else empty
    return smiles.where(smiles != "", names)


def _text_or_none(series: pd.Series) -> pd.Series:
    out = clean_text(series)
    return out.where(out != "", None)


def check_stage(stage: str | None) -> str | None:
    """Return ``stage`` if it is one of :data:`pqdml.data.STAGES` (or None); else raise.

    Raises
    ------
    InvalidInputError
        Code ``unknown_stage``, with the closest known stage as a suggestion.

    Examples
    --------
    >>> check_stage("purification")
    'purification'
    >>> check_stage("post synthesis")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    pqdml.exceptions.InvalidInputError: unknown stage 'post synthesis'; did you mean 'post-synthesis'? ...
    """
    if stage is None or stage in STAGES:
        return stage
    key = "-".join(str(stage).lower().replace("_", " ").split())
    close = difflib.get_close_matches(key, STAGES, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise InvalidInputError(
        f"unknown stage {stage!r}{hint} (known: {', '.join(STAGES)})", code="unknown_stage"
    )


def _stage_problems(stages: pd.Series) -> dict[str, str]:
    """Message per distinct unknown stage value of a column."""
    out: dict[str, str] = {}
    for value in stages.dropna().unique():
        try:
            check_stage(value)
        except InvalidInputError as err:
            out[value] = str(err)
    return out


def _filled(chunk: pd.DataFrame, column: str, default: str | None) -> pd.Series:
    """Return the row's own value of ``column``, else ``default``."""
    if column in chunk.columns:
        values = _text_or_none(chunk[column])
        return values if default is None else values.fillna(default)
    return pd.Series([default] * len(chunk), index=chunk.index, dtype=object)


def candidate_records(
    chunk: pd.DataFrame, *, composition: str | None = None, stage: str | None = None
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Turn candidate rows into canonical records for a model.

    The ligand is the row's SMILES, else its name (:func:`ligand_text`); the row's own
    ``composition``/``stage`` win over the arguments; numeric ``proc_*`` columns are passed
    through.

    Parameters
    ----------
    chunk
        Candidate rows.
    composition, stage
        Values for rows that do not carry their own.

    Returns
    -------
    records : pandas.DataFrame
        Canonical records (same index).
    status : pandas.Series
        ``"ok"`` or why the row cannot be predicted (``missing_ligand``,
        ``missing_composition``, ``invalid_process``).
    message : pandas.Series
        Human-readable reason (empty for ok rows).

    Raises
    ------
    InvalidInputError
        The table has no ligand column (code ``missing_ligand_column``).
    """
    smiles_col, name_col = ligand_columns(list(chunk.columns))
    n = len(chunk)
    none = pd.Series([None] * n, index=chunk.index, dtype=object)
    smiles = _text_or_none(chunk[smiles_col]) if smiles_col else none
    names = _text_or_none(chunk[name_col]) if name_col else none
    comp = _filled(chunk, "composition", composition)
    records = pd.DataFrame(
        {
            "record_id": [f"candidate-{i}" for i in range(n)],
            "ligand_smiles": smiles,
            "ligand_name": names,
            "composition": comp,
            "stage": _filled(chunk, "stage", stage),
            "is_control": 0,
        },
        index=chunk.index,
    )
    status = pd.Series("ok", index=chunk.index, dtype="str")
    message = pd.Series("", index=chunk.index, dtype="str")
    for col in chunk.columns:
        if not str(col).startswith("proc_"):
            continue
        raw = chunk[col]
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() & raw.notna() & raw.astype("str").str.strip().ne("")
        records[col] = values.astype(float)
        first_bad = bad & status.eq("ok")
        status[first_bad] = "invalid_process"
        message[first_bad] = [f"{col} value {v!r} is not a number" for v in raw[first_bad]]
    bad_stages = _stage_problems(records["stage"])
    if bad_stages:
        unknown = records["stage"].isin(list(bad_stages)) & status.eq("ok")
        status[unknown] = "unknown_stage"
        message[unknown] = records.loc[unknown, "stage"].map(bad_stages)
    no_comp = comp.isna() & status.eq("ok")
    status[no_comp] = "missing_composition"
    message[no_comp] = "no composition in this row and no --composition given"
    no_lig = (smiles.isna() & names.isna()).to_numpy(dtype=bool)
    status[no_lig] = "missing_ligand"
    message[no_lig] = "no ligand SMILES or name in this row"
    return records, status, message


def _hash_rows(frame: pd.DataFrame) -> np.ndarray:
    """64-bit hash per row of ``frame``'s text (never 0, so 0 can mean "no key")."""
    h = pd.util.hash_pandas_object(frame.astype("str"), index=False).to_numpy(np.uint64, copy=True)
    h[h == 0] = 1
    return h


def _process_part(records: pd.DataFrame) -> pd.DataFrame:
    """Return the ``proc_*`` columns as numbers rounded to 6 decimals (so 1 and 1.0 agree)."""
    cols = [c for c in records.columns if str(c).startswith("proc_")]
    return records[cols].apply(lambda s: pd.to_numeric(s, errors="coerce").round(6))


def input_keys(records: pd.DataFrame) -> np.ndarray:
    """64-bit key of what a model is given for each record: same key, same prediction.

    The ligand text as written, composition, stage and every ``proc_*`` value.
    """
    base = records.reindex(columns=["ligand_smiles", "ligand_name", "composition", "stage"])
    return _hash_rows(pd.concat([base, _process_part(records)], axis=1))


def sample_keys(records: pd.DataFrame, canonical_smiles: pd.Series) -> np.ndarray:
    """64-bit key of "the same sample": one molecule on one perovskite, made the same way.

    Canonical SMILES (so every spelling of a ligand agrees), composition, stage and every
    ``proc_*`` value. Rows without a canonical SMILES get 0 (no key). Training counts
    repeated measurements with it and screening marks repeated candidates.
    """
    base = records.reindex(columns=["composition", "stage"])
    base.insert(0, "canonical_smiles", canonical_smiles.to_numpy())
    keys = _hash_rows(pd.concat([base, _process_part(records)], axis=1))
    keys[canonical_smiles.isna().to_numpy()] = 0
    return keys
