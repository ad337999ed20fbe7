"""Hypothesis fuzzing: any text gives a result or an InvalidInputError, never another exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pqdml.chem.ligand import featurize_ligand, featurize_ligands
from pqdml.exceptions import InvalidInputError

SMILES_ALPHABET = "CNOSPFIBrcl[]()=#@+-.*123456789%/\\HZnPbCsNa "
FRAGMENTS = st.sampled_from(
    [
        "C",
        "N",
        "O",
        "S",
        "P",
        "c1ccccc1",
        "C(=O)O",
        "[NH3+]",
        "[Br-]",
        ".",
        "[Zn+2]",
        "[*+]",
        "*",
        "(",
        ")",
        "=",
        "#",
        "[Hg]",
        "[O-]",
        "Cl",
        "I",
        "[Si]",
        "1",
        "[n+]",
        "[Cs+]",
        "/C=C\\",
    ]
)


def _check(text: str) -> None:
    try:
        out = featurize_ligand(text)
    except InvalidInputError as exc:
        assert str(exc)
        assert exc.code
        return
    assert out["binding_type"] in {"none", "L", "X", "Z", "L+X", "L+Z", "X+Z", "L+X+Z"}
    assert out["chain_length"] >= 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=40))
def test_any_text(text):
    _check(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=SMILES_ALPHABET, max_size=30))
def test_smiles_like_text(text):
    _check(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(FRAGMENTS, max_size=12).map("".join))
def test_fragment_soup(text):
    _check(text)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=15), st.none(), st.floats()), max_size=8))
def test_batch_never_raises_for_input(values):
    df = featurize_ligands(values)
    assert len(df) == len(values)
    assert df["ligand_status"].notna().all()
