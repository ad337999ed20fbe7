"""Chemistry rules of the second pass (issue 14), each on molecules the issue does not name.

Every rule is stated in docs/ligands.md; the expected values were worked out by hand from
the structures.
"""

from __future__ import annotations

import pytest

from pqdml.chem import ligand
from pqdml.chem.ligand import (
    LIGAND_NUMERIC_FEATURES,
    LIGAND_STRING_FEATURES,
    dictionary_records,
    featurize_ligand,
    featurize_ligands,
    resolve_ligand,
)
from pqdml.exceptions import UnknownLigandError

# Each row: spellings of one agent that must give identical features (every numeric and
# string feature; only the canonical SMILES of the input differs).
SAME_AGENT = [
    # metal salts written with metal-halogen (or metal-O/S) bonds vs as ions
    ("Cl[Pb]Cl", "[Pb+2].[Cl-].[Cl-]"),
    ("Br[Sn]Br", "[Sn+2].[Br-].[Br-]", "[Br-].[Sn+2].[Br-]"),
    ("Cl[In](Cl)Cl", "[In+3].[Cl-].[Cl-].[Cl-]"),
    ("Br[Ba]Br", "[Ba+2].[Br-].[Br-]"),
    ("Cl[Mn]Cl", "[Mn+2].[Cl-].[Cl-]"),
    ("Br[Bi](Br)Br", "[Bi+3].[Br-].[Br-].[Br-]"),
    ("F[Sn]F", "[Sn+2].[F-].[F-]"),
    ("[Cs]Br", "[Cs+].[Br-]"),
    ("[Rb]I", "[Rb+].[I-]"),
    ("[Li]Cl", "[Li+].[Cl-]"),
    ("CC(=O)O[Pb]OC(C)=O", "[Pb+2].CC(=O)[O-].CC(=O)[O-]"),
    ("CCCCCCCC(=O)O[Na]", "[Na+].CCCCCCCC(=O)[O-]"),
    ("CCCCCCCCS[Pb]SCCCCCCCC", "[Pb+2].CCCCCCCC[S-].CCCCCCCC[S-]"),
    # a base plus a hydrohalic acid vs the salt
    ("CCCCCCN.I", "CCCCCC[NH3+].[I-]"),
    ("CCCCN(CCCC)CCCC.Br", "CCCC[NH+](CCCC)CCCC.[Br-]"),
    ("c1ccncc1.Cl", "c1cc[nH+]cc1.[Cl-]"),
    ("NC(=N)c1ccc(C)cc1.Cl", "NC(=[NH2+])c1ccc(C)cc1.[Cl-]"),
    ("NCCCCN.Br.Br", "[NH3+]CCCC[NH3+].[Br-].[Br-]"),
    ("Nc1ccccc1.I", "[NH3+]c1ccccc1.[I-]"),
    ("CC(N)C(=O)O.Br", "CC([NH3+])C(=O)O.[Br-]"),
    ("CCCCCCCCN.F", "CCCCCCCC[NH3+].[F-]"),
    ("CCCCCCCCCCN; HI", "CCCCCCCCCC[NH3+].[I-]", "CCCCCCCCCCN + HI"),
    # charge-separated dative groups vs their one written form
    ("CCCC[P+](CCCC)(CCCC)[O-]", "CCCCP(=O)(CCCC)CCCC"),
    ("CCCCCCCC[P+](CCCCCCCC)(CCCCCCCC)[S-]", "CCCCCCCCP(=S)(CCCCCCCC)CCCCCCCC"),
    ("CCCC[P+](CCCC)(CCCC)[Se-]", "CCCCP(=[Se])(CCCC)CCCC"),
    ("[O-][S+]1CCCC1", "O=S1CCCC1"),
    ("O=n1ccc(C)cc1", "[O-][n+]1ccc(C)cc1"),
    ("[O-][Se+](c1ccccc1)c1ccccc1", "O=[Se](c1ccccc1)c1ccccc1"),
]


@pytest.mark.parametrize("spellings", SAME_AGENT, ids=lambda s: s[0])
def test_every_spelling_of_a_salt_or_dative_group_gives_identical_features(spellings):
    seen = set()
    for text in spellings:
        ligand._cache.clear()
        f = featurize_ligand(text)
        seen.add(tuple(f[n] for n in [*LIGAND_NUMERIC_FEATURES, *LIGAND_STRING_FEATURES]))
    assert len(seen) == 1, spellings


def _f(text: str) -> dict:
    return featurize_ligand(text)


@pytest.mark.parametrize(
    ("smiles", "n_halide", "counter"),
    [
        ("I[Pb]I", 2, "I"),
        ("Cl[Cd]Cl", 2, "Cl"),
        ("Cl[In](Cl)Cl", 3, "Cl"),
        ("[Cs]I", 1, "Cs"),
        ("[K]Br", 1, "K"),
    ],
)
def test_metal_halides_with_bonds_are_split_into_ions(smiles, n_halide, counter):
    f = _f(smiles)
    assert f["anchor_halide"] == n_halide
    assert f["counter_ion"] == counter
    metal = smiles not in ("[Cs]I", "[K]Br")
    assert f["binding_type"] == ("Z" if metal else "X")


def test_metal_halide_of_curated_spelling_counts_its_halides():
    # curated rows REV-008 / IO-012 write the salt with bonds
    assert _f("Br[Pb]Br")["anchor_halide"] == _f("[Pb+2].[Br-].[Br-]")["anchor_halide"] == 2


@pytest.mark.parametrize(
    ("smiles", "group", "btype"),
    [
        ("COP(=O)(OC)OC", "phosphoryl_ester", "L"),  # trimethyl phosphate
        ("CP(=O)(OC)OC", "phosphoryl_ester", "L"),  # dimethyl methylphosphonate
        ("CCCCCCP(=O)(OCC)OCC", "phosphoryl_ester", "L"),  # diethyl hexylphosphonate
        ("CN(C)P(=O)(N(C)C)N(C)C", "phosphoryl_ester", "L"),  # HMPA
        ("CCCCOP(=O)(O)OCCCC", "phosphate", "X"),  # dibutyl phosphate: one P-OH
        ("CCCCCCCCP(=O)(O)OCC", "phosphonic_acid", "X"),  # monoester keeps one P-OH
    ],
)
def test_phosphorus_esters_are_L_only_acids_are_X(smiles, group, btype):
    f = _f(smiles)
    assert f[f"anchor_{group}"] == 1
    assert f["binding_type"] == btype


def test_n_oxide_is_a_neutral_o_donor():
    f = _f("C[N+](C)(C)[O-]")  # trimethylamine N-oxide
    assert (f["anchor_n_oxide"], f["anchor_quaternary_ammonium"]) == (1, 0)
    assert f["binding_type"] == "L"
    assert _f("[O-][n+]1ccccc1C")["binding_type"] == "L"
    # a nitro group is not an N-oxide donor
    assert _f("CCCC[N+](=O)[O-]")["anchor_n_oxide"] == 0


@pytest.mark.parametrize("smiles", ["CN(C)C(=N)N(C)C", "C1CN=C2CCCN2C1", "CC(=N)N(C)C"])
def test_neutral_amidines_and_guanidines_are_L(smiles):
    f = _f(smiles)
    assert f["anchor_amidine"] == 1 and f["anchor_amidinium"] == 0
    assert f["binding_type"] == "L"


def test_protonated_amidines_are_X():
    f = _f("CN(C)C(=[NH2+])N(C)C.[I-]")
    assert f["anchor_amidinium"] == 1 and f["anchor_amidine"] == 0
    assert f["binding_type"] == "X"


@pytest.mark.parametrize(
    ("smiles", "zwitterionic"),
    [
        ("CC(N)C(=O)[O-].[K+]", 0),  # potassium alaninate: an anion with a counter-ion
        ("CC([NH3+])C(=O)O.[Br-]", 0),  # alanine hydrobromide: a cation
        ("CC(N)C(=O)O.Br", 0),  # the same written as alanine + HBr
        ("NCCC(=O)O", 1),  # beta-alanine, neutral: an inner salt
        ("C[N+](C)(C)CC(=O)[O-]", 1),  # betaine
    ],
)
def test_zwitterion_is_one_neutral_molecule_with_both_charges(smiles, zwitterionic):
    assert _f(smiles)["zwitterionic"] == zwitterionic


def test_amino_acid_salt_keeps_its_amine_as_L():
    f = _f("CC(N)C(=O)[O-].[K+]")
    assert f["binding_type"] == "L+X"
    assert "inner salt" not in f["binding_reason"]


@pytest.mark.parametrize(
    ("smiles", "chelating"),
    [
        ("NCCN", 1),  # ethylenediamine: 5-membered ring
        ("NCCCCN", 1),  # 1,4-diaminobutane: 7-membered ring through a flexible chain
        ("NCCCCCCN", 0),  # 1,6-diaminohexane: 9-membered ring, bridges
        ("c1ccc(nc1)-c1ccccn1", 1),  # 2,2'-bipyridine
        ("c1cnc2c(c1)ccc1cccnc12", 1),  # 1,10-phenanthroline
        ("Nc1ccccc1N", 1),  # ortho
        ("Nc1ccc(N)cc1", 0),  # para: rigid ring between the donors
        ("OC(=O)c1cccc(c1)C(=O)O", 0),  # isophthalic acid: meta
        ("OC(=O)c1ccccc1C(=O)O", 1),  # phthalic acid: ortho, 7-membered ring
        ("Nc1cccc2cccc(N)c12", 1),  # 1,8-diaminonaphthalene: peri
        ("Sc1ccc(S)cc1C", 0),  # para dithiol
        ("Nc1ccc(cc1)C(=O)O", 0),  # 4-aminobenzoic acid
        ("OC(=O)CC(=O)O", 1),  # malonic acid: 6-membered ring
        ("OC(=O)CCCC(=O)O", 0),  # glutaric acid: 8-membered ring
        ("CCOC(=S)[S-].[K+]", 1),  # potassium ethyl xanthate: S,S
        ("CN(C)C(=S)[S-].[Na+]", 1),  # sodium dimethyldithiocarbamate
        ("C[N+](C)(C)CCCS(=O)(=O)[O-]", 0),  # sulfobetaine: the N+ has no lone pair
    ],
)
def test_chelation_by_ring_size_and_rigidity(smiles, chelating):
    assert _f(smiles)["is_chelating"] == chelating


def test_dithiocarbamate_is_its_own_group_not_a_thiolate():
    f = _f("CN(C)C(=S)[S-].[Na+]")
    assert (f["anchor_dithiocarbamate"], f["anchor_thiolate"], f["anchor_thiocarbonyl"]) == (
        1,
        0,
        0,
    )
    assert f["binding_type"] == "X"


@pytest.mark.parametrize(
    ("smiles", "group", "count", "btype"),
    [
        ("CCCCc1ccsc1", "thiophene_s", 1, "L"),
        ("CNC(=S)NC", "thiocarbonyl", 1, "L"),  # N,N'-dimethylthiourea
        ("CCCC(N)=S", "thiocarbonyl", 1, "L"),  # butanethioamide
        ("CCCCS(=O)CCCC", "sulfoxide", 1, "L"),
        ("CCCCCCCCP(=[Se])(CCCCCCCC)CCCCCCCC", "phosphine_chalcogenide", 1, "L"),
        ("CCCCCCCC[SeH]", "selenol", 1, "X"),
        ("CCCCCCCC[Se-].[Na+]", "selenolate", 1, "X"),
        ("C1COCCOCCOCCOCCO1", "crown_ether", 1, "L"),  # 15-crown-5
        ("CC(C)(C)c1ccc(O)c(O)c1", "catechol", 1, "X"),
        ("[O-]c1ccccc1[O-].[Na+].[Na+]", "catechol", 1, "X"),
        ("CC(C)(C)C(=O)CC(=O)C(C)(C)C", "beta_diketonate", 1, "X"),  # dipivaloylmethane
        ("CC(=O)/C=C(/C)[O-].[Na+]", "beta_diketonate", 1, "X"),
        ("CCCCCCCCCCCC(N)=O", "amide_carbonyl", 1, "L"),  # dodecanamide
        ("CN1CCCC1=O", "amide_carbonyl", 1, "L"),  # N-methyl-2-pyrrolidone (lactam)
        ("CNC(=O)NC", "amide_carbonyl", 1, "L"),  # N,N'-dimethylurea
        ("[Na+].[Na+].[S-2]", "sulfide", 1, "X"),
        ("CCCCSSCCCC", "disulfide", 2, "L"),
        ("CCOP(OCC)OCC", "phosphite", 1, "L"),
        ("CCCCCCB(O)O", "boronic_acid", 1, "Z"),
        ("CCCCCCCCS", "thiol", 1, "X"),
        ("CCCCCCCC[S-].[K+]", "thiolate", 1, "X"),
    ],
)
def test_donor_groups(smiles, group, count, btype):
    f = _f(smiles)
    assert f[f"anchor_{group}"] == count
    assert f["binding_type"] == btype
    assert f["binding_reason"] != "no anchoring group matched"


def test_plain_esters_ethers_ketones_are_not_anchors():
    for smiles in ("CCCCCCCC(=O)OC", "CCCCOCCCC", "CCCCC(C)=O", "C1CCOC1"):
        assert _f(smiles)["binding_type"] == "none", smiles


def test_thiol_and_thiolate_are_separate_features():
    thiol, thiolate = _f("CCCCCCS"), _f("CCCCCC[S-].[Na+]")
    assert (thiol["anchor_thiol"], thiol["anchor_thiolate"]) == (1, 0)
    assert (thiolate["anchor_thiol"], thiolate["anchor_thiolate"]) == (0, 1)


@pytest.mark.parametrize(
    ("smiles", "chain", "tail", "tails"),
    [
        ("CCCCCCC(CCCC)C(=O)O", 11, 8, 1),  # 2-butyloctanoic acid
        ("CCC(CC)CN", 5, 4, 1),  # 2-ethylbutylamine
        ("CCCCCCCCCCCC[N+](C)(C)CCCCCCCCCCCC.[Br-]", 12, 12, 2),
        ("CCCCCCP(=O)(CCCCCC)CCCCCC", 6, 6, 3),
        ("CCCCCCCCCCCCOS(=O)(=O)[O-].[Na+]", 12, 12, 1),  # through the sulfate ester O
        ("OC(=O)c1ccccc1", 0, 0, 0),
    ],
)
def test_tail_length_counts_from_the_anchor(smiles, chain, tail, tails):
    f = _f(smiles)
    assert (f["chain_length"], f["tail_length"], f["n_tails_from_anchor"]) == (chain, tail, tails)


def test_small_cases():
    assert _f("[I-]")["counter_ion"] is None
    assert _f("[Cl-]")["counter_ion"] is None
    assert _f("Cl")["counter_ion"] == "H"
    hf = _f("F")
    assert (hf["anchor_halide"], hf["binding_type"], hf["counter_ion"]) == (1, "X", "H")


@pytest.mark.parametrize("name", ["BA", "TBP", "tbp", "HPA"])
def test_ambiguous_abbreviations_name_their_candidates(name):
    with pytest.raises(UnknownLigandError, match="ambiguous") as err:
        resolve_ligand(name)
    assert err.value.code == "ambiguous_ligand_name"
    assert " or " in str(err.value)


def test_ambiguous_abbreviation_in_a_batch_is_a_status():
    out = featurize_ligands(["TBP", "tributylphosphine", "4-tert-butylpyridine"])
    assert out["ligand_status"].tolist() == ["ambiguous_ligand_name", "ok", "ok"]
    assert "4-tert-butylpyridine" in out["ligand_error"].iloc[0]


def test_ida_resolves_by_the_documented_rule():
    assert resolve_ligand("IDA").name == "2,2'-iminodibenzoic acid"


@pytest.mark.parametrize("text", ["2-butyloctanoic acid", "15-crown-5", "Sn(OAc)2", "Zn(acac)2"])
def test_unknown_names_with_digits_are_unknown_ligands(text):
    out = featurize_ligands([text])
    assert out["ligand_status"].iloc[0] == "unknown_ligand"
    assert "not a known ligand name" in out["ligand_error"].iloc[0]


def test_unknown_name_suggests_a_close_entry():
    with pytest.raises(UnknownLigandError, match=r"did you mean.*18-crown-6"):
        resolve_ligand("18-crown-6-ether")


def test_dictionary_has_250_sourced_entries_and_name_variants():
    records = dictionary_records()
    assert len(records) >= 250
    assert all(r.citation for r in records)
    assert resolve_ligand("lead acetate").smiles == resolve_ligand("Pb(OAc)2").smiles
    assert resolve_ligand("CdBr2").name == "cadmium bromide"
    ode = featurize_ligand("1-octadecene")
    assert ode["binding_type"] == "none" and ode["chain_length"] == 18


def _reference_tail(mol, start: int) -> int:
    """Brute force: carbons on the longest walk over acyclic carbons from ``start``."""
    acyclic = {a.GetIdx() for a in mol.GetAtoms() if a.GetAtomicNum() == 6 and not a.IsInRing()}
    seen, frontier, depth = {start}, [start], 0
    while frontier:
        depth += 1
        nxt = []
        for i in frontier:
            for nb in mol.GetAtomWithIdx(i).GetNeighbors():
                j = nb.GetIdx()
                if j in acyclic and j not in seen:
                    seen.add(j)
                    nxt.append(j)
        frontier = nxt
    return depth


def test_tail_length_matches_brute_force_over_the_dictionary():
    from rdkit import Chem

    from pqdml.chem import _anchors
    from pqdml.chem._chain import _tail_starts, anchor_tails

    for rec in dictionary_records():
        mol = Chem.MolFromSmiles(rec.smiles)
        _, atoms = _anchors.count_groups(mol, None)
        starts = {s for idxs in atoms.values() for i in idxs for s in _tail_starts(mol, i)}
        lengths = [_reference_tail(mol, s) for s in starts]
        best = max(lengths, default=0)
        got = anchor_tails(mol, atoms)
        assert got["tail_length"] == (best if best >= 2 else 0), rec.name
        assert got["n_tails_from_anchor"] == sum(n >= 4 for n in lengths), rec.name


def test_secondary_phosphine_oxide_in_either_spelling():
    a, b = _f("CCCCCC[PH](=O)CCCCCC"), _f("CCCCCC[PH+](CCCCCC)[O-]")
    assert a["anchor_phosphine_oxide"] == b["anchor_phosphine_oxide"] == 1
    assert a["binding_type"] == b["binding_type"] == "L"
