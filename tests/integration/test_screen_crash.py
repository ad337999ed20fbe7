"""A worker that dies on a row (a native crash) costs that row only; the batch finishes."""

from __future__ import annotations

import os
import signal

import pandas as pd
import psutil
import pytest
from test_screen import StandIn, distinct

from pqdml.screen import screen

#: Rows whose SMILES kill the predicting process, as a segfault in RDKit would.
KILLERS = ("CCCCCCCCCCCCCCCCCCCCCCCCCCCCCN", "NCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCN")


class Segfaulting(StandIn):
    """A stand-in model whose process dies with SIGSEGV on any killer row."""

    def predict(self, records: pd.DataFrame, *, level: float | None = None) -> pd.DataFrame:
        if records["ligand_smiles"].isin(KILLERS).any():
            os.kill(os.getpid(), signal.SIGSEGV)
        return super().predict(records, level=level)


@pytest.mark.slow
def test_killing_rows_are_marked_and_every_other_row_is_predicted(tmp_path):
    frame = distinct(30)
    rows = frame.to_dict("records")
    rows.insert(7, {"ligand_smiles": KILLERS[0], "ligand_name": "killer one"})
    rows.insert(21, {"ligand_smiles": KILLERS[1], "ligand_name": "killer two"})
    src = tmp_path / "cands.csv"
    pd.DataFrame(rows).to_csv(src, index=False)
    out = tmp_path / "ranked.csv"
    before = {p.pid for p in psutil.Process().children(recursive=True)}

    summary = screen(src, out, model=Segfaulting(), composition="CsPbI3", chunk_size=8, n_jobs=2)

    res = pd.read_csv(out).sort_values("row_id")
    assert len(res) == len(rows) == summary.n_rows
    crashed = res[res["status"] == "featurizer_crashed"]
    assert sorted(crashed["ligand_smiles"]) == sorted(KILLERS)
    assert crashed["message"].str.contains("native crash").all()
    others = res[~res["ligand_smiles"].isin(KILLERS)]
    reference = screen(
        src, tmp_path / "ref.csv", model=StandIn(), composition="CsPbI3", chunk_size=8, n_jobs=1
    )
    assert reference.n_rows == len(rows)
    ref = pd.read_csv(tmp_path / "ref.csv").sort_values("row_id")
    ref = ref[~ref["ligand_smiles"].isin(KILLERS)]
    assert others["status"].tolist() == ref["status"].tolist()
    assert others["prediction"].tolist() == ref["prediction"].tolist()
    after = {
        p.pid
        for p in psutil.Process().children(recursive=True)
        if p.is_running() and "resource_tracker" not in " ".join(p.cmdline())
    }
    assert not (after - before), "worker processes outlived the run"
