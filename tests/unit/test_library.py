"""Candidate libraries: enumerated SMILES are valid, canonical, unique and named."""

from __future__ import annotations

import pandas as pd
import pytest
from rdkit import Chem

from pqdml.exceptions import InvalidInputError
from pqdml.library import ANCHORS, BACKBONES, _formula_ok, generate_library


@pytest.fixture(scope="module")
def library() -> pd.DataFrame:
    return generate_library()


def test_default_library_is_valid_canonical_unique(library):
    assert list(library.columns) == ["name", "ligand_smiles", "anchor", "backbone", "chain_length"]
    # 13 anchors x 3 backbones x 17 lengths, minus branched C2 (needs >= 3 carbons)
    assert len(library) == len(ANCHORS) * (3 * 17 - 1)
    for smi in library["ligand_smiles"]:
        mol = Chem.MolFromSmiles(smi)
        assert mol is not None and Chem.MolToSmiles(mol) == smi
    assert library["ligand_smiles"].is_unique
    assert library["name"].is_unique
    assert set(library["anchor"]) == set(ANCHORS) and set(library["backbone"]) == set(BACKBONES)


@pytest.mark.parametrize(
    ("name", "smiles"),
    [
        ("C8 linear carboxylic acid", "CCCCCCCC(=O)O"),  # octanoic acid
        ("C18 linear carboxylic acid", "CCCCCCCCCCCCCCCCCC(=O)O"),  # stearic acid
        ("C8 linear primary amine", "CCCCCCCCN"),  # octylamine
        ("C2 aromatic ammonium iodide", "[NH3+]CCc1ccccc1.[I-]"),  # PEAI
        ("C12 linear thiol", "CCCCCCCCCCCCS"),  # dodecanethiol
        ("C8 linear trialkylphosphine oxide", "CCCCCCCCP(=O)(CCCCCCCC)CCCCCCCC"),  # TOPO
        ("C8 linear trialkylphosphine", "CCCCCCCCP(CCCCCCCC)CCCCCCCC"),  # TOP
        ("C6 linear phosphonic acid", "CCCCCCP(=O)(O)O"),
        ("C18 linear sulfobetaine", "CCCCCCCCCCCCCCCCCC[N+](C)(C)CCCS(=O)(=O)[O-]"),
        ("C12 linear trimethylammonium bromide", "CCCCCCCCCCCC[N+](C)(C)C.[Br-]"),
        ("C4 branched primary amine", "CC(C)CCN"),  # isopentylamine backbone
    ],
)
def test_known_members(library, name, smiles):
    row = library.loc[library["name"] == name]
    assert len(row) == 1
    assert row["ligand_smiles"].iat[0] == Chem.CanonSmiles(smiles)


def test_options_and_max_size():
    lib = generate_library(anchors=["thiol"], chain_lengths=range(2, 5), backbones=["linear"])
    assert list(lib["name"]) == ["C2 linear thiol", "C3 linear thiol", "C4 linear thiol"]
    assert len(generate_library(max_size=10)) == 10
    assert generate_library(max_size=0).empty


def test_bad_options_raise_naming_the_value():
    with pytest.raises(InvalidInputError, match="unknown anchor 'amide'"):
        generate_library(anchors=["amide"])
    with pytest.raises(InvalidInputError, match="unknown backbone 'cyclic'"):
        generate_library(backbones=["cyclic"])
    with pytest.raises(InvalidInputError, match="chain lengths"):
        generate_library(chain_lengths=[0, 3])


def test_chain_length_agrees_with_the_ligand_featurizer():
    ligand = pytest.importorskip("pqdml.chem.ligand")
    lib = generate_library(
        anchors=["carboxylic_acid", "amine_primary", "ammonium_bromide", "thiol"],
        chain_lengths=[4, 8, 12],
        backbones=["linear"],
    )
    feats = ligand.featurize_ligands(lib["ligand_smiles"])
    assert (feats["ligand_status"] == "ok").all()
    assert list(feats["chain_length"]) == list(lib["chain_length"])


def test_formula_prefilter():
    assert _formula_ok("C8H19N", 10)
    assert not _formula_ok("C8H19N", 8)
    assert not _formula_ok("H2O", 10)  # no carbon
    assert not _formula_ok("C2H6Hg", 10)  # a metal


def test_anchor_names_are_the_featurizers():
    """Every variant carries exactly the anchoring groups it declares, in the featurizer's names."""
    from pqdml.chem.ligand import featurize_ligand
    from pqdml.library import anchor_groups

    known = set(anchor_groups())
    for key, (_, build, groups) in ANCHORS.items():
        assert set(groups) <= known, key
        feats = featurize_ligand(build("CCCCCCCC", "CCCCCCCC"))
        found = {g for g in known if feats.get(f"anchor_{g}", 0) > 0}
        assert set(groups) <= found, (key, found)


def test_anchor_group_selects_its_variants():
    lib = generate_library(anchors=["ammonium"], chain_lengths=[4], backbones=["linear"])
    assert set(lib["anchor"]) == {"ammonium_bromide", "ammonium_iodide", "ammonium_chloride"}
    lib = generate_library(anchors=["amine_primary"], chain_lengths=[8], backbones=["linear"])
    assert lib["ligand_smiles"].tolist() == ["CCCCCCCCN"]
    with pytest.raises(InvalidInputError, match=r"choose anchoring groups from .*amine_primary"):
        generate_library(anchors=["primary_amine"])
