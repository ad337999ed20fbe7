"""featurize_table / summarize / read_input: the library behind ``pqdml featurize``."""

from __future__ import annotations

import pandas as pd
import pytest

from pqdml.features.table import featurize_table, read_input, summarize


def test_keeps_columns_index_and_is_idempotent():
    df = pd.DataFrame(
        {"x": [1, 2, 3], "ligand_smiles": ["OA", "OAm", "DDAB"], "composition": ["CsPbBr3"] * 3},
        index=[5, 5, 7],
    )
    out = featurize_table(df)
    assert list(out.columns[:3]) == ["x", "ligand_smiles", "composition"]
    assert out.index.tolist() == [5, 5, 7]
    assert out["chain_length"].tolist() == [18, 18, 12]
    again = featurize_table(out)
    pd.testing.assert_frame_equal(again, out)


def test_name_column_is_the_fallback():
    df = pd.DataFrame(
        {"ligand_smiles": [None, "CCCCN", " "], "ligand_name": ["DDAB", "ignored", None]}
    )
    out = featurize_table(df, composition_col=None)
    assert out["ligand_status"].tolist() == ["ok", "ok", "missing"]
    assert out["counter_ion"].iloc[0] == "Br"
    assert out["chain_length"].iloc[1] == 4
    assert "composition_status" not in out.columns


def test_summary_line():
    out = featurize_table(
        pd.DataFrame(
            {"ligand_smiles": ["OA", "C(C", "OA"], "composition": ["CsPbBr3", "CsPbBr3", "CsXxI3"]}
        )
    )
    assert (
        summarize(out)
        == "rows: 3, ok: 1, failed: 2 (ligand: invalid_smiles 1; composition: unknown_ion 1)"
    )


def test_missing_columns():
    with pytest.raises(ValueError, match="no ligand column"):
        featurize_table(pd.DataFrame({"a": [1]}))
    with pytest.raises(ValueError, match="composition column"):
        featurize_table(pd.DataFrame({"ligand_smiles": ["OA"]}))


def test_read_input_plain_table_and_smi(tmp_path):
    plain = tmp_path / "ligands.csv"
    pd.DataFrame({"ligand_smiles": ["OA"], "my_note": ["x"]}).to_csv(plain, index=False)
    df, used = read_input(plain)
    assert list(df.columns) == ["ligand_smiles", "my_note"]
    smi = tmp_path / "c.smi"
    smi.write_text("CCCCN butylamine\nOC(=O)c1ccccc1\n")
    df, used = read_input(smi)
    assert used == "table" and df["ligand_smiles"].tolist() == ["CCCCN", "OC(=O)c1ccccc1"]
    with pytest.raises(FileNotFoundError):
        read_input(tmp_path / "nope.csv")


def test_streamed_chunks_share_one_worker_pool(tmp_path, monkeypatch):
    """With several jobs, featurize_file starts one pool for all chunks; output unchanged."""
    from pqdml.chem import ligand
    from pqdml.features.table import featurize_file

    anchors = ["N", "OC(=O)", "S", "[NH3+]", "OP(O)(=O)", "N(C)"]
    ends = ["", "c1ccccc1", "F", "O", "Cl", "C#N", "C=C"]
    smiles = [a + "C" * n + e for a in anchors for n in range(1, 31) for e in ends]
    assert len(set(smiles)) == 1260
    src = tmp_path / "in.csv"
    pd.DataFrame({"ligand_smiles": smiles}).to_csv(src, index=False)

    started = []
    real = ligand._new_pool
    monkeypatch.setattr(ligand, "_new_pool", lambda jobs: started.append(jobs) or real(jobs))
    featurize_file(src, tmp_path / "two.csv", chunk_size=630, n_jobs=2)
    assert started == [2]  # two chunks of 630 distinct ligands, one pool
    featurize_file(src, tmp_path / "one.csv", chunk_size=630, n_jobs=1)
    assert started == [2]
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "two.csv"), pd.read_csv(tmp_path / "one.csv")
    )
    assert not ligand._SHARED  # the pool is closed with the call
