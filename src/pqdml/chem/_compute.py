"""Feature computation for one parsed ligand: salt splitting, descriptors, anchors.

Kept apart from :mod:`pqdml.chem.ligand` (the public API) so each stays short. The
hot path is tuned for throughput: one pass over the atoms, SMARTS in C++, element
pre-filters before SMARTS, RDKit's C++ descriptors only.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Sequence
from typing import Any

from rdkit import Chem, rdBase
from rdkit.Chem import Descriptors, rdFingerprintGenerator, rdMolDescriptors

from pqdml.chem import _anchors
from pqdml.chem._anchors import ANCHOR_FEATURES_V1, ANCHOR_FEATURES_V2, METALS
from pqdml.chem._chain import (
    CHAIN_FEATURES,
    TAIL_FEATURES,
    Adjacency,
    acyclic_adjacency,
    anchor_tails,
    chain_features,
)
from pqdml.chem._standardize import standardize
from pqdml.exceptions import InvalidInputError

_PT = Chem.GetPeriodicTable()
#: Elements a ligand may contain: organic elements plus the metals of PQD salts (0 is ``*``).
SUPPORTED_ELEMENTS = (
    frozenset(_PT.GetAtomicNumber(s) for s in "H B C N O F Si P S Cl Se Br I".split())
    | METALS
    | {0}
)

DESCRIPTOR_FEATURES = [
    "mol_weight",
    "heavy_atoms",
    "tpsa",
    "logp",
    "h_donors",
    "h_acceptors",
    "rotatable_bonds",
    "aromatic_rings",
    "rings",
    "fraction_csp3",
    "formal_charge",
    "n_carbon",
    "n_nitrogen",
    "n_oxygen",
    "n_phosphorus",
    "n_sulfur",
    "n_halogen",
    "n_organic_components",
    "is_polymer",
]
#: Fixed, ordered numeric features of the default set. The features added by the second
#: chemistry pass (new anchor groups, the anchor tails) follow the older ones, which keep
#: their positions (``docs/ligands.md`` lists every feature).
LIGAND_NUMERIC_FEATURES: list[str] = [
    *DESCRIPTOR_FEATURES,
    *CHAIN_FEATURES,
    *ANCHOR_FEATURES_V1,
    "n_anchors",
    "is_chelating",
    "binding_L",
    "binding_X",
    "binding_Z",
    "zwitterionic",
    *ANCHOR_FEATURES_V2,
    *TAIL_FEATURES,
]
#: String features (``None`` for failed rows).
LIGAND_STRING_FEATURES = ["binding_type", "binding_type_primary", "binding_reason", "counter_ion"]
FULL_NAMES = [name for name, _ in Descriptors._descList]

_HALOGENS = frozenset({9, 17, 35, 53})
_ION_LABELS = {
    "H4N": "NH4",
    "CNS": "SCN",
    "CNO": "OCN",
    "CNSe": "SeCN",
    "F6P": "PF6",
    "HI": "I",
    "HBr": "Br",
    "HCl": "Cl",
    "HF": "F",
}
# carbon-containing ions that are inorganic counter-ions, not organic ligands
_INORGANIC_CARBON = frozenset({"CNS", "CNO", "CNSe", "CN", "CO3", "CHO3"})
_CHARGE = re.compile(r"[+-]\d*$")
_HEAVY_HALOGENS = frozenset({17, 35, 53})
_LONE_F = re.compile(r"(?:^|\.)(?:F|\[F-\])(?=\.|$)")
_LONE_S = re.compile(r"(?:^|\.)(?:S|\[S-2\]|\[SH-\])(?=\.|$)")
_PSEUDO_PARTNERS = frozenset({8, 16, 34})
_FLUORO_ANION = frozenset({5, 15})
_ROT_NONSTRICT = rdMolDescriptors.NumRotatableBondsOptions.NonStrict
_LEWIS_METALS = METALS - _anchors.ALKALI
_RINGS_ONLY = Chem.SanitizeFlags.SANITIZE_SYMMRINGS
_FORMULA_TERM = re.compile(r"([A-Z][a-z]?|\*)(\d*)")
_SYMBOL_Z: dict[str, int] = {"*": 0}


def element_counts(mol: Chem.Mol) -> dict[int, int]:
    """Atoms per atomic number (0: ``*``), read from RDKit's molecular formula.

    One C++ call instead of a Python loop over the atoms. Hydrogens are the formula's
    (implicit ones included); no feature counts them.
    """
    counts: dict[int, int] = {}
    for symbol, n in _FORMULA_TERM.findall(rdMolDescriptors.CalcMolFormula(mol)):
        z = _SYMBOL_Z.get(symbol)
        if z is None:
            z = _SYMBOL_Z[symbol] = _PT.GetAtomicNumber(symbol)
        counts[z] = counts.get(z, 0) + (int(n) if n else 1)
    return counts


_FORMULA_FROM_ATOMS = 7  # graph_counts reads the formula from this many atoms on


def graph_counts(mol: Chem.Mol) -> dict[int, int]:
    """Count the atoms of ``mol``'s graph per atomic number (``*``: 0; hydrogen: 1).

    Heavy atoms, ``*`` and explicit hydrogen atoms count, implicit hydrogens do not. Small
    molecules (ions) are counted atom by atom; larger ones from RDKit's formula (one C++
    call, cheaper from about seven atoms on), whose H count is replaced by the number of
    hydrogen atoms in the graph. Both give the same counts (tested).
    """
    n_atoms = mol.GetNumAtoms()
    if n_atoms < _FORMULA_FROM_ATOMS:
        get = mol.GetAtomWithIdx
        small: dict[int, int] = {}
        for i in range(n_atoms):
            z = get(i).GetAtomicNum()
            small[z] = small.get(z, 0) + 1
        return small
    counts = element_counts(mol)
    explicit_h = n_atoms - mol.GetNumHeavyAtoms() - counts.get(0, 0)
    if explicit_h:
        counts[1] = explicit_h
    else:
        counts.pop(1, None)
    return counts


def _single_element(frag: Chem.Mol, counts: dict[int, int]) -> int | None:
    """Return the atomic number of a one-atom fragment, else ``None``."""
    return next(iter(counts)) if frag.GetNumAtoms() == 1 else None


def _ion_label(frag: Chem.Mol, counts: dict[int, int]) -> str:
    if counts.keys() <= {0}:
        return "unspecified"
    z = _single_element(frag, counts)
    if z is not None and (z in _HALOGENS or z in METALS):
        return str(_PT.GetElementSymbol(z))
    formula = _CHARGE.sub("", rdMolDescriptors.CalcMolFormula(frag))
    return _ION_LABELS.get(formula, formula)


def _combine(frags: Sequence[Chem.Mol]) -> Chem.Mol:
    mol = frags[0]
    for frag in frags[1:]:
        mol = Chem.CombineMols(mol, frag)
    if len(frags) > 1:
        Chem.SanitizeMol(mol)
    return mol


def _kind(frag: Chem.Mol, nums: set[int]) -> str:
    if nums <= {0}:
        return "dummy"
    if nums & METALS:
        return "metal"
    if 6 not in nums:
        return "inorganic"
    if (
        frag.GetNumAtoms() <= 5
        and _CHARGE.sub("", rdMolDescriptors.CalcMolFormula(frag)) in _INORGANIC_CARBON
    ):
        return "inorganic"
    return "organic"


class Split:
    """The ligand part of an input and what surrounds it (rules in ``docs/ligands.md``).

    Organic fragments, when present, are the ligand; the rest are counter-ions. An
    all-inorganic input is a Z-type metal salt when it holds a non-alkali metal,
    else its anions (halide, pseudohalide) are the ligand, else its cations.
    """

    def __init__(
        self,
        mol: Chem.Mol,
        counts: dict[int, int],
        text: str,
        dotted: bool,
        smiles: str | None = None,
    ) -> None:
        numset = set(counts)
        if smiles is None:
            smiles = Chem.MolToSmiles(mol)
        #: canonical SMILES of the standardized input, for SMARTS pre-filters
        new_mol, self.smiles = standardize(mol, smiles, numset, text)
        if new_mol is not mol:
            mol = new_mol
            dotted = "." in self.smiles
        self.whole = mol
        self.whole_nums = numset
        self.cation_only: str | None = None
        self.run_groups = True
        self.lewis_metals: list[str] = []
        self.counter_ion: str | None = None
        self.ligand: Chem.Mol = mol
        #: atoms per atomic number of the ligand part
        self.ligand_counts: dict[int, int] = counts
        self.largest: Chem.Mol | None = None
        self.n_organic = 0
        if not dotted or len(Chem.GetMolFrags(mol)) == 1:
            if _kind(mol, numset) == "organic":
                self.largest = mol
                self.n_organic = 1
                return
        self._split(mol, text)

    def _split(self, mol: Chem.Mol, text: str) -> None:
        # the input is sanitized: its fragments keep its perception and need only ring info
        frags = list(Chem.GetMolFrags(mol, asMols=True, sanitizeFrags=False))
        for frag in frags:
            Chem.SanitizeMol(frag, _RINGS_ONLY)
        fcounts = [graph_counts(f) for f in frags]
        kinds = [_kind(f, set(c)) for f, c in zip(frags, fcounts, strict=True)]
        lewis = set()
        for frag, counts in zip(frags, fcounts, strict=True):
            if counts.keys() & _LEWIS_METALS:
                for atom in frag.GetAtoms():
                    z = atom.GetAtomicNum()
                    if z in _LEWIS_METALS:
                        q = atom.GetFormalCharge()
                        sym = _PT.GetElementSymbol(z)
                        lewis.add(f"{sym}({q:+d})" if q else sym)
        self.lewis_metals = sorted(lewis)
        all_k = range(len(frags))
        organic = [k for k in all_k if kinds[k] == "organic"]
        self.n_organic = len(organic)

        def is_hx(k: int) -> bool:  # a lone neutral halogen atom: HX
            return (
                _single_element(frags[k], fcounts[k]) in _HALOGENS
                and not frags[k].GetAtomWithIdx(0).GetFormalCharge()
            )

        if organic:
            ligand = organic
        elif self.lewis_metals:
            # an all-inorganic metal salt (PbBr2, YCl3): the salt itself is the Z-type ligand
            ligand = [k for k in all_k if kinds[k] != "dummy"]
            self.run_groups = False
        else:
            charged = [(k, Chem.GetFormalCharge(frags[k])) for k in all_k if kinds[k] != "dummy"]
            anions = [k for k, q in charged if q < 0 or is_hx(k)]
            cations = [k for k, q in charged if q > 0]
            if anions:
                ligand = anions
                self.run_groups = False
            elif cations:
                ligand = cations
                self.cation_only = "/".join(
                    sorted({_ion_label(frags[k], fcounts[k]) for k in cations})
                )
                self.run_groups = False
            elif charged:
                ligand = [k for k, _ in charged]
            else:
                raise InvalidInputError(
                    f"ligand {text!r} holds only unspecified ions (*): nothing to featurize",
                    code="no_ligand",
                )
        if organic or not self.lewis_metals:
            others = {_ion_label(frags[k], fcounts[k]) for k in all_k if k not in ligand}
            if not organic and all(is_hx(k) for k in ligand) and not others:
                others = {"H"}  # HI, HBr written as a lone halogen: the proton is the counter-ion
        else:
            others = {_ion_label(frags[k], fcounts[k]) for k in all_k if kinds[k] == "inorganic"}
        self.counter_ion = ";".join(sorted(others)) or None
        self.ligand = _combine([frags[k] for k in ligand])
        if len(ligand) == 1:
            self.ligand_counts = fcounts[ligand[0]]
        else:
            self.ligand_counts = {}
            for k in ligand:
                for z, n in fcounts[k].items():
                    self.ligand_counts[z] = self.ligand_counts.get(z, 0) + n
        if organic:
            self.largest = frags[max(organic, key=lambda k: frags[k].GetNumHeavyAtoms())]


_ENV_GEN = rdFingerprintGenerator.GetMorganGenerator(radius=2, includeRedundantEnvironments=True)
_LOGP_CACHE: dict[int, float] = {}
_LAST = operator.itemgetter(-1)


def crippen_logp(mol: Chem.Mol) -> float:
    """Wildman–Crippen logP, summed from per-atom contributions cached by atom environment.

    RDKit's ``MolLogP`` types every atom (and its hydrogens) with ~110 SMARTS, which
    dominates a featurization. A Crippen atom type depends only on the atom's
    neighbourhood within two bonds, so the contribution of a heavy atom plus its
    hydrogens is cached under its radius-2 Morgan environment; atoms not seen before
    are typed by RDKit. The result equals ``Crippen.MolLogP`` (tested).
    """
    ao = rdFingerprintGenerator.AdditionalOutput()
    ao.AllocateAtomToBits()
    _ENV_GEN.GetSparseCountFingerprint(mol, additionalOutput=ao)
    keys = list(map(_LAST, ao.GetAtomToBits()))
    try:
        return float(sum(map(_LOGP_CACHE.__getitem__, keys)))
    except KeyError:
        pass
    with_h = Chem.AddHs(mol)
    contribs = rdMolDescriptors._CalcCrippenContribs(with_h)
    n_heavy = mol.GetNumAtoms()
    per_atom = [c[0] for c in contribs[:n_heavy]]
    get = with_h.GetAtomWithIdx
    for i in range(n_heavy, with_h.GetNumAtoms()):  # the added hydrogens, in order
        atom = get(i)
        if atom.GetDegree():
            per_atom[atom.GetNeighbors()[0].GetIdx()] += contribs[i][0]
    if len(_LOGP_CACHE) > 500_000:
        _LOGP_CACHE.clear()
    for key, value in zip(keys, per_atom, strict=True):
        _LOGP_CACHE[key] = value
    return float(sum(per_atom))


#: Decimals kept of the summed descriptors (molecular weight, TPSA, logP). Their per-atom
#: terms have at most four decimals (isotope masses aside), but the order of the atoms (which depends on how
#: the SMILES was written) changes the last binary digit of a floating-point sum; rounding
#: makes every spelling of a molecule give the same value, bit for bit.
_DECIMALS = 6


#: RDKit's non-strict rotatable bond: a single, non-ring bond between two atoms that are
#: neither terminal nor in a triple bond (``NumRotatableBondsOptions.NonStrict``, whose
#: SMARTS is ``[!$(*#*)&!D1]-&!@[!$(*#*)&!D1]``). Without a triple bond in the molecule
#: its recursive part never matches, and this plain pattern counts the same bonds faster.
_ROTATABLE_NO_TRIPLE = Chem.MolFromSmarts("[!D1]-&!@[!D1]")


def _rotatable_bonds(mol: Chem.Mol, smiles: str | None) -> int:
    """RDKit's non-strict rotatable bond count of ``mol``.

    ``smiles`` is the canonical SMILES of ``mol`` or of a molecule containing it: without a
    ``#`` it holds no triple bond.
    """
    if smiles is not None and "#" not in smiles:
        # RDKit's count stops at 1,000 matches (its default); so does this one
        return len(mol.GetSubstructMatches(_ROTATABLE_NO_TRIPLE, maxMatches=1000))
    return int(rdMolDescriptors.CalcNumRotatableBonds(mol, _ROT_NONSTRICT))


def _descriptors(mol: Chem.Mol, counts: dict[int, int], smiles: str | None) -> dict[str, float]:
    """Fast default descriptors; H-bond counts are Lipinski's (NH+OH donors, N+O acceptors)."""
    polymer = 0 in counts and any(a.GetAtomicNum() == 0 and a.GetDegree() for a in mol.GetAtoms())
    return {
        "mol_weight": round(rdMolDescriptors._CalcMolWt(mol), _DECIMALS),
        "heavy_atoms": float(mol.GetNumHeavyAtoms()),
        "tpsa": round(rdMolDescriptors.CalcTPSA(mol), _DECIMALS),
        "logp": round(crippen_logp(mol), _DECIMALS),
        "h_donors": float(rdMolDescriptors.CalcNumLipinskiHBD(mol)),
        "h_acceptors": float(rdMolDescriptors.CalcNumLipinskiHBA(mol)),
        "rotatable_bonds": float(_rotatable_bonds(mol, smiles)),
        "aromatic_rings": float(rdMolDescriptors.CalcNumAromaticRings(mol)),
        "rings": float(rdMolDescriptors.CalcNumRings(mol)),
        "fraction_csp3": rdMolDescriptors.CalcFractionCSP3(mol),
        "formal_charge": float(Chem.GetFormalCharge(mol)),
        "n_carbon": float(counts.get(6, 0)),
        "n_nitrogen": float(counts.get(7, 0)),
        "n_oxygen": float(counts.get(8, 0)),
        "n_phosphorus": float(counts.get(15, 0)),
        "n_sulfur": float(counts.get(16, 0)),
        "n_halogen": float(sum(counts.get(z, 0) for z in _HALOGENS)),
        "is_polymer": float(polymer),
    }


@functools.cache
def morgan_generator(radius: int, n_bits: int) -> Any:
    """Return a cached RDKit Morgan fingerprint generator."""
    return rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)


#: One molecule to featurize: the parsed, element-checked molecule, its atoms per atomic
#: number (:func:`element_counts`), the input text and its canonical SMILES.
Item = tuple[Chem.Mol, dict[int, int], str, str]


def compute_many(
    items: Sequence[Item], descriptors: str, morgan_bits: int, fingerprint_bits: int = 0
) -> list[dict[str, Any] | InvalidInputError]:
    """All features of each parsed, element-checked molecule, or its input error, in order.

    Features as :func:`pqdml.chem.ligand.featurize_ligand` returns them. With
    ``fingerprint_bits``, the entry ``ligand_fingerprint`` holds the ligand part's
    radius-2 Morgan fingerprint of that size (as :func:`pqdml.chem.ligand.morgan_fingerprint`).
    The error (an :class:`InvalidInputError`, returned, not raised) says when an input
    holds no ligand to featurize (only ``*``) or its metal-bonded atoms cannot be split
    into ions.

    The work runs stage by stage (split all, then descriptors of all, chains of all,
    anchors of all): each RDKit routine then runs many times in a row, which costs
    about 10% less CPU than one molecule at a time (``benchmarks/featurize.py``). The
    results are the same either way.
    """
    results: list[dict[str, Any] | InvalidInputError] = []
    splits: list[tuple[int, Split]] = []
    for k, (mol, counts, text, smiles) in enumerate(items):
        try:
            splits.append((k, Split(mol, counts, text, "." in smiles, smiles)))
        except InvalidInputError as exc:
            results.append(exc)
            continue
        results.append({})
    descs = [_descriptors(split.ligand, split.ligand_counts, split.smiles) for _, split in splits]
    chains: list[dict[str, float]] = []
    adjs: list[Adjacency | None] = []  # shared by the chain and the tail features
    for _, split in splits:
        if split.largest is None:
            chains.append(dict.fromkeys(CHAIN_FEATURES, 0.0))
            adjs.append(None)
            continue
        adj = acyclic_adjacency(split.largest)
        chains.append(chain_features(split.largest, split.smiles, adj))
        adjs.append(adj if split.largest is split.ligand else None)
    groups = [
        _anchors.count_groups(split.ligand, split.smiles)
        if split.run_groups
        else (dict.fromkeys(_anchors.ANCHOR_GROUPS, 0), {})
        for _, split in splits
    ]
    tails = [
        anchor_tails(split.ligand, atoms, adj) if atoms else dict.fromkeys(TAIL_FEATURES, 0.0)
        for (_, split), (_, atoms), adj in zip(splits, groups, adjs, strict=True)
    ]
    for (k, split), out, chain, (found, atoms), tail in zip(
        splits, descs, chains, groups, tails, strict=True
    ):
        out["n_organic_components"] = float(split.n_organic)
        out.update(chain)
        out.update(tail)
        _add_anchors(out, split, items[k][1], found, atoms)
        _add_options(out, split.ligand, descriptors, morgan_bits, fingerprint_bits)
        results[k] = out
    return results


def _add_anchors(
    out: dict[str, Any],
    split: Split,
    counts: dict[int, int],
    groups: dict[str, int],
    atoms: dict[str, list[int]],
) -> None:
    """Add the ion and metal anchors, the anchor rules and the binding type to ``out``."""
    # the ion SMARTS run only where they can match: Cl/Br/I, or F written as an anion or
    # as HF; C#N / C=[N-] next to O, S or Se, or BF4- / PF6-; a lone S (S2-, HS-, H2S)
    whole = split.whole_nums
    smiles = split.smiles
    groups["halide"] = (
        _anchors.count_ion("halide", split.whole)
        if whole & _HEAVY_HALOGENS
        or (9 in whole and (smiles is None or "-" in smiles or _LONE_F.search(smiles)))
        else 0
    )
    groups["pseudohalide"] = (
        _anchors.count_ion("pseudohalide", split.whole)
        if (7 in whole and whole & _PSEUDO_PARTNERS) or (9 in whole and whole & _FLUORO_ANION)
        else 0
    )
    groups["sulfide"] = (
        _anchors.count_ion("sulfide", split.whole)
        if 16 in whole and (smiles is None or _LONE_S.search(smiles))
        else 0
    )
    # metal centres: Lewis-acidic metals anywhere, alkali metals only when they are the ligand
    if split.cation_only:
        groups["metal"] = sum(n for z, n in split.ligand_counts.items() if z in METALS)
    else:
        groups["metal"] = sum(
            n for z, n in counts.items() if z in METALS and z not in _anchors.ALKALI
        )
    lig = split.ligand
    result = _anchors.analyse(lig if split.run_groups else None, atoms, groups, split.n_organic)
    btype, primary, reason, onehot = _anchors.binding(result, split.lewis_metals, split.cation_only)
    get = groups.get
    out.update({feature: float(get(group, 0)) for group, feature in _ANCHOR_NAMES})
    out["n_anchors"] = float(sum(groups.values()))
    out["is_chelating"] = float(result.chelating)
    out.update(onehot)
    out["zwitterionic"] = float(result.zwitterionic)
    out["binding_type"] = btype
    out["binding_type_primary"] = primary
    out["binding_reason"] = reason
    out["counter_ion"] = split.counter_ion


_ANCHOR_NAMES = list(zip(_anchors.ANCHOR_GROUPS, _anchors.ANCHOR_FEATURES, strict=True))


def _add_options(
    out: dict[str, Any], lig: Chem.Mol, descriptors: str, morgan_bits: int, fingerprint_bits: int
) -> None:
    """Add the optional full RDKit descriptors, Morgan bits and fingerprint to ``out``."""
    if descriptors == "full":
        with rdBase.BlockLogs():
            full = Descriptors.CalcMolDescriptors(lig, missingVal=math.nan)
        out.update({f"rdkit_{n}": float(full.get(n, math.nan)) for n in FULL_NAMES})
    if morgan_bits:
        bits = morgan_generator(2, morgan_bits).GetFingerprintAsNumPy(lig)
        out.update({f"morgan_{i}": float(b) for i, b in enumerate(bits)})
    if fingerprint_bits:
        out["ligand_fingerprint"] = morgan_generator(2, fingerprint_bits).GetFingerprint(lig)
