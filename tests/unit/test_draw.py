"""pqdml.chem.draw: anchor atoms labelled L/X/Z as the binding type counts them, and the SVG."""

from __future__ import annotations

import pytest
from rdkit import Chem

from pqdml.chem.draw import CLASS_COLOURS, anchor_atoms, draw_ligand
from pqdml.chem.ligand import featurize_ligand, resolve_ligand
from pqdml.exceptions import InvalidSmilesError, UnknownLigandError


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{int(255 * c):02X}" for c in rgb)  # as RDKit writes it


@pytest.mark.parametrize(
    ("ligand", "expected"),
    [
        ("octylamine", [("amine_primary", "L", "N")]),
        ("oleic acid", [("carboxylic_acid", "X", "C")]),
        ("trioctylphosphine oxide", [("phosphine_oxide", "L", "P")]),
        ("1-dodecanethiol", [("thiol", "X", "S")]),
        ("ddab", [("quaternary_ammonium", "X", "N"), ("halide", "X", "Br")]),
        ("[NH3+]CCc1ccccc1.[I-]", [("ammonium", "X", "N"), ("halide", "X", "I")]),
        # an inner salt: the amine is protonated by the acid of the same molecule (X)
        ("NCCCC(=O)O", [("amine_primary", "X", "N"), ("carboxylic_acid", "X", "C")]),
        # two molecules: the amine stays an L donor
        ("OA/OAm", [("carboxylic_acid", "X", "C"), ("amine_primary", "L", "N")]),
        # a metal salt is Z; its own bromides add no X
        ("PbBr2", [("metal", "Z", "Pb")]),
        ("CCCCCC", []),
    ],
)
def test_anchor_atoms_of_a_panel(ligand: str, expected: list[tuple[str, str, str]]) -> None:
    mol = Chem.MolFromSmiles(resolve_ligand(ligand).smiles)
    found = [
        (a.group, a.binding_class, mol.GetAtomWithIdx(a.index).GetSymbol())
        for a in anchor_atoms(ligand)
    ]
    assert found == expected


@pytest.mark.parametrize("ligand", ["octylamine", "oleic acid", "ddab", "PbBr2", "NCCCC(=O)O"])
def test_labelled_classes_agree_with_the_binding_type(ligand: str) -> None:
    classes = {a.binding_class for a in anchor_atoms(ligand)}
    binding = featurize_ligand(ligand)["binding_type"]
    assert classes == set(binding.split("+"))


def test_svg_shades_each_anchor_with_its_class_colour() -> None:
    svg = draw_ligand("OA/OAm", width=300, height=200)
    assert svg.startswith("<?xml") and "width='300px'" in svg and "height='200px'" in svg
    assert _hex(CLASS_COLOURS["L"]) in svg and _hex(CLASS_COLOURS["X"]) in svg
    assert _hex(CLASS_COLOURS["Z"]) not in svg
    bare = draw_ligand("OA/OAm", highlight=False)
    assert _hex(CLASS_COLOURS["L"]) not in bare and _hex(CLASS_COLOURS["X"]) not in bare


def test_bad_input_raises_the_featurizer_errors() -> None:
    with pytest.raises(InvalidSmilesError, match="unparseable SMILES 'C1CC'"):
        draw_ligand("C1CC")
    with pytest.raises(UnknownLigandError, match="not a known ligand name"):
        anchor_atoms("nosuchligandxyz")
