"""Unit tests of the record featurizer: names, leakage guard, NaN (never zeros) for failures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from pqdml.exceptions import LeakageError
from pqdml.features import RecordFeaturizer, check_leakage, featurize_records


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "record_id": ["a", "b", "c", "d"],
            "composition": ["CsPbBr3", "CsPbI3", "CsPbBr3", "not a formula"],
            "ligand_name": ["oleylamine", "", "", "octylamine"],
            "ligand_smiles": ["", "CCCCCCCCCCCC(=O)O", "", "C1CC"],
            "stage": ["synthesis", "post-synthesis", "control", "synthesis"],
            "morphology": ["QD", "QD", "NC", None],
            "antisolvent_name": ["Methyl acetate", "", "", "methyl acetate"],
            "proc_temperature_c": [170, 160, 150, np.nan],
            "proc_note_text": ["x", "y", "z", "w"],
            "voc_v": [1.1, 1.0, 0.9, 1.2],
            "plqy_percent": [80.0, 60.0, 20.0, 50.0],
        }
    )


def test_feature_names_are_prefixed_by_source(records: pd.DataFrame) -> None:
    f = RecordFeaturizer(target_column="plqy_percent").fit(records)
    names = list(f.get_feature_names_out())
    assert "process__proc_temperature_c" in names
    assert "process__proc_note_text" not in names  # not numeric
    assert {"stage__synthesis", "stage__post-synthesis", "stage__control"} <= set(names)
    assert {"morphology__qd", "morphology__nc", "antisolvent__methyl acetate"} <= set(names)
    assert "ligand__present" in names
    assert any(n.startswith("composition__") for n in names)
    assert any(n.startswith("ligand__") and n != "ligand__present" for n in names)
    # no target column is ever an input, whatever the model's target
    assert not [n for n in names if "voc" in n or "plqy" in n]
    X = f.transform(records)
    assert X.shape == (4, len(names)) and X.dtype == np.float64


def test_one_hot_ignores_unknown_categories(records: pd.DataFrame) -> None:
    f = RecordFeaturizer().fit(records)
    new = records.head(1).assign(stage="purification", morphology="NPL")
    X = f.transform(new)
    names = list(f.get_feature_names_out())
    stage_cols = [i for i, n in enumerate(names) if n.startswith(("stage__", "morphology__"))]
    assert np.all(X[0, stage_cols] == 0.0)


def test_failed_ligand_and_composition_keep_nan_not_zero(records: pd.DataFrame) -> None:
    frame = featurize_records(records)
    assert frame.loc[3, "ligand_status"] not in ("ok", "empty")
    assert frame.loc[3, "composition_status"] != "ok"
    f = RecordFeaturizer().fit(records)
    X = f.transform(records, feature_frame=frame)
    names = list(f.get_feature_names_out())
    lig = [i for i, n in enumerate(names) if n.startswith("ligand__") and n != "ligand__present"]
    comp = [i for i, n in enumerate(names) if n.startswith("composition__")]
    assert np.all(np.isnan(X[3, lig])) and np.all(np.isnan(X[3, comp]))
    # a control without any agent: ligand absent, not an error
    assert frame.loc[2, "ligand_status"] == "empty"
    assert X[2, names.index("ligand__present")] == 0.0
    assert X[0, names.index("ligand__present")] == 1.0
    # a name is used when the SMILES is empty
    assert frame.loc[0, "ligand_status"] == "ok"


def test_leakage_guard_refuses_outcomes_as_features(records: pd.DataFrame) -> None:
    with pytest.raises(LeakageError, match="'voc_v'"):
        RecordFeaturizer(target_column="pce_percent", extra_features=["voc_v"]).fit(records)
    with pytest.raises(LeakageError, match="jsc_ma_cm2"):
        check_leakage(["proc_temperature_c", "jsc_ma_cm2"], "pce_percent")
    check_leakage(["proc_temperature_c"], "pce_percent")


def test_process_columns_that_look_like_targets_are_excluded() -> None:
    recs = pd.DataFrame(
        {"composition": ["CsPbBr3"] * 3, "stage": ["synthesis"] * 3, "pce_percent": [1.0, 2, 3]}
    )
    f = RecordFeaturizer(target_column="pce_percent").fit(recs)
    assert not [n for n in f.get_feature_names_out() if "pce" in n]


# The generic checks feed random numeric matrices. RecordFeaturizer takes canonical records:
# columns found by name (text and numbers, missing values allowed), and a prediction-time
# table may carry other columns than the training table (candidates have no targets).
_RECORDS = (
    "takes canonical records by column name (text, numbers, NaN allowed), not a numeric matrix"
)
_BY_NAME = "features are selected by column name, so prediction tables may have other columns"
EXPECTED_FAILED = {
    "check_complex_data": _RECORDS,
    "check_dtype_object": _RECORDS,
    "check_estimators_empty_data_messages": _RECORDS,
    "check_estimators_nan_inf": _RECORDS,
    "check_fit1d": _RECORDS,
    "check_fit2d_predict1d": _RECORDS,
    "check_n_features_in_after_fitting": _BY_NAME,
    "check_transformer_general": _BY_NAME,
}


@parametrize_with_checks([RecordFeaturizer()], expected_failed_checks=lambda est: EXPECTED_FAILED)
def test_sklearn_checks(estimator, check) -> None:  # type: ignore[no-untyped-def]
    check(estimator)


def test_transform_before_fit_is_refused(records: pd.DataFrame) -> None:
    with pytest.raises(NotFittedError):
        RecordFeaturizer().transform(records)
