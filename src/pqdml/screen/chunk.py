"""One chunk of candidates → one chunk of ranked-output rows (used by every engine).

Private helpers of :mod:`pqdml.screen`: turning candidate rows into canonical records,
predicting the distinct ones once (memoized within a run), and the output columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pqdml.data.records import candidate_records, input_keys, sample_keys
from pqdml.model import PREDICTION_COLUMNS, Predictor
from pqdml.screen import parts as sio

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
#: Column added after ``chain_length`` when a reference ligand is given (``--reference``):
#: the calibrated probability that the row's candidate beats the reference in its system.
P_BETTER = "p_better"
#: Output column names an input column is renamed away from (``input_<name>``).
RESERVED_COLUMNS = frozenset({"row_id", *OUTPUT_COLUMNS, P_BETTER})


@dataclass(frozen=True)
class ChunkOptions:
    """Per-row settings that every chunk needs (sent once to each worker task)."""

    composition: str | None
    stage: str | None
    level: float | None
    run_id: str | None = None
    reference_smiles: str | None = None


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


def _record_keys(records: pd.DataFrame, status: pd.Series) -> np.ndarray:
    """64-bit key of the model input of each row (0 for rows that cannot be predicted)."""
    keys = input_keys(records)
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


def _predict_rows(
    records: pd.DataFrame,
    keys: np.ndarray,
    model: Predictor,
    level: float | None,
    memo: dict[int, tuple[Any, ...]] | None,
) -> pd.DataFrame:
    """:data:`_MEMO_COLUMNS` of every row, predicting each distinct key once (0: no row)."""
    uniq, first_idx, inverse = np.unique(keys, return_index=True, return_inverse=True)
    keyed = uniq != 0
    if memo is None:
        hit = np.zeros(len(uniq), dtype=bool)
    else:
        hit = np.array([k in memo for k in uniq.tolist()], dtype=bool) & keyed
    miss = keyed & ~hit
    per_unique = {c: np.full(len(uniq), None, dtype=object) for c in _MEMO_COLUMNS}
    miss_pos = np.flatnonzero(miss)
    for lo in range(0, len(miss_pos), _PREDICT_BATCH):
        model.trim_caches(_MAX_CACHED_LIGANDS)
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
    return pd.DataFrame({c: per_unique[c][inverse] for c in _MEMO_COLUMNS})


def predict_chunk(
    chunk: pd.DataFrame,
    start: int,
    model: Predictor,
    *,
    composition: str | None = None,
    stage: str | None = None,
    level: float | None = None,
    cache_key: str | None = None,
    reference_smiles: str | None = None,
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
        The model (a :class:`pqdml.model.Predictor`, such as a ``TrainedModel``).
    composition, stage, level
        As in :func:`screen`.
    cache_key
        When given, predictions are also memoized in this process under this key (one
        screening run), so a candidate repeated in a later chunk is not predicted again.
    reference_smiles
        When given, the reference ligand (resolved SMILES) is also predicted in every
        row's system (the row's composition, stage and process values) and the column
        :data:`P_BETTER` holds ``model.p_better(candidate, reference)`` for ok rows (NaN
        for the others, or where the reference cannot be predicted in that system).

    Returns
    -------
    pandas.DataFrame
        ``row_id``, the input columns, :data:`OUTPUT_COLUMNS` (without ``duplicate_of``
        and ``rank``), :data:`P_BETTER` with a reference, and the two internal columns.
    """
    chunk = chunk.reset_index(drop=True)
    n = len(chunk)
    records, status, message = candidate_records(chunk, composition=composition, stage=stage)
    valid = status.eq("ok").to_numpy()
    memo = _memo_for(cache_key)
    pred = _predict_rows(records, _record_keys(records, status), model, level, memo)

    def col(name: str) -> pd.Series:  # a prediction column, missing → all None
        return pred[name] if name in pred.columns else pd.Series([None] * n, dtype=object)

    # the row status is the model's (TrainedModel.predict decides it) unless the row
    # could not even be turned into a record
    status = status.where(~valid, col("status").fillna("ok").astype("str"))
    message = message.where(~valid, col("error").fillna("").astype("str"))
    out = _output_frame(chunk, start, records, status, message, col)
    if reference_smiles is not None:
        values = _p_better(records, status, out["prediction"], model, level, memo, reference_smiles)
        out.insert(out.columns.get_loc(sio.HASH_COL), P_BETTER, values)
    return out


def failed_rows(
    chunk: pd.DataFrame, start: int, opts: ChunkOptions, status: str, message: str
) -> pd.DataFrame:
    """Output rows of a chunk that could not be predicted, same layout as :func:`predict_chunk`.

    Rows that could not even be turned into a record keep their own status; every other
    row gets ``status`` and ``message`` (e.g. ``featurizer_crashed`` when the worker process
    died on it). Nothing here featurizes, so it is safe on the input that killed a worker.
    """
    chunk = chunk.reset_index(drop=True)
    records, row_status, row_message = candidate_records(
        chunk, composition=opts.composition, stage=opts.stage
    )
    valid = row_status.eq("ok")
    row_status = row_status.where(~valid, status)
    row_message = row_message.where(~valid, message)
    n = len(chunk)

    def col(name: str) -> pd.Series:
        return pd.Series([None] * n, dtype=object)

    out = _output_frame(chunk, start, records, row_status, row_message, col)
    if opts.reference_smiles is not None:  # same layout as predict_chunk's parts
        out.insert(out.columns.get_loc(sio.HASH_COL), P_BETTER, np.full(n, np.nan))
    return out


def output_names(columns: list[str]) -> dict[str, str]:
    """Output name of each input column: itself, or a free ``input_<name>`` when it clashes.

    An input column named like an output column (``status``, ``rank``...) is renamed
    ``input_<name>``, or ``input_<name>_1``, ``_2``... when that name is taken too: a
    user column is never overwritten.

    Examples
    --------
    >>> output_names(["smiles", "status", "input_status"])
    {'smiles': 'smiles', 'status': 'input_status_1', 'input_status': 'input_status'}
    """
    reserved = {*RESERVED_COLUMNS, sio.HASH_COL, sio.OK_COL}
    taken = set(map(str, columns)) | reserved
    names: dict[str, str] = {}
    for c in columns:
        if c not in reserved:
            names[c] = c
            continue
        name, k = f"input_{c}", 0
        while name in taken:
            k += 1
            name = f"input_{c}_{k}"
        taken.add(name)
        names[c] = name
    return names


def _output_frame(
    chunk: pd.DataFrame,
    start: int,
    records: pd.DataFrame,
    status: pd.Series,
    message: pd.Series,
    col: Any,
) -> pd.DataFrame:
    n = len(chunk)
    binding = col("binding_type").astype("str").where(col("binding_type").notna(), None)
    ok = status.eq("ok").to_numpy()
    out = pd.DataFrame({"row_id": np.arange(start, start + n, dtype=np.int64)})
    for c, name in output_names(list(chunk.columns)).items():
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
    out[sio.HASH_COL] = sample_keys(records, out["canonical_smiles"])
    out[sio.OK_COL] = ok
    return out


def _p_better(
    records: pd.DataFrame,
    status: pd.Series,
    prediction: pd.Series,
    model: Predictor,
    level: float | None,
    memo: dict[int, tuple[Any, ...]] | None,
    reference_smiles: str,
) -> np.ndarray:
    """``model.p_better`` of each ok row against the reference predicted in the row's system."""
    ref = records.copy()
    ref["ligand_smiles"] = reference_smiles
    ref["ligand_name"] = None
    ref_pred = _predict_rows(ref, _record_keys(ref, status), model, level, memo)
    ref_ok = ref_pred["status"].eq("ok").to_numpy()
    ref_value = pd.to_numeric(ref_pred["prediction"], errors="coerce").astype(float).to_numpy()
    cand = prediction.to_numpy(dtype=float)
    usable = status.eq("ok").to_numpy() & ref_ok & np.isfinite(cand) & np.isfinite(ref_value)
    out = np.full(len(records), np.nan)
    if usable.any():
        # p_better is TrainedModel's, not part of the Predictor protocol (checked by screen)
        scorer = getattr(model, "p_better")  # noqa: B009
        out[usable] = scorer(cand[usable], ref_value[usable])
    return out


#: Largest number of featurized ligands kept in memory between chunks (about 25 MB per
#: 1,000 ligands in the model's and the featurizer's memos together): the feature memos
#: are trimmed to it (``Predictor.trim_caches``), and repeats across chunks are served by
#: the screener's own, much smaller, prediction memo instead.
_MAX_CACHED_LIGANDS = 4_096
#: Distinct candidates per ``model.predict`` call (bounds the featurizers' memos).
_PREDICT_BATCH = 4_096


def run_chunk(
    chunk: pd.DataFrame, start: int, model: Predictor, opts: ChunkOptions
) -> pd.DataFrame:
    """Predict one chunk with bounded memory (what every engine runs per chunk)."""
    model.use_threads(1)
    model.trim_caches(_MAX_CACHED_LIGANDS)
    return predict_chunk(
        chunk,
        start,
        model,
        composition=opts.composition,
        stage=opts.stage,
        level=opts.level,
        cache_key=opts.run_id,
        reference_smiles=opts.reference_smiles,
    )
