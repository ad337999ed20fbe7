"""The Dask engine gives the same output, row for row, as the local engine."""

from __future__ import annotations

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
