"""Charge balance, ordered double perovskites and the error hints (docs/compositions.md).

The compositions here are not the examples of issue 14; the expected charges were worked out
by hand (A +1, X -1, B in its common oxidation states).
"""

from __future__ import annotations

import math

import pytest

from pqdml.chem.composition import (
    COMPOSITION_NUMERIC_FEATURES,
    featurize_composition,
    featurize_compositions,
    is_double_perovskite,
    parse_composition,
)
from pqdml.exceptions import InvalidCompositionError, StoichiometryError


@pytest.mark.parametrize(
    ("formula", "charges"),
    [
        ("CsSbI3", r"\+3 per"),
        ("MABiBr3", r"\+3 per"),
        ("CsAgCl3", r"\+1 per"),
        ("CsInBr3", r"\+1 or \+3"),  # In(I) or In(III), never +2
        ("CsPb0.6Bi0.4I3", r"\+2\.4"),  # beyond aliovalent doping
        ("Cs2AgAgBr6", r"\+2 per 2"),  # two Ag(I): +2 where +4 is needed
    ],
)
def test_unbalanced_formulas_are_refused_with_the_charges(formula, charges):
    with pytest.raises(StoichiometryError, match=f"not charge balanced.*{charges}") as err:
        parse_composition(formula)
    assert err.value.code == "charge_balance"
    assert formula in str(err.value)


@pytest.mark.parametrize(
    "formula",
    ["CsPb0.9Bi0.1I3", "CsPb0.85Sb0.15Br3", "CsSnI3", "CsSn0.5Pb0.5I3", "FAPb0.95Eu0.05I3"],
)
def test_balanced_or_lightly_doped_formulas_are_accepted(formula):
    assert featurize_composition(formula)["is_double_perovskite"] == 0.0


@pytest.mark.parametrize("formula", ["Cs2AgSbBr6", "Cs2AgInCl6", "MA2AgBiI6", "CsAg0.5Sb0.5Cl3"])
def test_ordered_double_perovskites_are_flagged(formula):
    f = featurize_composition(formula)
    assert f["is_double_perovskite"] == 1.0
    assert f["mixing_entropy_B"] == 0.0  # ordered lattice, not a random alloy
    assert is_double_perovskite(parse_composition(formula))


def test_random_b_site_alloy_keeps_its_mixing_entropy():
    f = featurize_composition("MAPb0.5Sn0.5I3")
    assert f["is_double_perovskite"] == 0.0
    assert math.isclose(f["mixing_entropy_B"], math.log(2))
    # Ag and Bi off the 1:1 ratio is not an ordered double perovskite (and does not balance)
    with pytest.raises(StoichiometryError, match="charge balanced"):
        parse_composition("CsAg0.3Bi0.7Br3")


def test_double_perovskite_flag_is_the_last_feature():
    assert COMPOSITION_NUMERIC_FEATURES[-1] == "is_double_perovskite"
    out = featurize_compositions(["Cs2AgSbBr6", "CsSbI3", "CsPbBr3"])
    assert out["composition_status"].tolist() == ["ok", "charge_balance", "ok"]
    assert out["is_double_perovskite"].tolist()[0] == 1.0
    assert math.isnan(out["is_double_perovskite"].tolist()[1])


@pytest.mark.parametrize(
    ("formula", "suggestion"),
    [
        ("FAPbBr3:Eu", "FAPb0.9Eu0.1Br3"),
        ("CsSnI3:Bi", "CsSn0.9Bi0.1I3"),
        ("MAPbI3:Q", "e.g. CsPb0.9Mn0.1Cl3"),
    ],
)
def test_dopant_notation_suggests_a_site_fraction(formula, suggestion):
    with pytest.raises(InvalidCompositionError, match="dopant notation") as err:
        parse_composition(formula)
    assert suggestion in str(err.value)


@pytest.mark.parametrize("formula", ["Cs0.96PbBr3", "FA1.04PbI3", "CsPbBr3.1"])
def test_small_excess_is_not_called_a_low_dimensional_phase(formula):
    with pytest.raises(StoichiometryError) as err:
        parse_composition(formula)
    assert "low-dimensional" not in str(err.value)
    assert "precursor ratio" in str(err.value)


@pytest.mark.parametrize("formula", ["Cs4PbI6", "CsPb2I5", "PEA2MA2Pb3I10"])
def test_low_dimensional_phases_keep_their_hint(formula):
    with pytest.raises(StoichiometryError, match="low-dimensional"):
        parse_composition(formula)
