"""pqdml.campaign: surrogate, acquisition, batches, suggest() on synthetic records, replays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pqdml
from pqdml.campaign import Objective, parse_grid, suggest, suggestions_section
from pqdml.campaign.acquisition import Scores, score, select_batch
from pqdml.campaign.core import expand_pool, parse_window
from pqdml.campaign.replay import CampaignPool, experiments_to, replay
from pqdml.campaign.surrogate import EnsembleSurrogate

LIGANDS = ["CCCCCCCCN", "CCCCCCCCCCCCCCCCCC(=O)O", "CCCCCCCCCCCCS", "NCCc1ccccc1", "CCCCC(=O)O"]


def _records(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    temp = rng.choice(np.arange(100, 201, 10), n).astype(float)
    lig = rng.choice(LIGANDS, n)
    bonus = {s: 8.0 * i for i, s in enumerate(LIGANDS)}
    plqy = 20 + 0.3 * (temp - 100) + np.array([bonus[s] for s in lig]) + rng.normal(0, 2, n)
    return pd.DataFrame(
        {
            "record_id": [f"s{seed}-{i}" for i in range(n)],
            "doi": [f"10.1/p{i % 6}" for i in range(n)],
            "composition": "CsPbBr3",
            "ligand_smiles": lig,
            "stage": "synthesis",
            "is_control": 0,
            "proc_temperature_c": temp,
            "plqy_percent": np.clip(plqy, 0, 100),
        }
    )


@pytest.fixture(scope="module")
def measured() -> pd.DataFrame:
    return _records(30, 0)


@pytest.fixture(scope="module")
def pool() -> pd.DataFrame:
    p = _records(40, 1).drop(columns="plqy_percent")
    p["lab_code"] = [f"LAB-{i:03d}" for i in range(len(p))]
    p.loc[3, "ligand_smiles"] = "C1CC(("  # unparsable
    p.loc[7, "ligand_smiles"] = "not a molecule"
    return p


@pytest.fixture(scope="module")
def result(measured: pd.DataFrame, pool: pd.DataFrame):
    return suggest(measured, pool, "plqy", n=4, seed=3, n_members=4)


def test_output_columns_and_inputs_preserved(result, pool: pd.DataFrame) -> None:
    table = result.table
    assert len(table) == 4
    for col in pool.columns:
        assert col in table.columns
    for col in (
        "rank",
        "prediction",
        "pi_low",
        "pi_high",
        "acquisition",
        "p_improve",
        "in_domain",
        "nearest_measured",
        "why",
    ):
        assert col in table.columns
    # each suggested row is the pool row with the same lab code, every input value equal
    for _, row in table.iterrows():
        src = pool[pool["lab_code"] == row["lab_code"]].iloc[0]
        for col in pool.columns:
            assert row[col] == src[col] or (pd.isna(row[col]) and pd.isna(src[col]))
    assert table["rank"].tolist() == [1, 2, 3, 4]
    assert (table["pi_low"] <= table["prediction"]).all()
    assert (table["prediction"] <= table["pi_high"]).all()
    assert table["p_improve"].between(0, 1).all()
    assert table["why"].str.len().gt(10).all()


def test_bad_smiles_reported_and_never_suggested(result, pool: pd.DataFrame) -> None:
    status = result.pool_status
    assert len(status) == len(pool)
    bad = status.iloc[[3, 7]]
    assert (bad["status"] != "ok").all() and (bad["status"] != "suggested").all()
    assert bad["error"].str.len().gt(0).all()
    assert not result.table["lab_code"].isin(pool["lab_code"].iloc[[3, 7]]).any()
    assert (status["status"] == "suggested").sum() == 4
    assert sum(result.summary["pool_status"].values()) == len(pool)


def test_same_seed_same_suggestions(measured: pd.DataFrame, pool: pd.DataFrame, result) -> None:
    again = suggest(measured, pool, "plqy", n=4, seed=3, n_members=4, model=result.model)
    pd.testing.assert_series_equal(again.table["lab_code"], result.table["lab_code"])
    np.testing.assert_array_equal(again.table["prediction"], result.table["prediction"])


def test_batch_has_no_duplicates_even_when_the_pool_repeats_rows(measured, result) -> None:
    one = _records(3, 5).drop(columns="plqy_percent")
    one["proc_temperature_c"] = [105.0, 115.0, 125.0]  # never measured (measured: 100, 110, ...)
    pool = pd.concat([one] * 6, ignore_index=True)  # 3 distinct experiments, 6 times each
    pool["lab_code"] = range(len(pool))
    out = suggest(
        measured, pool, "plqy", n=4, seed=0, n_members=4, explain=False, model=result.model
    )
    key = out.table[["ligand_smiles", "proc_temperature_c"]].astype(str).agg("|".join, axis=1)
    assert key.is_unique
    assert len(out.table) == 3  # only 3 distinct candidates exist


def test_already_measured_rows_are_not_suggested(measured, result) -> None:
    pool = pd.concat(
        [
            measured.drop(columns="plqy_percent").iloc[:5],
            _records(6, 9).drop(columns="plqy_percent"),
        ],
        ignore_index=True,
    )
    out = suggest(
        measured, pool, "plqy", n=4, seed=0, n_members=4, explain=False, model=result.model
    )
    assert (out.pool_status["status"].iloc[:5] == "already_measured").all()
    assert not out.table["record_id"].isin(measured["record_id"]).any()


@pytest.mark.parametrize("strategy", ["ucb", "thompson", "greedy", "random"])
def test_every_strategy_gives_a_distinct_batch(measured, pool, result, strategy: str) -> None:
    out = suggest(
        measured,
        pool,
        "plqy",
        n=3,
        seed=1,
        strategy=strategy,
        n_members=4,
        explain=False,
        model=result.model,
    )
    assert len(out.table) == 3 and out.table["lab_code"].is_unique


def test_goal_and_reference(measured, pool, result) -> None:
    out = suggest(
        measured,
        pool,
        "plqy",
        goal=50.0,
        n=2,
        seed=0,
        n_members=4,
        explain=False,
        reference=LIGANDS[0],
        model=result.model,
    )
    assert out.summary["objective"] == "goal" and out.summary["goal"] == 50.0
    with pytest.raises(ValueError, match="reference ligand 'CCO'"):
        suggest(
            measured,
            pool,
            "plqy",
            n=2,
            n_members=4,
            reference="CCO",
            explain=False,
            model=result.model,
        )


def test_pqdml_suggest_is_the_function() -> None:
    assert pqdml.suggest is suggest


def test_parse_grid_window_and_expand() -> None:
    assert parse_grid("a=1,2;b=x") == {"a": [1.0, 2.0], "b": ["x"]}
    with pytest.raises(ValueError, match="col=v1,v2"):
        parse_grid("a")
    assert parse_window("emission=450:470") == ("emission", 450.0, 470.0)
    with pytest.raises(ValueError, match="low <= high"):
        parse_window("emission=470:450")
    lib = pd.DataFrame({"ligand_smiles": ["CCN", "CCO"]})
    out = expand_pool(lib, {"proc_t": [1.0, 2.0, 3.0]}, "CsPbBr3")
    assert len(out) == 6 and (out["composition"] == "CsPbBr3").all()


def test_objective_utilities() -> None:
    y = np.array([1.0, 5.0])
    assert Objective().utility(y).tolist() == [1.0, 5.0]
    assert Objective("minimize").utility(y).tolist() == [-1.0, -5.0]
    with pytest.raises(ValueError, match="needs a goal"):
        Objective("goal")


def test_surrogate_is_seeded_and_calibrated() -> None:
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(60, 3))
    y = 10 * X[:, 0] + rng.normal(0, 0.5, 60)
    a = EnsembleSurrogate(n_members=4, seed=1).fit(X[:40], y[:40]).predict(X[40:])
    b = EnsembleSurrogate(n_members=4, seed=1).fit(X[:40], y[:40]).predict(X[40:])
    np.testing.assert_array_equal(a.samples, b.samples)
    low, high = a.interval(0.8)
    assert np.mean((y[40:] >= low) & (y[40:] <= high)) >= 0.5
    assert np.all(np.diff(a.samples, axis=1) >= 0)


def test_select_batch_skips_identical_candidates() -> None:
    Z = np.array([[0.0], [0.0], [0.0], [1.0], [2.0]])
    sc = Scores(
        acquisition=np.array([5.0, 5.0, 5.0, 1.0, 0.5]),
        p_improve=np.zeros(5),
        members=np.tile(np.array([5.0, 5.0, 5.0, 1.0, 0.5]), (3, 1)),
    )
    for strategy in ("ei", "thompson", "random"):
        batch = select_batch(strategy, sc, Z, 3, np.random.default_rng(0))
        assert len(np.unique(Z[batch, 0])) == len(batch) == 3


def test_ei_prefers_upside() -> None:
    from pqdml.campaign.surrogate import Predictive

    grid = np.linspace(-1, 1, 41)
    pred = Predictive(
        mean=np.array([0.0, 0.0]),
        samples=np.vstack([0.1 * grid, 2.0 * grid]),
        members=np.zeros((2, 2)),
    )
    ei = score("ei", pred, Objective(), best=0.5)
    assert ei.acquisition[1] > ei.acquisition[0] == 0.0
    assert ei.p_improve[1] > 0 and ei.p_improve[0] == 0


def test_ei_beats_random_on_a_function_with_a_known_optimum() -> None:
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(150, 2))
    y = -((X[:, 0] - 0.8) ** 2 + (X[:, 1] - 0.2) ** 2)  # optimum at (0.8, 0.2)
    pool = CampaignPool("synthetic", X, y, Objective())
    seeds = range(8)
    ei = [experiments_to(pool, replay(pool, "ei", s, budget=40, n_members=4), 0.05) for s in seeds]
    rnd = [experiments_to(pool, replay(pool, "random", s, budget=40), 0.05) for s in seeds]
    ei = np.minimum(ei, 41)
    rnd = np.minimum(rnd, 41)
    assert np.median(ei) < np.median(rnd)
    assert np.mean(ei) < np.mean(rnd)


def test_replay_is_a_permutation_prefix() -> None:
    X = np.arange(20, dtype=float)[:, None]
    pool = CampaignPool("line", X, X[:, 0], Objective())
    order = replay(pool, "greedy", 0, k=3, n=4, budget=15, n_members=3)
    assert len(order) == 15 and len(set(order.tolist())) == 15


def test_suggestions_section(result) -> None:
    section = suggestions_section(result.table)
    assert len(section["records"]) == 4
    assert 'id="next-experiments"' in section["html"] and "<td>" in section["html"]
    with pytest.raises(ValueError, match="no 'rank' column"):
        suggestions_section(pd.DataFrame({"a": [1]}))


def test_a_pool_with_no_usable_row_gives_an_empty_table(measured, result) -> None:
    pool = pd.DataFrame({"ligand_smiles": ["C1CC((", "xyz"], "composition": "CsPbBr3"})
    out = suggest(measured, pool, "plqy", n=2, n_members=4, model=result.model)
    assert out.table.empty and {"rank", "prediction", "why"} <= set(out.table.columns)
    assert (out.pool_status["status"] != "ok").all() and out.pool_status["error"].str.len().all()
