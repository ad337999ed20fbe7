"""Ligand featurizer: dictionary, name resolution, salts, batches, errors, fingerprints."""

from __future__ import annotations

import csv
import math
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from rdkit import Chem, DataStructs
from rdkit.Chem import Crippen

from pqdml.chem.ligand import (
    LIGAND_NUMERIC_FEATURES,
    LIGAND_STRING_FEATURES,
    LigandFeaturizer,
    dictionary_records,
    featurize_ligand,
    featurize_ligands,
    ligand_feature_names,
    morgan_fingerprint,
    resolve_ligand,
)
from pqdml.exceptions import (
    InvalidInputError,
    InvalidSmilesError,
    UnknownLigandError,
    UnsupportedElementError,
)

ORGANIC_DESCRIPTORS = [
    "mol_weight",
    "heavy_atoms",
    "tpsa",
    "logp",
    "h_donors",
    "h_acceptors",
    "rotatable_bonds",
    "formal_charge",
    "chain_length",
    "n_alkyl_tails",
    "n_chain_double_bonds",
    "anchor_ammonium",
    "anchor_quaternary_ammonium",
]


def test_dictionary_has_60_valid_entries_with_citations():
    records = dictionary_records()
    assert len(records) >= 60
    for rec in records:
        assert Chem.MolFromSmiles(rec.smiles) is not None, rec.name
        assert rec.citation, rec.name
        featurize_ligand(rec.name)  # every entry featurizes


def test_dictionary_columns():
    text = resources.files("pqdml.chem").joinpath("ligands.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert list(rows[0]) == ["name", "abbreviations", "smiles", "category", "citation"]
    assert len({r["name"].lower() for r in rows}) == len(rows)


def _fragments(smiles: str) -> set[str]:
    mol = Chem.MolFromSmiles(smiles)
    return {
        Chem.MolToSmiles(f, isomericSmiles=False)
        for f in Chem.GetMolFrags(mol, asMols=True)
        if any(a.GetAtomicNum() for a in f.GetAtoms())
    }


def test_every_curated_ligand_is_in_the_dictionary():
    import pathlib

    path = (
        pathlib.Path(__file__).resolve().parents[3]
        / "shared"
        / "curation"
        / "literature_records.csv"
    )
    if not path.exists():
        pytest.skip("curated records not available")
    known = set().union(*(_fragments(r.smiles) for r in dictionary_records()))
    curated = pd.read_csv(path)["ligand_smiles"].dropna()
    missing = set().union(*(_fragments(s) for s in curated)) - known
    assert not missing


@pytest.mark.parametrize("text", ["ddab", "  DDAB ", "Didodecyldimethylammonium   Bromide", "DDAB"])
def test_names_match_case_and_whitespace_insensitively(text):
    assert resolve_ligand(text).name == "didodecyldimethylammonium bromide"


def test_name_with_parenthesis_resolves():
    assert resolve_ligand("1-dodecanethiol (DDT)").name == "1-dodecanethiol"
    assert resolve_ligand("n-octylamine").source == "dictionary"


def test_smiles_resolves_when_not_a_name():
    rec = resolve_ligand("CCCCCCN")
    assert rec.source == "smiles" and rec.name is None


def test_unknown_name_suggests_close_names():
    with pytest.raises(
        UnknownLigandError, match="not a known ligand name and not a parseable SMILES"
    ) as err:
        resolve_ligand("oleylamin")
    assert "oleylamine" in str(err.value)
    assert err.value.code == "unknown_ligand"


def test_unparseable_smiles_is_named():
    with pytest.raises(InvalidSmilesError, match=r"unparseable SMILES 'C\(C'") as err:
        featurize_ligand("C(C")
    assert err.value.code == "invalid_smiles"


def test_ambiguous_abbreviation_is_refused():
    with pytest.raises(UnknownLigandError, match="ambiguous") as err:
        resolve_ligand("TMSI")
    assert err.value.code == "ambiguous_ligand_name"
    assert "trimethylsilyl iodide" in str(err.value)


def test_unsupported_element():
    with pytest.raises(UnsupportedElementError, match="Hg"):
        featurize_ligand("C[Hg]C")
    with pytest.raises(UnsupportedElementError, match="U"):
        featurize_ligand("[U]")


def test_empty_text_is_an_input_error():
    with pytest.raises(InvalidInputError, match="empty"):
        featurize_ligand("  ")


@pytest.mark.parametrize(
    ("salt", "organic", "counter"),
    [
        ("CCCCCCCC/C=C\\CCCCCCCC[NH3+].[Br-]", "CCCCCCCC/C=C\\CCCCCCCC[NH3+]", "Br"),
        ("CCCCCCCC/C=C\\CCCCCCCC[NH3+].[I-]", "CCCCCCCC/C=C\\CCCCCCCC[NH3+]", "I"),
        ("[I-].[NH3+]CCc1ccccc1", "[NH3+]CCc1ccccc1", "I"),
        ("[NH3+]CCc1ccccc1.[S-]C#N", "[NH3+]CCc1ccccc1", "SCN"),
        ("CCCCCCCCCCCC[N+](C)(C)CCCCCCCCCCCC.[Cl-]", "CCCCCCCCCCCC[N+](C)(C)CCCCCCCCCCCC", "Cl"),
        ("CCCCCCCCCCCCOS(=O)(=O)[O-].[Na+]", "CCCCCCCCCCCCOS(=O)(=O)[O-]", "Na"),
        ("CCCCCCCCCCCCOS(=O)(=O)[O-].[K+]", "CCCCCCCCCCCCOS(=O)(=O)[O-]", "K"),
        ("CCn1cc[n+](C)c1.F[P-](F)(F)(F)(F)F", "CCn1cc[n+](C)c1", "PF6"),
        ("CCCC[NH3+].F[B-](F)(F)F", "CCCC[NH3+]", "BF4"),
        ("CCCCCCCCCCCC[NH3+].[*+].[Br-]", "CCCCCCCCCCCC[NH3+]", "Br;unspecified"),
    ],
)
def test_counter_ion_leaves_organic_descriptors_unchanged(salt, organic, counter):
    s, o = featurize_ligand(salt), featurize_ligand(organic)
    assert s["counter_ion"] == counter
    assert o["counter_ion"] is None
    for col in ORGANIC_DESCRIPTORS:
        assert s[col] == o[col], col


def test_polymer_repeat_unit():
    f = featurize_ligand("PFN-Br")
    assert f["is_polymer"] == 1 and f["counter_ion"] == "Br"
    assert featurize_ligand("OA")["is_polymer"] == 0


def test_only_unspecified_ions_is_an_error():
    with pytest.raises(InvalidInputError, match="unspecified"):
        featurize_ligand("[*+]")


def test_multi_component_organics_take_chain_from_largest():
    f = featurize_ligand("OCc1ccccc1.CCCCCCCCCCCCN")
    assert f["n_organic_components"] == 2
    assert f["chain_length"] == 12


@pytest.mark.parametrize(
    "smi",
    [
        "*CC*",
        "[2H]OC(C)=O",
        "[H+]",
        "[H][H]",
        "[*H]",
        "[13CH3]C",
        "[NH4+]",
        "[Pb+2].[Br-].[Br-]",
        "CCCCCCCCCCCC[N+](C)(C)CCCCCCCCCCCC.[Br-]",
        "[O-]C#N.[K+]",
        "F[B-](F)(F)F",
        "*CCCCCCCC*",
        "[2H]OC(=O)CCCCCC",
        "[2H]C([2H])([2H])CCCCCC[NH3+]",
    ],
)
def test_graph_counts_equal_counting_atoms(smi):
    """Counts equal a Counter over the graph's atoms (explicit H included), small or large."""
    from collections import Counter

    from pqdml.chem._compute import graph_counts

    mol = Chem.MolFromSmiles(smi)
    assert graph_counts(mol) == Counter(a.GetAtomicNum() for a in mol.GetAtoms())


@pytest.mark.parametrize(
    "smi",
    [
        "[H]N([H])C",
        "[H]/C(F)=C/F",
        "C[C@H](C)C",
        "F/C=C/C=C/F",
        "C/C(F)=C/C",
        "N[C@@H](C)C(=O)O",
        "C[C@]1(O)CC[C@H](C)CC1",
        "CC/C=C/[C@H](C)O",
        "C[S@](=O)CC",
        "[2H]C",
        "[H][H]",
        "[H+]",
        "C1=CC=CC=C1",
        "[Pb](Br)Br",
        "C(C)(C)(C)(C)C",  # valence error: no molecule
        "c1ccccc",  # cannot kekulize: no molecule
        "C(C",  # syntax error: no molecule
    ],
)
def test_parse_matches_rdkit_molfromsmiles(smi):
    """The parse without stereo perception gives MolFromSmiles's canonical SMILES (or None)."""
    from rdkit import rdBase

    from pqdml.chem.ligand import _parse_smiles

    with rdBase.BlockLogs():
        expected = Chem.MolFromSmiles(smi)
    got = _parse_smiles(smi)
    if expected is None:
        assert got is None
    else:
        assert Chem.MolToSmiles(got) == Chem.MolToSmiles(expected)
        assert got.GetNumAtoms() == expected.GetNumAtoms()


def test_logp_equals_rdkit_crippen():
    for rec in dictionary_records():
        mol = Chem.MolFromSmiles(rec.smiles)
        if "." in rec.smiles:
            continue
        assert math.isclose(
            featurize_ligand(rec.smiles)["logp"], Crippen.MolLogP(mol), abs_tol=1e-9
        )


def test_rotatable_bonds_equal_rdkit_nonstrict():
    """The plain SMARTS used without triple bonds counts what RDKit's NonStrict option does."""
    from rdkit.Chem import rdMolDescriptors

    smiles = [r.smiles for r in dictionary_records() if "." not in r.smiles] + [
        "CC#CCCCC",
        "N#CCCCCN",
        "CCCCCC(=O)NCC",
        "C1CCCCC1CCC",
        "c1ccccc1-c1ccccc1",
        "CC",
        "C" * 1200,  # RDKit stops counting at 1,000
    ]
    for smi in smiles:
        got = featurize_ligand(smi)["rotatable_bonds"]
        expected = rdMolDescriptors.CalcNumRotatableBonds(
            Chem.MolFromSmiles(smi), rdMolDescriptors.NumRotatableBondsOptions.NonStrict
        )
        assert got == expected, smi


def test_feature_names_fixed_and_ordered():
    assert len(LIGAND_NUMERIC_FEATURES) == len(set(LIGAND_NUMERIC_FEATURES))
    f = featurize_ligand("OA")
    assert all(isinstance(f[n], float) for n in LIGAND_NUMERIC_FEATURES)
    full = ligand_feature_names(descriptors="full", morgan_bits=16)
    assert full[: len(LIGAND_NUMERIC_FEATURES)] == LIGAND_NUMERIC_FEATURES
    assert "rdkit_MolLogP" in full and full[-1] == "morgan_15"
    g = featurize_ligand("OA", descriptors="full", morgan_bits=16)
    assert set(full) <= set(g)
    assert g["rdkit_NumHDonors"] == 1


def test_bad_options():
    with pytest.raises(ValueError, match="descriptors"):
        featurize_ligand("OA", descriptors="all")
    with pytest.raises(ValueError, match="morgan_bits"):
        featurize_ligand("OA", morgan_bits=-1)


def test_batch_keeps_every_row_in_order():
    values = pd.Series(["OA", "C(C", None, "", "C[Hg]C", "OA", "octylamine"], index=list("abcdefg"))
    df = featurize_ligands(values)
    assert list(df.index) == list("abcdefg")
    assert df["ligand_status"].tolist() == [
        "ok",
        "invalid_smiles",
        "missing",
        "missing",
        "unsupported_element",
        "ok",
        "ok",
    ]
    failed = df["ligand_status"] != "ok"
    assert df.loc[failed, LIGAND_NUMERIC_FEATURES].isna().all().all()
    assert df.loc[~failed, LIGAND_NUMERIC_FEATURES].notna().all().all()
    assert df.loc[failed, "ligand_error"].map(bool).all()
    assert df.loc["b", "ligand_error"].startswith("unparseable SMILES 'C(C'")
    for col in LIGAND_STRING_FEATURES:
        assert df.loc["b", col] is None
    assert df.columns[:4].tolist() == [
        "ligand_status",
        "ligand_error",
        "ligand_canonical_smiles",
        "ligand_resolved_name",
    ]
    assert df.loc["a", "ligand_resolved_name"] == "oleic acid"


def test_batch_parallel_equals_serial():
    values = [f"{'C' * n}N" for n in range(1, 40)] * 30 + ["bad((", "[Cs+]"]
    serial = featurize_ligands(values, n_jobs=1)
    parallel = featurize_ligands(values, n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)


@pytest.mark.parametrize("stage_batch", [3, 128])
def test_batch_equals_one_ligand_at_a_time(monkeypatch, stage_batch):
    """The staged batch path gives every row what featurize_ligand gives its text alone.

    Spellings of one molecule share a memo entry, but an input error always names the
    row's own text.
    """
    from pqdml.chem import ligand

    monkeypatch.setattr(ligand, "_STAGE_BATCH", stage_batch)
    values = [
        "OA",
        "CCCCCCCC/C=C\\CCCCCCCC(=O)O",
        "OC(=O)CCCCCCC/C=C\\CCCCCCCC",
        "*.*",
        "[*].*",
        "C(C",
        "PbBr2",
        "[Cs+].[Br-]",
        "[Br-].[Cs+]",
        "C[Hg]C",
        "DDAB",
        "OA",
    ]
    ligand._cache.clear()
    batch = featurize_ligands(values)
    for row, text in zip(batch.itertuples(index=False), values, strict=True):
        ligand._cache.clear()
        try:
            alone = featurize_ligand(text)
        except InvalidInputError as exc:
            assert (row.ligand_status, row.ligand_error) == (exc.code, str(exc))
            assert repr(text) in row.ligand_error
            continue
        assert row.ligand_status == "ok"
        got = row._asdict()
        assert {k: got[k] for k in alone} == alone


def test_batch_empty():
    df = featurize_ligands([])
    assert len(df) == 0 and "chain_length" in df.columns


def test_morgan_fingerprint_ignores_counter_ion():
    a = morgan_fingerprint("PEAI")
    b = morgan_fingerprint("[NH3+]CCc1ccccc1")
    assert DataStructs.TanimotoSimilarity(a, b) == 1.0
    assert a.GetNumBits() == 2048
    c = morgan_fingerprint("OA", n_bits=512)
    assert c.GetNumBits() == 512


def test_featurizer_contract():
    fz = LigandFeaturizer(morgan_bits=8)
    vec = fz.featurize("DDAB")
    assert vec.dtype == np.float64 and len(vec) == len(fz.feature_labels())
    assert fz.feature_labels()[-1] == "morgan_7"
    assert any("Xu" in c for c in fz.citations())
    with pytest.raises(UnknownLigandError):
        fz.featurize("not a ligand at all")


def test_smarts_prefilter_changes_nothing():
    from pqdml.chem import _anchors

    smiles = [r.smiles for r in dictionary_records()] + [
        "[O-]C(=O)CCCC[NH3+]",
        "C1=CC=[N+](C=C1)CCCC",
        "CCN(CC)CCOP(=O)(O)O",
        "O=C(O)c1cc[nH]c1",
        "CC(=N)N",
        "C[N+](=O)[O-]",
        "c1cc[n+]([O-])cc1",
    ]
    for smi in smiles:
        mol = Chem.MolFromSmiles(smi)
        canonical = Chem.MolToSmiles(mol)
        fast_counts, fast_atoms = _anchors.count_groups(mol, canonical)
        all_counts, all_atoms = _anchors.count_groups(mol, None)
        assert fast_counts == all_counts, smi
        assert {k: v for k, v in fast_atoms.items() if v} == {
            k: v for k, v in all_atoms.items() if v
        }


def test_several_agents_named_together():
    rec = resolve_ligand("benzoic acid + DDAB")
    assert rec.name == "benzoic acid + didodecyldimethylammonium bromide"
    # an amine and HI given together are the ammonium iodide (the proton moves to the N)
    f = featurize_ligand("OAm; HI")
    assert (f["binding_type"], f["counter_ion"]) == ("X", "I")
    assert featurize_ligand("Pb(SCN)2")["binding_type"] == "Z"
    with pytest.raises(UnknownLigandError, match="not a known ligand name"):
        resolve_ligand("OAm; no such thing")


def _reference_chain_length(mol: Chem.Mol) -> int:
    """Brute force: BFS from every ring-free carbon over ring-free carbons."""
    acyclic = {a.GetIdx() for a in mol.GetAtoms() if a.GetAtomicNum() == 6 and not a.IsInRing()}
    best = 0
    for start in acyclic:
        seen, frontier, depth = {start}, [start], 1
        while frontier:
            best = max(best, depth)
            nxt = []
            for i in frontier:
                for nb in mol.GetAtomWithIdx(i).GetNeighbors():
                    j = nb.GetIdx()
                    if j in acyclic and j not in seen:
                        seen.add(j)
                        nxt.append(j)
            frontier, depth = nxt, depth + 1
    return best if best >= 2 else 0


def test_chain_length_matches_brute_force():
    from pqdml.chem._chain import chain_features

    smiles = [r.smiles for r in dictionary_records()] + [
        "CC(C)(C)CC(C)CC(C)C",
        "C1CCCCC1CCCC(CC)CCC",
        "CCCCc1ccc(CCCCCC)cc1",
        "C=CC=CC=CC",
        "CC(CC(CC(C)C)C)C",
        "OCC(O)CO",
    ]
    for smi in smiles:
        mol = Chem.MolFromSmiles(smi)
        for frag in Chem.GetMolFrags(mol, asMols=True):
            assert chain_features(frag)["chain_length"] == _reference_chain_length(frag), smi


AMINE_PANEL = [
    "CCCCCCCCN",
    "CCCCNCCCC",
    "CCCCN(C)CCCC",
    "c1ccccc1N",  # aniline: primary
    "c1ccccc1NC",  # N-methylaniline: secondary
    "c1ccc(cc1)Nc1ccccc1",  # diphenylamine: not a donor
    "c1ccc(cc1)N(C)c1ccccc1",
    "CN(C)c1ccccc1",
    "NC(=O)CCCC",  # amide: none
    "NCCO",
    "NCCN(CCN)CCN",
    "[15NH2]CCCC",
    "[H]N([H])CCCC",  # explicit hydrogens
    "N",  # ammonia: none
    "C[NH3+]",
    "NC(=N)N",
    "NCC(=O)O",
    "c1ccncc1N",
    "N1CCCCC1",
    "c1cc[nH]c1",
    "CN(C)N",
]


@pytest.mark.parametrize("smi", AMINE_PANEL)
def test_one_amine_smarts_sorts_like_the_three_patterns(smi):
    from pqdml.chem import _anchors

    # the three amine SMARTS of the group table, each run on its own
    separate = {g.name: g.smarts[0] for g in _anchors._GROUPS if g.name in _anchors.AMINE_GROUPS}
    assert len(separate) == 3
    keep_hs = Chem.SmilesParserParams()
    keep_hs.removeHs = False
    for mol in (Chem.MolFromSmiles(smi), Chem.MolFromSmiles(smi, keep_hs)):
        counts, atoms = _anchors.count_groups(mol, None)
        for group, smarts in separate.items():
            hits = sorted({m[0] for m in mol.GetSubstructMatches(Chem.MolFromSmarts(smarts))})
            assert atoms[group] == hits, (smi, group, mol.GetNumAtoms())
            assert counts[group] == len(hits)


@pytest.mark.parametrize(
    "smi",
    [
        "CCCCCCCC/C=C\\CCCCCCCC(=O)O",
        "CCCCCCCCCCCC[N+](C)(C)CCCCCCCCCCCC.[Br-]",
        "O=C(O)c1ccccc1N",
        "CCCCCCCCCCCCCCCCCC(=O)OCC(COP(=O)([O-])OCC[N+](C)(C)C)OC(=O)CCCCCCCC",
    ],
)
def test_every_spelling_gives_identical_features(smi):
    """Atom order (how the SMILES is written) does not change any feature, not even the last bit."""
    from rdkit import rdBase

    from pqdml.chem import ligand

    rdBase.SeedRandomNumberGenerator(0)
    mol = Chem.MolFromSmiles(smi)
    seen = set()
    for seed in range(25):
        spelling = Chem.MolToSmiles(mol, doRandom=True, canonical=False) if seed else smi
        ligand._cache.clear()  # compute each spelling afresh, not from the memo
        f = featurize_ligand(spelling)
        seen.add(tuple(f[name] for name in ligand_feature_names()))
    assert len(seen) == 1
