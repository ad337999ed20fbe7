"""Adapters map known source rows to known canonical values, keep every row, and round-trip."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from rdkit import Chem

from pqdml.data import datasets, read_records, validate
from pqdml.data.adapters import OA_OAM_SMILES, SOLVENT_SMILES, clean_formula
from pqdml.io import write_table

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def loaded(shared_datasets):
    return {name: datasets.load(name) for name in datasets.list_datasets()}


def row(df: pd.DataFrame, record_id: str) -> pd.Series:
    hits = df[df["record_id"] == record_id]
    assert len(hits) == 1, record_id
    return hits.iloc[0]


def test_solvent_and_native_ligand_smiles_parse():
    for smiles in [*SOLVENT_SMILES.values(), OA_OAM_SMILES]:
        assert Chem.MolFromSmiles(smiles) is not None, smiles


def test_synthesizer_spot_checks(loaded, shared_datasets):
    df = loaded["synthesizer"]
    source = pd.read_csv(shared_datasets / "synthesizer" / "dataset_synthesizer.csv", sep=";")
    assert len(df) == len(source) == 218
    # Sample j33 (line 150): PLQY 0.2473, n-BuOH 4968 uL, peak 474 nm, fwhm 0.1367 eV
    r = row(df, "synth-j33")
    assert r["plqy_percent"] == pytest.approx(24.73)
    assert (r["antisolvent_name"], r["antisolvent_smiles"]) == ("Butanol", "CCCCO")
    assert r["proc_v_antisolvent_ul"] == 4968
    assert r["proc_v_pbbr2_precursor_ul"] == 666
    assert r["proc_c_pbbr2_mol_l"] == pytest.approx(0.032432432)
    assert r["proc_v_cs_oleate_ul"] == 243 and r["proc_c_cs_oleate_mol_l"] == 0.02
    assert r["proc_cs_pb_ratio"] == pytest.approx(4.86 / 21.599999712)
    assert r["emission_nm"] == 474.0
    assert r["fwhm_ev"] == pytest.approx(0.1367060306030603)
    assert "fwhm_nm" not in df.columns  # eV is not silently called nm
    assert (r["composition"], r["stage"], r["is_control"]) == ("CsPbBr3", "synthesis", 0)
    assert r["ligand_smiles"] == OA_OAM_SMILES and r["group_id"] == "synthesizer-Butanol"
    # Sample 10 (line 3): PLQY exactly 0 = never measured -> missing, with a note
    r = row(df, "synth-10")
    assert math.isnan(r["plqy_percent"]) and "not measured" in r["notes"]
    assert r["emission_nm"] == 460.0
    report = df.attrs["adapter_report"]
    assert report.counts()["PLQY exactly 0 (not measured) → missing"] == int(
        (source.PLQY == 0).sum()
    )
    assert df["plqy_percent"].notna().sum() == int((source.PLQY > 0).sum())


def test_buried_interface_controls_are_rows_linked_by_group(loaded, shared_datasets):
    df = loaded["buried-interface"]
    source = pd.read_excel(shared_datasets / "buried_interface" / "new.xlsx")
    report = df.attrs["adapter_report"]
    treated = df[df["is_control"] == 0]
    controls = df[df["is_control"] == 1]
    assert len(treated) == report.rows_read == 169
    assert len(df) == report.rows_mapped == len(treated) + len(controls)
    r = row(df, "buried-2")  # MeO-4PADBC on NiOx, Science 2023
    assert (r["ligand_name"], r["pce_percent"], r["stage"]) == (
        "MeO-4PADBC",
        25.6,
        "film-treatment",
    )
    assert r["composition"] == "Cs0.05FA0.85MA0.1PbI3" and r["substrate_name"] == "NiOx"
    assert r["proc_inverted"] == 1 and r["mol_alkyl_num"] == 4
    assert r["mol_homo_calc"] == pytest.approx(-5.182687)
    c = controls[controls["group_id"] == r["group_id"]]
    assert len(c) == 1 and c.iloc[0]["pce_percent"] == 20.1 and c.iloc[0]["stage"] == "control"
    assert pd.isna(c.iloc[0]["ligand_smiles"]) and pd.isna(c.iloc[0]["mol_alkyl_num"])
    # the benzoic acids of one paper (from line 6) share one control device (15.5 %)
    same = (source.doi == "10.1002/cssc.201701262") & (source.PVK == "MAPbI3")
    same &= source.control_PCE == 15.5
    group = df[df["group_id"] == "10.1002/cssc.201701262|MAPbI3|15.5"]
    assert int(same.sum()) >= 4
    assert sorted(group["is_control"]) == [0] * int(same.sum()) + [1]
    assert every_group_has_one_control(df)


def every_group_has_one_control(df: pd.DataFrame) -> bool:
    return bool((df.groupby("group_id")["is_control"].sum() == 1).all())


def test_clean_formula():
    assert clean_formula("MAPbI3\u2212xClx") == "MAPbI3-xClx"


def test_perovskite_database_spot_checks(loaded):
    df = loaded["perovskite-database"]
    report = df.attrs["adapter_report"]
    assert len(df) == report.rows_read == 610
    r = row(df, "pdp-42461")  # line 2
    assert r["composition"] == "MAPbBr3" and r["doi"] == "10.1021/acsenergylett.1c02836"
    assert (r["pce_percent"], r["voc_v"], r["jsc_ma_cm2"]) == (2.31, 1.191, 4.43)
    assert r["ff_percent"] == pytest.approx(71.5)  # FF fraction -> percent
    assert (r["stage"], r["is_control"], r["year"]) == ("control", 1, 2022)
    assert (r["antisolvent_name"], r["antisolvent_smiles"]) == ("Chlorobenzene", "Clc1ccccc1")
    # methylammonium chloride additive -> ion-table SMILES as a salt
    r = row(df, "pdp-42815")
    assert (r["ligand_smiles"], r["stage"]) == ("C[NH3+].[Cl-]", "synthesis")
    # halide fractions (MAPbI, coefficient 1) are scaled to X3 and reported
    assert row(df, "pdp-42555")["composition"] == "MAPbI3"
    counts = report.counts()
    assert counts["halide coefficients sum to 1: read as fractions, scaled to 3"] > 0
    # FF > 1 in the source is impossible: missing, reported
    assert math.isnan(row(df, "pdp-42499")["ff_percent"])
    assert counts["JV_default_FF outside the physical range → missing"] == 3
    # unmapped names keep their text, with no SMILES, and are counted
    r = row(df, "pdp-43133")
    assert r["ligand_name"] == "Formamide; MaCl" and pd.isna(r["ligand_smiles"])
    unmapped = df["ligand_name"].notna() & df["ligand_smiles"].isna()
    assert counts["ligand name not in the ion tables: SMILES left empty"] == int(unmapped.sum())
    assert counts["not ABX3 (2D, double or other perovskite-inspired structure)"] > 0


@pytest.mark.parametrize("name", ["synthesizer", "buried-interface", "perovskite-database"])
def test_adapter_output_has_only_source_composition_errors(loaded, name):
    report = validate(loaded[name])
    assert {i.column for i in report.errors} <= {"composition"}


@pytest.mark.parametrize("name", ["synthesizer", "buried-interface", "perovskite-database"])
def test_round_trip_preserves_every_row(loaded, name, tmp_path):
    df = loaded[name]
    path = write_table(df, tmp_path / f"{name}.csv")
    back, fmt = read_records(path)
    assert fmt == "canonical"
    assert back["record_id"].tolist() == df["record_id"].tolist()
    pd.testing.assert_frame_equal(
        back.reset_index(drop=True), df.reset_index(drop=True), check_dtype=False
    )


@pytest.mark.parametrize(
    ("folder", "file", "fmt"),
    [
        ("synthesizer", "dataset_synthesizer.csv", "synthesizer"),
        ("buried_interface", "new.xlsx", "buried-interface"),
        ("perovskite_database", "Perovskite_database.csv", "perovskite-database"),
    ],
)
def test_original_files_are_recognised(shared_datasets, folder, file, fmt):
    df, used = read_records(shared_datasets / folder / file)
    assert used == fmt
    assert df.attrs["adapter_report"].rows_read > 0


@pytest.mark.parametrize("name", ["synthesizer", "buried-interface", "perovskite-database"])
def test_report_counts_are_consistent_and_serialisable(loaded, name):
    report = loaded[name].attrs["adapter_report"]
    summary = json.loads(json.dumps(report.as_dict()))
    assert summary["rows_mapped"] == len(loaded[name])
    assert sum(summary["problems_by_reason"].values()) == len(report.problems)
    assert summary["rows_with_problems"] <= summary["rows_read"]
    text = report.format()
    assert text.startswith(f"{name}: {report.rows_read} source rows read")
