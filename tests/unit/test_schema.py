"""Validation catches each kind of bad row, with its line and reason, and alters nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqdml.data import TARGETS, read_records, validate
from pqdml.data._chemcheck import check_smiles
from pqdml.exceptions import DataValidationError

GOOD = {
    "record_id": "r1",
    "doi": "10.1021/jacs.7b02817",
    "composition": "CsPbBr3",
    "morphology": "QD",
    "ligand_name": "1-dodecanethiol",
    "ligand_smiles": "CCCCCCCCCCCCS",
    "stage": "post-synthesis",
    "is_control": 0,
    "group_id": "g1",
    "plqy_percent": 95.0,
}


def frame(*overrides: dict[str, object]) -> pd.DataFrame:
    rows = []
    for i, o in enumerate(overrides):
        rows.append({**GOOD, "record_id": f"r{i}", **o})
    return pd.DataFrame(rows)


def only(report, severity="error"):
    items = report.errors if severity == "error" else report.warnings
    return [(i.line, i.column, i.reason) for i in items]


def test_targets_mapping_is_the_contract():
    assert TARGETS == {
        "plqy": "plqy_percent",
        "pce": "pce_percent",
        "voc": "voc_v",
        "jsc": "jsc_ma_cm2",
        "ff": "ff_percent",
        "emission": "emission_nm",
    }


def test_clean_table_passes():
    report = validate(frame({}, {"stage": "control", "is_control": 1, "ligand_smiles": None}))
    assert report.ok and not report.issues
    assert "OK: no errors" in report.format()


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("plqy_percent", 100.5, "outside the allowed range 0–100 %"),
        ("plqy_percent", -1.0, "outside the allowed range 0–100 %"),
        ("pce_percent", 36.0, "outside the allowed range 0–35 %"),
        ("voc_v", 2.3, "outside the allowed range 0–2 V"),
        ("ff_percent", 101.0, "outside the allowed range 0–100 %"),
        ("jsc_ma_cm2", 45.0, "outside the allowed range 0–40 mA/cm2"),
        ("stage", "annealing", "not one of synthesis, post-synthesis"),
        ("is_control", 2, "must be 0 or 1"),
        ("plqy_percent", "high", "not a number"),
        ("proc_temperature_c", "hot", "not a number"),
        ("year", 2020.5, "not a whole year"),
        ("ligand_smiles", "C1CC", "RDKit cannot parse this SMILES"),
        ("ligand_smiles", "C(C)(C)(C)(C)C", "RDKit rejects this SMILES: Explicit valence"),
        ("antisolvent_smiles", "c1cccc1", "RDKit rejects this SMILES"),
        ("composition", "CsPbBr4", "unparseable composition"),
        ("composition", "", "required value is empty"),
        ("record_id", None, "required value is empty"),
    ],
)
def test_each_kind_of_bad_value_is_an_error_on_its_line(column, value, reason):
    df = frame({}, {column: value})
    report = validate(df)
    errors = only(report)
    assert len(errors) == 1, errors
    line, col, message = errors[0]
    assert (line, col) == (3, column)  # second data row = line 3 (header = line 1)
    assert reason in message


def test_every_problem_is_reported_in_one_go():
    df = frame({"plqy_percent": 120.0}, {"stage": "baking"}, {"ligand_smiles": "C1CC"}, {})
    df.loc[3, "record_id"] = "r0"
    report = validate(df)
    assert [(i.line, i.column) for i in report.errors] == [
        (2, "plqy_percent"),
        (2, "record_id"),
        (3, "stage"),
        (4, "ligand_smiles"),
        (5, "record_id"),
    ]


def test_missing_required_column_is_a_table_error():
    report = validate(frame({}).drop(columns=["stage"]))
    assert ("table" in report.format()) and [(i.line, i.column) for i in report.errors] == [
        (None, "stage")
    ]
    assert "required column is missing" in report.errors[0].reason


def test_control_consistency():
    report = validate(frame({"is_control": 1}, {"stage": "control", "is_control": 0}))
    assert only(report) == [
        (2, "stage", "is_control is 1 but stage is not 'control'"),
        (3, "is_control", "stage is 'control' but is_control is 0"),
    ]


def test_warnings_do_not_fail():
    df = frame(
        {"composition": "CsPb(Cl/Br)3"},
        {"ligand_smiles": "[*+].CCCCCCCCCCCCCCCCCC(=O)[O-]"},
        {"ligand_smiles": "*CC(*)c1ccccc1"},
        {"morphology": "nanoflower"},
        {"stage": "control", "is_control": 1, "group_id": None},
        {"doi": "not-a-doi"},
    )
    report = validate(df)
    assert report.ok
    assert [(i.line, i.column) for i in report.warnings] == [
        (2, "composition"),
        (3, "ligand_smiles"),
        (4, "ligand_smiles"),
        (5, "morphology"),
        (6, "group_id"),
        (7, "doi"),
    ]
    assert "ambiguous" in report.warnings[0].reason
    assert "'*' atoms" in report.warnings[1].reason


def test_validate_never_alters_or_drops_rows():
    df = frame({"plqy_percent": "x"}, {"stage": "nope"}, {"composition": "CsPbBr4"})
    before = df.copy(deep=True)
    validate(df)
    pd.testing.assert_frame_equal(df, before)


def test_raise_for_errors_carries_the_report():
    report = validate(frame({"pce_percent": 99.0}))
    with pytest.raises(DataValidationError, match=r"line 2, column pce_percent") as info:
        report.raise_for_errors()
    assert info.value.report is report
    assert list(report.to_frame().columns) == ["severity", "line", "column", "value", "reason"]


def test_line_numbers_follow_the_file_with_multiline_cells(tmp_path: Path):
    path = tmp_path / "records.csv"
    path.write_text(
        "record_id,composition,stage,is_control,notes\n"
        'a,CsPbBr3,synthesis,0,"two\nlines"\n'
        "\n"
        "b,CsPbBr3,synthesis,7,plain\n",
        encoding="utf-8",
    )
    df, fmt = read_records(path)
    assert fmt == "canonical"
    assert df.attrs["source_lines"] == [2, 5]
    report = validate(df)
    assert [(i.line, i.column) for i in report.errors] == [(5, "is_control")]


def test_explicit_lines_must_match_rows():
    with pytest.raises(ValueError, match="lines has 1 entries"):
        validate(frame({}, {}), lines=[2])


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_smiles_check_never_crashes(text):
    status, reason = check_smiles(text)
    assert status in {"ok", "warning", "error"}
    assert (status == "ok") == (reason == "")
