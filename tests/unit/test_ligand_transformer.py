"""LigandTransformer: scikit-learn contract and behaviour on ligand text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from pqdml.chem.ligand import LIGAND_NUMERIC_FEATURES
from pqdml.chem.transformers import LigandTransformer

# The generic checks feed random numeric matrices with several columns. This
# transformer takes exactly one column of ligand text, so checks that need more
# than one column, or that compare numeric outputs of random numbers turned into
# text, do not apply. Each is listed with the reason; every other check runs.
_MULTI_COLUMN = "takes exactly one column of ligand text; the check feeds several numeric columns"
EXPECTED_FAILED = {
    "check_fit_score_takes_y": _MULTI_COLUMN,
    "check_estimators_overwrite_params": _MULTI_COLUMN,
    "check_dont_overwrite_parameters": _MULTI_COLUMN,
    "check_estimators_fit_returns_self": _MULTI_COLUMN,
    "check_readonly_memmap_input": _MULTI_COLUMN,
    "check_n_features_in_after_fitting": _MULTI_COLUMN,
    "check_positive_only_tag_during_fit": _MULTI_COLUMN,
    "check_estimators_dtypes": _MULTI_COLUMN,
    "check_dtype_object": _MULTI_COLUMN,
    "check_pipeline_consistency": _MULTI_COLUMN,
    "check_estimators_pickle": _MULTI_COLUMN,
    "check_f_contiguous_array_estimator": _MULTI_COLUMN,
    "check_transformer_data_not_an_array": _MULTI_COLUMN,
    "check_transformer_general": _MULTI_COLUMN,
    "check_methods_sample_order_invariance": _MULTI_COLUMN,
    "check_methods_subset_invariance": _MULTI_COLUMN,
    "check_fit2d_1sample": _MULTI_COLUMN,
    "check_dict_unchanged": _MULTI_COLUMN,
    "check_fit_idempotent": _MULTI_COLUMN,
    "check_fit_check_is_fitted": _MULTI_COLUMN,
    "check_n_features_in": _MULTI_COLUMN,
    "check_fit2d_predict1d": _MULTI_COLUMN,
    "check_fit1d": "a 1-D array is accepted on purpose as one column of ligand text",
}


def _expected_failed(estimator):
    return EXPECTED_FAILED


@parametrize_with_checks([LigandTransformer()], expected_failed_checks=_expected_failed)
def test_sklearn_checks(estimator, check):
    check(estimator)


def test_transform_one_column_of_names():
    t = LigandTransformer()
    X = pd.DataFrame({"ligand": ["OA", "OAm", "not-a-ligand", None]})
    out = t.fit_transform(X)
    assert out.shape == (4, len(LIGAND_NUMERIC_FEATURES))
    assert out.dtype == np.float64
    assert np.isnan(out[2]).all() and np.isnan(out[3]).all()
    names = list(t.get_feature_names_out())
    assert out[0, names.index("chain_length")] == 18
    assert list(t.feature_names_in_) == ["ligand"]


def test_rejects_two_columns():
    with pytest.raises(ValueError, match="exactly one column"):
        LigandTransformer().fit(np.array([["OA", "OAm"]], dtype=object))


def test_morgan_and_pipeline():
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(LigandTransformer(morgan_bits=32), StandardScaler())
    out = pipe.fit_transform(np.array([["OA"], ["octylamine"], ["DDAB"]], dtype=object))
    assert out.shape == (3, len(LIGAND_NUMERIC_FEATURES) + 32)


def test_one_column_versions_of_the_skipped_checks():
    """What the listed checks verify, done on one column of ligand text."""
    import pickle

    from sklearn.base import clone

    X = np.array([["OA"], ["octylamine"], ["PEAI"], ["ZnBr2"]], dtype=object)
    t = LigandTransformer(morgan_bits=16)
    assert t.fit(X) is t  # fit returns self
    first = t.transform(X)
    np.testing.assert_array_equal(t.fit(X).transform(X), first)  # idempotent
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(t)).transform(X), first)
    np.testing.assert_array_equal(clone(t).fit_transform(X), first)
    np.testing.assert_array_equal(t.transform(X[::-1]), first[::-1])  # sample order
    np.testing.assert_array_equal(t.transform(X[1:3]), first[1:3])  # subsets
    assert t.n_features_in_ == 1
    assert t.get_params() == {"descriptors": "default", "morgan_bits": 16}
    with pytest.raises(ValueError, match="expecting 1 features"):
        t.transform(np.array([["OA", "OAm"]], dtype=object))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        LigandTransformer().transform(X)
