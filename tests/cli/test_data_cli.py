"""`pqdml validate` and `pqdml datasets` through the click entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pqdml.cli import main

REPO = Path(__file__).resolve().parents[2]
CURATED = REPO / "data" / "pqd_literature.csv"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_curated_dataset_validates_cleanly():
    # no skip: the curated dataset is part of the repository and must stay valid
    assert CURATED.is_file(), f"{CURATED} is missing"
    result = run("validate", str(CURATED))
    assert result.exit_code == 0, result.output
    assert "format: canonical (guessed)" in result.output
    assert " 0 errors" in result.output


def test_validate_bad_file_exits_nonzero_and_lists_rows(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "record_id,composition,stage,is_control,plqy_percent,ligand_smiles\n"
        "a,CsPbBr3,synthesis,0,150,CCO\n"
        "b,CsPb(Cl/Br)3,synthesis,0,50,C1CC\n",
        encoding="utf-8",
    )
    result = run("validate", str(path), "--format", "canonical")
    assert result.exit_code == 1
    out = result.output
    assert "format: canonical\n" in out
    assert "2 errors, 1 warnings" in out and "header being line 1" in out
    assert "line 2, column plqy_percent (value 150.0): outside the allowed range 0–100 %" in out
    assert "line 3, column ligand_smiles (value 'C1CC'): RDKit cannot parse" in out
    assert "WARNINGS:\n  line 3, column composition" in out


def test_validate_warnings_only_exits_zero(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text(
        "record_id,composition,stage,is_control\na,CsPb(Cl/Br)3,synthesis,0\n", encoding="utf-8"
    )
    result = run("validate", str(path))
    assert result.exit_code == 0 and "0 errors, 1 warnings" in result.output


def test_validate_unknown_format_is_a_clean_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code != 0 and "pass --format" in result.output
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "excel"])
    assert result.exit_code == 2 and "canonical" in result.output


@pytest.mark.shared_data
def test_validate_original_public_file(shared_datasets):
    result = run("validate", str(shared_datasets / "synthesizer" / "dataset_synthesizer.csv"))
    assert result.exit_code == 0, result.output
    assert "format: synthesizer (guessed)" in result.output
    assert "218 source rows read" in result.output


def test_datasets_list():
    result = run("datasets", "list")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == [
        "buried-interface",
        "passivator-screening",
        "perovskite-database",
        "synthesizer",
    ]


@pytest.mark.shared_data
def test_datasets_info_text_and_json(shared_datasets):
    result = run("datasets", "info", "synthesizer")
    assert result.exit_code == 0
    assert "licence: MIT" in result.output and "[ok]" in result.output
    assert "PLQY exactly 0 (not measured) → missing" in result.output
    data = json.loads(run("datasets", "info", "perovskite-database", "--json").output)
    assert data["adapter_report"]["rows_read"] == 610
    assert "doi:10.1038/s41560-021-00941-3" in data["citation"]


def test_datasets_info_unknown_name():
    result = CliRunner().invoke(main, ["datasets", "info", "nope"])
    assert result.exit_code == 2 and "unknown dataset 'nope'" in result.output
