"""Execution engines of :mod:`pqdml.screen`: local worker processes and Dask."""

from __future__ import annotations

import os
import pickle
import queue
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from pqdml.model import Predictor
from pqdml.screen.chunk import ChunkOptions, row_keys, run_chunk

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

    Exits as well when the parent process is gone (e.g. killed with SIGKILL).
    """
    _init_worker(tasks.get())
    while True:
        try:
            task = tasks.get(timeout=2.0)
        except queue.Empty:
            if os.getppid() != parent:
                return
            continue
        if task is None:
            return
        index, positions, sub, opts = task
        try:
            assert _WORKER_MODEL is not None  # set by the first task
            results.put((index, positions, run_chunk(sub, 0, _WORKER_MODEL, opts), None))
        except Exception:
            results.put((index, positions, None, traceback.format_exc()))


def _assemble(start: int, pieces: list[tuple[np.ndarray, pd.DataFrame]]) -> pd.DataFrame:
    """Put the sub-chunk results of one chunk back in input order."""
    positions = np.concatenate([p for p, _ in pieces])
    frame = pd.concat([f for _, f in pieces], ignore_index=True)
    frame = frame.iloc[np.argsort(positions, kind="stable")].reset_index(drop=True)
    frame["row_id"] = np.arange(start, start + len(frame), dtype=np.int64)
    return frame


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
    """
    if n_jobs <= 1:
        for i, start, chunk in todo:
            on_result(i, run_chunk(chunk, start, model, opts))
        return
    import multiprocessing

    blob = pickle.dumps(model)
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    tasks = [ctx.Queue() for _ in range(n_jobs)]
    # the model goes through the task queue, not the process arguments: a large argument
    # blocks start() until that child has imported everything, so workers would start
    # one after another instead of together
    procs = [
        ctx.Process(target=_affinity_worker, args=(tasks[w], results, os.getpid()), daemon=True)
        for w in range(n_jobs)
    ]
    for w, proc in enumerate(procs):
        tasks[w].put(blob)
        proc.start()
    pending: dict[int, tuple[int, int, list[tuple[np.ndarray, pd.DataFrame]]]] = {}

    def drain(limit: int) -> None:
        while len(pending) > limit:
            try:
                index, positions, frame, error = results.get(timeout=1.0)
            except queue.Empty:
                dead = [p.pid for p in procs if not p.is_alive()]
                if dead:
                    raise RuntimeError(f"screening worker process(es) {dead} died") from None
                continue
            if error is not None:
                raise RuntimeError(f"screening failed on chunk {index}:\n{error}")
            start, left, pieces = pending[index]
            pieces.append((positions, frame))
            if left == 1:
                del pending[index]
                on_result(index, _assemble(start, pieces))
            else:
                pending[index] = (start, left - 1, pieces)

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
                tasks[w].put((i, pos, chunk.iloc[pos].reset_index(drop=True), opts))
            drain(2 * n_jobs - 1)
        drain(0)
        finished = True
    finally:
        for w, proc in enumerate(procs):
            if finished:
                tasks[w].put(None)
            else:  # Ctrl-C or an error: chunks in flight are redone on resume
                proc.terminate()
        for proc in procs:
            proc.join(timeout=30)


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
