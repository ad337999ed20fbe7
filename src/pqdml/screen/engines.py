"""Execution engines of :mod:`pqdml.screen`: local worker processes and Dask."""

from __future__ import annotations

import os
import pickle
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import wait
from typing import Any

import numpy as np
import pandas as pd

from pqdml.io import sigint_ignored, worker_setup
from pqdml.model import Predictor
from pqdml.screen.chunk import ChunkOptions, failed_rows, row_keys, run_chunk

#: The model of this worker process (set once by :func:`_init_worker`).
_WORKER_MODEL: Predictor | None = None


def _init_worker(blob: bytes) -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    global _WORKER_MODEL
    _WORKER_MODEL = pickle.loads(blob)
    _WORKER_MODEL.use_threads(1)


def _numbered(chunks: Iterator[pd.DataFrame]) -> Iterator[tuple[int, int, pd.DataFrame]]:
    start = 0
    for i, chunk in enumerate(chunks):
        yield i, start, chunk
        start += len(chunk)


def _affinity_worker(tasks: Any, results: Any, parent: int) -> None:
    """Worker loop: load the model (the first task), then predict sub-chunks until ``None``.

    Results go back through this worker's own pipe (``results``), so a worker that dies
    mid-message corrupts no other worker's results. The worker exits with its parent
    (:func:`pqdml.io.worker_setup`) and leaves Ctrl-C to the parent.
    """
    worker_setup(parent)
    _init_worker(tasks.get())
    while True:
        task = tasks.get()
        if task is None:
            return
        tid, sub, opts = task
        try:
            assert _WORKER_MODEL is not None  # set by the first task
            results.send((tid, run_chunk(sub, 0, _WORKER_MODEL, opts), None))
        except Exception:
            results.send((tid, None, traceback.format_exc()))


def _isolated_worker(
    blob: bytes, sub: pd.DataFrame, opts: ChunkOptions, block: int, results: Any
) -> None:
    """Predict ``sub`` in blocks of ``block`` rows, sending each block's rows when done."""
    worker_setup(None)
    _init_worker(blob)
    assert _WORKER_MODEL is not None
    for lo in range(0, len(sub), block):
        part = sub.iloc[lo : lo + block].reset_index(drop=True)
        try:
            frame = run_chunk(part, 0, _WORKER_MODEL, opts)
        except Exception:
            results.send((None, traceback.format_exc()))
            return
        results.send((frame, None))


def _assemble(start: int, pieces: list[tuple[np.ndarray, pd.DataFrame]]) -> pd.DataFrame:
    """Put the sub-chunk results of one chunk back in input order."""
    positions = np.concatenate([p for p, _ in pieces])
    frame = pd.concat([f for _, f in pieces], ignore_index=True)
    frame = frame.iloc[np.argsort(positions, kind="stable")].reset_index(drop=True)
    frame["row_id"] = np.arange(start, start + len(frame), dtype=np.int64)
    return frame


#: Status of a row on which a worker process died (a native crash, e.g. in RDKit).
CRASHED = "featurizer_crashed"
_CRASH_MESSAGE = (
    "the worker process died while featurizing or predicting this row (a native crash); "
    "the other rows were predicted"
)


class _Worker:
    """One worker process with its own task queue and result pipe, and its tasks in flight."""

    def __init__(self, ctx: Any, blob: bytes) -> None:
        self.tasks = ctx.Queue()
        self.results, send = ctx.Pipe(duplex=False)
        # the model goes through the task queue, not the process arguments: a large
        # argument blocks start() until that child has imported everything, so workers
        # would start one after another instead of together
        self.tasks.put(blob)
        self.proc = ctx.Process(
            target=_affinity_worker, args=(self.tasks, send, os.getpid()), daemon=True
        )
        with sigint_ignored():  # Ctrl-C is the parent's to handle
            self.proc.start()
        send.close()  # only the child writes: its death gives EOF here
        self.inflight: dict[int, tuple[int, np.ndarray, pd.DataFrame]] = {}

    def close(self, *, graceful: bool) -> None:
        """Stop the process (``None`` task, or terminate) and release its queue and pipe."""
        if graceful and self.proc.is_alive():
            self.tasks.put(None)
            self.proc.join(timeout=10)
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=5)
        # never wait at exit for a feeder thread writing into a dead worker's pipe
        self.tasks.cancel_join_thread()
        self.tasks.close()
        self.results.close()


def _stream(
    ctx: Any, blob: bytes, sub: pd.DataFrame, opts: ChunkOptions, block: int
) -> list[pd.DataFrame]:
    """Run ``sub`` in one fresh process, ``block`` rows at a time; the blocks it finished."""
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_isolated_worker, args=(blob, sub, opts, block, send), daemon=True)
    with sigint_ignored():
        proc.start()
    send.close()
    frames: list[pd.DataFrame] = []
    try:
        while sum(map(len, frames)) < len(sub):
            wait([recv, proc.sentinel])
            if not recv.poll():
                break  # died without a word
            try:
                frame, error = recv.recv()
            except (EOFError, OSError):
                break  # died (possibly mid-message)
            if error is not None:
                raise RuntimeError(f"screening failed:\n{error}")
            frames.append(frame)
    finally:
        proc.join(timeout=10)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=5)
        recv.close()
    return frames


def _isolate(
    ctx: Any, blob: bytes, sub: pd.DataFrame, opts: ChunkOptions, block: int | None = None
) -> pd.DataFrame:
    """Predict ``sub`` in fresh processes, narrowing down the rows that kill a process.

    The rows run in blocks (a sixteenth of them) in one fresh process that sends each
    block when done. When the process dies, the block it was on is redone the same way
    with blocks sixteen times smaller, down to single rows, which get the status
    :data:`CRASHED`; the rest continues in a new process. Every other row is predicted.
    """
    if block is None:
        block = max(1, -(-len(sub) // 16))
    frames: list[pd.DataFrame] = []
    pos = 0
    while pos < len(sub):
        rest = sub.iloc[pos:].reset_index(drop=True)
        done = _stream(ctx, blob, rest, opts, block)
        frames += done
        pos += sum(map(len, done))
        if pos >= len(sub):
            break
        bad = sub.iloc[pos : pos + block].reset_index(drop=True)
        if block == 1:
            frames.append(failed_rows(bad, 0, opts, CRASHED, _CRASH_MESSAGE))
        else:
            frames.append(_isolate(ctx, blob, bad, opts, max(1, block // 16)))
        pos += len(bad)
    return pd.concat(frames, ignore_index=True)


def _run_local(
    todo: Iterator[tuple[int, int, pd.DataFrame]],
    model: Predictor,
    opts: ChunkOptions,
    n_jobs: int,
    on_result: Callable[[int, pd.DataFrame], None],
) -> None:
    """Predict chunks in ``n_jobs`` worker processes, each distinct candidate in one worker.

    Every row goes to the worker chosen by its candidate key (64-bit hash modulo
    ``n_jobs``), so a candidate repeated anywhere in the file is featurized and predicted
    by one worker only and served from that worker's memo afterwards. At most two
    chunks per worker are in flight.

    When a worker process dies (a native crash), a new one takes its place, and the
    sub-chunk it was working on is redone by :func:`_isolate`: the row that kills the
    process gets the status ``featurizer_crashed``, every other row is predicted, and
    the run goes on. On Ctrl-C or an error the workers are terminated at once (chunks
    in flight are redone on resume).
    """
    if n_jobs <= 1:
        for i, start, chunk in todo:
            on_result(i, run_chunk(chunk, start, model, opts))
        return
    import multiprocessing

    blob = pickle.dumps(model)
    ctx = multiprocessing.get_context("spawn")
    workers = [_Worker(ctx, blob) for _ in range(n_jobs)]
    pending: dict[int, tuple[int, int, list[tuple[np.ndarray, pd.DataFrame]]]] = {}
    next_tid = 0

    def piece(index: int, positions: np.ndarray, frame: pd.DataFrame) -> None:
        start, left, pieces = pending[index]
        pieces.append((positions, frame))
        if left == 1:
            del pending[index]
            on_result(index, _assemble(start, pieces))
        else:
            pending[index] = (start, left - 1, pieces)

    def receive(worker: _Worker) -> bool:
        """Handle one message of ``worker``; False when its pipe is at EOF (it died)."""
        try:
            tid, frame, error = worker.results.recv()
        except (EOFError, OSError):
            return False
        index, positions, _ = worker.inflight.pop(tid)
        if error is not None:
            raise RuntimeError(f"screening failed on chunk {index}:\n{error}")
        piece(index, positions, frame)
        return True

    def replace(w: int) -> None:
        """Worker ``w`` died: start a new one, isolate its current task, resend the rest."""
        dead = workers[w]
        while dead.results.poll() and receive(dead):  # results it sent before dying
            pass
        lost = sorted(dead.inflight.items())
        dead.close(graceful=False)
        workers[w] = _Worker(ctx, blob)
        for k, (tid, (index, positions, sub)) in enumerate(lost):
            if k == 0:  # the task it was working on when it died
                piece(index, positions, _isolate(ctx, blob, sub, opts))
            else:
                workers[w].inflight[tid] = (index, positions, sub)
                workers[w].tasks.put((tid, sub, opts))

    def drain(limit: int) -> None:
        while len(pending) > limit:
            by_handle: dict[Any, int] = {}
            for w, worker in enumerate(workers):
                by_handle[worker.results] = w
                by_handle[worker.proc.sentinel] = w
            # one event at a time: after a replacement the other handles may be stale
            handle = wait(list(by_handle))[0]
            w = by_handle[handle]
            if handle is workers[w].results:
                if not receive(workers[w]):
                    replace(w)
            elif not workers[w].proc.is_alive():
                replace(w)

    finished = False
    try:
        for i, start, chunk in todo:
            chunk = chunk.reset_index(drop=True)
            keys = row_keys(chunk, composition=opts.composition, stage=opts.stage)
            owner = np.where(keys != 0, keys % np.uint64(n_jobs), np.arange(len(chunk)) % n_jobs)
            subs = [(w, np.flatnonzero(owner == w)) for w in range(n_jobs)]
            subs = [(w, pos) for w, pos in subs if len(pos)]
            if not subs:
                continue
            pending[i] = (start, len(subs), [])
            for w, pos in subs:
                sub = chunk.iloc[pos].reset_index(drop=True)
                workers[w].inflight[next_tid] = (i, pos, sub)
                workers[w].tasks.put((next_tid, sub, opts))
                next_tid += 1
            drain(2 * n_jobs - 1)
        drain(0)
        finished = True
    finally:
        for worker in workers:
            worker.close(graceful=finished)


def _run_dask(
    todo: Iterator[tuple[int, int, pd.DataFrame]],
    model: Predictor,
    opts: ChunkOptions,
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
            fut = client.submit(run_chunk, chunk, start, model_future, opts, pure=False)
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
