"""Anchoring groups (SMARTS), L/X/Z binding type, zwitterion and chelation rules.

Every rule here is written out in ``docs/ligands.md``; the reason strings name the
group that matched so a chemist can check each assignment.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

from rdkit import Chem

from pqdml.chem._groups import AMINE_EXCL, CROWN, GROUPS, ION_GROUPS

_GROUPS = GROUPS
_ION_GROUPS = ION_GROUPS
_OLD_GROUPS = 19  # groups (in _GROUPS order) whose anchor columns predate the second pass
_ORGANIC = [*_GROUPS, CROWN]
ANCHOR_GROUPS: list[str] = (
    [g.name for g in _GROUPS[:_OLD_GROUPS]]
    + ["halide", "pseudohalide", "metal"]
    + [g.name for g in _GROUPS[_OLD_GROUPS:]]
    + [CROWN.name, "sulfide"]
)
#: Anchor features that existed before the second chemistry pass, in their old order.
ANCHOR_FEATURES_V1: list[str] = [f"anchor_{g}" for g in ANCHOR_GROUPS[: _OLD_GROUPS + 3]]
#: Anchor features added by the second chemistry pass (appended after the old features).
ANCHOR_FEATURES_V2: list[str] = [f"anchor_{g}" for g in ANCHOR_GROUPS[_OLD_GROUPS + 3 :]]
ANCHOR_FEATURES: list[str] = ANCHOR_FEATURES_V1 + ANCHOR_FEATURES_V2
GROUP_LABEL: dict[str, str] = (
    {g.name: g.label for g in _ORGANIC}
    | {g[0]: g[1] for g in _ION_GROUPS}
    | {"metal": "metal centre"}
)
GROUP_CLASS: dict[str, str] = {g.name: g.cls for g in _ORGANIC} | {g[0]: g[2] for g in _ION_GROUPS}
_GROUP_RANK = {g: k for k, g in enumerate(GROUP_CLASS)}
#: Bonds from a group's anchor atom to its donor atom (groups absent: no lone pair to give).
DONOR_OFFSET: dict[str, int] = {g.name: g.offset for g in _ORGANIC if g.offset is not None}
BIDENTATE = frozenset(g.name for g in _ORGANIC if g.bidentate)

#: The neutral amine groups (L donors unless protonated in an inner salt).
AMINE_GROUPS = ("amine_primary", "amine_secondary", "amine_tertiary")
# The three amine SMARTS in _GROUPS differ only in the H count and, for secondary and
# tertiary amines, in excluding an N between two aromatic atoms (a diarylamine, not a
# donor). They define the groups but do not run: one SMARTS with their shared conditions
# finds every candidate N, and :func:`_amine_kind` sorts each hit as they would (tested).
_COMPILED = [
    (g.name, [Chem.MolFromSmarts(s) for s in g.smarts], frozenset(g.needs), g.bidentate)
    for g in _GROUPS
    if g.name not in AMINE_GROUPS
]
_ZERO_COUNTS = dict.fromkeys([g.name for g in _ORGANIC], 0)


@functools.lru_cache(maxsize=4096)
def _runnable(present: frozenset[str]) -> tuple[tuple[str, list[Chem.Mol], bool], ...]:
    """Return the compiled groups whose needed symbols are all in ``present`` (memoized)."""
    return tuple((name, patts, bid) for name, patts, needs, bid in _COMPILED if needs <= present)


_AMINE_ANY = Chem.MolFromSmarts(f"[NX3;+0;!a;{AMINE_EXCL}]")
_AMINE_BY_H = {2: "amine_primary", 1: "amine_secondary", 0: "amine_tertiary"}  # by H count
_SINGLE = Chem.BondType.SINGLE
_PLAIN = frozenset("ON=-+PSnscB")
_ALL_SYMBOLS = frozenset().union(*(g.needs for g in _ORGANIC)) | {"ring"}
_CHARGED_ATOM = re.compile(r"\[[^\]]*[+-][^\]]*\]")
_CATIONIC_N = re.compile(r"\[\d*N[@H\d]*\+")
#: Ether O in a ring of at least this many atoms: a crown ether (12-crown-4 and larger).
CROWN_MIN_RING = 9
CROWN_MIN_O = 3


def _symbols(smiles: str) -> set[str]:
    """Symbols of the groups' ``needs`` that a canonical SMILES can satisfy (a superset is fine)."""
    present = {c for c in _PLAIN if c in smiles}
    if "O" in present:
        if smiles.count("O") >= 2:
            present.add("O2")
        if "=O" in smiles or "O=" in smiles or "=[" in smiles:
            present.add("=O")  # a C=O, P=O or S=O (isotopes and charges: any "=[")
    if "N" in smiles:
        present.add("N")
        present.add("Nn")
        if smiles.count("N") >= 2:
            present.add("N2")
        if "N" in _CHARGED_ATOM.sub("", smiles):
            present.add("N0")
        if "+" in present and _CATIONIC_N.search(smiles):
            present.add("N+")
    elif "n" in present:
        present.add("Nn")
    if "Se" in smiles:
        present.add("Se")
    if present & {"P", "S", "n"}:
        present.add("PSn")
    if "1" in smiles and smiles.count("O") >= CROWN_MIN_O:
        present.add("ring")
    return present


_ION_COMPILED = [(g[0], Chem.MolFromSmarts(g[3])) for g in _ION_GROUPS]

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
    "thiolate",
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

#: Chelate rings of CHELATE_RING[0]..CHELATE_RING[1] atoms (metal included) can close.
CHELATE_RING = (4, 7)
#: Rings of at most this many atoms are rigid: a path may cross one of their bonds only.
RIGID_RING_MAX = 8


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
    A bidentate group counts once per donor pair; both donors are its anchor atoms.
    """
    counts = dict(_ZERO_COUNTS)
    atoms: dict[str, list[int]] = {}
    present = _ALL_SYMBOLS if smiles is None else frozenset(_symbols(smiles))
    _count_amines(mol, "N0" in present, counts, atoms)
    for name, patts, bidentate in _runnable(present):
        if bidentate:
            pairs = {
                frozenset((m[0], m[-1]))
                for patt in patts
                for m in mol.GetSubstructMatches(patt, uniquify=True, maxMatches=1000)
            }
            counts[name] = len(pairs)
            hits = sorted(set().union(*pairs)) if pairs else []
        else:
            hits = sorted(
                {m[0] for m in mol.GetSubstructMatches(patts[0], uniquify=True, maxMatches=1000)}
            )
            counts[name] = len(hits)
        atoms[name] = hits
    crowns = _crowns(mol) if "ring" in present and "O" in present else []
    counts[CROWN.name] = len(crowns)
    if crowns:
        atoms[CROWN.name] = crowns
    return counts, atoms


def _crowns(mol: Chem.Mol) -> list[int]:
    """One ether O of each ring of >= 9 atoms holding >= 3 ether O (a crown ether)."""
    found = []
    get = mol.GetAtomWithIdx
    for ring in mol.GetRingInfo().AtomRings():
        if len(ring) < CROWN_MIN_RING:
            continue
        ethers = [
            i
            for i in ring
            if get(i).GetAtomicNum() == 8
            and get(i).GetDegree() == 2
            and all(nb.GetAtomicNum() == 6 for nb in get(i).GetNeighbors())
        ]
        if len(ethers) >= CROWN_MIN_O:
            found.append(min(ethers))
    return sorted(set(found))


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
    """Count ``"halide"``, ``"pseudohalide"`` or ``"sulfide"`` anchors over the whole input."""
    return len(mol.GetSubstructMatches(_ION_BY_NAME[name], maxMatches=1000))


def _rigid_path(mol: Chem.Mol, path: tuple[int, ...]) -> bool:
    """Whether ``path`` crosses two or more bonds of one ring of <= 8 atoms (meta, para)."""
    ring_bonds = [ring for ring in mol.GetRingInfo().BondRings() if len(ring) <= RIGID_RING_MAX]
    if not ring_bonds:
        return False
    bonds = {mol.GetBondBetweenAtoms(a, b).GetIdx() for a, b in itertools.pairwise(path)}
    return any(len(bonds.intersection(ring)) >= 2 for ring in ring_bonds)


def _can_chelate(mol: Chem.Mol, donors: list[tuple[int, int]], dmat: object | None) -> bool:
    """Whether two donors (anchor atom, offset) of one molecule can close a 4-7 ring on one metal.

    A chelate ring holds the metal, both donor atoms and the atoms between them, so the
    donors must be 2 to 5 bonds apart (the offsets add the bonds from an anchor atom to its
    donor, e.g. carboxyl C to O). The shortest path between them must be flexible: it may
    cross at most one bond of any ring of <= 8 atoms (ortho, or peri across two fused rings);
    a meta or para path across a rigid ring (terephthalic acid, 4,4'-bipyridine, 4-MP) can
    only bridge two metals.
    """
    lo, hi = CHELATE_RING[0] - 2, CHELATE_RING[1] - 2
    for k, (a, off_a) in enumerate(donors):
        for b, off_b in donors[k + 1 :]:
            if a == b:
                continue
            extra = off_a + off_b
            if dmat is not None:
                d = int(dmat[a][b])  # type: ignore[index]
                if not (lo <= d + extra <= hi):
                    continue
                path = Chem.GetShortestPath(mol, a, b)
            else:
                path = Chem.GetShortestPath(mol, a, b)
                if not path or not (lo <= len(path) - 1 + extra <= hi):
                    continue
            if not _rigid_path(mol, path):
                return True
    return False


_FEW_DONORS = 4  # up to this many donors, shortest paths instead of a distance matrix


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
    if mol is None or not any(atoms.values()):
        return AnchorResult(counts, False, False, 0)
    chelating = any(counts.get(g) for g in BIDENTATE)
    if sum(map(len, atoms.values())) < 2:
        # an inner salt and a two-group chelate both need two anchor atoms
        return AnchorResult(counts, False, chelating, 0)
    frag_of: dict[int, int] = {}
    frag_charge: dict[int, int] = {}
    if n_molecules > 1:
        for f, idxs in enumerate(Chem.GetMolFrags(mol, asMols=False, sanitizeFrags=False)):
            q = 0
            for i in idxs:
                frag_of[i] = f
                q += mol.GetAtomWithIdx(i).GetFormalCharge()
            frag_charge[f] = q
    else:
        frag_charge[0] = Chem.GetFormalCharge(mol)
    per_frag: dict[int, dict[str, list[int]]] = {}
    for group, idxs in atoms.items():
        for i in idxs:
            per_frag.setdefault(frag_of.get(i, 0), {}).setdefault(group, []).append(i)
    zwitterionic = False
    converted = 0
    dmat = None
    for f, groups in per_frag.items():
        n_acid = sum(len(groups.get(g, [])) for g in ACID_GROUPS)
        n_cation = sum(len(groups.get(g, [])) for g in CATION_GROUPS)
        basic = [
            i
            for g in AMINE_GROUPS
            for i in groups.get(g, [])
            if not any(nb.GetIsAromatic() for nb in mol.GetAtomWithIdx(i).GetNeighbors())
        ]
        # an inner salt is one molecule with no net charge (an amino-acid salt is not)
        if n_acid and (n_cation or basic) and frag_charge[f] == 0:
            zwitterionic = True
            converted += min(len(basic), max(0, n_acid - n_cation))
        if chelating:
            continue
        donors = [
            (i, DONOR_OFFSET[g]) for g, idxs in groups.items() if g in DONOR_OFFSET for i in idxs
        ]
        if len(donors) >= 2:
            if dmat is None and len(donors) > _FEW_DONORS:
                dmat = Chem.GetDistanceMatrix(mol)
            chelating = _can_chelate(mol, donors, dmat)
    return AnchorResult(counts, zwitterionic, chelating, converted)


def binding(
    result: AnchorResult, lewis_metals: list[str], cation_only: str | None = None
) -> tuple[str, str, str, dict[str, float]]:
    """Return ``binding_type``, ``binding_type_primary``, ``binding_reason`` and one-hots.

    Rules: every matched group votes for its class (L donors: amines, phosphines,
    phosphine oxides, pyridine N, thioethers ...; X: acids and their anions, ammonium and
    other onium cations, thiols, halides and pseudohalides; Z: boronic acids). Amines that
    form an inner salt with an acid of the same molecule count as X. A Lewis-acidic metal
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
    found = [g for g, n in counts.items() if n and g in _GROUP_RANK]
    for group in sorted(found, key=_GROUP_RANK.__getitem__):  # in GROUP_CLASS order
        n, cls = counts[group], GROUP_CLASS[group]
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
