"""Effect models, ranking skill, presets, selection and recipe grouping (issues 12 and 13)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pqdml.model import evaluate, load_model, train
from pqdml.model.cv import make_splits
from pqdml.model.ranking import pairwise_concordance

#: Ligands of increasing true quality (fraction of headroom closed), chain length 4 → 14.
LIGANDS = ["CCCCN", "CCCCCCN", "CCCCCCCCN", "CCCCCCCCCCN", "CCCCCCCCCCCCN", "CCCCCCCCCCCCCCN"]
QUALITY = np.linspace(0.1, 0.8, len(LIGANDS))


def planted_effects(n_groups: int = 36, seed: int = 0, noise: float = 1.0) -> pd.DataFrame:
    """One control and three treatments per paper; the treatment closes QUALITY of the headroom.

    Between-paper offsets are large and confounded with the ligands tried: papers with a
    bright control tried the worse ligands, so the *absolute* PLQY of a ligand is inversely
    related to its quality across papers.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(n_groups):
        control = rng.uniform(5, 90)
        # bright controls → low-quality ligands (confounding by paper)
        centre = round((1 - control / 95) * (len(LIGANDS) - 3))
        picks = range(centre, centre + 3)
        doi = f"10.1/paper{g}"
        rows.append(
            dict(
                doi=doi,
                group_id=f"g{g}",
                is_control=1,
                stage="control",
                ligand_smiles="",
                plqy_percent=control,
            )
        )
        for k in picks:
            value = control + QUALITY[k] * (100 - control) + rng.normal(0, noise)
            rows.append(
                dict(
                    doi=doi,
                    group_id=f"g{g}",
                    is_control=0,
                    stage="post-synthesis",
                    ligand_smiles=LIGANDS[k],
                    plqy_percent=float(np.clip(value, 0, 100)),
                )
            )
    data = pd.DataFrame(rows)
    data["record_id"] = [f"r{i}" for i in range(len(data))]
    data["composition"] = "CsPbBr3"
    return data


@pytest.fixture(scope="module")
def effect_models() -> tuple[pd.DataFrame, object, object]:
    data = planted_effects()
    eff = train(data, "plqy", effect=True, n_repeats=1, seed=0)
    absolute = train(data, "plqy", n_repeats=1, seed=0)
    return data, eff, absolute


def test_concordance_of_perfect_and_reversed_rankers() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(size=60)
    g = np.repeat(np.arange(12), 5)
    assert pairwise_concordance(y, y, g)["concordance"] == 1.0
    assert pairwise_concordance(y, -y, g)["concordance"] == 0.0
    noise = pairwise_concordance(y, rng.normal(size=60), g, seed=2)
    assert noise["n_pairs"] == 12 * 10
    lo, hi = noise["concordance_ci"]
    assert lo < noise["concordance"] < hi and lo < 0.5 + 0.2 and hi > 0.5 - 0.2


def test_effect_model_ranks_within_papers_where_absolute_model_does_not(effect_models) -> None:
    _data, eff, absolute = effect_models
    c_eff = eff.metrics["models"]["xgboost"]["ranking"]
    c_abs = absolute.metrics["models"]["xgboost"]["ranking"]
    assert c_eff["n_pairs"] == c_abs["n_pairs"] > 50
    assert c_eff["concordance"] > 0.8
    assert c_abs["concordance"] < 0.8
    assert c_eff["concordance_ci"][0] > c_abs["concordance"]
    # the no-ligand baselines are reported beside it, with the MAE of the gain
    models = eff.metrics["models"]
    assert {"mean", "mean_gain", "ridge", "random_forest"} <= set(models)
    assert models["xgboost"]["gain"]["mae"] < models["mean_gain"]["gain"]["mae"]
    assert eff.metrics["prediction_kind"] == "effect_headroom_fraction"


def test_effect_prediction_converts_back_to_plqy(effect_models, tmp_path) -> None:
    data, eff, _ = effect_models
    treated = data[data["is_control"] == 0].head(6)
    frac = eff.predict(treated)["prediction"].to_numpy()
    assert ((frac >= -1) & (frac <= 1)).all()
    plqy = eff.to_target(frac, np.full(len(frac), 40.0))
    np.testing.assert_allclose(plqy, 40.0 + frac * 60.0)
    result = evaluate(eff, data)
    assert result["concordance"] > 0.8 and len(result["concordance_ci"]) == 2
    assert result["n_pairs"] > 50 and result["mae_gain"] < result["baseline_mae_gain"]
    eff.save(tmp_path / "m")
    assert load_model(tmp_path / "m").metadata["effect"]["ceiling"] == 100.0


def test_presets_give_bit_identical_models_for_a_seed() -> None:
    data = planted_effects(12, seed=3)
    a = train(data, "plqy", n_repeats=1, seed=5).booster.save_raw("json")
    b = train(data, "plqy", n_repeats=1, seed=5).booster.save_raw("json")
    assert a == b


def test_recipe_grouping_keeps_replicates_in_one_fold() -> None:
    rng = np.random.default_rng(0)
    base = pd.DataFrame({"proc_v_ul": rng.integers(0, 12, 60).astype(float) * 10})
    data = base.assign(
        record_id=[f"s{i}" for i in range(60)],
        composition="CsPbBr3",
        citation="one lab",
        ligand_smiles="CCCCN",
        stage="synthesis",
        is_control=0,
    )
    assert data["proc_v_ul"].duplicated().sum() > 30  # many replicates of few recipes
    for scheme in ("random", "group:recipe", None):
        splits, _groups = make_splits(data, scheme, seed=1)
        for _, test in splits:
            held = set(data["proc_v_ul"].iloc[test])
            train_rows = set(np.setdiff1d(np.arange(60), test))
            assert not held & set(data["proc_v_ul"].iloc[list(train_rows)])


def test_linear_predictor_reproduces_the_ridge_pipeline() -> None:
    from pqdml.model.baselines import make_baseline
    from pqdml.model.presets import LinearPredictor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4))
    X[rng.random((50, 4)) < 0.2] = np.nan
    X[:, 3] = 1.0  # a constant column
    y = np.nan_to_num(X[:, 0]) * 3 + rng.normal(size=50)
    est = make_baseline("ridge").fit(X, y)
    lp = LinearPredictor.from_dict(LinearPredictor.from_estimator("ridge", est).to_dict())
    np.testing.assert_allclose(lp.predict(X), est.predict(X), rtol=1e-10, atol=1e-10)


def test_select_ships_a_baseline_that_wins_and_keeps_xgboost_for_explanations(tmp_path) -> None:
    rng = np.random.default_rng(4)
    n = 48
    temp = rng.uniform(100, 200, n)
    data = pd.DataFrame(
        {
            "record_id": [f"r{i}" for i in range(n)],
            "doi": [f"10.1/p{i % 12}" for i in range(n)],
            "composition": "CsPbBr3",
            "ligand_smiles": "CCCCN",
            "stage": "synthesis",
            "is_control": 0,
            "proc_temperature_c": temp,
            "emission_nm": 400 + 0.8 * temp + rng.normal(0, 1.0, n),  # linear: ridge wins
        }
    )
    model = train(data, "emission", select=True, n_repeats=3, seed=0)
    sel = model.metrics["selection"]
    assert sel["predictor"] == "ridge" and model.predictor is not None
    assert sum(sel["inner_picks"].values()) == sel["n_inner_selections"] == 15
    assert "nested_selection" in model.metrics["models"]
    assert model.booster is not None  # XGBoost kept beside it for SHAP
    pred = model.predict(data)["prediction"].to_numpy()
    model.save(tmp_path / "m")
    again = load_model(tmp_path / "m")
    assert again.predictor_name == "ridge"
    np.testing.assert_array_equal(again.predict(data)["prediction"].to_numpy(), pred)
    assert not list(tmp_path.glob("m/*.pkl"))


def test_p_better_is_calibrated_on_new_systems() -> None:
    # noisy measurements: the true probability that one ligand beats another is in between
    eff = train(planted_effects(40, seed=5, noise=12.0), "plqy", effect=True, n_repeats=1)
    fresh = planted_effects(80, seed=11, noise=12.0)  # new papers, same chemistry
    treated = fresh[fresh["is_control"] == 0].reset_index(drop=True)
    pred = eff.predict(treated)["prediction"].to_numpy()
    probs, wins = [], []
    for _, rows in treated.groupby("group_id"):
        idx = rows.index.to_numpy()
        for a in idx:
            for b in idx:
                if a != b:
                    probs.append(float(eff.p_better(pred[[a]], pred[b])[0]))
                    wins.append(treated.loc[a, "plqy_percent"] > treated.loc[b, "plqy_percent"])
    probs, wins = np.array(probs), np.array(wins)
    assert eff.metadata["p_better"]["slope"] > 0
    favoured = probs > 0.5  # every pair appears both ways: look at the favoured side
    assert favoured.sum() >= 100 and probs[favoured].mean() > 0.55  # not a vacuous 0.5
    # calibrated within 0.15, and never over-confident (the OOF fit is, if anything, cautious)
    gap = wins[favoured].mean() - probs[favoured].mean()
    assert -0.05 < gap < 0.15
    assert np.mean((probs - wins) ** 2) < 0.25  # better than the uninformative p = 0.5
    assert eff.p_better(np.array([0.3]), 0.3)[0] == 0.5
