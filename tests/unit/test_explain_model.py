"""SHAP additivity on a real TrainedModel (tiny synthetic records, no tuning)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shap
import xgboost as xgb

from pqdml.explain import concept_importance, explain_predictions, shap_values

LIGANDS = {
    "CCCCN": 55.0,
    "CCCCCCCCN": 70.0,
    "CCCCCCCCCCCCN": 80.0,
    "CCCCCCCC(=O)O": 60.0,
    "CCCCCCCCCCCCCCCCCC(=O)O": 75.0,
    "CCCCCCCCCCCCS": 85.0,
    "OC(=O)c1ccccc1": 40.0,
    "CCCCCCCCP(=O)(O)O": 65.0,
}


@pytest.fixture(scope="module")
def model():
    from pqdml.model import train

    rng = np.random.default_rng(0)
    rows = []
    for i in range(48):
        smiles = list(LIGANDS)[i % len(LIGANDS)]
        comp = ["CsPbBr3", "CsPbI3", "CsPb(Br0.5I0.5)3"][i % 3]
        plqy = LIGANDS[smiles] - (10.0 if comp == "CsPbI3" else 0.0) + rng.normal(0, 3)
        rows.append(
            {
                "record_id": f"r{i}",
                "doi": f"10.1/x{i % 12}",
                "composition": comp,
                "ligand_smiles": smiles,
                "stage": "post-synthesis",
                "is_control": 0,
                "plqy_percent": float(np.clip(plqy, 0, 100)),
            }
        )
    return train(pd.DataFrame(rows), "plqy", n_trials=0, seed=0)


def test_shap_sum_plus_base_equals_margin(model) -> None:
    records = pd.DataFrame(
        {
            "record_id": ["a", "b", "c", "d"],
            "ligand_smiles": ["CCCCCCN", "CCCCCCCCCCCCCCCC(=O)O", "C(C", "NCCS"],
            "composition": ["CsPbBr3", "CsPbI3", "CsPbBr3", "CsPbBr1.5I1.5"],
            "stage": ["post-synthesis"] * 4,
            "is_control": [0] * 4,
        }
    )
    result = shap_values(model, records)
    ok = result.ok
    assert ok.tolist() == [True, True, False, True]
    margin = model.predict_margin(result.X[ok])
    np.testing.assert_allclose(result.values[ok].sum(axis=1) + result.base_value, margin, atol=1e-4)
    contribs = model.booster.predict(xgb.DMatrix(result.X[ok]), pred_contribs=True)
    np.testing.assert_allclose(result.base_value, contribs[0, -1], atol=1e-5)
    assert len(explain_predictions(model, records)) == 4


ONE_ROW = pd.DataFrame(
    {
        "ligand_smiles": ["CCCCCCCCN"],
        "composition": ["CsPbBr3"],
        "stage": ["post-synthesis"],
        "is_control": [0],
    }
)


def test_base_value_is_the_tree_expectation_not_base_score(model) -> None:
    """shap 0.51 reports base_score until shap_values() has run; pqdml's base value is right."""
    X, _ = model.transform(ONE_ROW)
    bias = float(model.booster.predict(xgb.DMatrix(X), pred_contribs=True)[0, -1])
    fresh = shap.TreeExplainer(model.booster)
    fresh.shap_values(X)
    assert float(np.ravel(fresh.expected_value)[0]) == pytest.approx(bias, abs=1e-5)
    assert shap_values(model, ONE_ROW).base_value == pytest.approx(bias, abs=1e-5)


def test_concepts_on_real_feature_names(
    model,
) -> None:
    records = pd.DataFrame(
        {
            "ligand_smiles": list(LIGANDS),
            "composition": "CsPbBr3",
            "stage": "post-synthesis",
            "is_control": 0,
        }
    )
    table = concept_importance(shap_values(model, records))
    assert "other" not in set(table["concept"])
    assert {"chain length", "halide / lattice", "binding type"} <= set(table["concept"])
