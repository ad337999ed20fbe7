"""Screening machinery with a small stand-in predictor (the real model is tested elsewhere)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rdkit import Chem, RDLogger

from pqdml.exceptions import InvalidInputError
from pqdml.library import generate_library
from pqdml.screen import OUTPUT_COLUMNS, screen
from pqdml.screen import parts as sio

RDLogger.DisableLog("rdApp.*")

NAMES = {"octylamine": "CCCCCCCCN", "oleic acid": "CCCCCCCC/C=C\\CCCCCCCC(=O)O"}


class StandIn:
    """A Predictor: prediction from heavy-atom count and the iodide fraction."""

    target = "plqy"
    target_column = "plqy_percent"

    def __init__(self) -> None:
        self.metadata = {"kind": "stand-in", "version": 1}
        self.calls: list[int] = []

    def trim_caches(self, max_entries: int) -> None:
        pass

    def use_threads(self, n: int) -> None:
        pass

    def predict(self, records: pd.DataFrame, *, level: float | None = None) -> pd.DataFrame:
        self.calls.append(len(records))
        rows = []
        for smi, name, comp in zip(
            records["ligand_smiles"], records["ligand_name"], records["composition"], strict=True
        ):
            text = smi if isinstance(smi, str) else NAMES.get(str(name).lower())
            mol = Chem.MolFromSmiles(text) if isinstance(text, str) else None
            if mol is None:
                rows.append({"status": "invalid_smiles", "error": f"cannot parse {text!r}"})
                continue
            if comp not in ("CsPbI3", "CsPbBr3"):
                rows.append({"status": "invalid_composition", "error": f"bad {comp!r}"})
                continue
            if not any(a.GetSymbol() in "NOSP" for a in mol.GetAtoms()):
                rows.append(
                    {
                        "status": "no_anchor_group",
                        "error": "no anchoring group found",
                        "canonical_smiles": Chem.MolToSmiles(mol),
                        "binding_type": "none",
                    }
                )
                continue
            value = mol.GetNumHeavyAtoms() * (2.0 if comp == "CsPbI3" else 1.0)
            rows.append(
                {
                    "status": "ok",
                    "error": "",
                    "prediction": value,
                    "pi_low": value - 1,
                    "pi_high": value + 1,
                    "in_domain": value < 30,
                    "max_similarity": 0.5,
                    "canonical_smiles": Chem.MolToSmiles(mol),
                    "binding_type": "X",
                    "chain_length": float(mol.GetNumAtoms()),
                }
            )
        return pd.DataFrame(rows, index=records.index)


def candidates(n_rep: int = 1) -> pd.DataFrame:
    base = [
        ("CCCCCCCCN", "octylamine"),
        ("NCCCCCCCC", "octylamine again"),  # same molecule, other SMILES
        ("C(C", "broken"),
        ("CCCCCC", "hexane"),  # no anchor
        ("CCCCCCCCCCCC(=O)O", "lauric acid"),
        ("", "oleic acid"),  # by name
        ("CCCCCCCCN", "octylamine"),  # exact duplicate
        ("CCS", "ethanethiol"),
    ]
    rows = base * n_rep
    return pd.DataFrame(rows, columns=["ligand_smiles", "ligand_name"])


def distinct(n: int) -> pd.DataFrame:
    """``n`` distinct molecules (so that every chunk needs its own predictions)."""
    lib = generate_library(max_size=n)
    return lib[["ligand_smiles", "name"]].rename(columns={"name": "ligand_name"})


def test_every_row_once_with_status_duplicates_and_rank(tmp_path):
    src = tmp_path / "cands.csv"
    candidates(3).to_csv(src, index=False)
    model = StandIn()
    out = tmp_path / "ranked.csv"
    summary = screen(src, out, model=model, composition="CsPbI3", chunk_size=5, n_jobs=1)
    res = pd.read_csv(out)
    assert list(res["row_id"]) == list(range(24))
    assert list(res.columns) == ["row_id", "ligand_smiles", "ligand_name", *OUTPUT_COLUMNS]
    assert list(res["ligand_name"]) == list(candidates(3)["ligand_name"])
    assert summary.n_rows == 24
    assert summary.status_counts == {"invalid_smiles": 3, "no_anchor_group": 3, "ok": 18}
    bad = res[res["status"] != "ok"]
    assert bad["prediction"].isna().all() and bad["rank"].isna().all()
    assert (res.loc[res["ligand_name"] == "broken", "message"].str.contains("C\\(C")).all()
    # duplicates: row 1 (other SMILES, same molecule) and row 6 point to row 0, across chunks too
    assert res.loc[1, "duplicate_of"] == 0 and res.loc[6, "duplicate_of"] == 0
    assert res.loc[8, "duplicate_of"] == 0  # next repetition (another chunk)
    assert pd.isna(res.loc[0, "duplicate_of"])
    # 21 parseable rows, 5 distinct molecules (hexane included: it has a canonical SMILES)
    assert summary.n_duplicates == 21 - 5
    ok = res[res["status"] == "ok"]
    distinct = ok[ok["duplicate_of"].isna()].sort_values("rank")
    assert list(distinct["rank"]) == list(range(1, len(distinct) + 1))
    assert distinct["prediction"].is_monotonic_decreasing
    # a duplicate shares the rank of its first row
    assert res.loc[6, "rank"] == res.loc[0, "rank"]
    # name-only row resolved through the name
    assert res.loc[5, "canonical_smiles"] == Chem.CanonSmiles(NAMES["oleic acid"])
    assert not list(tmp_path.glob("*.parts"))


def test_duplicates_predicted_once_within_a_chunk(tmp_path):
    src = tmp_path / "c.csv"
    pd.DataFrame({"smiles": ["CCN"] * 50 + ["CCO"] * 50}).to_csv(src, index=False)
    model = StandIn()
    screen(src, tmp_path / "o.parquet", model=model, composition="CsPbBr3", n_jobs=1)
    assert model.calls == [2]
    res = pd.read_parquet(tmp_path / "o.parquet")
    assert res["duplicate_of"].isna().sum() == 2
    assert res["rank"].max() == 2


def test_repeats_in_later_chunks_are_not_predicted_again(tmp_path):
    src = tmp_path / "c.csv"
    candidates(3).to_csv(src, index=False)
    model = StandIn()
    screen(src, tmp_path / "o.csv", model=model, composition="CsPbI3", chunk_size=5, n_jobs=1)
    assert sum(model.calls) == 7  # distinct (ligand text, composition) pairs in the file


def test_row_composition_and_process_columns(tmp_path):
    src = tmp_path / "c.csv"
    pd.DataFrame(
        {
            "ligand_smiles": ["CCN", "CCN", "CCN", "CCN", "CCN"],
            "composition": ["CsPbI3", "CsPbBr3", None, "CsXxI3", "CsPbI3"],
            "proc_temperature_c": ["25", "25", "25", "25", "hot"],
        }
    ).to_csv(src, index=False)
    screen(src, tmp_path / "o.csv", model=StandIn(), n_jobs=1, composition=None)
    res = pd.read_csv(tmp_path / "o.csv")
    assert list(res["status"]) == [
        "ok",
        "ok",
        "missing_composition",
        "invalid_composition",
        "invalid_process",
    ]
    assert res.loc[0, "prediction"] == 2 * res.loc[1, "prediction"]
    assert pd.isna(res.loc[1, "duplicate_of"])  # other composition: not a duplicate
    assert "hot" in res.loc[4, "message"]


def test_smi_and_parquet_inputs(tmp_path):
    smi = tmp_path / "c.smi"
    smi.write_text("# comment\nCCN ethylamine\n\nC(C broken\nCCO\n")
    s = screen(smi, tmp_path / "o.csv", model=StandIn(), composition="CsPbI3", n_jobs=1)
    res = pd.read_csv(tmp_path / "o.csv")
    assert s.n_rows == 3 and list(res["status"]) == ["ok", "invalid_smiles", "ok"]
    assert res.loc[0, "ligand_name"] == "ethylamine"
    pq = tmp_path / "c.parquet"
    candidates(2).to_parquet(pq)
    screen(pq, tmp_path / "o2.csv", model=StandIn(), composition="CsPbI3", chunk_size=3, n_jobs=1)
    assert len(pd.read_csv(tmp_path / "o2.csv")) == 16


def test_clear_errors(tmp_path):
    src = tmp_path / "c.csv"
    candidates().to_csv(src, index=False)
    with pytest.raises(InvalidInputError, match="composition"):
        screen(src, tmp_path / "o.csv", model=StandIn(), n_jobs=1)
    nolig = tmp_path / "n.csv"
    pd.DataFrame({"foo": [1]}).to_csv(nolig, index=False)
    with pytest.raises(InvalidInputError, match="no ligand column"):
        screen(nolig, tmp_path / "o.csv", model=StandIn(), composition="CsPbI3")
    with pytest.raises(InvalidInputError, match="engine"):
        screen(src, tmp_path / "o.csv", model=StandIn(), composition="CsPbI3", engine="spark")


def test_resume_skips_done_chunks_and_refuses_other_arguments(tmp_path):
    src = tmp_path / "c.csv"
    data = distinct(32)
    data.to_csv(src, index=False)
    out = tmp_path / "o.csv"
    full = tmp_path / "full.csv"
    screen(src, full, model=StandIn(), composition="CsPbI3", chunk_size=4, n_jobs=1)
    # simulate an interrupted run: parts for chunks 0..3 exist
    manifest = {
        "version": sio.MANIFEST_VERSION,
        "input": sio.input_fingerprint(src),
        "model": sio.model_fingerprint(StandIn()),
        "arguments": {
            "target": "plqy",
            "composition": "CsPbI3",
            "stage": None,
            "chunk_size": 4,
            "level": None,
        },
    }
    parts = sio.open_parts(out, manifest, resume=True)
    from pqdml.screen import predict_chunk

    for i in range(4):
        parts.write(
            i, predict_chunk(data.iloc[4 * i : 4 * i + 4], 4 * i, StandIn(), composition="CsPbI3")
        )
    with pytest.raises(InvalidInputError, match="restart"):
        screen(src, out, model=StandIn(), composition="CsPbBr3", chunk_size=4, n_jobs=1)
    model = StandIn()
    s = screen(src, out, model=model, composition="CsPbI3", chunk_size=4, n_jobs=1)
    assert s.n_chunks == 8 and s.n_chunks_resumed == 4 and len(model.calls) == 4
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(full))


def test_process_pool_matches_single_process(tmp_path):
    src = tmp_path / "c.csv"
    candidates(6).to_csv(src, index=False)
    screen(
        src, tmp_path / "a.parquet", model=StandIn(), composition="CsPbI3", chunk_size=7, n_jobs=1
    )
    screen(
        src, tmp_path / "b.parquet", model=StandIn(), composition="CsPbI3", chunk_size=7, n_jobs=2
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "a.parquet"), pd.read_parquet(tmp_path / "b.parquet")
    )


def test_duplicates_and_ranks_helper():
    h = np.array([5, 0, 5, 7, 7, 5], dtype=np.uint64)
    ok = np.array([True, False, True, True, True, True])
    pred = np.array([1.0, np.nan, 1.0, 3.0, 3.0, 1.0])
    dup, rank = sio._duplicates_and_ranks(h, ok, pred)
    assert list(dup) == [-1, -1, 0, -1, 3, 0]
    assert list(rank) == [2, 0, 2, 1, 1, 2]


def test_empty_input_gives_empty_output_with_columns(tmp_path):
    src = tmp_path / "c.csv"
    src.write_text("ligand_smiles,ligand_name\n")
    s = screen(src, tmp_path / "o.csv", model=StandIn(), composition="CsPbI3", n_jobs=1)
    res = pd.read_csv(tmp_path / "o.csv")
    assert s.n_rows == 0 and len(res) == 0
    assert list(res.columns) == ["row_id", "ligand_smiles", "ligand_name", *OUTPUT_COLUMNS]
