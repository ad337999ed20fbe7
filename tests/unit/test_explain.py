"""pqdml.explain on a real XGBoost booster wrapped in a minimal model-like object.

The wrapper has exactly the TrainedModel attributes explain.py uses (booster,
feature_names, target, target_transform, transform, predict_margin), so these tests
exercise SHAP, concept grouping and sentences without the training pipeline; the same
properties are checked on a real trained model in tests/integration/test_report.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from pqdml.explain import (
    CONCEPTS,
    concept_importance,
    concept_of,
    concept_values,
    explain_predictions,
    shap_values,
    target_effects,
)

FEATURES = [
    "ligand__chain_length",
    "ligand__binding_L",
    "ligand__binding_X",
    "ligand__binding_Z",
    "ligand__anchor_carboxylic_acid",
    "ligand__anchor_primary_amine",
    "ligand__zwitterionic",
    "ligand__logp",
    "ligand__tpsa",
    "ligand__morgan_3",
    "ligand__morgan_17",
    "composition__frac_I",
    "composition__frac_Br",
    "composition__frac_Cs",
    "composition__tolerance_factor",
    "process__proc_temperature_c",
    "stage__post-synthesis",
    "stage__synthesis",
]


@dataclass
class _Logit:
    low: float = 0.0
    high: float = 100.0

    def inverse(self, z: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) / (1.0 + np.exp(-np.asarray(z, dtype=float)))


@dataclass
class _Identity:
    def inverse(self, z: np.ndarray) -> np.ndarray:
        return np.asarray(z, dtype=float)


class _Model:
    """A booster plus the TrainedModel surface explain.py relies on."""

    def __init__(self, X: np.ndarray, z: np.ndarray, transform: object) -> None:
        self.feature_names = list(FEATURES)
        self.target = "plqy"
        self.target_transform = transform
        self.booster = xgb.train(
            {"max_depth": 3, "eta": 0.3, "seed": 0, "nthread": 1},
            xgb.DMatrix(X, label=z),
            num_boost_round=40,
        )

    def transform(self, records: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        X = records[FEATURES].to_numpy(dtype=float)
        status = pd.DataFrame(
            {"status": records["status"], "error": records["error"]}, index=records.index
        )
        return X, status

    def predict_margin(self, X: np.ndarray) -> np.ndarray:
        return self.booster.predict(xgb.DMatrix(X), output_margin=True)


def _records(n: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frac_i = rng.choice([0.0, 0.5, 1.0], n)
    data = {
        "ligand__chain_length": rng.integers(0, 19, n).astype(float),
        "ligand__binding_L": rng.integers(0, 2, n).astype(float),
        "ligand__binding_X": rng.integers(0, 2, n).astype(float),
        "ligand__binding_Z": np.zeros(n),
        "ligand__anchor_carboxylic_acid": rng.integers(0, 2, n).astype(float),
        "ligand__anchor_primary_amine": rng.integers(0, 2, n).astype(float),
        "ligand__zwitterionic": rng.integers(0, 2, n).astype(float),
        "ligand__logp": rng.normal(3, 1, n),
        "ligand__tpsa": rng.normal(40, 10, n),
        "ligand__morgan_3": rng.integers(0, 2, n).astype(float),
        "ligand__morgan_17": rng.integers(0, 2, n).astype(float),
        "composition__frac_I": frac_i,
        "composition__frac_Br": 1.0 - frac_i,
        "composition__frac_Cs": np.ones(n),
        "composition__tolerance_factor": 0.8 + 0.01 * frac_i,
        "process__proc_temperature_c": rng.choice([25.0, 150.0, np.nan], n),
        "stage__post-synthesis": rng.integers(0, 2, n).astype(float),
        "stage__synthesis": np.zeros(n),
    }
    frame = pd.DataFrame(data, index=pd.RangeIndex(100, 100 + n))
    frame["status"] = "ok"
    frame["error"] = ""
    return frame


def _margin_target(frame: pd.DataFrame) -> np.ndarray:
    chain = frame["ligand__chain_length"].to_numpy()
    return (
        -1.0
        + 0.15 * np.minimum(chain, 12)
        + 0.8 * frame["ligand__zwitterionic"].to_numpy()
        - 0.6 * frame["composition__frac_I"].to_numpy()
    )


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return _records()


@pytest.fixture(scope="module")
def model(records: pd.DataFrame) -> _Model:
    return _Model(records[FEATURES].to_numpy(float), _margin_target(records), _Logit())


@pytest.mark.parametrize(
    ("name", "concept"),
    [
        ("ligand__chain_length", "chain length"),
        ("ligand__n_alkyl_tails", "chain length"),
        ("ligand__n_chain_double_bonds", "chain length"),
        ("ligand__n_branch_points", "chain length"),
        ("ligand__binding_L", "binding type"),
        ("ligand__binding_Z", "binding type"),
        ("ligand__anchor_phosphonic_acid", "anchoring group"),
        ("ligand__n_anchors", "anchoring group"),
        ("ligand__is_chelating", "anchoring group"),
        ("ligand__zwitterionic", "zwitterionic"),
        ("ligand__tpsa", "polarity/size descriptors"),
        ("ligand__logp", "polarity/size descriptors"),
        ("ligand__rdkit_MolWt", "polarity/size descriptors"),
        ("ligand__morgan_0", "ligand substructure (Morgan bits)"),
        ("ligand__morgan_2047", "ligand substructure (Morgan bits)"),
        ("ligand__present", "ligand present"),
        ("composition__frac_Cs", "A-site mix"),
        ("composition__frac_FA", "A-site mix"),
        ("composition__frac_MA", "A-site mix"),
        ("composition__frac_Pb", "B-site mix"),
        ("composition__frac_Zn", "B-site mix"),
        ("composition__frac_I", "halide / lattice"),
        ("composition__frac_Br", "halide / lattice"),
        ("composition__frac_Cl", "halide / lattice"),
        ("composition__frac_SCN", "halide / lattice"),
        ("composition__mixing_entropy_X", "halide / lattice"),
        ("composition__r_A", "A-site mix"),
        ("composition__r_B", "B-site mix"),
        ("composition__frac_BA", "A-site mix"),  # butylammonium
        ("composition__frac_Ba", "B-site mix"),  # barium
        ("composition__t_in_stable_window", "halide / lattice"),
        ("composition__band_gap_est_ev", "halide / lattice"),
        ("composition__tolerance_factor", "halide / lattice"),
        ("composition__octahedral_factor", "halide / lattice"),
        ("process__proc_v_antisolvent_ul", "process"),
        ("stage__film-treatment", "process"),
        ("antisolvent__toluene", "process"),
        ("morphology__NPL", "morphology"),
        ("mystery", "other"),
    ],
)
def test_concept_of(name: str, concept: str) -> None:
    assert concept_of(name) == concept
    assert concept in CONCEPTS


def test_shap_additivity_to_margin(model: _Model, records: pd.DataFrame) -> None:
    result = shap_values(model, records)
    margin = model.predict_margin(result.X)
    np.testing.assert_allclose(result.values.sum(axis=1) + result.base_value, margin, atol=1e-4)
    # xgboost's own path-dependent TreeSHAP agrees (guards shap/xgboost version drift)
    contribs = model.booster.predict(xgb.DMatrix(result.X), pred_contribs=True)
    np.testing.assert_allclose(result.values, contribs[:, :-1], atol=1e-4)


def test_failed_rows_are_kept_with_nan(model: _Model) -> None:
    frame = _records(6, seed=3)
    frame.loc[frame.index[2], ["status", "error"]] = ["invalid_smiles", "unparseable SMILES 'C(C'"]
    frame.loc[frame.index[2], FEATURES] = np.nan
    result = shap_values(model, frame)
    assert result.values.shape == (6, len(FEATURES))
    assert np.isnan(result.values[2]).all()
    assert np.isfinite(np.delete(result.values, 2, axis=0)).all()
    sentences = explain_predictions(model, frame, top=3)
    assert len(sentences) == 6
    assert sentences[2] == ["not explained (invalid_smiles): unparseable SMILES 'C(C'"]
    assert all(len(s) == 3 for i, s in enumerate(sentences) if i != 2)


def test_concept_importance_is_mean_abs_of_row_sums(model: _Model, records: pd.DataFrame) -> None:
    result = shap_values(model, records)
    table = concept_importance(result)
    assert list(table["mean_abs_shap"]) == sorted(table["mean_abs_shap"], reverse=True)
    binding = [i for i, n in enumerate(FEATURES) if n.startswith("ligand__binding")]
    expected = np.abs(result.values[:, binding].sum(axis=1)).mean()
    got = table.set_index("concept").loc["binding type", "mean_abs_shap"]
    assert got == pytest.approx(expected)
    # summing within a concept differs from summing |.| per feature when signs cancel
    per_feature = np.abs(result.values[:, binding]).mean(axis=0).sum()
    assert got <= per_feature + 1e-12
    # the concepts the synthetic target depends on come out on top
    assert set(table["concept"][:3]) == {"chain length", "zwitterionic", "halide / lattice"}
    assert table.set_index("concept").loc["chain length", "top_feature"] == "ligand__chain_length"


def test_target_effects_identity_equals_shap(records: pd.DataFrame) -> None:
    model = _Model(records[FEATURES].to_numpy(float), _margin_target(records), _Identity())
    result = shap_values(model, records)
    per_concept = concept_values(result).to_numpy()
    np.testing.assert_allclose(target_effects(model, result, per_concept), per_concept)


def test_target_effects_logit_is_difference_of_back_transforms(
    model: _Model, records: pd.DataFrame
) -> None:
    result = shap_values(model, records)
    phi = concept_values(result)["chain length"].to_numpy()
    inv = model.target_transform.inverse
    expected = inv(result.margin) - inv(result.margin - phi)
    np.testing.assert_allclose(target_effects(model, result, phi), expected)
    assert np.all(np.abs(expected) <= 100.0)


def test_sentences_name_value_and_points(model: _Model, records: pd.DataFrame) -> None:
    frame = records.iloc[:4].copy()
    frame["ligand__chain_length"] = 8.0
    frame["ligand__binding_L"] = [1.0, 0.0, 1.0, 0.0]
    frame["ligand__binding_X"] = [1.0, 1.0, 0.0, 0.0]
    sentences = explain_predictions(model, frame, top=len(CONCEPTS))
    pattern = re.compile(r"^.+ \([+−]\d+\.\d PLQY points vs average\)$")
    for row in sentences:
        assert row and all(pattern.match(s) for s in row)
        chain = [s for s in row if s.startswith("chain length ")]
        assert chain and chain[0].startswith("chain length 8 (")
    assert any(s.startswith("binding type L+X (") for s in sentences[0])
    assert any(s.startswith("binding type none (") for s in sentences[3])
    assert any(s.startswith("halide / lattice ") for s in sentences[0])
    # ordered by decreasing absolute effect
    for row in sentences:
        values = [float(re.search(r"\(([+−][\d.]+)", s).group(1).replace("−", "-")) for s in row]
        assert [abs(v) for v in values] == sorted((abs(v) for v in values), reverse=True)


def test_model_without_back_transform_is_refused(records: pd.DataFrame) -> None:
    # explain reads model.target_transform.inverse (the TrainedModel API), nothing guessed
    model = _Model(records[FEATURES].to_numpy(float), _margin_target(records), object())
    with pytest.raises(AttributeError, match="has no attribute 'inverse'"):
        explain_predictions(model, records.iloc[:2])
