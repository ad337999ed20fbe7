"""Draw a ligand as SVG with its anchoring atoms highlighted and labelled L, X or Z.

The anchor atoms are the ones the rules of ``docs/ligands.md`` match (the same SMARTS
as the featurizer, :mod:`pqdml.chem._anchors`), found over the whole input so that a
counter-ion (a halide, a metal centre) is marked where it is drawn. Amines that form
an inner salt with an acid of the same molecule are labelled X, as the binding type
counts them.

Examples
--------
>>> [(a.group, a.binding_class) for a in anchor_atoms("octylamine")]
[('amine_primary', 'L')]
>>> draw_ligand("oleic acid").startswith("<?xml")
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdkit import Chem
from rdkit.Chem.Draw import rdMolDraw2D

from pqdml.chem import _anchors
from pqdml.chem.ligand import resolve_ligand
from pqdml.exceptions import InvalidSmilesError

__all__ = ["CLASS_COLOURS", "AnchorAtom", "anchor_atoms", "draw_ligand"]

#: Highlight colour (RGB, 0–1) of each binding class: L blue, X orange, Z green.
CLASS_COLOURS: dict[str, tuple[float, float, float]] = {
    "L": (0.55, 0.75, 1.0),
    "X": (1.0, 0.70, 0.45),
    "Z": (0.55, 0.90, 0.55),
}


@dataclass(frozen=True)
class AnchorAtom:
    """One anchoring atom of a drawn ligand.

    Attributes
    ----------
    index
        Atom index in the molecule parsed from the ligand's SMILES.
    group
        Anchoring group (``"amine_primary"``, ``"carboxylic_acid"``, ``"halide"``, ``"metal"``).
    label
        The group in words (``"primary amine"``).
    binding_class
        ``"L"``, ``"X"`` or ``"Z"``.
    """

    index: int
    group: str
    label: str
    binding_class: str


def _molecule(text: str) -> Chem.Mol:
    """Molecule of a ligand name or SMILES (raises the featurizer's input errors)."""
    smiles = resolve_ligand(text).smiles
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:  # resolve_ligand accepted it, so only a sanitization corner case is left
        raise InvalidSmilesError(f"unparseable SMILES {smiles!r}: RDKit cannot draw it")
    return mol


def _anchors_of(mol: Chem.Mol) -> list[AnchorAtom]:
    counts, atoms = _anchors.count_groups(mol)
    for name in ("halide", "pseudohalide"):
        hits = sorted({m[0] for m in mol.GetSubstructMatches(_anchors._ION_BY_NAME[name])})
        atoms[name] = hits
        counts[name] = len(hits)
    n_frags = len(Chem.GetMolFrags(mol))
    inner = _anchors.analyse(mol, atoms, counts, n_frags).inner_salt_amines
    lewis = [
        a.GetIdx()
        for a in mol.GetAtoms()
        if a.GetAtomicNum() in _anchors.METALS and a.GetAtomicNum() not in _anchors.ALKALI
    ]
    found: dict[int, AnchorAtom] = {
        i: AnchorAtom(i, "metal", _anchors.GROUP_LABEL["metal"], "Z") for i in lewis
    }
    for group, idxs in atoms.items():
        cls = _anchors.GROUP_CLASS[group]
        if lewis and cls == "X" and group not in _anchors.CATION_GROUPS:
            continue  # a metal salt's own anions add no X (as the binding type counts them)
        for i in idxs:
            if group in _anchors.AMINE_GROUPS and inner > 0:
                aromatic = any(nb.GetIsAromatic() for nb in mol.GetAtomWithIdx(i).GetNeighbors())
                if not aromatic:
                    cls, inner = "X", inner - 1
            found.setdefault(i, AnchorAtom(i, group, _anchors.GROUP_LABEL[group], cls))
    return [found[i] for i in sorted(found)]


def anchor_atoms(text: str) -> list[AnchorAtom]:
    """Anchoring atoms of a ligand (name or SMILES), in atom order.

    Parameters
    ----------
    text
        Dictionary name/abbreviation or SMILES, as :func:`pqdml.featurize_ligand` takes it.

    Returns
    -------
    list of AnchorAtom
        Empty when no anchoring group matches.

    Raises
    ------
    InvalidInputError
        ``UnknownLigandError`` or ``InvalidSmilesError`` naming the input.

    Examples
    --------
    >>> [(a.label, a.binding_class) for a in anchor_atoms("PbBr2")]
    [('metal centre', 'Z')]
    >>> [(a.label, a.binding_class) for a in anchor_atoms("NCCCC(=O)O")]  # inner salt
    [('primary amine', 'X'), ('carboxylic acid', 'X')]
    """
    return _anchors_of(_molecule(text))


def draw_ligand(text: str, *, width: int = 420, height: int = 280, highlight: bool = True) -> str:
    """SVG drawing of a ligand (name or SMILES) with anchor atoms highlighted and labelled.

    Each anchoring atom is shaded by its binding class (:data:`CLASS_COLOURS`) and carries
    an atom note ``L``, ``X`` or ``Z``. Drawn with RDKit's ``rdMolDraw2D``.

    Parameters
    ----------
    text
        Dictionary name/abbreviation or SMILES.
    width, height
        Size of the drawing in pixels.
    highlight
        False draws the bare structure (no highlights, no notes).

    Returns
    -------
    str
        A standalone SVG document.

    Raises
    ------
    InvalidInputError
        ``UnknownLigandError`` or ``InvalidSmilesError`` naming the input.

    Examples
    --------
    >>> svg = draw_ligand("octylamine", width=200, height=120)
    >>> "width='200px'" in svg
    True
    """
    mol = _molecule(text)
    anchors = _anchors_of(mol) if highlight else []
    for a in anchors:
        mol.GetAtomWithIdx(a.index).SetProp("atomNote", a.binding_class)
    drawer = rdMolDraw2D.MolDraw2DSVG(int(width), int(height))
    opts: Any = drawer.drawOptions()
    opts.annotationFontScale = 1.0
    opts.setAnnotationColour((0.05, 0.1, 0.35, 1.0))
    opts.fixedFontSize = 14
    opts.highlightRadius = 0.45
    opts.clearBackground = False
    colours = {a.index: CLASS_COLOURS[a.binding_class] for a in anchors}
    rdMolDraw2D.PrepareAndDrawMolecule(
        drawer,
        mol,
        highlightAtoms=list(colours),
        highlightAtomColors=colours,
        highlightBonds=[],
    )
    drawer.FinishDrawing()
    return drawer.GetDrawingText()
