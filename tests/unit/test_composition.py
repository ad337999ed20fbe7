"""Composition featurizer: hand-checked panel, invariances, errors, batch API, transformer."""

from __future__ import annotations

import math
import pickle
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from pqdml.chem.composition import (
    COMPOSITION_NUMERIC_FEATURES,
    SITE_TOLERANCE,
    Composition,
    CompositionFeaturizer,
    CompositionTransformer,
    estimate_band_gap,
    featurize_composition,
    featurize_compositions,
    parse_composition,
)
from pqdml.exceptions import (
    AmbiguousCompositionError,
    InvalidCompositionError,
    InvalidInputError,
    StoichiometryError,
    UnknownIonError,
)

# Radii (Å) written out here by hand from the cited sources, not imported from the package:
# Shannon 1976 (Cs+, Rb+, K+ CN XII; Pb2+, Zn2+ CN VI; I-, Br-, Cl- CN VI),
# Kieslich, Sun, Cheetham, Chem. Sci. 2014 (MA+, FA+, GA+) and the Sn2+ value used there.
R = {
    "Cs": 1.88,
    "Rb": 1.72,
    "K": 1.64,
    "MA": 2.17,
    "FA": 2.53,
    "GA": 2.78,
    "Pb": 1.19,
    "Sn": 1.10,
    "Zn": 0.74,
    "I": 2.20,
    "Br": 1.96,
    "Cl": 1.81,
}
SQ2 = math.sqrt(2.0)


def t_hand(r_a: float, r_b: float, r_x: float) -> float:
    return (r_a + r_x) / (SQ2 * (r_b + r_x))


# formula, A fractions, B fractions, X fractions, tolerance factor by hand (3 decimals)
PANEL = [
    ("CsPbI3", {"Cs": 1}, {"Pb": 1}, {"I": 1}, 0.851),  # 4.08 / (1.4142 * 3.39)
    ("CsPbBr3", {"Cs": 1}, {"Pb": 1}, {"Br": 1}, 0.862),  # 3.84 / (1.4142 * 3.15)
    ("CsPbCl3", {"Cs": 1}, {"Pb": 1}, {"Cl": 1}, 0.870),  # 3.69 / (1.4142 * 3.00)
    ("MAPbI3", {"MA": 1}, {"Pb": 1}, {"I": 1}, 0.912),  # 4.37 / 4.794
    ("MAPbBr3", {"MA": 1}, {"Pb": 1}, {"Br": 1}, 0.927),  # 4.13 / 4.455
    ("FAPbI3", {"FA": 1}, {"Pb": 1}, {"I": 1}, 0.987),  # 4.73 / 4.794
    ("FAPbBr3", {"FA": 1}, {"Pb": 1}, {"Br": 1}, 1.008),  # 4.49 / 4.455
    ("CsPbBr1.5I1.5", {"Cs": 1}, {"Pb": 1}, {"Br": 0.5, "I": 0.5}, 0.856),  # rX 2.08
    ("CsPb(Cl0.5Br0.5)3", {"Cs": 1}, {"Pb": 1}, {"Cl": 0.5, "Br": 0.5}, 0.866),  # rX 1.885
    ("Cs0.5FA0.5PbI3", {"Cs": 0.5, "FA": 0.5}, {"Pb": 1}, {"I": 1}, 0.919),  # rA 2.205
    ("CsPb0.9Zn0.1I3", {"Cs": 1}, {"Pb": 0.9, "Zn": 0.1}, {"I": 1}, 0.863),  # rB 1.145
    (
        "FA0.79MA0.16Cs0.05Pb(I0.9Br0.1)3",  # rA 2.4399, rX 2.176
        {"FA": 0.79, "MA": 0.16, "Cs": 0.05},
        {"Pb": 1},
        {"I": 0.9, "Br": 0.1},
        0.970,
    ),
    ("Cs0.05FA0.85MA0.1PbI3", {"Cs": 0.05, "FA": 0.85, "MA": 0.1}, {"Pb": 1}, {"I": 1}, 0.972),
    ("MASnI3", {"MA": 1}, {"Sn": 1}, {"I": 1}, 0.936),  # 4.37 / (1.4142 * 3.30)
    ("CsSnBr3", {"Cs": 1}, {"Sn": 1}, {"Br": 1}, 0.887),  # 3.84 / (1.4142 * 3.06)
    ("GAPbI3", {"GA": 1}, {"Pb": 1}, {"I": 1}, 1.039),  # 4.98 / 4.794
    ("RbPbI3", {"Rb": 1}, {"Pb": 1}, {"I": 1}, 0.818),  # 3.92 / 4.794
    ("KPbI3", {"K": 1}, {"Pb": 1}, {"I": 1}, 0.801),  # 3.84 / 4.794
    (
        "Cs0.05(FA0.83MA0.17)0.95Pb(I0.83Br0.17)3",
        {"Cs": 0.05, "FA": 0.7885, "MA": 0.1615},
        {"Pb": 1},
        {"I": 0.83, "Br": 0.17},
        0.971,
    ),
]


def _mean(fracs: dict[str, float]) -> float:
    return sum(f * R[ion] for ion, f in fracs.items())


@pytest.mark.parametrize(("formula", "a", "b", "x", "t"), PANEL, ids=[p[0] for p in PANEL])
def test_panel_fractions_and_factors(formula, a, b, x, t):
    feats = featurize_composition(formula)
    for site in (a, b, x):
        for ion, frac in site.items():
            assert feats[f"frac_{ion}"] == pytest.approx(frac, abs=1e-9)
    frac_cols = [c for c in COMPOSITION_NUMERIC_FEATURES if c.startswith("frac_")]
    assert sum(feats[c] for c in frac_cols) == pytest.approx(3.0)  # one per site
    r_a, r_b, r_x = _mean(a), _mean(b), _mean(x)
    assert feats["r_A"] == pytest.approx(r_a)
    assert feats["r_B"] == pytest.approx(r_b)
    assert feats["r_X"] == pytest.approx(r_x)
    assert feats["tolerance_factor"] == pytest.approx(t_hand(r_a, r_b, r_x), abs=1e-9)
    assert feats["tolerance_factor"] == pytest.approx(t, abs=6e-4)
    assert feats["octahedral_factor"] == pytest.approx(r_b / r_x)
    assert feats["t_in_stable_window"] == float(0.813 <= t <= 1.107)
    assert feats["t_in_cubic_window"] == float(0.9 <= t <= 1.0)
    assert feats["mu_in_stable_window"] == float(0.442 <= r_b / r_x <= 0.895)
    assert feats["n_A_species"] == len(a)
    assert feats["is_all_inorganic"] == float(set(a) <= {"Cs", "Rb", "K"})


def test_windows_on_named_cases():
    assert featurize_composition("KPbI3")["t_in_stable_window"] == 0.0  # t 0.801 < 0.813
    assert featurize_composition("FAPbBr3")["t_in_cubic_window"] == 0.0  # t 1.008 > 1.0
    assert featurize_composition("FAPbI3")["t_in_cubic_window"] == 1.0
    assert featurize_composition("CsPbI3")["t_in_cubic_window"] == 0.0  # 0.851: tilted
    # Ge2+ (0.73 Å) with I-: mu = 0.332 < 0.442
    assert featurize_composition("CsGeI3")["mu_in_stable_window"] == 0.0


def test_mixing_entropy():
    feats = featurize_composition("Cs0.5FA0.5Pb(I0.5Br0.5)3")
    assert feats["mixing_entropy_A"] == pytest.approx(math.log(2))
    assert feats["mixing_entropy_B"] == 0.0
    assert feats["mixing_entropy_X"] == pytest.approx(math.log(2))
    three = featurize_composition("Cs0.05FA0.85MA0.1PbI3")["mixing_entropy_A"]
    assert three == pytest.approx(
        -(0.05 * math.log(0.05) + 0.85 * math.log(0.85) + 0.1 * math.log(0.1))
    )


def test_band_gap_end_members_and_bowing():
    assert featurize_composition("CsPbI3")["band_gap_est_ev"] == pytest.approx(1.73)
    assert featurize_composition("FAPbI3")["band_gap_est_ev"] == pytest.approx(1.48)
    assert featurize_composition("MAPbBr3")["band_gap_est_ev"] == pytest.approx(2.29)
    # Noh et al. 2013: Eg(x) = 1.57 + 0.39 x + 0.33 x^2 for MAPb(I1-xBrx)3
    for x in (0.1, 0.33, 0.5, 0.8):
        comp = parse_composition(f"MAPb(I{1 - x:.2f}Br{x:.2f})3")
        assert estimate_band_gap(comp) == pytest.approx(1.57 + 0.39 * x + 0.33 * x**2)
    # A-site mix is linear: 0.5 * 1.73 + 0.5 * 1.48
    assert featurize_composition("Cs0.5FA0.5PbI3")["band_gap_est_ev"] == pytest.approx(1.605)
    # Zn at 10 % is treated as a dopant; the host gap is kept
    assert featurize_composition("CsPb0.9Zn0.1I3")["band_gap_est_ev"] == pytest.approx(1.73)
    # no end-member data: NaN, not a guess
    assert math.isnan(featurize_composition("CsPb0.5Zn0.5I3")["band_gap_est_ev"])
    assert math.isnan(featurize_composition("GAPbI3")["band_gap_est_ev"])


def test_spacer_cation_without_radius_gives_nan_factor_not_zero():
    feats = featurize_composition("(PEA)0.1Cs0.9PbI3")
    assert feats["frac_PEA"] == pytest.approx(0.1)
    assert math.isnan(feats["r_A"])
    assert math.isnan(feats["tolerance_factor"])
    assert math.isnan(feats["t_in_stable_window"])
    assert feats["octahedral_factor"] == pytest.approx(1.19 / 2.20)


@pytest.mark.parametrize(
    ("one", "two"),
    [
        ("CsPb(Cl0.5Br0.5)3", "CsPbCl1.5Br1.5"),
        ("Cs0.5FA0.5PbI3", "FA0.5Cs0.5PbI3"),
        ("CsPbBr₃", "CsPbBr3"),
        ("Cs Pb Br 3", "CsPbBr3"),
        ("(PEA)0.1Cs0.9PbI3", "PEA0.1Cs0.9PbI3"),
        ("[FA]0.8[MA]0.2PbI3", "FA0.8MA0.2PbI3"),
        ("CH3NH3PbI3", "MAPbI3"),
        ("HC(NH2)2PbI3", "FAPbI3"),
        ("GUPbI3", "GAPbI3"),
        ("(FAPbI3)0.85(MAPbBr3)0.15", "FA0.85MA0.15PbI2.55Br0.45"),
        ("Cs0.05(FA0.83MA0.17)0.95Pb(I0.83Br0.17)3", "Cs0.05FA0.7885MA0.1615PbI2.49Br0.51"),
        ("Cs2AgBiBr6", "CsAg0.5Bi0.5Br3"),
    ],
)
def test_same_composition_written_two_ways(one, two):
    c1, c2 = parse_composition(one), parse_composition(two)
    assert c1 == c2
    assert hash(c1) == hash(c2)
    assert c1.reduced() == c2.reduced()
    f1, f2 = featurize_composition(one), featurize_composition(two)
    for name in COMPOSITION_NUMERIC_FEATURES:
        assert f1[name] == pytest.approx(f2[name], nan_ok=True, abs=1e-9), name


def test_reduced_is_canonical_and_reparses():
    comp = parse_composition("FA0.79MA0.16Cs0.05Pb(I0.9Br0.1)3")
    assert comp.reduced() == "Cs0.05MA0.16FA0.79PbI2.7Br0.3"
    assert parse_composition(comp.reduced()) == comp
    assert isinstance(comp, Composition)
    assert parse_composition("CsPbBr3") != parse_composition("CsPbI3")


def test_within_tolerance_accepted_beyond_rejected():
    ok = parse_composition(f"Cs{1 + SITE_TOLERANCE / 2}PbI3")
    assert sum(ok.A.values()) == pytest.approx(1.0)
    with pytest.raises(StoichiometryError, match=r"A=1\.05.*not renormalised"):
        parse_composition("Cs1.05PbI3")
    with pytest.raises(StoichiometryError, match=r"X=2\.9"):
        parse_composition("CsPbI2.9")


@pytest.mark.parametrize(
    ("text", "error", "pattern"),
    [
        ("CsXxI3", UnknownIonError, r"unknown ion 'Xx' in 'CsXxI3'"),
        ("BZAPbI3", UnknownIonError, r"unknown ion 'BZA'"),
        ("CsPb(Cl/Br)3", AmbiguousCompositionError, r"ratio .* is missing in 'CsPb\(Cl/Br\)3'"),
        ("CsPbBr3-xIx", AmbiguousCompositionError, r"variable 'x'.*has no value"),
        ("Cs1-xFAxPbI3", AmbiguousCompositionError, r"variable 'x'"),
        ("(PEA)2PbI4", StoichiometryError, r"A=2, B=1, X=4.*not ABX3"),
        ("BA2MA3Pb4I13", StoichiometryError, r"low-dimensional"),
        ("Cs4PbBr6", StoichiometryError, r"low-dimensional"),
        ("CsPbI2", StoichiometryError, r"X=2 in 'CsPbI2'"),
        ("PbI2", StoichiometryError, r"A=0"),
        ("", InvalidCompositionError, r"empty composition"),
        ("   ", InvalidCompositionError, r"empty composition"),
        ("CsPb(Br3", InvalidCompositionError, r"unbalanced '\('"),
        ("CsPbBr3)", InvalidCompositionError, r"unbalanced '\)'"),
        ("Cs()PbBr3", InvalidCompositionError, r"empty brackets"),
        ("3CsPbBr3", InvalidCompositionError, r"number without an ion"),
        ("CsPbBr3:Mn", InvalidCompositionError, r"dopant notation ':'.*CsPb0.9Mn0.1Br3"),
        ("Cs" * 200, InvalidCompositionError, r"longer than"),
    ],
)
def test_errors_name_input_and_reason(text, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        parse_composition(text)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, InvalidInputError)


@pytest.mark.parametrize("value", [None, math.nan, 3.0, b"CsPbI3"])
def test_non_string_values(value):
    with pytest.raises(InvalidCompositionError, match=r"empty|not a string"):
        parse_composition(value)


def test_batch_keeps_every_row_and_index():
    values = pd.Series(
        ["CsPbBr3", None, "CsXxI3", "CsPbBr3", "(PEA)2PbI4", np.nan, "MAPbI3"],
        index=[10, 11, 12, 13, 14, 15, 16],
    )
    out = featurize_compositions(values)
    assert list(out.index) == list(values.index)
    assert out.columns[:3].tolist() == [
        "composition_status",
        "composition_error",
        "composition_reduced",
    ]
    assert out.columns[3:].tolist() == COMPOSITION_NUMERIC_FEATURES
    assert out["composition_status"].tolist() == [
        "ok",
        "invalid_composition",
        "unknown_ion",
        "ok",
        "stoichiometry",
        "invalid_composition",
        "ok",
    ]
    bad = out["composition_status"] != "ok"
    assert out.loc[bad, COMPOSITION_NUMERIC_FEATURES].isna().all().all()  # NaN, not zeros
    assert out.loc[~bad, "composition_error"].isna().all()
    assert out.loc[12, "composition_error"] == "unknown ion 'Xx' in 'CsXxI3'"
    assert out.loc[16, "tolerance_factor"] == pytest.approx(t_hand(2.17, 1.19, 2.20))
    assert out.loc[10, "composition_reduced"] == "CsPbBr3"


def test_batch_of_a_plain_list_and_empty_input():
    out = featurize_compositions(["CsPbI3", "CsPbBr3"])
    assert list(out.index) == [0, 1]
    assert featurize_compositions([]).shape == (0, 3 + len(COMPOSITION_NUMERIC_FEATURES))


def test_batch_is_fast_on_repeated_values():
    values = pd.Series(["CsPbBr3", "FA0.79MA0.16Cs0.05Pb(I0.9Br0.1)3", "CsXxI3", None] * 50_000)
    start = time.perf_counter()
    out = featurize_compositions(values)
    elapsed = time.perf_counter() - start
    assert len(out) == 200_000
    assert (out["composition_status"] == "ok").sum() == 100_000
    assert elapsed < 5.0, elapsed


def test_featurizer_contract():
    featurizer = CompositionFeaturizer()
    vec = featurizer.featurize("CsPbI3")
    assert vec.shape == (len(featurizer.feature_labels()),)
    assert featurizer.feature_labels() == COMPOSITION_NUMERIC_FEATURES
    cites = " ".join(featurizer.citations())
    assert "Shannon" in cites and "Kieslich" in cites and "Noh" in cites
    with pytest.raises(UnknownIonError):
        featurizer.featurize("CsXxI3")


def test_transformer_on_a_dataframe_column():
    frame = pd.DataFrame({"composition": ["CsPbI3", "CsXxI3", "MAPbBr3"]})
    ct = CompositionTransformer().fit(frame)
    out = ct.transform(frame)
    assert out.shape == (3, len(COMPOSITION_NUMERIC_FEATURES))
    assert np.isnan(out[1]).all()
    names = ct.get_feature_names_out().tolist()
    assert names == COMPOSITION_NUMERIC_FEATURES
    assert out[0, names.index("tolerance_factor")] == pytest.approx(t_hand(1.88, 1.19, 2.20))
    with pytest.raises(UnknownIonError, match="Xx"):
        CompositionTransformer(on_error="raise").fit(frame).transform(frame)
    with pytest.raises(ValueError, match="on_error"):
        CompositionTransformer(on_error="ignore").fit(frame)  # type: ignore[arg-type]


def test_transformer_pipeline_clone_pickle_and_pandas_output():
    frame = pd.DataFrame({"composition": ["CsPbI3", "FAPbI3", "MAPbBr3", "CsPbBr3"]})
    pipe = make_pipeline(CompositionTransformer(), StandardScaler())
    first = pipe.fit_transform(frame)
    again = pickle.loads(pickle.dumps(pipe)).transform(frame)
    np.testing.assert_allclose(first, again)
    ct = clone(CompositionTransformer(on_error="raise"))
    assert ct.get_params() == {"on_error": "raise"}
    ct.set_output(transform="pandas")
    out = ct.fit_transform(frame)
    assert isinstance(out, pd.DataFrame)
    assert out.columns.tolist() == COMPOSITION_NUMERIC_FEATURES
    # row order invariance
    rev = CompositionTransformer().fit(frame).transform(frame.iloc[::-1])
    np.testing.assert_allclose(rev[::-1], CompositionTransformer().fit_transform(frame))


_ONE_COLUMN = "takes exactly one column of formula text; the check feeds several numeric columns"
_EXPECTED_FAILED = {
    name: _ONE_COLUMN
    for name in [
        "check_fit_score_takes_y",
        "check_estimators_overwrite_params",
        "check_dont_overwrite_parameters",
        "check_estimators_fit_returns_self",
        "check_readonly_memmap_input",
        "check_n_features_in_after_fitting",
        "check_estimators_dtypes",
        "check_dtype_object",
        "check_pipeline_consistency",
        "check_estimators_pickle",
        "check_f_contiguous_array_estimator",
        "check_transformer_data_not_an_array",
        "check_transformer_general",
        "check_transformer_preserve_dtypes",
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
        "check_dict_unchanged",
        "check_fit_idempotent",
        "check_fit_check_is_fitted",
        "check_n_features_in",
        "check_fit2d_predict1d",
        "check_positive_only_tag_during_fit",
        "check_fit2d_1sample",
    ]
}


@parametrize_with_checks(
    [CompositionTransformer()], expected_failed_checks=lambda est: _EXPECTED_FAILED
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_docs_table_lists_every_ion_with_its_radius(repo_root):
    from pqdml.chem._ions import IONS

    doc = (repo_root / "docs" / "compositions.md").read_text(encoding="utf-8")
    for ion in IONS.values():
        radius = "—" if ion.radius is None else f"{ion.radius:g}"
        assert f"| {ion.site} | `{ion.symbol}` | {ion.name} | {radius} |" in doc, ion.symbol
