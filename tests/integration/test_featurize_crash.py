"""A ligand that kills a featurizing worker costs that row only; featurize finishes."""

from __future__ import annotations

import faulthandler
import os
import signal

import pandas as pd
import psutil

from pqdml.chem import ligand
from pqdml.features import featurize_file
from pqdml.library import generate_library

KILLER = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCS"


def test_a_native_crash_in_a_worker_marks_its_row_and_the_run_goes_on(tmp_path, monkeypatch):
    real = ligand._features_many

    def segfault_on_killer(texts, *args):
        if KILLER in texts and os.getpid() != parent:
            faulthandler.disable()  # pytest's dump of the dying worker is noise here
            os.kill(os.getpid(), signal.SIGSEGV)  # as RDKit does on some inputs
        return real(texts, *args)

    parent = os.getpid()
    monkeypatch.setattr(ligand, "_features_many", segfault_on_killer)  # forked workers inherit it
    smiles = generate_library(chain_lengths=range(2, 31))["ligand_smiles"].tolist()[:1100]
    smiles.insert(700, KILLER)
    src = tmp_path / "ligands.csv"
    pd.DataFrame({"ligand_smiles": smiles, "id": [f"{i:04d}" for i in range(len(smiles))]}).to_csv(
        src, index=False
    )
    before = {p.pid for p in psutil.Process().children(recursive=True)}

    summary = featurize_file(src, tmp_path / "out.csv", n_jobs=2, chunk_size=600)

    out = pd.read_csv(tmp_path / "out.csv", dtype={"id": str})
    assert summary.rows == len(out) == len(smiles)
    assert out["id"].tolist() == [f"{i:04d}" for i in range(len(smiles))]
    crashed = out[out["ligand_status"] == "featurizer_crashed"]
    assert crashed["ligand_smiles"].tolist() == [KILLER]
    assert "native crash" in crashed["ligand_error"].iloc[0]
    reference = ligand.featurize_ligands([s for s in smiles if s != KILLER], n_jobs=1)
    others = out[out["ligand_smiles"] != KILLER].reset_index(drop=True)
    assert others["ligand_status"].tolist() == reference["ligand_status"].tolist()
    assert others["chain_length"].tolist() == reference["chain_length"].tolist()
    after = {p.pid for p in psutil.Process().children(recursive=True) if p.is_running()}
    assert not (after - before)
