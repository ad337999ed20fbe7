"""Screen many ligand candidates: streaming, resumable, parallel batch prediction.

:func:`screen` reads a CSV, TSV, Parquet or ``.smi`` file in chunks, predicts every
row with a trained model (local processes or a Dask cluster), writes each finished
chunk as a Parquet part under ``<out>.parts/`` and, at the end, merges the parts into
one ranked output file written atomically. Killed at any point and run again with
the same arguments, it continues from the last completed chunk.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pqdml import _screen_io as sio
from pqdml.exceptions import InvalidInputError
from pqdml.io import table_kind, write_table

__all__ = ["OUTPUT_COLUMNS", "ScreenSummary", "candidate_records", "predict_chunk", "screen"]

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
class _Options:
    """Per-row settings that every chunk needs (sent once to each worker task)."""

    composition: str | None
    stage: str | None
    level: float | None
    run_id: str | None = None


@dataclass
class ScreenSummary:
    """What a :func:`screen` run did.

    Attributes
    ----------
    out
        The ranked output file.
    n_rows, n_ok, n_duplicates
        Input rows, rows with a prediction (status ``ok``), rows repeating an earlier
        candidate (same canonical SMILES, composition, stage and process values).
    status_counts
        Rows per status.
    n_chunks, n_chunks_resumed
        Chunks in total and chunks taken from an interrupted earlier run.
    seconds
        Wall time of this call.
    top_path
        The ``--top`` file with explanations, if requested.
    engine
        ``"local"`` or ``"dask"``.
    """

    out: Path
    n_rows: int
    n_ok: int
    n_duplicates: int
    status_counts: dict[str, int]
    n_chunks: int
    n_chunks_resumed: int
    seconds: float
    top_path: Path | None = None
    engine: str = "local"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Candidates per second over this call."""
        return self.n_rows / self.seconds if self.seconds > 0 else float("nan")

    def __str__(self) -> str:
        """Render the summary the CLI prints."""
        lines = [
            f"screened {self.n_rows} candidates in {self.seconds:.1f} s "
            f"({self.rate:,.0f}/s, engine {self.engine}, {self.n_chunks} chunks"
            + (f", {self.n_chunks_resumed} resumed" if self.n_chunks_resumed else "")
            + ")",
            f"ok: {self.n_ok}; duplicates: {self.n_duplicates}",
            "status: " + ", ".join(f"{k} {v}" for k, v in self.status_counts.items()),
            f"wrote {self.out}",
        ]
        if self.top_path is not None:
            lines.append(f"wrote {self.top_path}")
        return "\n".join(lines)


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


#: Prediction columns kept per distinct candidate (and memoized across chunks).
_MEMO_COLUMNS = (
    "status",
    "error",
    "prediction",
    "pi_low",
    "pi_high",
    "in_domain",
    "max_similarity",
    "canonical_smiles",
    "binding_type",
    "chain_length",
)
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
    key_cols = ["ligand_smiles", "ligand_name", "composition", "stage", *proc_cols]
    valid = status.eq("ok").to_numpy()
    keys = _key_hash(records[key_cols])
    keys[~valid] = 0
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


# --- local process pool -------------------------------------------------------------
_WORKER_MODEL: Any = None


def _single_thread(model: Any) -> None:
    booster = getattr(model, "booster", None)
    if booster is not None and hasattr(booster, "set_param"):
        booster.set_param({"nthread": 1})


def _init_worker(blob: bytes) -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    global _WORKER_MODEL
    _WORKER_MODEL = pickle.loads(blob)
    _single_thread(_WORKER_MODEL)


def _worker_chunk(chunk: pd.DataFrame, start: int, opts: _Options) -> pd.DataFrame:
    return _dask_chunk(chunk, start, _WORKER_MODEL, opts)


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
    for memo in (getattr(cache, "_ligands", None), getattr(cache, "_compositions", None)):
        if isinstance(memo, dict) and len(memo) > _MAX_CACHED_LIGANDS:
            memo.clear()
    ligand_mod = sys.modules.get("pqdml.chem.ligand")
    memo = getattr(ligand_mod, "_cache", None)
    if isinstance(memo, dict) and len(memo) > _MAX_CACHED_LIGANDS:
        memo.clear()


def _dask_chunk(chunk: pd.DataFrame, start: int, model: Any, opts: _Options) -> pd.DataFrame:
    _single_thread(model)
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


def _numbered(chunks: Iterator[pd.DataFrame]) -> Iterator[tuple[int, int, pd.DataFrame]]:
    start = 0
    for i, chunk in enumerate(chunks):
        yield i, start, chunk
        start += len(chunk)


def _run_local(
    todo: Iterator[tuple[int, int, pd.DataFrame]],
    model: Any,
    opts: _Options,
    n_jobs: int,
    on_result: Callable[[int, pd.DataFrame], None],
) -> None:
    if n_jobs <= 1:
        for i, start, chunk in todo:
            on_result(i, _dask_chunk(chunk, start, model, opts))
        return
    import multiprocessing

    blob = pickle.dumps(model)
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(n_jobs, mp_context=ctx, initializer=_init_worker, initargs=(blob,))
    pending: dict[Future[pd.DataFrame], int] = {}

    def drain(limit: int) -> None:
        while len(pending) > limit:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                on_result(pending.pop(fut), fut.result())

    finished = False
    try:
        for i, start, chunk in todo:
            pending[pool.submit(_worker_chunk, chunk, start, opts)] = i
            drain(2 * n_jobs - 1)
        drain(0)
        finished = True
    finally:
        # on Ctrl-C or an error, do not wait for chunks in flight: they are redone on resume
        pool.shutdown(wait=finished, cancel_futures=not finished)


def _run_dask(
    todo: Iterator[tuple[int, int, pd.DataFrame]],
    model: Any,
    opts: _Options,
    n_jobs: int,
    scheduler: str | None,
    on_result: Callable[[int, pd.DataFrame], None],
) -> None:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=n_jobs, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        model_future = client.scatter(model, broadcast=True)
        window = 2 * max(len(client.scheduler_info().get("workers", {})), 1)
        pending = as_completed()
        index: dict[Any, int] = {}
        for i, start, chunk in todo:
            fut = client.submit(_dask_chunk, chunk, start, model_future, opts, pure=False)
            index[fut.key] = i
            pending.add(fut)
            while pending.count() >= window:
                done = next(pending)
                on_result(index.pop(done.key), done.result())
        for done in pending:
            on_result(index.pop(done.key), done.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _resolve_model(model: Any, target: str) -> Any:
    if model is None:
        from pqdml.model import default_model

        return default_model(target)
    if isinstance(model, str | os.PathLike):
        from pqdml.model import load_model

        return load_model(model)
    return model


def _write_top(merged: sio.MergeResult, model: Any, out: Path, top: int, opts: _Options) -> Path:
    frame = merged.top if merged.top is not None else pd.DataFrame()
    sentences: list[str] = [""] * len(frame)
    if len(frame):
        input_cols = [c for c in frame.columns if c not in OUTPUT_COLUMNS and c != "row_id"]
        raw = frame[input_cols].rename(columns=lambda c: c.removeprefix("input_"))
        records, _, _ = candidate_records(raw, composition=opts.composition, stage=opts.stage)
        from pqdml.explain import explain_predictions

        explained = explain_predictions(model, records.reset_index(drop=True), top=5)
        sentences = ["; ".join(s) for s in explained]
    frame = frame.assign(explanation=sentences)
    lead = ["rank", "row_id"]
    frame = frame[lead + [c for c in frame.columns if c not in lead]]
    return write_table(frame, sio.top_path(out, top))


def screen(
    candidates: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    model: Any = None,
    target: str = "plqy",
    composition: str | None = None,
    stage: str | None = None,
    top: int | None = None,
    chunk_size: int = 50_000,
    n_jobs: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    progress: bool | None = None,
    resume: bool = True,
    level: float | None = None,
) -> ScreenSummary:
    """Predict and rank every candidate of a file, in chunks, resumably.

    Parameters
    ----------
    candidates
        CSV, TSV, Parquet or ``.smi`` file. The ligand is read from ``ligand_smiles``,
        ``smiles`` or ``ligand_name`` (names from the ligand dictionary are allowed);
        rows may carry their own ``composition``, ``stage`` and ``proc_*`` columns.
    out
        Ranked output (CSV/TSV/Parquet by extension), written atomically at the end.
    model
        A :class:`pqdml.model.TrainedModel`, a model directory, or None for the shipped
        default model of ``target``.
    target
        Target of the default model (``plqy`` or ``pce``).
    composition, stage
        Perovskite formula and stage for rows without their own (composition is
        required then).
    top
        Also write ``<out stem>_top<N>.csv``: the N best distinct candidates with the
        model's top contributing features in words.
    chunk_size
        Rows per chunk; memory grows with it, resume granularity shrinks with it.
    n_jobs
        Worker processes (default: all cores); 1 runs in this process.
    engine
        ``"local"`` (process pool) or ``"dask"`` (``distributed``).
    scheduler
        Dask scheduler address (``tcp://host:8786``); None starts a LocalCluster.
    progress
        Progress bar on stderr (default: when stderr is a terminal).
    resume
        Continue an interrupted run from ``<out>.parts/``; False discards it (``--restart``).
    level
        Interval level (default: the model's).

    Returns
    -------
    ScreenSummary
        Counts, timing and the files written.

    Raises
    ------
    InvalidInputError
        No ligand column, no composition, unknown engine, or leftover parts of a run
        with different arguments (code ``resume_mismatch``).

    Examples
    --------
    >>> summary = screen("data/example_candidates.csv", "ranked.csv")  # doctest: +SKIP
    >>> print(summary)  # doctest: +SKIP
    """
    t0 = time.perf_counter()
    src = Path(candidates)
    dest = Path(out)
    if not src.exists():
        raise FileNotFoundError(f"candidate file {str(src)!r} does not exist")
    kind = table_kind(src)
    table_kind(dest)
    if engine not in ("local", "dask"):
        raise InvalidInputError(f"unknown engine {engine!r}: use 'local' or 'dask'", code="engine")
    if chunk_size < 1:
        raise InvalidInputError(f"chunk_size must be >= 1, got {chunk_size}", code="chunk_size")
    columns = sio.input_columns(src, kind)
    _ligand_columns(columns)
    if composition is None and "composition" not in columns:
        raise InvalidInputError(
            f"{str(src)!r} has no 'composition' column: give the perovskite composition "
            "(e.g. --composition CsPbI3)",
            code="missing_composition",
        )
    model = _resolve_model(model, target)
    opts = _Options(composition=composition, stage=stage, level=level, run_id=uuid.uuid4().hex)
    manifest = {
        "version": sio.MANIFEST_VERSION,
        "input": sio.input_fingerprint(src),
        "model": sio.model_fingerprint(model),
        "arguments": {
            "target": target,
            "composition": composition,
            "stage": stage,
            "chunk_size": chunk_size,
            "level": level,
        },
    }
    parts = sio.open_parts(dest, manifest, resume=resume)
    done = parts.done()
    total = sio.count_rows(src, kind)
    n_jobs = sio.cpu_count() if n_jobs is None else max(int(n_jobs), 1)
    if total is not None:
        n_jobs = min(n_jobs, max(-(-total // chunk_size) - len(done), 1))
    from tqdm import tqdm

    bar = tqdm(
        total=total,
        unit="cand",
        unit_scale=True,
        disable=not (sys.stderr.isatty() if progress is None else progress),
        file=sys.stderr,
        desc="screen",
    )
    n_chunks = 0
    skipped_rows = 0

    def todo() -> Iterator[tuple[int, int, pd.DataFrame]]:
        nonlocal n_chunks, skipped_rows
        for i, start, chunk in _numbered(sio.iter_chunks(src, kind, chunk_size)):
            n_chunks = i + 1
            if i in done:
                bar.update(len(chunk))
                skipped_rows += len(chunk)
                continue
            yield i, start, chunk

    def on_result(i: int, frame: pd.DataFrame) -> None:
        parts.write(i, frame)
        bar.update(len(frame))

    try:
        if engine == "dask":
            _run_dask(todo(), model, opts, n_jobs, scheduler, on_result)
        else:
            _run_local(todo(), model, opts, n_jobs, on_result)
    finally:
        bar.close()
    if n_chunks == 0:  # an input without rows: an output with the columns and no rows
        empty = pd.DataFrame(columns=["row_id", *columns, *OUTPUT_COLUMNS])
        write_table(empty, dest)
        merged = sio.MergeResult(0, 0, 0, {}, empty if top else None)
    else:
        merged = sio.merge_parts(parts, n_chunks, dest, top=top)
    top_file = _write_top(merged, model, dest, top, opts) if top else None
    parts.remove()
    return ScreenSummary(
        out=dest,
        n_rows=merged.n_rows,
        n_ok=merged.n_ok,
        n_duplicates=merged.n_duplicates,
        status_counts=merged.status_counts,
        n_chunks=n_chunks,
        n_chunks_resumed=len(done),
        seconds=time.perf_counter() - t0,
        top_path=top_file,
        engine=engine,
    )
