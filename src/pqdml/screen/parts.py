"""Streaming input, resumable parts and the final merge of :func:`pqdml.screen.screen`.

Private helpers: chunked readers for CSV/TSV/Parquet/``.smi``, the parts folder with
its manifest, and the memory-bounded merge that finds duplicates across chunks and
ranks every row.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pqdml.exceptions import InvalidInputError
from pqdml.io import atomic_open, atomic_path, sha256_file, table_kind

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
#: Internal per-part columns: 64-bit hash of the duplicate key (0 = no key) and "ranked".
HASH_COL = "_dup_hash"
OK_COL = "_ok"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def input_fingerprint(path: Path) -> str:
    """Hash of the input file's absolute path, size and modification time."""
    st = path.stat()
    return _sha(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}")


def model_fingerprint(model: Any) -> str:
    """Hash of the model's metadata (training-data hash, feature names, versions...)."""
    meta = getattr(model, "metadata", None)
    if not meta:
        return _sha(f"{type(model).__module__}.{type(model).__qualname__}")
    return _sha(json.dumps(meta, sort_keys=True, default=str))


@dataclass
class PartsDir:
    """The ``<out>.parts/`` folder: one Parquet part per completed chunk plus a manifest."""

    path: Path
    manifest: dict[str, Any] = field(default_factory=dict)

    def part(self, index: int) -> Path:
        """Path of the part holding chunk ``index``."""
        return self.path / f"part-{index:06d}.parquet"

    def record(self, index: int) -> Path:
        """Path of the small JSON record that vouches for part ``index``."""
        return self.path / f"part-{index:06d}.json"

    def done(self) -> set[int]:
        """Return the chunks whose part is complete and checks out; drop the others.

        A part counts only with its record (written after the part, atomically) and
        when its sha256, row count and first ``row_id`` match the record and the chunk's
        place in the input (``index * chunk_size``). A part swapped, truncated or left
        without its record is deleted, so its chunk is computed again.
        """
        out = set()
        for p in sorted(self.path.glob("part-*.parquet")):
            index = int(p.stem.split("-")[1])
            problem = self._check(index)
            if problem is None:
                out.add(index)
                continue
            warnings.warn(
                f"resume: {str(p)!r} {problem}; the chunk is computed again", stacklevel=2
            )
            p.unlink(missing_ok=True)
            self.record(index).unlink(missing_ok=True)
        return out

    def _check(self, index: int) -> str | None:
        import pyarrow.parquet as pq

        try:
            rec = json.loads(self.record(index).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "has no valid record"
        size = (self.manifest.get("arguments") or {}).get("chunk_size")
        if size and (rec.get("start") != index * size or not 0 < rec.get("rows", 0) <= size):
            return "does not hold the rows of its chunk"
        if sha256_file(self.part(index)) != rec.get("sha256"):
            return "does not match its recorded sha256"
        try:
            meta = pq.ParquetFile(self.part(index)).metadata
        except (OSError, ValueError):
            return "is not a readable Parquet file"
        if meta.num_rows != rec.get("rows"):
            return "does not hold the recorded number of rows"
        return None

    def write(self, index: int, frame: pd.DataFrame) -> None:
        """Write one chunk's results atomically, then the record that vouches for them."""
        with atomic_path(self.part(index)) as tmp:
            frame.to_parquet(tmp, index=False)
        start = int(frame["row_id"].iloc[0]) if len(frame) else -1
        rec = {"start": start, "rows": len(frame), "sha256": sha256_file(self.part(index))}
        with atomic_open(self.record(index), "w", encoding="utf-8") as fh:
            json.dump(rec, fh)

    def remove(self) -> None:
        """Delete the folder (after the final output is in place)."""
        shutil.rmtree(self.path, ignore_errors=True)


def open_parts(out: Path, manifest: dict[str, Any], *, resume: bool) -> PartsDir:
    """Create or reopen ``<out>.parts/``; refuse to mix runs with different arguments.

    Raises
    ------
    InvalidInputError
        When ``resume`` is true and the folder holds parts of a run with another input
        file, model or arguments (code ``resume_mismatch``).
    """
    parts = PartsDir(out.with_name(out.name + ".parts"), manifest)
    manifest_path = parts.path / MANIFEST
    if parts.path.exists() and not resume:
        parts.remove()
    if manifest_path.exists():
        try:
            old = json.loads(manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            old = None
        if old != manifest:
            diff = sorted(
                k for k in set(manifest) | set(old or {}) if (old or {}).get(k) != manifest.get(k)
            )
            raise InvalidInputError(
                f"{str(parts.path)!r} holds an unfinished screening run with different "
                f"{', '.join(diff) or 'manifest'}; rerun with the same arguments to resume, or "
                "pass --restart (resume=False) to discard it",
                code="resume_mismatch",
            )
    else:
        if parts.path.exists():
            parts.remove()  # parts without a manifest cannot be trusted
        parts.path.mkdir(parents=True, exist_ok=True)
        with atomic_open(manifest_path, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=2, sort_keys=True)
    return parts


@dataclass
class MergeResult:
    """What the merge found: counts and the top rows (for explanations)."""

    n_rows: int
    n_ok: int
    n_duplicates: int
    status_counts: dict[str, int]
    top: pd.DataFrame | None


def _duplicates_and_ranks(
    hashes: np.ndarray, ok: np.ndarray, pred: np.ndarray, key: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``duplicate_of`` (-1 = none) and ``rank`` (0 = none) for every row.

    Rows with the same non-zero 64-bit key hash are duplicates of the first of them (a
    stable argsort keeps input order). Distinct ok rows are ranked by ``key`` (default:
    the prediction), highest first, ties by prediction then input order; ok rows whose
    key is NaN come last. A duplicate takes the rank of its first row.
    """
    n = len(hashes)
    dup_of = np.full(n, -1, dtype=np.int64)
    keyed = np.flatnonzero(hashes != 0)
    order = keyed[np.argsort(hashes[keyed], kind="stable")]
    if len(order):
        sorted_h = hashes[order]
        first = np.empty(len(order), dtype=bool)
        first[0] = True
        first[1:] = sorted_h[1:] != sorted_h[:-1]
        group_first = order[np.flatnonzero(first)][np.cumsum(first) - 1]
        dup_of[order[~first]] = group_first[~first]
    rank = np.zeros(n, dtype=np.int64)
    primary = np.flatnonzero(ok & (dup_of < 0))
    key = pred if key is None else key
    k = np.where(np.isfinite(key[primary]), key[primary], -np.inf)
    ranked = primary[np.lexsort((primary, -pred[primary], -k))]
    rank[ranked] = np.arange(1, len(ranked) + 1)
    dups = np.flatnonzero(dup_of >= 0)
    rank[dups] = rank[dup_of[dups]]
    return dup_of, rank


def _to_pandas(table: Any) -> pd.DataFrame:
    """Arrow → pandas keeping integer columns with nulls as integers (``Int64``)."""
    import pyarrow as pa

    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


def merge_parts(
    parts: PartsDir,
    n_chunks: int,
    out: Path,
    *,
    top: int | None,
    rank_column: str = "prediction",
) -> MergeResult:
    """Write the final output from the parts, atomically, adding ``duplicate_of`` and ``rank``.

    Rows are ranked by ``rank_column`` (``prediction``, ``pi_low`` or ``p_better``), a
    per-row column every part holds. Memory is bounded: the first pass holds four numbers
    per row (hash, ok flag, prediction, rank key: ~25 bytes, i.e. 250 MB for ten million
    rows; three when ranking by prediction), the second pass one part.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    paths = [parts.part(i) for i in range(n_chunks)]
    hashes, oks, preds, keys = [], [], [], []
    by_pred = rank_column == "prediction"
    read = [HASH_COL, OK_COL, "prediction", "status"] + ([] if by_pred else [rank_column])
    counts: dict[str, int] = {}
    schemas = []
    for p in paths:
        table = pq.read_table(p, columns=read)
        hashes.append(table.column(HASH_COL).to_numpy())
        oks.append(table.column(OK_COL).to_numpy(zero_copy_only=False).astype(bool))
        preds.append(table.column("prediction").to_numpy(zero_copy_only=False))
        if not by_pred:
            keys.append(table.column(rank_column).to_numpy(zero_copy_only=False))
        for item in pc.value_counts(table.column("status")).to_pylist():
            key = str(item["values"])
            counts[key] = counts.get(key, 0) + int(item["counts"])
        schemas.append(pq.read_schema(p))
    h = np.concatenate(hashes) if hashes else np.zeros(0, np.uint64)
    ok = np.concatenate(oks) if oks else np.zeros(0, bool)
    pred = np.concatenate(preds).astype(float) if preds else np.zeros(0)
    rank_key = np.concatenate(keys).astype(float) if keys else None
    dup_of, rank = _duplicates_and_ranks(h, ok, pred, rank_key)

    fields: dict[str, Any] = {}
    for schema in schemas:
        for f in schema:
            if f.name in (HASH_COL, OK_COL):
                continue
            if f.name not in fields or pa.types.is_null(fields[f.name].type):
                fields[f.name] = f
    target_schema = pa.schema(
        [*fields.values(), pa.field("duplicate_of", pa.int64()), pa.field("rank", pa.int64())]
    )
    kind = table_kind(out)
    top_frames: list[pd.DataFrame] = []
    offset = 0
    with atomic_path(out) as tmp:
        writer = pq.ParquetWriter(tmp, target_schema) if kind == "parquet" else None
        fh = open(tmp, "w", encoding="utf-8", newline="") if writer is None else None
        try:
            for i, p in enumerate(paths):
                table = pq.read_table(p).drop_columns([HASH_COL, OK_COL])
                n = table.num_rows
                d = dup_of[offset : offset + n]
                r = rank[offset : offset + n]
                table = table.append_column(
                    "duplicate_of", pa.array(np.where(d >= 0, d, 0), mask=d < 0)
                ).append_column("rank", pa.array(r, mask=r == 0))
                table = table.select(target_schema.names).cast(target_schema)
                if writer is not None:
                    writer.write_table(table)
                    frame = None
                else:
                    frame = _to_pandas(table)
                    assert fh is not None
                    sep = "\t" if kind == "tsv" else ","
                    frame.to_csv(fh, index=False, header=i == 0, sep=sep)
                if top:
                    sel = (r > 0) & (r <= top) & (d < 0)
                    if sel.any():
                        frame = _to_pandas(table) if frame is None else frame
                        top_frames.append(frame.loc[sel])
                offset += n
        finally:
            if writer is not None:
                writer.close()
            if fh is not None:
                fh.close()
    top_frame = None
    if top:
        top_frame = (
            pd.concat(top_frames).sort_values("rank").reset_index(drop=True)
            if top_frames
            else pd.DataFrame(columns=target_schema.names)
        )
    return MergeResult(
        n_rows=len(h),
        n_ok=int(ok.sum()),
        n_duplicates=int((dup_of >= 0).sum()),
        status_counts=dict(sorted(counts.items())),
        top=top_frame,
    )


def top_path(out: Path, top: int) -> Path:
    """``<out stem>_top<N>.csv`` beside the output."""
    return out.with_name(f"{out.stem}_top{top}.csv")
