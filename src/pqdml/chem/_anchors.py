"""Anchoring groups (SMARTS), L/X/Z binding type, zwitterion and chelation rules.

Every rule here is written out in ``docs/ligands.md``; the reason strings name the
group that matched so a chemist can check each assignment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdkit import Chem

# (group, label used in reasons, binding class, SMARTS whose first atom is the anchor atom,
#  element (atomic number) the group needs; 0: none)
_GROUPS: list[tuple[str, str, str, str, int]] = [
    ("carboxylic_acid", "carboxylic acid", "X", "[CX3;$([#6](=O)[OX2H1])]", 8),
    ("carboxylate", "carboxylate", "X", "[CX3;$([#6](=O)[OX1-])]", 8),
    (
        "amine_primary",
        "primary amine",
        "L",
        "[NX3;H2;+0;!$(N~[!#6;!#1]);!$(N-[#6]=[#7,#8,#16])]",
        7,
    ),
    (
        "amine_secondary",
        "secondary amine",
        "L",
        "[NX3;H1;+0;!a;!$(N~[!#6;!#1]);!$(N-[#6]=[#7,#8,#16]);!$(N(-a)-a)]",
        7,
    ),
    (
        "amine_tertiary",
        "tertiary amine",
        "L",
        "[NX3;H0;+0;!a;!$(N~[!#6;!#1]);!$(N-[#6]=[#7,#8,#16]);!$(N(-a)-a)]",
        7,
    ),
    ("ammonium", "protonated ammonium", "X", "[NX4+;!H0]", 7),
    ("quaternary_ammonium", "quaternary ammonium", "X", "[NX4+;H0]", 7),
    (
        "onium",
        "phosphonium/sulfonium/azolium cation",
        "X",
        "[$([PX4+;H0]),$([SX3+]),$([#7+;a])]",
        0,
    ),
    (
        "amidinium",
        "amidinium/guanidinium",
        "X",
        "[CX3;!$(C=O);$(C(-[NX3;!$(N-C=O)])=[NX3+,NX2;!$(N-[#8])])]",
        7,
    ),
    ("phosphine", "phosphine", "L", "[PX3;+0;!$(P~[#7,#8,#16])]", 15),
    ("phosphine_oxide", "phosphine oxide", "L", "[PX4;$(P(=O)([#6])([#6])[#6])]", 15),
    (
        "phosphonic_acid",
        "phosphonic acid/phosphonate",
        "X",
        "[PX4;$(P(=O)([#6])([OX2,OX1-])[OX2,OX1-])]",
        15,
    ),
    ("phosphinic_acid", "phosphinic acid", "X", "[PX4;$(P(=O)([#6])([#6])[OX2H1,OX1-])]", 15),
    ("phosphate", "phosphate/phosphocholine", "X", "[PX4;$(P(~[#8])(~[#8])(~[#8])~[#8])]", 15),
    ("sulfonic_acid", "sulfonic acid/sulfonate", "X", "[SX4;$(S(=O)(=O)([#6])[OX2H1,OX1-])]", 16),
    (
        "sulfate",
        "sulfate",
        "X",
        "[SX4;$(S(=O)(=O)([OX2][#6])[OX2H1,OX1-]),$(S(=O)(=O)([OX2H1,OX1-])[OX2H1,OX1-])]",
        16,
    ),
    ("thiol", "thiol/thiolate", "X", "[$([SX2;H1][#6]),$([SX1-][#6;!$(C#N)])]", 16),
    ("thioether", "thioether", "L", "[SX2;H0;+0;!a;$(S([#6])[#6])]", 16),
    ("pyridine_n", "pyridine-type N", "L", "[nX2;H0;+0]", 7),
]
# Ion groups are counted over the whole input (counter-ions included).
_ION_GROUPS: list[tuple[str, str, str, str]] = [
    (
        "halide",
        "halide",
        "X",
        "[$([F-,Cl-,Br-,I-]),$([Cl,Br,I;D0;+0]),$([Cl,Br,I]-[Si])]",
    ),
    (
        "pseudohalide",
        "pseudohalide (SCN/OCN/BF4/PF6)",
        "X",
        "[$([CX2](#N)[S,O,Se;D1]),$([CX2](=[N-])=[S,O,Se]),$([BX4-](F)(F)(F)F),$([PX6-](F)(F)(F)(F)(F)F)]",
    ),
]

ANCHOR_GROUPS: list[str] = [g[0] for g in _GROUPS] + [g[0] for g in _ION_GROUPS] + ["metal"]
ANCHOR_FEATURES: list[str] = [f"anchor_{g}" for g in ANCHOR_GROUPS]
GROUP_LABEL: dict[str, str] = {g[0]: g[1] for g in _GROUPS + _ION_GROUPS} | {
    "metal": "metal centre"
}
GROUP_CLASS: dict[str, str] = {g[0]: g[2] for g in _GROUPS + _ION_GROUPS}

# Symbols that must all occur in a canonical SMILES for a group to be possible: its
# elements, and "+"/"-" for charged atoms, "=" for C=O / C=N. Used only to skip SMARTS.
# Derived symbols (see :func:`_symbols`): "N0" a neutral aliphatic N (an "N" outside the
# charged bracket atoms), "N+" a bracket aliphatic N with a "+", "N2" at least two "N"
# (an amidine has two aliphatic N), "PSn" any of P, S, n.
_NEEDS: dict[str, tuple[str, ...]] = {
    "carboxylic_acid": ("O", "="),
    "carboxylate": ("O", "-"),
    "amine_primary": ("N0",),
    "amine_secondary": ("N0",),
    "amine_tertiary": ("N0",),
    "ammonium": ("N+",),
    "quaternary_ammonium": ("N+",),
    "onium": ("+", "PSn"),
    "amidinium": ("N2", "="),
    "phosphine": ("P",),
    "phosphine_oxide": ("P", "O"),
    "phosphonic_acid": ("P", "O"),
    "phosphinic_acid": ("P", "O"),
    "phosphate": ("P", "O"),
    "sulfonic_acid": ("S", "O"),
    "sulfate": ("S", "O"),
    "thiol": ("S",),
    "thioether": ("S",),
    "pyridine_n": ("n",),
}
#: The neutral amine groups (L donors unless protonated in an inner salt).
AMINE_GROUPS = ("amine_primary", "amine_secondary", "amine_tertiary")
# The three amine SMARTS in _GROUPS differ only in the H count and, for secondary and
# tertiary amines, in excluding an N between two aromatic atoms (a diarylamine, not a
# donor). They define the groups but do not run: one SMARTS with their shared conditions
# finds every candidate N, and :func:`_amine_kind` sorts each hit as they would (tested).
_COMPILED = [
    (g[0], Chem.MolFromSmarts(g[3]), frozenset(_NEEDS[g[0]]))
    for g in _GROUPS
    if g[0] not in AMINE_GROUPS
]
_AMINE_ANY = Chem.MolFromSmarts("[NX3;+0;!a;!$(N~[!#6;!#1]);!$(N-[#6]=[#7,#8,#16])]")
_AMINE_BY_H = {2: "amine_primary", 1: "amine_secondary", 0: "amine_tertiary"}  # by H count
_SINGLE = Chem.BondType.SINGLE
_PLAIN = frozenset("ON=-+PSn")
_ALL_SYMBOLS = frozenset().union(*_NEEDS.values())
_CHARGED_ATOM = re.compile(r"\[[^\]]*[+-][^\]]*\]")
_CATIONIC_N = re.compile(r"\[\d*N[@H\d]*\+")


def _symbols(smiles: str) -> set[str]:
    """Symbols of :data:`_NEEDS` that a canonical SMILES can satisfy (a superset is fine)."""
    present = {c for c in _PLAIN if c in smiles}
    if "N" in smiles:
        present.add("N")
        if smiles.count("N") >= 2:
            present.add("N2")
        if "N" in _CHARGED_ATOM.sub("", smiles):
            present.add("N0")
        if "+" in present and _CATIONIC_N.search(smiles):
            present.add("N+")
    if present & {"P", "S", "n"}:
        present.add("PSn")
    return present


_ION_COMPILED = [(g[0], Chem.MolFromSmarts(g[3])) for g in _ION_GROUPS]
_ACIDIC_P = Chem.MolFromSmarts("[PX4;$(P[OX2H1]),$(P[OX1-])]")

#: Groups that can give a proton/anion to an inner salt (with a basic amine).
ACID_GROUPS = (
    "carboxylic_acid",
    "carboxylate",
    "phosphonic_acid",
    "phosphinic_acid",
    "phosphate",
    "sulfonic_acid",
    "sulfate",
    "thiol",
)
CATION_GROUPS = ("ammonium", "quaternary_ammonium", "onium", "amidinium")

#: Alkali metals: counter-ions / A-site cations, not Lewis-acidic Z-type centres.
ALKALI = frozenset({3, 11, 19, 37, 55})
#: Metals that may appear in PQD salts (atomic numbers).
METALS = frozenset(
    Chem.GetPeriodicTable().GetAtomicNumber(s)
    for s in (
        "Li Na K Rb Cs Mg Ca Sr Ba Zn Cd Pb Sn Y In Cu Ag Mn Ni Al Bi Ge Sb La Eu Yb Ce"
    ).split()
)

#: Maximum bonds between two anchor atoms of one molecule for them to chelate one site.
CHELATE_MAX_BONDS = 8
_FEW_PAIRS = 6  # up to this many anchor pairs, shortest paths instead of a distance matrix


@dataclass
class AnchorResult:
    """Anchor counts and the rules applied to them (see :func:`analyse`)."""

    counts: dict[str, int]
    zwitterionic: bool
    chelating: bool
    inner_salt_amines: int


def count_groups(
    mol: Chem.Mol, smiles: str | None = None
) -> tuple[dict[str, int], dict[str, list[int]]]:
    """Count the organic anchoring groups of ``mol``; also return their anchor atoms.

    ``smiles`` (the canonical SMILES of ``mol``, or of a molecule containing it) lets
    patterns whose symbols do not occur in it be skipped; ``None`` runs every pattern.
    """
    counts: dict[str, int] = {}
    atoms: dict[str, list[int]] = {}
    present = _ALL_SYMBOLS if smiles is None else _symbols(smiles)
    _count_amines(mol, "N0" in present, counts, atoms)
    for name, patt, needs in _COMPILED:
        if not needs <= present:
            counts[name] = 0
            continue
        hits = sorted({m[0] for m in mol.GetSubstructMatches(patt, uniquify=True, maxMatches=1000)})
        counts[name] = len(hits)
        atoms[name] = hits
    return counts, atoms


def _amine_kind(atom: Chem.Atom) -> str | None:
    """Return the amine group of an N matched by ``_AMINE_ANY`` (``None``: none of the three)."""
    kind = _AMINE_BY_H.get(atom.GetTotalNumHs(includeNeighbors=True))
    if kind is None or kind == "amine_primary":
        return kind
    aryl = 0
    for bond in atom.GetBonds():
        if bond.GetBondType() == _SINGLE and bond.GetOtherAtom(atom).GetIsAromatic():
            aryl += 1
    return None if aryl >= 2 else kind


def _count_amines(
    mol: Chem.Mol, possible: bool, counts: dict[str, int], atoms: dict[str, list[int]]
) -> None:
    """Fill in the primary, secondary and tertiary amine counts and anchor atoms."""
    found: dict[str, list[int]] = {name: [] for name in AMINE_GROUPS}
    if possible:
        get = mol.GetAtomWithIdx
        for (i,) in mol.GetSubstructMatches(_AMINE_ANY, maxMatches=1000):
            kind = _amine_kind(get(i))
            if kind is not None:
                found[kind].append(i)
    for name in AMINE_GROUPS:
        counts[name] = len(found[name])
        if possible:
            atoms[name] = sorted(found[name])


_ION_BY_NAME = dict(_ION_COMPILED)


def count_ion(name: str, mol: Chem.Mol) -> int:
    """Count ``"halide"`` or ``"pseudohalide"`` anchors over the whole input molecule."""
    return len(mol.GetSubstructMatches(_ION_BY_NAME[name], maxMatches=1000))


def analyse(
    mol: Chem.Mol | None, atoms: dict[str, list[int]], counts: dict[str, int], n_molecules: int = 2
) -> AnchorResult:
    """Apply the zwitterion, inner-salt and chelation rules molecule by molecule.

    Parameters
    ----------
    mol
        The organic ligand part (``None`` for an all-inorganic agent).
    atoms
        Anchor atom indices per group in ``mol`` (from :func:`count_groups`).
    counts
        All anchor counts (organic and ion groups).
    n_molecules
        Number of organic molecules in ``mol`` (1 skips the fragment search).
    """
    if mol is None or sum(map(len, atoms.values())) < 2:
        # an inner salt and a chelate both need two anchor atoms
        return AnchorResult(counts, False, False, 0)
    frag_of: dict[int, int] = {}
    if n_molecules > 1:
        for f, idxs in enumerate(Chem.GetMolFrags(mol, asMols=False, sanitizeFrags=False)):
            for i in idxs:
                frag_of[i] = f
    acidic_p = {m[0] for m in mol.GetSubstructMatches(_ACIDIC_P)} if "phosphate" in atoms else set()
    per_frag: dict[int, dict[str, list[int]]] = {}
    for group, idxs in atoms.items():
        for i in idxs:
            if group == "phosphate" and i not in acidic_p:
                continue
            per_frag.setdefault(frag_of.get(i, 0), {}).setdefault(group, []).append(i)
    zwitterionic = False
    chelating = False
    converted = 0
    dmat = None
    for groups in per_frag.values():
        n_acid = sum(len(groups.get(g, [])) for g in ACID_GROUPS)
        n_cation = sum(len(groups.get(g, [])) for g in CATION_GROUPS)
        basic = [
            i
            for g in AMINE_GROUPS
            for i in groups.get(g, [])
            if not any(nb.GetIsAromatic() for nb in mol.GetAtomWithIdx(i).GetNeighbors())
        ]
        if n_acid and (n_cation or basic):
            zwitterionic = True
            converted += min(len(basic), max(0, n_acid - n_cation))
        anchor_atoms = [i for idxs in groups.values() for i in idxs]
        if len(anchor_atoms) >= 2 and not chelating:
            pairs = [(a, b) for k, a in enumerate(anchor_atoms) for b in anchor_atoms[k + 1 :]]
            if dmat is None and len(pairs) > _FEW_PAIRS:
                dmat = Chem.GetDistanceMatrix(mol)
            if dmat is not None:
                chelating = any(0 < dmat[a][b] <= CHELATE_MAX_BONDS for a, b in pairs)
            else:  # a few shortest paths cost less than the whole distance matrix
                chelating = any(
                    a != b and 0 < len(Chem.GetShortestPath(mol, a, b)) - 1 <= CHELATE_MAX_BONDS
                    for a, b in pairs
                )
    return AnchorResult(counts, zwitterionic, chelating, converted)


def binding(
    result: AnchorResult, lewis_metals: list[str], cation_only: str | None = None
) -> tuple[str, str, str, dict[str, float]]:
    """Return ``binding_type``, ``binding_type_primary``, ``binding_reason`` and one-hots.

    Rules: every matched group votes for its class (L donors: amines, phosphines,
    phosphine oxides, pyridine N, thioethers; X: acids and their anions, ammonium and
    other onium cations, thiols, halides and pseudohalides). Amines that form an inner
    salt with an acid of the same molecule count as X. A Lewis-acidic metal
    (anything but an alkali metal) makes the agent a Z-type metal salt; its anions are
    the salt's own X groups and add no X. ``binding_type_primary`` is Z if present,
    else X if present, else L; ``"none"`` when nothing anchors.
    """
    counts = result.counts
    parts: dict[str, list[str]] = {"Z": [], "X": [], "L": []}
    if lewis_metals:
        anions = [
            f"{GROUP_LABEL[g]} x{counts[g]}"
            for g in GROUP_CLASS
            if GROUP_CLASS[g] == "X" and g not in CATION_GROUPS and counts.get(g)
        ]
        with_anions = f" with its anions ({', '.join(anions)})" if anions else ""
        parts["Z"].append(f"metal salt of {'/'.join(lewis_metals)}{with_anions} as Lewis acid")
    for group, cls in GROUP_CLASS.items():
        n = counts.get(group, 0)
        if not n:
            continue
        if cls == "L" and group in AMINE_GROUPS and result.inner_salt_amines:
            # amines protonated by an acid of the same molecule: counted as X below
            continue
        if cls == "X" and lewis_metals and group not in CATION_GROUPS:
            continue
        parts[cls].append(f"{GROUP_LABEL[group]} ({n})")
    if result.inner_salt_amines:
        n_amine = sum(counts.get(g, 0) for g in AMINE_GROUPS)
        parts["X"].append(f"amine protonated in inner salt ({result.inner_salt_amines})")
        if n_amine > result.inner_salt_amines:
            parts["L"].append(f"free amine ({n_amine - result.inner_salt_amines})")
    if cation_only and not any(parts.values()):
        parts["X"].append(f"A-site cation {cation_only} (ion pair with surface halide)")
    present = [t for t in ("L", "X", "Z") if parts[t]]
    if not present:
        return (
            "none",
            "none",
            "no anchoring group matched",
            {"binding_L": 0.0, "binding_X": 0.0, "binding_Z": 0.0},
        )
    primary = next(t for t in ("Z", "X", "L") if parts[t])
    reason = "; ".join(f"{t}: {text}" for t in ("Z", "X", "L") for text in parts[t])
    onehot = {f"binding_{t}": float(bool(parts[t])) for t in ("L", "X", "Z")}
    return "+".join(present), primary, reason, onehot
