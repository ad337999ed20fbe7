"""The Dask engine gives the same output, row for row, as the local engine."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_screen import StandIn, candidates

from pqdml.screen import screen

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as c:
        yield c


@pytest.mark.slow
def test_dask_matches_local_engine(tmp_path, cluster):
    src = tmp_path / "cands.csv"
    candidates(6).to_csv(src, index=False)
    local = tmp_path / "local.parquet"
    dask_out = tmp_path / "dask.parquet"
    screen(src, local, model=StandIn(), composition="CsPbI3", chunk_size=7, n_jobs=1)
    summary = screen(
        src,
        dask_out,
        model=StandIn(),
        composition="CsPbI3",
        chunk_size=7,
        engine="dask",
        scheduler=cluster.scheduler_address,
    )
    assert summary.engine == "dask" and summary.n_rows == 48
    pd.testing.assert_frame_equal(pd.read_parquet(local), pd.read_parquet(dask_out))


@pytest.mark.slow
def test_dask_matches_local_engine_with_real_model(tmp_path, cluster):
    from test_screen_model import tiny_records

    from pqdml.model import train

    model = train(tiny_records(), "plqy", n_trials=0, cv="random")
    src = tmp_path / "cands.csv"
    pd.read_csv(Path(__file__).resolve().parents[2] / "data" / "example_candidates.csv").to_csv(
        src, index=False
    )
    local = tmp_path / "local.csv"
    dask_out = tmp_path / "dask.csv"
    screen(src, local, model=model, chunk_size=6, n_jobs=1)
    screen(
        src, dask_out, model=model, chunk_size=6, engine="dask", scheduler=cluster.scheduler_address
    )
    pd.testing.assert_frame_equal(pd.read_csv(local), pd.read_csv(dask_out))
