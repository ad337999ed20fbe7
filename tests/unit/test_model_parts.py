"""Unit tests of the model building blocks: target transform, CV schemes, conformal, metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pqdml.model.conformal import conformal_quantile, fold_coverage
from pqdml.model.cv import group_labels, inner_splits, make_splits
from pqdml.model.metrics import regression_metrics, summarize
from pqdml.model.target import TargetTransform


def test_logit_transform_round_trips_and_stays_in_bounds() -> None:
    t = TargetTransform.for_column("plqy_percent")
    y = np.array([1.0, 25.0, 50.0, 75.0, 99.0])
    np.testing.assert_allclose(t.inverse(t.forward(y)), y, rtol=1e-12)
    extreme = t.inverse(np.array([-1e6, -50.0, 50.0, 1e6]))
    assert np.all((extreme >= 0.0) & (extreme <= 100.0))
    # exact 0 and 100 are finite in the fitting space
    assert np.all(np.isfinite(t.forward(np.array([0.0, 100.0]))))


def test_pce_bounds_and_identity_for_gains() -> None:
    assert TargetTransform.for_column("pce_percent").high == 35.0
    assert TargetTransform.for_column("pce_percent", relative=True).kind == "identity"
    assert TargetTransform.for_column("emission_nm").kind == "identity"


def _records(n: int = 30) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "record_id": [f"r{i}" for i in range(n)],
            "doi": [f"10.1/p{i % 6}" if i % 5 else "" for i in range(n)],
            "source": ["ref 1" if i % 10 == 0 else "" for i in range(n)],
        }
    )


def test_doi_groups_fall_back_to_source_then_row() -> None:
    labels = group_labels(_records(), "doi")
    assert labels[0] == "source:ref 1"  # no doi, has a source
    assert labels[5] == "row:r5"  # neither doi nor source: own group
    assert labels[1] == "doi:10.1/p1"


@pytest.mark.parametrize("scheme", ["group:doi", "leave-one-group-out:doi"])
def test_grouped_folds_never_split_a_group(scheme: str) -> None:
    recs = _records()
    splits, groups = make_splits(recs, scheme, seed=1)
    seen_test = []
    for tr, te in splits:
        assert not set(groups.iloc[tr]) & set(groups.iloc[te])
        seen_test.extend(te)
    assert sorted(seen_test) == list(range(len(recs)))


def test_random_and_unknown_schemes() -> None:
    splits, _ = make_splits(_records(), "random", seed=0)
    assert len(splits) == 5
    with pytest.raises(KeyError, match="unknown cv scheme 'scaffold'"):
        make_splits(_records(), "scaffold:x")
    with pytest.raises(KeyError, match="no such column"):
        make_splits(_records(), "group:antisolvent_name")


def test_group_by_ligand_uses_canonical_smiles() -> None:
    recs = pd.DataFrame({"record_id": ["a", "b", "c"], "ligand_smiles": ["OCC", "CCO", ""]})
    canon = pd.Series(["CCO", "CCO", None])
    labels = group_labels(recs, "ligand", canonical_smiles=canon)
    assert labels[0] == labels[1] == "ligand:CCO"
    assert labels[2] == "row:c"


def test_inner_splits_are_grouped() -> None:
    groups = np.repeat(np.arange(6), 4)
    for tr, va in inner_splits(groups, seed=0):
        assert not set(groups[tr]) & set(groups[va])


def test_conformal_quantile_rank_and_too_few_points() -> None:
    assert conformal_quantile(np.arange(1.0, 20.0), 0.9) == 18.0
    assert conformal_quantile(np.arange(1.0, 5.0), 0.9) == np.inf
    with pytest.raises(ValueError, match="level"):
        conformal_quantile(np.ones(5), 1.5)


def test_fold_coverage_near_nominal_for_exchangeable_residuals() -> None:
    rng = np.random.default_rng(0)
    n = 600
    z = rng.normal(size=n)
    folds = np.arange(n) % 5
    cover, _ = fold_coverage(z, np.zeros(n), folds, 0.9)
    assert abs(np.mean(cover) - 0.9) < 0.04


def test_regression_metrics_and_summary() -> None:
    m = regression_metrics(np.array([1.0, 2.0, 3.0, np.nan]), np.array([1.0, 2.0, 4.0, 5.0]))
    assert m["n"] == 3
    assert m["mae"] == pytest.approx(1 / 3)
    assert m["rmse"] == pytest.approx(np.sqrt(1 / 3))
    assert m["spearman"] == pytest.approx(1.0)
    s = summarize([m, {**m, "mae": 1.0}])
    assert s["mae"]["mean"] == pytest.approx((1 / 3 + 1) / 2)
    assert s["n"]["total"] == 6


def test_default_doi_grouping_without_a_doi_column() -> None:
    recs = pd.DataFrame({"record_id": ["a", "b", "c"], "source": ["s1", "s1", ""]})
    assert group_labels(recs, "doi").tolist() == ["source:s1", "source:s1", "row:c"]
