"""Screening jobs of the web app: an uploaded file screened by :func:`pqdml.screen.screen`.

Each upload is written to a fresh temporary directory, checked (format, row limit),
screened in a background thread with the same code path as ``pqdml screen``, and the
directory is deleted as soon as the ranked file has been read back into memory. The
app keeps the last few results in memory for download; a client never names a path.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
import traceback
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pqdml.exceptions import PQDMLError
from pqdml.io import TABLE_SUFFIXES, read_table
from pqdml.screen import screen

#: Suffixes an upload may have (the client's file name is used for nothing else).
UPLOAD_SUFFIXES = tuple(s for s in TABLE_SUFFIXES if s != ".pq")
#: Ranked rows shown in the page's table (the download always holds every row).
SHOWN_ROWS = 1000
#: Columns of the ranked output shown in the page, in order (those present).
SHOWN_COLUMNS = (
    "rank",
    "row_id",
    "ligand_name",
    "canonical_smiles",
    "composition",
    "stage",
    "status",
    "prediction",
    "pi_low",
    "pi_high",
    "in_domain",
    "max_similarity",
    "binding_type",
    "chain_length",
    "duplicate_of",
    "message",
)


class UploadError(ValueError):
    """An upload the app refuses (wrong type, too many rows, unreadable)."""


@dataclass
class Job:
    """One screening run and, once done, its ranked result."""

    id: str
    filename: str
    n_rows: int
    composition: str | None
    stage: str | None
    state: str = "queued"  # queued → running → done | failed
    started: float = field(default_factory=time.time)
    finished: float | None = None
    error: str = ""
    status_counts: dict[str, int] = field(default_factory=dict)
    result_csv: bytes = b""
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """Seconds since the job started (or its total duration once finished)."""
        return (self.finished or time.time()) - self.started


def suffix_of(filename: str) -> str:
    """Return the upload's suffix if the app accepts it, else raise :class:`UploadError`."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadError(
            f"file {filename!r}: expected a candidate table ({', '.join(UPLOAD_SUFFIXES)})"
        )
    return suffix


def count_rows(path: Path, limit: int) -> int:
    """Rows of the saved upload (read as ``pqdml screen`` would); raise past ``limit``."""
    try:
        n = len(read_table(path))
    except (PQDMLError, ValueError, UnicodeDecodeError, OSError) as err:
        raise UploadError(f"cannot read the uploaded file: {err}") from err
    if n > limit:
        raise UploadError(
            f"the file has {n:,} rows; this server screens at most {limit:,} rows per upload "
            "(use `pqdml screen` on the command line for larger files)"
        )
    if n == 0:
        raise UploadError("the file has no rows")
    return n


class JobStore:
    """Run screening jobs one at a time in a background thread; keep the last ``keep``."""

    def __init__(self, model: Any, *, keep: int = 10, lock: Any = None) -> None:
        self.model = model
        self.keep = keep
        self.lock = lock if lock is not None else threading.RLock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._guard = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        """Return the job of that id, or None (ids are random: an unknown id is just not found)."""
        with self._guard:
            return self._jobs.get(job_id)

    def submit(
        self,
        data: bytes,
        filename: str,
        *,
        max_rows: int,
        composition: str | None,
        stage: str | None,
    ) -> Job:
        """Save, check and queue an upload; raise :class:`UploadError` when it is refused."""
        suffix = suffix_of(filename)
        folder = Path(tempfile.mkdtemp(prefix="pqdml-web-"))
        src = folder / f"candidates{suffix}"
        try:
            src.write_bytes(data)
            n_rows = count_rows(src, max_rows)
        except UploadError as err:
            shutil.rmtree(folder, ignore_errors=True)
            raise UploadError(_hide(str(err), src, filename)) from None
        except Exception:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        job = Job(
            id=secrets.token_hex(12),
            filename=Path(filename).name,
            n_rows=n_rows,
            composition=composition,
            stage=stage,
        )
        with self._guard:
            self._jobs[job.id] = job
            while len(self._jobs) > self.keep:
                self._jobs.popitem(last=False)
        threading.Thread(target=self._run, args=(job, folder, src), daemon=True).start()
        return job

    def _run(self, job: Job, folder: Path, src: Path) -> None:
        try:
            with self.lock:  # one screening (and no prediction) at a time on the shared model
                job.state = "running"
                out = folder / "ranked.csv"
                summary = screen(
                    src,
                    out,
                    model=self.model,
                    composition=job.composition,
                    stage=job.stage,
                    n_jobs=1,
                    progress=False,
                    resume=False,
                )
            job.result_csv = out.read_bytes()
            job.columns, job.rows = _table(pd.read_csv(out))
            job.status_counts = dict(summary.status_counts)
            job.state = "done"
        except PQDMLError as err:
            job.error, job.state = _hide(str(err), src, job.filename), "failed"
        except Exception as err:  # a bug, not bad input: say so without a stack trace
            traceback.print_exc()
            job.error = f"internal error while screening ({type(err).__name__}); see the server log"
            job.state = "failed"
        finally:
            job.finished = time.time()
            shutil.rmtree(folder, ignore_errors=True)


def _hide(message: str, src: Path, filename: str) -> str:
    """Replace the server's temporary path in a message replaced by the uploaded file's name."""
    return message.replace(str(src), Path(filename).name).replace(str(src.parent), "upload")


def _cell(column: str, value: Any) -> tuple[str, float | None]:
    """Text of one table cell and its numeric sort key (None for text columns)."""
    if isinstance(value, bool) or column in ("in_domain",):
        return str(value), None
    if isinstance(value, int | float):
        if value != value:  # NaN: an empty cell that sorts last
            return "", None
        whole = column in ("rank", "row_id", "duplicate_of") or float(value).is_integer()
        return (f"{value:.0f}" if whole else f"{value:.2f}"), float(value)
    return ("" if value is None else str(value)), None


def _table(ranked: pd.DataFrame) -> tuple[list[str], list[dict[str, Any]]]:
    """Return the first :data:`SHOWN_ROWS` rows by rank as cells for the page."""
    columns = [c for c in SHOWN_COLUMNS if c in ranked.columns]
    if "rank" in ranked:
        ranked = ranked.sort_values("rank", na_position="last", kind="stable")
    rows = []
    for record in ranked.head(SHOWN_ROWS)[columns].astype(object).to_dict("records"):
        rows.append(
            {
                "css": "ok" if record.get("status") == "ok" else "bad",
                "cells": [_cell(c, record[c]) for c in columns],
            }
        )
    return columns, rows
