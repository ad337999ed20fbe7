"""Hypothesis fuzzing of the composition parser: a result or InvalidCompositionError, nothing else."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from pqdml.chem._ions import IONS
from pqdml.chem.composition import (
    COMPOSITION_NUMERIC_FEATURES,
    featurize_composition,
    featurize_compositions,
    parse_composition,
)
from pqdml.exceptions import InvalidCompositionError

_PIECES = st.sampled_from(
    [*IONS, "(", ")", "[", "]", "/", "-", "x", "0.5", "3", "1.5", ".", " ", "₃", "Xx", "C"]
)
_FORMULA_LIKE = st.lists(_PIECES, max_size=14).map("".join)


def _check(text: str) -> None:
    try:
        comp = parse_composition(text)
    except InvalidCompositionError as exc:
        assert str(exc)
        assert exc.code
        return
    for site in (comp.A, comp.B, comp.X):
        assert math.isclose(sum(site.values()), 1.0, abs_tol=1e-9)
        assert all(f > 0 for f in site.values())
    assert parse_composition(comp.reduced()) == comp
    feats = featurize_composition(text)
    assert set(COMPOSITION_NUMERIC_FEATURES) <= set(feats)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text(text):
    _check(text)


@settings(max_examples=400, deadline=None)
@given(_FORMULA_LIKE)
def test_formula_like_text(text):
    _check(text)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["Cs", "FA", "MA", "Rb"]), st.integers(1, 99), min_size=1),
    st.dictionaries(st.sampled_from(["I", "Br", "Cl"]), st.integers(1, 99), min_size=1),
)
def test_generated_valid_compositions_parse(a_weights, x_weights):
    def site(weights: dict[str, int], scale: float) -> str:
        total = sum(weights.values())
        return "".join(f"{ion}{scale * w / total:.6f}" for ion, w in weights.items())

    text = f"{site(a_weights, 1)}Pb{site(x_weights, 3)}"
    comp = parse_composition(text)
    assert set(comp.A) == set(a_weights) and set(comp.X) == set(x_weights)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=12), _FORMULA_LIKE, st.none()), max_size=20))
def test_batch_never_raises(values):
    out = featurize_compositions(values)
    assert len(out) == len(values)
    assert out["composition_status"].notna().all()
