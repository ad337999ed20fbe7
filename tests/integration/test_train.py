"""Integration tests of training: overfit, determinism, interval coverage, bounds, duplicates, gains."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pqdml.model import evaluate, train

LIGANDS = [
    "CCCCCCCCN",
    "CCCCCCCCCCCCCCCCCC(=O)O",
    "CCCCCCCCCCCCS",
    "NCCc1ccccc1",
    "CCCCC(=O)O",
    "CCCCCCCCCCCCCCCC[N+](C)(C)C",
]


def synthetic(n: int, *, noise: float, seed: int = 0, n_papers: int = 20) -> pd.DataFrame:
    """Records whose emission peak is a known function of composition/process plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    br = rng.uniform(0, 1, n)
    temp = rng.uniform(100, 200, n)
    lig = rng.choice(LIGANDS, n)
    comp = [f"CsPb(Br{b:.2f}I{1 - b:.2f})3" for b in br]
    y = 690 - 180 * br + 0.1 * (temp - 150) + rng.normal(0, noise, n)
    return pd.DataFrame(
        {
            "record_id": [f"r{i}" for i in range(n)],
            "doi": [f"10.1/paper{i % n_papers}" for i in range(n)],
            "composition": comp,
            "ligand_smiles": lig,
            "stage": "synthesis",
            "is_control": 0,
            "proc_temperature_c": temp,
            "emission_nm": y,
            "plqy_percent": np.clip(
                50 + 0.4 * (temp - 150) + 40 * (br - 0.5) + rng.normal(0, 8, n), 0, 100
            ),
        }
    )


def test_overfits_a_tiny_set() -> None:
    data = synthetic(24, noise=0.0, seed=3)
    # the least regularised preset: the default ones are built *not* to memorise 24 rows
    model = train(data, "emission", n_trials=0, cv="random", preset="xgb_deep", n_repeats=1)
    pred = model.predict(data)["prediction"].to_numpy()
    assert np.mean(np.abs(pred - data["emission_nm"].to_numpy())) < 3.0  # nm, range ~180 nm


def test_same_seed_gives_bit_identical_predictions() -> None:
    data = synthetic(80, noise=5.0, seed=1)
    a = train(data, "plqy", n_trials=2, seed=7, n_repeats=1).predict(data)
    b = train(data, "plqy", n_trials=2, seed=7, n_repeats=1).predict(data)
    assert np.array_equal(a["prediction"].to_numpy(), b["prediction"].to_numpy())
    assert np.array_equal(a["pi_high"].to_numpy(), b["pi_high"].to_numpy())


def test_interval_coverage_is_near_nominal_with_known_noise() -> None:
    data = synthetic(300, noise=8.0, seed=2, n_papers=60)
    model = train(data, "emission", n_trials=0, level=0.9, n_repeats=1)
    cov = model.metrics["coverage"]
    assert abs(cov["mean"] - 0.9) <= 0.07
    # fresh data from the same process: the saved intervals cover ~90 %
    fresh = synthetic(300, noise=8.0, seed=99, n_papers=60)
    result = evaluate(model, fresh)
    assert abs(result["coverage"] - 0.9) <= 0.07
    assert result["n_in_training"] == 0  # same record_ids, other values: not training rows
    assert evaluate(model, data)["n_in_training"] == 300
    # the half-width estimates the noise: 90 % of |N(0, 8)| is 8 * 1.645 = 13.2 nm
    half = (model.predict(fresh)["pi_high"] - model.predict(fresh)["prediction"]).median()
    assert 10.0 < half < 25.0


def test_plqy_predictions_and_intervals_stay_in_range() -> None:
    data = synthetic(120, noise=5.0, seed=4)
    data.loc[:20, "plqy_percent"] = 100.0
    data.loc[21:40, "plqy_percent"] = 0.0
    model = train(data, "plqy", n_trials=0, n_repeats=1)
    out = model.predict(data, level=0.99)
    for col in ("prediction", "pi_low", "pi_high"):
        assert out[col].between(0.0, 100.0).all()
    assert (out["pi_low"] <= out["prediction"]).all() and (
        out["prediction"] <= out["pi_high"]
    ).all()


def test_metrics_cover_model_and_baselines_and_count_skipped_rows() -> None:
    data = synthetic(100, noise=5.0, seed=5)
    data.loc[:9, "plqy_percent"] = np.nan
    model = train(data, "plqy", n_trials=0, n_repeats=1)
    m = model.metrics
    assert set(m["models"]) == {"xgboost", "mean", "ridge", "random_forest"}
    for block in m["models"].values():
        assert len(block["folds"]) == m["n_folds"] == 5
        assert {"mae", "rmse", "r2", "spearman", "n"} <= set(block["folds"][0])
    assert m["cv"] == "group:doi" and m["n_groups"] == 20 and m["n_rows"] == 90
    assert model.metadata["rows"]["skipped"] == {"missing plqy_percent": 10}


def test_same_inputs_in_other_papers_are_label_noise_not_duplicates() -> None:
    data = synthetic(60, noise=5.0, seed=6, n_papers=12)
    dup = data.iloc[:10].copy()
    dup["record_id"] = [f"dup{i}" for i in range(10)]
    dup["doi"] = "10.1/copied-paper"
    model = train(pd.concat([data, dup], ignore_index=True), "plqy", n_trials=0, n_repeats=1)
    dups = model.metrics["duplicates"]
    assert dups["n_rows_merged"] == 0  # other papers: kept
    assert dups["same_inputs_different_papers"]["n_rows"] >= 20
    clean = train(data, "plqy", n_trials=0, n_repeats=1)
    assert clean.metrics["duplicates"]["same_inputs_different_papers"]["n_rows"] == 0


def test_a_review_quote_of_a_paper_row_is_merged() -> None:
    data = synthetic(60, noise=5.0, seed=6, n_papers=12)
    data["source"] = "curation"
    quote = data.iloc[[0]].copy()
    quote["record_id"] = "REV-1"
    quote["source"] = "review ref 12"
    quote["plqy_percent"] = data["plqy_percent"].iat[0] + 4.0
    model = train(pd.concat([data, quote], ignore_index=True), "plqy", n_repeats=1)
    merged = model.metrics["duplicates"]["merged"]
    assert len(merged) == 1 and merged[0]["kind"] == "review quote"
    assert merged[0]["kept"] == "r0" and merged[0]["merged"] == ["REV-1"]
    assert merged[0]["value_used"] == pytest.approx(data["plqy_percent"].iat[0] + 2.0)
    assert model.metrics["n_rows"] == 60


def test_invalid_ligand_rows_keep_status_and_nan_prediction() -> None:
    data = synthetic(60, noise=5.0, seed=7)
    model = train(data, "plqy", n_trials=0, n_repeats=1)
    new = data.head(3).copy()
    new.loc[1, "ligand_smiles"] = "C1CC(("
    out = model.predict(new)
    assert list(out.index) == list(new.index)
    assert out.loc[1, "status"] != "ok" and np.isnan(out.loc[1, "prediction"])
    assert not out.loc[1, "in_domain"]
    assert (out.loc[[0, 2], "status"] == "ok").all()
    assert out.loc[0, "max_similarity"] == pytest.approx(1.0)
    assert "(1.00)" in out.loc[0, "nearest_ligands"]


def test_applicability_domain_flags_an_unrelated_ligand() -> None:
    data = synthetic(60, noise=5.0, seed=8)
    model = train(data, "plqy", n_trials=0, n_repeats=1)
    new = data.head(1).copy()
    new["ligand_smiles"] = "OB(O)c1ccc2ccccc2c1"  # boronic acid: anchor never seen in training
    out = model.predict(new)
    assert not out["in_domain"].iat[0]
    assert out["max_similarity"].iat[0] < 0.3
    assert "Tanimoto" in out["ad_reasons"].iat[0]


def test_relative_to_control_trains_on_gains() -> None:
    rng = np.random.default_rng(0)
    rows = []
    for g in range(30):
        control = rng.uniform(12, 20)
        rows.append(
            {
                "group_id": f"g{g}",
                "is_control": 1,
                "stage": "control",
                "ligand_smiles": "",
                "pce_percent": control,
            }
        )
        for j in range(2):
            lig = LIGANDS[(g + j) % len(LIGANDS)]
            gain = 2.0 if "N" in lig else 0.5
            rows.append(
                {
                    "group_id": f"g{g}",
                    "is_control": 0,
                    "stage": "film-treatment",
                    "ligand_smiles": lig,
                    "pce_percent": control + gain + rng.normal(0, 0.2),
                }
            )
    rows.append(
        {
            "group_id": "lonely",
            "is_control": 0,
            "stage": "film-treatment",
            "ligand_smiles": "CCCCN",
            "pce_percent": 15.0,
        }
    )
    data = pd.DataFrame(rows)
    data["record_id"] = [f"r{i}" for i in range(len(data))]
    data["doi"] = "10.1/" + data["group_id"]
    data["composition"] = "MAPbI3"
    model = train(data, "pce", n_trials=0, relative_to_control=True, n_repeats=1)
    skipped = model.metadata["rows"]["skipped"]
    assert skipped["control row (its gain is 0 by definition)"] == 30
    assert skipped["no control row with a value in its group_id"] == 1
    out = model.predict(data[data["is_control"] == 0])
    assert out.attrs["prediction_kind"] == "gain_over_control"
    assert out["prediction"].between(-1, 4).all()


def test_predict_handles_empty_input_and_missing_composition() -> None:
    model = train(synthetic(40, noise=5.0, seed=9), "plqy", n_trials=0, n_repeats=1)
    assert model.predict(pd.DataFrame({"ligand_smiles": []})).shape == (0, 12)
    out = model.predict(pd.DataFrame({"ligand_smiles": ["CCCCN"]}))
    assert out["status"].iat[0] == "missing_composition" and np.isnan(out["prediction"].iat[0])
    with pytest.raises(ValueError, match="interval level"):
        model.predict(synthetic(2, noise=1.0), level=1.5)
