"""Screening and predict_one with a real (tiny) trained model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pqdml.exceptions import InvalidCompositionError, InvalidSmilesError, UnknownLigandError
from pqdml.library import generate_library
from pqdml.predict import PredictionReport, predict_one
from pqdml.screen import screen


def tiny_records() -> pd.DataFrame:
    lib = generate_library(
        anchors=["carboxylic_acid", "amine_primary", "ammonium_bromide", "thiol"],
        chain_lengths=range(4, 19, 2),
        backbones=["linear", "aromatic"],
    )
    rng = np.random.default_rng(0)
    rows = []
    for i, (smi, name, n) in enumerate(
        zip(lib.ligand_smiles, lib.name, lib.chain_length, strict=True)
    ):
        for comp, shift in (("CsPbI3", 0.0), ("CsPbBr3", 15.0)):
            y = 30 + 2.5 * n + shift + rng.normal(0, 3)
            rows.append(
                {
                    "record_id": f"r{len(rows)}",
                    "doi": f"10.0/{i % 6}",
                    "composition": comp,
                    "ligand_name": name,
                    "ligand_smiles": smi,
                    "stage": "post-synthesis",
                    "is_control": 0,
                    "plqy_percent": float(np.clip(y, 0, 100)),
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="session")
def tiny_model():
    from pqdml.model import train

    return train(tiny_records(), "plqy", n_trials=0, cv="random")


def test_example_candidates_every_row_once(tmp_path, tiny_model, repo_root):
    src = repo_root / "data" / "example_candidates.csv"
    out = tmp_path / "ranked.csv"
    summary = screen(src, out, model=tiny_model, top=3, chunk_size=7, n_jobs=1)
    res = pd.read_csv(out)
    inp = pd.read_csv(src)
    assert len(res) == len(inp) == summary.n_rows
    assert list(res["ligand_name"]) == list(inp["ligand_name"])
    status = dict(zip(res["ligand_name"], res["status"], strict=True))
    assert status["not a molecule"] == "invalid_smiles"
    assert status["octylamine"] == "ok"
    ok = res[res["status"] == "ok"]
    assert ok["prediction"].between(0, 100).all()
    assert (ok["pi_low"] <= ok["prediction"]).all() and (ok["prediction"] <= ok["pi_high"]).all()
    assert sorted(ok["rank"].astype(int)) == list(range(1, len(ok) + 1))
    assert res.loc[res["status"] != "ok", "prediction"].isna().all()
    top = pd.read_csv(summary.top_path)
    assert summary.top_path.name == "ranked_top3.csv"
    assert list(top["rank"]) == [1, 2, 3]
    assert top["explanation"].str.len().gt(10).all()
    best = ok.sort_values("rank").head(3)
    assert list(top["row_id"]) == list(best["row_id"])


def test_name_and_smiles_screen_alike(tmp_path, tiny_model):
    src = tmp_path / "c.csv"
    pd.DataFrame(
        {"ligand_smiles": ["CCCCCCCCN", "", "NCCCCCCCC"], "ligand_name": ["x", "octylamine", "y"]}
    ).to_csv(src, index=False)
    screen(src, tmp_path / "o.csv", model=tiny_model, composition="CsPbI3", n_jobs=1)
    res = pd.read_csv(tmp_path / "o.csv")
    assert (res["status"] == "ok").all()
    assert res["prediction"].nunique() == 1
    assert list(res["duplicate_of"].fillna(-1)) == [-1, 0, 0]


def test_predict_one_name_and_smiles_agree(tiny_model):
    by_name = predict_one("octylamine", "CsPbI3", model=tiny_model, top=3)
    by_smiles = predict_one("CCCCCCCCN", "CsPbI3", model=tiny_model, top=3)
    assert isinstance(by_name, PredictionReport)
    assert by_name.prediction == by_smiles.prediction
    assert by_name.interval == by_smiles.interval
    assert by_name.interval[0] <= by_name.prediction <= by_name.interval[1]
    assert by_name.canonical_smiles == "CCCCCCCCN"
    assert by_name.nearest_ligands and 0 <= by_name.max_similarity <= 1
    assert len(by_name.contributions) == 3
    text = str(by_name)
    for word in ("prediction", "interval", "domain", "nearest", "octylamine"):
        assert word in text


def test_predict_one_bad_input_raises(tiny_model):
    with pytest.raises(UnknownLigandError, match="not-a-ligand"):
        predict_one("not-a-ligand", "CsPbI3", model=tiny_model)
    with pytest.raises(InvalidSmilesError, match=r"unparseable SMILES 'CC\(\('"):
        predict_one("CC((", "CsPbI3", model=tiny_model)
    with pytest.raises(InvalidCompositionError, match="CsXxI3"):
        predict_one("octylamine", "CsXxI3", model=tiny_model)


def test_process_pool_with_real_model(tmp_path, tiny_model):
    src = tmp_path / "c.csv"
    lib = generate_library(chain_lengths=range(3, 9), backbones=["linear"])
    pd.concat([lib, lib.head(10)])[["name", "ligand_smiles"]].to_csv(src, index=False)
    a = screen(
        src, tmp_path / "a.parquet", model=tiny_model, composition="CsPbI3", chunk_size=30, n_jobs=1
    )
    screen(
        src, tmp_path / "b.parquet", model=tiny_model, composition="CsPbI3", chunk_size=30, n_jobs=2
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "a.parquet"), pd.read_parquet(tmp_path / "b.parquet")
    )
    assert a.n_duplicates >= 10


def test_statuses_with_the_real_featurizers(tmp_path, tiny_model):
    src = tmp_path / "c.csv"
    pd.DataFrame(
        {
            "ligand_smiles": ["CCCCCC", "C(C", "CCCC[Hg]CCCC", "", "CCCCCCCCN"],
            "ligand_name": ["hexane", "broken", "organomercury", "", "octylamine"],
            "composition": ["CsPbI3", "CsPbI3", "CsPbI3", "CsPbI3", "CsXxI3"],
        }
    ).to_csv(src, index=False)
    screen(src, tmp_path / "o.csv", model=tiny_model, n_jobs=1)
    res = pd.read_csv(tmp_path / "o.csv")
    assert list(res["status"]) == [
        "no_anchor_group",
        "invalid_smiles",
        "unsupported_element",
        "missing_ligand",
        "unknown_ion",
    ]
    assert res["prediction"].isna().all() and res["rank"].isna().all()
    assert res["message"].iloc[[0, 1, 2, 3, 4]].str.len().gt(5).all()
