"""Screen many ligand candidates: streaming, resumable, parallel batch prediction.

:func:`screen` reads a CSV, TSV, Parquet or ``.smi`` file in chunks, predicts every
row with a trained model (local processes or a Dask cluster), writes each finished
chunk as a Parquet part under ``<out>.parts/`` and, at the end, merges the parts into
one ranked output file written atomically. Killed at any point and run again with
the same arguments, it continues from the last completed chunk.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from pqdml.chem.ligand import featurize_ligand, resolve_ligand
from pqdml.config import cpu_count
from pqdml.data.formats import guess_format, read_records
from pqdml.data.records import candidate_records, ligand_columns
from pqdml.exceptions import InvalidInputError, UnknownFormatError
from pqdml.explain import explain_predictions
from pqdml.io import (
    check_output,
    count_rows,
    input_columns,
    iter_chunks,
    table_kind,
    write_table,
)
from pqdml.model import Predictor, resolve_model
from pqdml.model.ranking import model_ranking_verdict, ranking_caveat
from pqdml.screen import parts as sio
from pqdml.screen.chunk import OUTPUT_COLUMNS, P_BETTER, ChunkOptions, output_names
from pqdml.screen.engines import _numbered, _run_dask, _run_local

__all__ = ["RANK_BY", "ScreenSummary", "screen"]

#: ``rank_by`` choices → the output column that orders the rows (highest first).
RANK_BY = {"prediction": "prediction", "lower": "pi_low", "p-better": P_BETTER}


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
    rank_by, reference
        The ranking used (``prediction``, ``lower``, ``p-better``) and the reference
        ligand of the ``p_better`` column, if any.
    ranking_skill
        The model's measured within-system ranking skill (a sentence, see
        :func:`pqdml.model.ranking.skill_verdict`).
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
    rank_by: str = "prediction"
    reference: str | None = None
    ranking_skill: str | None = None

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
        renamed = self.extra.get("renamed_columns") or {}
        if renamed:
            lines.append(
                "input columns renamed (their names are output columns): "
                + ", ".join(f"{k} -> {v}" for k, v in renamed.items())
            )
        what = {"lower": "lower interval bound", "p-better": "p_better"}.get(
            self.rank_by, self.rank_by
        )
        ref = f"; p_better against {self.reference}" if self.reference else ""
        lines.append(f"ranked by {what}{ref}")
        if self.ranking_skill:
            lines.append(f"ranking skill on held-out papers: {self.ranking_skill}")
            caveat = ranking_caveat(self.ranking_skill)
            if caveat:
                lines.append(f"NOTE: {caveat}")
        return "\n".join(lines)


def _write_top(
    merged: sio.MergeResult,
    model: Predictor,
    out: Path,
    top: int,
    opts: ChunkOptions,
    columns: list[str],
) -> Path:
    frame = merged.top if merged.top is not None else pd.DataFrame()
    sentences: list[str] = [""] * len(frame)
    if len(frame):
        names = output_names(columns)
        raw = frame[list(names.values())].set_axis(list(names), axis=1)
        records, _, _ = candidate_records(raw, composition=opts.composition, stage=opts.stage)
        explained = explain_predictions(model, records.reset_index(drop=True), top=5)
        sentences = ["; ".join(s) for s in explained]
    frame = frame.assign(explanation=sentences)
    lead = ["rank", "row_id"]
    frame = frame[lead + [c for c in frame.columns if c not in lead]]
    return write_table(frame, sio.top_path(out, top))


def _canonical_input(src: Path, dest: Path, fmt: str | None) -> Path:
    """Return the file to stream: ``src``, or its canonical records if it is a public file.

    An original public-dataset file is mapped once to ``<out>.<format>.input.parquet`` beside
    the output (kept until the run completes, so an interrupted run resumes on the same file).
    """
    if fmt is None:
        if src.suffix.lower() == ".smi":
            return src
        try:
            fmt = guess_format(src)
        except UnknownFormatError:  # a plain candidate table (e.g. only ligand_smiles)
            return src
    if fmt == "canonical":
        return src
    converted = dest.with_name(f"{dest.name}.{fmt}.input.parquet")
    if not converted.exists() or converted.stat().st_mtime_ns < src.stat().st_mtime_ns:
        records, _ = read_records(src, fmt)
        write_table(records, converted)
    return converted


def _check_ranking(rank_by: str, reference: str | None) -> str | None:
    """Validate ``rank_by``/``reference`` before any work; return the reference's SMILES."""
    if rank_by not in RANK_BY:
        raise InvalidInputError(
            f"unknown rank_by {rank_by!r}: use one of {', '.join(RANK_BY)}", code="rank_by"
        )
    if reference is None:
        if rank_by == "p-better":
            raise InvalidInputError(
                "rank_by 'p-better' needs a reference ligand (--reference NAME_OR_SMILES)",
                code="missing_reference",
            )
        return None
    try:
        smiles = resolve_ligand(reference).smiles
        featurize_ligand(smiles)
    except InvalidInputError as err:
        raise InvalidInputError(
            f"reference ligand {reference!r} cannot be used: {err}", code="invalid_reference"
        ) from err
    return smiles


def screen(
    candidates: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    model: Predictor | str | os.PathLike[str] | None = None,
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
    fmt: str | None = None,
    rank_by: str = "prediction",
    reference: str | None = None,
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
    fmt
        Input format: ``canonical`` (or a plain candidate table / ``.smi``), or an original
        public-dataset file (``synthesizer``, ``buried-interface``, ``perovskite-database``),
        which is mapped to canonical records first (see :func:`pqdml.data.read_records`).
        None guesses it from the file and keeps plain candidate tables as they are.
    rank_by
        ``"prediction"`` (point prediction), ``"lower"`` (the interval's lower bound,
        ``pi_low``: prefers candidates the model is surer of) or ``"p-better"`` (the
        ``p_better`` column; needs ``reference``). Highest first; see
        ``docs/screening.md``.
    reference
        Reference ligand (dictionary name or SMILES), e.g. the one used today. Every ok
        row gets ``p_better``: the model's calibrated probability that the candidate beats
        the reference in the row's system (same composition, stage, process values).

    Returns
    -------
    ScreenSummary
        Counts, timing and the files written.

    Raises
    ------
    InvalidInputError
        No ligand column, no composition, unknown engine, unknown ``rank_by``, a reference
        that is not a known ligand or SMILES (code ``invalid_reference``), ``p-better``
        without a reference, or leftover parts of a run with different arguments (code
        ``resume_mismatch``).

    Examples
    --------
    >>> summary = screen("data/example_candidates.csv", "ranked.csv")  # doctest: +SKIP
    >>> print(summary)  # doctest: +SKIP
    """
    t0 = time.perf_counter()
    reference_smiles = _check_ranking(rank_by, reference)
    original = Path(candidates)
    dest = Path(out)
    if not original.exists():
        raise FileNotFoundError(f"candidate file {str(original)!r} does not exist")
    model_inputs = [model] if isinstance(model, str | os.PathLike) else []
    check_output(dest, inputs=[original, *model_inputs], kinds=("csv", "tsv", "parquet"))
    if top:
        check_output(sio.top_path(dest, top), inputs=[original, *model_inputs])
    src = _canonical_input(original, dest, fmt)
    kind = table_kind(src)
    if engine not in ("local", "dask"):
        raise InvalidInputError(f"unknown engine {engine!r}: use 'local' or 'dask'", code="engine")
    if chunk_size < 1:
        raise InvalidInputError(f"chunk_size must be >= 1, got {chunk_size}", code="chunk_size")
    columns = input_columns(src, kind)
    ligand_columns(columns)
    if composition is None and "composition" not in columns:
        raise InvalidInputError(
            f"{str(src)!r} has no 'composition' column: give the perovskite composition "
            "(e.g. --composition CsPbI3)",
            code="missing_composition",
        )
    model = resolve_model(model, target)
    if reference is not None and not callable(getattr(model, "p_better", None)):
        raise InvalidInputError(
            f"the model {type(model).__name__} has no p_better calibration: it cannot "
            f"compare candidates with the reference {reference!r}",
            code="invalid_reference",
        )
    opts = ChunkOptions(
        composition=composition,
        stage=stage,
        level=level,
        run_id=uuid.uuid4().hex,
        reference_smiles=reference_smiles,
    )
    arguments: dict[str, Any] = {
        "target": target,
        "composition": composition,
        "stage": stage,
        "chunk_size": chunk_size,
        "level": level,
    }
    # the ranking only when it is not the default: parts of a default run made before
    # these options existed still resume, and a run with another ranking never does
    if rank_by != "prediction":
        arguments["rank_by"] = rank_by
    if reference is not None:
        arguments["reference"] = reference
    manifest = {
        "version": sio.MANIFEST_VERSION,
        "input": sio.input_fingerprint(src),
        "model": sio.model_fingerprint(model),
        "arguments": arguments,
    }
    parts = sio.open_parts(dest, manifest, resume=resume)
    done = parts.done()
    total = count_rows(src, kind)
    n_jobs = cpu_count() if n_jobs is None else max(int(n_jobs), 1)
    if total is not None:
        n_jobs = min(n_jobs, max(-(-total // chunk_size) - len(done), 1))
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
        for i, start, chunk in _numbered(iter_chunks(src, kind, chunk_size)):
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
        extra = [P_BETTER] if reference is not None else []
        empty = pd.DataFrame(columns=["row_id", *columns, *OUTPUT_COLUMNS, *extra])
        write_table(empty, dest)
        merged = sio.MergeResult(0, 0, 0, {}, empty if top else None)
    else:
        merged = sio.merge_parts(parts, n_chunks, dest, top=top, rank_column=RANK_BY[rank_by])
    top_file = _write_top(merged, model, dest, top, opts, columns) if top else None
    parts.remove()
    if src != original:
        src.unlink(missing_ok=True)
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
        extra={"renamed_columns": {k: v for k, v in output_names(columns).items() if k != v}},
        rank_by=rank_by,
        reference=reference,
        ranking_skill=model_ranking_verdict(model),
    )
