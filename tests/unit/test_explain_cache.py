"""The TreeExplainer cache of pqdml.explain.shapley: reused per booster, bounded, same values."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from pqdml.explain import shapley
from pqdml.model import default_model


def test_explainer_is_reused_bounded_and_gives_the_same_values() -> None:
    model = default_model("plqy")
    records = pd.DataFrame(
        [{"record_id": "a", "ligand_name": "OAm", "composition": "CsPbBr3", "is_control": 0}]
    )
    first = shapley.shap_values(model, records)
    assert shapley._tree_explainer(model.booster) is shapley._tree_explainer(model.booster)
    second = shapley.shap_values(model, records)
    np.testing.assert_array_equal(first.values, second.values)
    assert first.base_value == second.base_value
    # additivity holds with the reused explainer (base value read after the call)
    margin = model.predict_margin(second.X)
    np.testing.assert_allclose(second.values.sum(axis=1) + second.base_value, margin, atol=1e-4)
    for _ in range(shapley._EXPLAINERS_MAX + 2):
        shapley._tree_explainer(copy.copy(model.booster))
    assert len(shapley._EXPLAINERS) == shapley._EXPLAINERS_MAX
