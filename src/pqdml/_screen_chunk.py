"""One chunk of candidates → one chunk of ranked-output rows (used by every engine).

Private helpers of :mod:`pqdml.screen`: turning candidate rows into canonical records,
predicting the distinct ones once (memoized within a run), and the output columns.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pqdml import _screen_io as sio
from pqdml.exceptions import InvalidInputError
from pqdml.model.trained import PREDICTION_COLUMNS

#: Columns added to the input columns, in this order (``row_id`` comes first).
OUTPUT_COLUMNS = [
    "canonical_smiles",
    "status",
    "message",
    "prediction",
    "pi_low",
    "pi_high",
    "in_domain",
    "max_similarity",
    "binding_type",
    "chain_length",
    "duplicate_of",
    "rank",
]
_LIGAND_SMILES_COLUMNS = ("ligand_smiles", "smiles")
_NAME_COLUMN = "ligand_name"


@dataclass(frozen=True)
class ChunkOptions:
    """Per-row settings that every chunk needs (sent once to each worker task)."""

    composition: str | None
    stage: str | None
    level: float | None
    run_id: str | None = None


def _ligand_columns(columns: list[str]) -> tuple[str | None, str | None]:
    smiles_col = next((c for c in _LIGAND_SMILES_COLUMNS if c in columns), None)
    name_col = _NAME_COLUMN if _NAME_COLUMN in columns else None
    if smiles_col is None and name_col is None:
        raise InvalidInputError(
            f"no ligand column among {columns}: expected 'ligand_smiles', 'smiles' or "
            "'ligand_name'",
            code="missing_ligand_column",
        )
    return smiles_col, name_col


def _text(series: pd.Series) -> pd.Series:
    """Strip text; empty → missing."""
    out = series.astype("str").str.strip()
    return out.where(series.notna() & out.ne(""), None)


def candidate_records(
    chunk: pd.DataFrame, *, composition: str | None = None, stage: str | None = None
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Turn candidate rows into canonical records for the model.

    The ligand is the row's ``ligand_smiles`` (or ``smiles``), else its ``ligand_name``;
    the row's own ``composition``/``stage`` win over the arguments; numeric ``proc_*``
    columns are passed through.

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
    """
    columns = list(chunk.columns)
    smiles_col, name_col = _ligand_columns(columns)
    n = len(chunk)
    empty = pd.Series([None] * n, index=chunk.index, dtype="str")
    smiles = _text(chunk[smiles_col]) if smiles_col else empty
    names = _text(chunk[name_col]) if name_col else empty
    if "composition" in columns:
        comp = _text(chunk["composition"])
        if composition is not None:
            comp = comp.fillna(composition)
    else:
        comp = pd.Series([composition] * n, index=chunk.index, dtype="str")
    if "stage" in columns:
        stg = _text(chunk["stage"])
        if stage is not None:
            stg = stg.fillna(stage)
    else:
        stg = pd.Series([stage] * n, index=chunk.index, dtype="str")
    records = pd.DataFrame(
        {
            "record_id": [f"candidate-{i}" for i in range(n)],
            "ligand_smiles": smiles,
            "ligand_name": names,
            "composition": comp,
            "stage": stg,
            "is_control": 0,
        },
        index=chunk.index,
    )
    status = pd.Series("ok", index=chunk.index, dtype="str")
    message = pd.Series("", index=chunk.index, dtype="str")
    for col in columns:
        if not col.startswith("proc_"):
            continue
        raw = chunk[col]
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() & raw.notna() & raw.astype("str").str.strip().ne("")
        records[col] = values.astype(float)
        first_bad = bad & status.eq("ok")
        status[first_bad] = "invalid_process"
        message[first_bad] = [f"{col} value {v!r} is not a number" for v in raw[first_bad]]
    no_comp = comp.isna() & status.eq("ok")
    status[no_comp] = "missing_composition"
    message[no_comp] = "no composition in this row and no --composition given"
    no_lig = smiles.isna() & names.isna()
    status[no_lig] = "missing_ligand"
    message[no_lig] = "no ligand SMILES or name in this row"
    return records, status, message


#: Prediction columns kept per distinct candidate (and memoized across chunks): all of
#: the model's but the nearest training ligands and AD reasons, which screening omits.
_MEMO_COLUMNS = tuple(c for c in PREDICTION_COLUMNS if c not in ("nearest_ligands", "ad_reasons"))
#: Largest number of distinct candidates whose predictions a process memoizes.
_MAX_MEMO = 200_000
_MEMO: dict[str, dict[int, tuple[Any, ...]]] = {}


def _memo_for(cache_key: str | None) -> dict[int, tuple[Any, ...]] | None:
    """Return the memo of one screening run in this process (older runs' memos are dropped)."""
    if cache_key is None:
        return None
    if cache_key not in _MEMO:
        _MEMO.clear()
        _MEMO[cache_key] = {}
    return _MEMO[cache_key]


def _key_hash(frame: pd.DataFrame) -> np.ndarray:
    """64-bit hash per row of ``frame`` (never 0, so 0 can mean "no key")."""
    h = pd.util.hash_pandas_object(frame.astype("str"), index=False).to_numpy(np.uint64, copy=True)
    h[h == 0] = 1
    return h


def _record_keys(records: pd.DataFrame, status: pd.Series) -> np.ndarray:
    """64-bit key of the model input of each row (0 for rows that cannot be predicted)."""
    proc_cols = [c for c in records.columns if c.startswith("proc_")]
    keys = _key_hash(records[["ligand_smiles", "ligand_name", "composition", "stage", *proc_cols]])
    keys[~status.eq("ok").to_numpy()] = 0
    return keys


def row_keys(
    chunk: pd.DataFrame, *, composition: str | None = None, stage: str | None = None
) -> np.ndarray:
    """64-bit key of each candidate's model input, as :func:`predict_chunk` dedupes them."""
    records, status, _ = candidate_records(
        chunk.reset_index(drop=True), composition=composition, stage=stage
    )
    return _record_keys(records, status)


def predict_chunk(
    chunk: pd.DataFrame,
    start: int,
    model: Any,
    *,
    composition: str | None = None,
    stage: str | None = None,
    level: float | None = None,
    cache_key: str | None = None,
) -> pd.DataFrame:
    """Predict one chunk of candidates; every row kept, in order, with its status.

    Identical candidates (same ligand text, composition, stage, process values) are
    predicted once; the internal columns ``_dup_hash`` (64-bit hash of canonical SMILES,
    composition, stage and process values; 0 when the row has no canonical SMILES) and
    ``_ok`` are used by the merge to mark duplicates across chunks and to rank.

    Parameters
    ----------
    chunk
        Candidate rows (input columns).
    start
        ``row_id`` of the chunk's first row.
    model
        Anything with ``predict(records, level=...) -> DataFrame`` as
        :meth:`pqdml.model.TrainedModel.predict`.
    composition, stage, level
        As in :func:`screen`.
    cache_key
        When given, predictions are also memoized in this process under this key (one
        screening run), so a candidate repeated in a later chunk is not predicted again.

    Returns
    -------
    pandas.DataFrame
        ``row_id``, the input columns, :data:`OUTPUT_COLUMNS` (without ``duplicate_of``
        and ``rank``) and the two internal columns.
    """
    chunk = chunk.reset_index(drop=True)
    n = len(chunk)
    records, status, message = candidate_records(chunk, composition=composition, stage=stage)
    proc_cols = [c for c in records.columns if c.startswith("proc_")]
    valid = status.eq("ok").to_numpy()
    keys = _record_keys(records, status)
    uniq, first_idx, inverse = np.unique(keys, return_index=True, return_inverse=True)
    memo = _memo_for(cache_key)
    keyed = uniq != 0
    if memo is None:
        hit = np.zeros(len(uniq), dtype=bool)
    else:
        hit = np.array([k in memo for k in uniq.tolist()], dtype=bool) & keyed
    miss = keyed & ~hit
    per_unique = {c: np.full(len(uniq), None, dtype=object) for c in _MEMO_COLUMNS}
    miss_pos = np.flatnonzero(miss)
    for lo in range(0, len(miss_pos), _PREDICT_BATCH):
        _bound_caches(model)
        pos = miss_pos[lo : lo + _PREDICT_BATCH]
        unique_records = records.iloc[first_idx[pos]].reset_index(drop=True)
        result = model.predict(unique_records, level=level).reset_index(drop=True)
        for c in _MEMO_COLUMNS:
            if c in result.columns:
                per_unique[c][pos] = result[c].to_numpy(dtype=object)
    if miss.any():
        if memo is not None:
            if len(memo) > _MAX_MEMO:
                memo.clear()
            rows = zip(*(per_unique[c][miss] for c in _MEMO_COLUMNS), strict=True)
            memo.update(zip(uniq[miss].tolist(), rows, strict=True))
    if hit.any() and memo is not None:
        cached = [memo[k] for k in uniq[hit].tolist()]
        for j, c in enumerate(_MEMO_COLUMNS):
            per_unique[c][hit] = [row[j] for row in cached]
    pred = pd.DataFrame({c: per_unique[c][inverse] for c in _MEMO_COLUMNS})

    def col(name: str) -> pd.Series:  # a prediction column, missing → all None
        return pred[name] if name in pred.columns else pd.Series([None] * n, dtype=object)

    model_status = col("status").where(pd.Series(valid), None)
    status = status.where(~valid, model_status.fillna("ok").astype("str"))
    message = message.where(~valid, col("error").fillna("").astype("str"))
    # text from a SMILES column that is neither a SMILES nor a dictionary name: a bad SMILES
    bad_smiles = status.eq("unknown_ligand") & records["ligand_smiles"].notna()
    status[bad_smiles] = "invalid_smiles"
    binding = col("binding_type").astype("str").where(col("binding_type").notna(), None)
    no_anchor = status.eq("ok") & binding.eq("none")
    status[no_anchor] = "no_anchor_group"
    message[no_anchor] = "no anchoring group found: the molecule has nothing to bind the surface"
    ok = status.eq("ok").to_numpy()
    out = pd.DataFrame({"row_id": np.arange(start, start + n, dtype=np.int64)})
    for c in chunk.columns:
        name = c if c not in OUTPUT_COLUMNS and c != "row_id" else f"input_{c}"
        out[name] = chunk[c].to_numpy()
    canonical = col("canonical_smiles")
    out["canonical_smiles"] = pd.Series(canonical.where(canonical.notna(), None), dtype="str")
    out["status"] = status.astype("str").to_numpy()
    out["message"] = message.astype("str").to_numpy()
    for name in ("prediction", "pi_low", "pi_high"):
        values = pd.to_numeric(col(name), errors="coerce").astype(float).to_numpy()
        out[name] = np.where(ok, values, np.nan)
    in_domain = col("in_domain")
    known = ok & in_domain.notna().to_numpy()
    out["in_domain"] = pd.arrays.BooleanArray(
        np.where(known, in_domain.fillna(False).astype(bool).to_numpy(), False), ~known
    )
    out["max_similarity"] = pd.to_numeric(col("max_similarity"), errors="coerce").astype(float)
    out["binding_type"] = pd.Series(binding, dtype="str").to_numpy()
    out["chain_length"] = pd.to_numeric(col("chain_length"), errors="coerce").astype(float)
    dup_frame = records[["composition", "stage", *proc_cols]].copy()
    dup_frame.insert(0, "canonical_smiles", out["canonical_smiles"])
    dup_hash = _key_hash(dup_frame)
    dup_hash[out["canonical_smiles"].isna().to_numpy()] = 0
    out[sio.HASH_COL] = dup_hash
    out[sio.OK_COL] = ok
    return out


#: Largest number of featurized ligands kept in memory between chunks (about 25 MB per
#: 1,000 ligands in the model's and the featurizer's memos together).
_MAX_CACHED_LIGANDS = 4_096
#: Distinct candidates per ``model.predict`` call (bounds the featurizers' memos).
_PREDICT_BATCH = 4_096


def _bound_caches(model: Any) -> None:
    """Keep memory bounded: drop the feature memos when they grow too large.

    :class:`pqdml.model.TrainedModel` and :mod:`pqdml.chem.ligand` memoize featurized
    ligands (useful within a chunk) with no or a large size limit; screening millions of
    distinct molecules would grow them far beyond the memory budget. Repeats across
    chunks are served by the screener's own, much smaller, prediction memo instead.
    """
    cache = getattr(model, "_cache", None)
    for name in ("_ligands", "_compositions", "_fingerprints"):
        memo = getattr(cache, name, None)
        if isinstance(memo, dict) and len(memo) > _MAX_CACHED_LIGANDS:
            memo.clear()
    ligand_mod = sys.modules.get("pqdml.chem.ligand")
    memo = getattr(ligand_mod, "_cache", None)
    if isinstance(memo, dict) and len(memo) > _MAX_CACHED_LIGANDS:
        memo.clear()


def single_thread(model: Any) -> None:
    """Make XGBoost predict on one thread (the engines parallelize over processes)."""
    booster = getattr(model, "booster", None)
    if booster is not None and hasattr(booster, "set_param"):
        booster.set_param({"nthread": 1})


def run_chunk(chunk: pd.DataFrame, start: int, model: Any, opts: ChunkOptions) -> pd.DataFrame:
    """Predict one chunk with bounded memory (what every engine runs per chunk)."""
    single_thread(model)
    _bound_caches(model)
    return predict_chunk(
        chunk,
        start,
        model,
        composition=opts.composition,
        stage=opts.stage,
        level=opts.level,
        cache_key=opts.run_id,
    )
