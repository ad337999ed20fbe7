"""Candidate ligand libraries to screen: combinatorial (enumerated) and real molecules.

Two sources:

- :func:`generate_library` enumerates anchoring group × chain length × backbone as valid,
  canonical, de-duplicated SMILES with a readable name ("C8 linear carboxylic acid").
- :func:`real_library` filters the PubChem-derived compound table bundled in the
  `chemicals <https://github.com/CalebBell/chemicals>`_ package (MIT licence; about
  73,000 compounds with names, CAS numbers, SMILES and InChI) down to molecules that
  carry at least one anchoring group recognised by :mod:`pqdml.chem.ligand`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from pqdml.chem import ligand as ligand_mod
from pqdml.exceptions import InvalidInputError

__all__ = ["ANCHORS", "BACKBONES", "MAX_CHAIN", "generate_library", "real_library"]


def _one(suffix: str) -> Callable[[str, str], str]:
    return lambda chain, _reverse: chain + suffix


def _trialkyl(oxide: bool) -> Callable[[str, str], str]:
    head = "P(=O)" if oxide else "P"
    return lambda chain, reverse: f"{chain}{head}({reverse}){reverse}"


#: Builders of the combinatorial library: variant → (readable label, SMILES builder, the
#: anchoring groups of :mod:`pqdml.chem.ligand` the built molecule carries). The builder
#: receives the backbone SMILES written tail → anchor carbon and written anchor carbon →
#: tail, and returns the whole molecule. For the acids the anchor's carbon is the last
#: chain carbon (C8 carboxylic acid = octanoic acid); salts are written as ion pairs. The
#: group names are the featurizer's own (``anchor_<group>`` features), so ``--anchors``
#: speaks the same vocabulary as ``pqdml featurize`` and the docs.
ANCHORS: dict[str, tuple[str, Callable[[str, str], str], tuple[str, ...]]] = {
    "carboxylic_acid": ("carboxylic acid", _one("(=O)O"), ("carboxylic_acid",)),
    "amine_primary": ("primary amine", _one("N"), ("amine_primary",)),
    "ammonium_bromide": ("ammonium bromide", _one("[NH3+].[Br-]"), ("ammonium", "halide")),
    "ammonium_iodide": ("ammonium iodide", _one("[NH3+].[I-]"), ("ammonium", "halide")),
    "ammonium_chloride": ("ammonium chloride", _one("[NH3+].[Cl-]"), ("ammonium", "halide")),
    "quaternary_ammonium_bromide": (
        "trimethylammonium bromide",
        _one("[N+](C)(C)C.[Br-]"),
        ("quaternary_ammonium", "halide"),
    ),
    "phosphonic_acid": ("phosphonic acid", _one("P(=O)(O)O"), ("phosphonic_acid",)),
    "sulfonic_acid": ("sulfonic acid", _one("S(=O)(=O)O"), ("sulfonic_acid",)),
    "thiol": ("thiol", _one("S"), ("thiol",)),
    "sulfobetaine": (
        "sulfobetaine",
        _one("[N+](C)(C)CCCS(=O)(=O)[O-]"),
        ("quaternary_ammonium", "sulfonic_acid"),
    ),
    "carboxybetaine": (
        "carboxybetaine",
        _one("[N+](C)(C)CC(=O)[O-]"),
        ("quaternary_ammonium", "carboxylate"),
    ),
    "phosphine_oxide": ("trialkylphosphine oxide", _trialkyl(oxide=True), ("phosphine_oxide",)),
    "phosphine": ("trialkylphosphine", _trialkyl(oxide=False), ("phosphine",)),
}


def anchor_groups() -> list[str]:
    """Return the featurizer's anchoring-group names (``anchor_<group>`` features), in order."""
    return [
        c.removeprefix("anchor_")
        for c in ligand_mod.LIGAND_NUMERIC_FEATURES
        if c.startswith("anchor_")
    ]


def _variants_for(names: Iterable[str]) -> list[str]:
    """Library variants for anchoring-group names (or variant names), in the order asked.

    Each name brings its variants in :data:`ANCHORS` order; a variant asked for twice
    appears once.

    Raises
    ------
    InvalidInputError
        A name that is neither an anchoring group with a builder nor a variant
        (code ``unknown_anchor``).
    """
    wanted = list(names)
    groups = {g for _, _, carried in ANCHORS.values() for g in carried}
    for name in wanted:
        if name not in groups and name not in ANCHORS:
            known = [g for g in anchor_groups() if g in groups]
            raise InvalidInputError(
                f"unknown anchor {name!r}: choose anchoring groups from {', '.join(known)} "
                f"(or a salt variant: {', '.join(k for k in ANCHORS if k not in groups)})",
                code="unknown_anchor",
            )
    out: dict[str, None] = {}
    for name in wanted:
        out.update(
            (k, None) for k, (_, _, carried) in ANCHORS.items() if k == name or name in carried
        )
    return list(out)


def _linear(n: int) -> tuple[str, str] | None:
    return ("C" * n, "C" * n) if n >= 1 else None


def _branched(n: int) -> tuple[str, str] | None:
    # iso-chain: a methyl branch on the penultimate tail carbon; backbone of n carbons.
    return ("CC(C)" + "C" * (n - 2), "C" * (n - 2) + "C(C)C") if n >= 3 else None


def _aromatic(n: int) -> tuple[str, str] | None:
    # phenyl-terminated chain: n aliphatic carbons between the ring and the anchor.
    return ("c1ccccc1" + "C" * n, "C" * n + "c1ccccc1") if n >= 1 else None


#: Backbones: key → builder of the chain SMILES (tail → anchor, anchor → tail) for a
#: chain of ``n`` carbons, or None when the backbone needs a longer chain.
BACKBONES: dict[str, Callable[[int], tuple[str, str] | None]] = {
    "linear": _linear,
    "branched": _branched,
    "aromatic": _aromatic,
}


def _check_choice(kind: str, values: Iterable[str], allowed: Mapping[str, object]) -> list[str]:
    out = list(values)
    for value in out:
        if value not in allowed:
            raise InvalidInputError(
                f"unknown {kind} {value!r}: choose from {', '.join(allowed)}",
                code=f"unknown_{kind.replace(' ', '_')}",
            )
    return out


#: Longest chain :func:`generate_library` enumerates (surface ligands stop near C22).
MAX_CHAIN = 40


def generate_library(
    *,
    anchors: Sequence[str] | None = None,
    chain_lengths: Iterable[int] = range(2, 19),
    backbones: Sequence[str] = ("linear", "branched", "aromatic"),
    max_size: int | None = None,
) -> pd.DataFrame:
    """Enumerate a combinatorial ligand library: anchoring group × chain length × backbone.

    Parameters
    ----------
    anchors
        Anchoring-group names of the featurizer (``amine_primary``, ``thiol``, ...; every
        variant of :data:`ANCHORS` carrying one of them) or variant keys of :data:`ANCHORS`
        (``ammonium_iodide``); default: all variants.
    chain_lengths
        Chain lengths in carbons (for acids the carboxyl carbon counts: C8 = octanoic acid).
    backbones
        Keys of :data:`BACKBONES`: ``linear`` (n-alkyl), ``branched`` (iso-alkyl, a methyl
        branch on the penultimate tail carbon, n >= 3), ``aromatic`` (phenyl-terminated).
    max_size
        Keep at most this many molecules (in enumeration order).

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``ligand_smiles`` (RDKit canonical, unique), ``anchor``,
        ``backbone``, ``chain_length``.

    Examples
    --------
    >>> lib = generate_library(anchors=["carboxylic_acid"], chain_lengths=[8], backbones=["linear"])
    >>> lib.loc[0, "name"], lib.loc[0, "ligand_smiles"]
    ('C8 linear carboxylic acid', 'CCCCCCCC(=O)O')
    """
    from rdkit import Chem

    anchor_keys = list(ANCHORS) if anchors is None else _variants_for(anchors)
    backbone_keys = _check_choice("backbone", backbones, BACKBONES)
    lengths = [int(n) for n in chain_lengths]
    if any(n < 1 or n > MAX_CHAIN for n in lengths):
        raise InvalidInputError(
            f"chain lengths must be between 1 and {MAX_CHAIN}, got {min(lengths)}..{max(lengths)}",
            code="invalid_chain",
        )
    if max_size is not None and max_size < 0:
        raise InvalidInputError(f"max_size must be >= 0, got {max_size}", code="invalid_size")
    columns = ["name", "ligand_smiles", "anchor", "backbone", "chain_length"]
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    if max_size == 0:
        return pd.DataFrame(rows, columns=columns)
    for anchor in anchor_keys:
        label, build, _ = ANCHORS[anchor]
        for backbone in backbone_keys:
            for n in lengths:
                chain = BACKBONES[backbone](n)
                if chain is None:
                    continue
                raw = build(*chain)
                mol = Chem.MolFromSmiles(raw)
                if mol is None:  # pragma: no cover - templates are tested
                    raise RuntimeError(f"library template produced invalid SMILES {raw!r}")
                smiles = Chem.MolToSmiles(mol)
                if smiles in seen:
                    continue
                seen.add(smiles)
                rows.append(
                    {
                        "name": f"C{n} {backbone} {label}",
                        "ligand_smiles": smiles,
                        "anchor": anchor,
                        "backbone": backbone,
                        "chain_length": n,
                    }
                )
                if max_size is not None and len(rows) >= max_size:
                    return pd.DataFrame(rows)
    return pd.DataFrame(
        rows, columns=["name", "ligand_smiles", "anchor", "backbone", "chain_length"]
    )


#: Elements a real-library molecule may contain (organic ligands only).
_ORGANIC = frozenset({"C", "H", "N", "O", "P", "S", "F", "Cl", "Br", "I", "Si", "B", "Se"})
_PUBCHEM_FILES = (
    "chemical identifiers pubchem small.tsv",
    "chemical identifiers pubchem large.tsv",
)
REAL_SOURCE = "chemicals {version}: PubChem-derived identifier tables (MIT licence)"


_FORMULA_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*)")


def _formula_ok(formula: str, max_heavy_atoms: int) -> bool:
    """Cheap pre-filter on the Hill formula: organic elements only, few heavy atoms."""
    heavy = 0
    elements = set()
    for symbol, count in _FORMULA_TOKEN.findall(formula):
        elements.add(symbol)
        if symbol != "H":
            heavy += int(count) if count else 1
    return "C" in elements and elements <= _ORGANIC and heavy <= max_heavy_atoms


def _read_chemicals_table(max_heavy_atoms: int) -> pd.DataFrame:
    """Read the bundled PubChem tables of ``chemicals``: organic molecules, canonical SMILES."""
    import chemicals
    from chemicals import identifiers
    from rdkit import Chem, RDLogger

    RDLogger.DisableLog("rdApp.*")  # type: ignore[attr-defined]
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    version = getattr(chemicals, "__version__", "?")
    for file_name in _PUBCHEM_FILES:
        path = Path(identifiers.folder) / file_name
        if not path.exists():
            continue
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                values = line.rstrip("\n").split("\t")
                if len(values) < 9 or not values[4]:
                    continue
                cid, cas, formula, _mw, smiles, _inchi, _key, iupac, common = values[:9]
                if not _formula_ok(formula, max_heavy_atoms):
                    continue
                mol = Chem.MolFromSmiles(smiles)
                if mol is None or mol.GetNumHeavyAtoms() > max_heavy_atoms:
                    continue
                symbols = {atom.GetSymbol() for atom in mol.GetAtoms()}
                if "C" not in symbols or not symbols <= _ORGANIC:
                    continue
                canonical = Chem.MolToSmiles(mol)
                if canonical in seen:
                    continue
                seen.add(canonical)
                rows.append(
                    {
                        "name": common or iupac or formula,
                        "ligand_smiles": canonical,
                        "pubchem_cid": int(cid),
                        "cas": cas,
                        "heavy_atoms": mol.GetNumHeavyAtoms(),
                        "source": REAL_SOURCE.format(version=version),
                    }
                )
    return pd.DataFrame(rows)


def real_library(
    *,
    anchors: Sequence[str] | None = None,
    max_heavy_atoms: int = 40,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Real molecules with an anchoring group, from the compound table bundled in ``chemicals``.

    The `chemicals` package (MIT licence) ships PubChem-derived identifier tables (PubChem
    CID, CAS number, formula, SMILES, InChI, IUPAC and common names) for about 73,000
    compounds. This keeps the organic molecules (elements C, H, N, O, P, S, halogens, Si,
    B, Se; at least one carbon) with at most ``max_heavy_atoms`` heavy atoms, featurizes
    them with :func:`pqdml.chem.ligand.featurize_ligands` and keeps those with an anchoring
    group (``n_anchors > 0``), or with one of ``anchors`` when given.

    Parameters
    ----------
    anchors
        Anchoring-group names as in the ``anchor_<group>`` features of
        :mod:`pqdml.chem.ligand` (e.g. ``"carboxylic_acid"``); default: any anchor.
    max_heavy_atoms
        Largest molecule kept, in heavy atoms.
    n_jobs
        Processes for featurization (default: chosen by the featurizer).

    Returns
    -------
    pandas.DataFrame
        ``name``, ``ligand_smiles``, ``pubchem_cid``, ``cas``, ``heavy_atoms``,
        ``binding_type``, ``anchors`` (``;``-joined group names), ``source``.

    Examples
    --------
    >>> lib = real_library(anchors=["thiol"], max_heavy_atoms=12)  # doctest: +SKIP
    >>> "CCCCCCCCS" in set(lib["ligand_smiles"])  # doctest: +SKIP
    True
    """
    table = _read_chemicals_table(max_heavy_atoms)
    anchor_cols = [f"anchor_{g}" for g in anchor_groups()]
    wanted: list[str] | None = None
    if anchors is not None:
        wanted = _check_choice("anchor group", anchors, dict.fromkeys(anchor_groups()))
    feats = ligand_mod.featurize_ligands(
        table["ligand_smiles"].tolist(),
        n_jobs=n_jobs,
        progress=False,
    )
    feats.index = table.index
    ok = feats["ligand_status"].eq("ok")
    counts = feats[anchor_cols].fillna(0)
    if wanted is None:
        keep = ok & counts.sum(axis=1).gt(0)
    else:
        keep = ok & counts[[f"anchor_{a}" for a in wanted]].sum(axis=1).gt(0)
    out = table.loc[keep].copy()
    present = counts.loc[keep].gt(0)
    out["binding_type"] = feats.loc[keep, "binding_type"].astype("str")
    out["anchors"] = [
        ";".join(c.removeprefix("anchor_") for c in anchor_cols if row[c])
        for _, row in present.iterrows()
    ]
    columns = ["name", "ligand_smiles", "pubchem_cid", "cas", "heavy_atoms"]
    return out[[*columns, "binding_type", "anchors", "source"]].reset_index(drop=True)
