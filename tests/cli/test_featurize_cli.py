"""``pqdml featurize`` through the entry point (CliRunner and one real subprocess)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from pqdml.cli import main

NAMED = [
    "ligand_status",
    "ligand_error",
    "chain_length",
    "binding_type",
    "binding_type_primary",
    "zwitterionic",
    "n_anchors",
    "counter_ion",
    "composition_status",
    "composition_error",
    "tolerance_factor",
    "octahedral_factor",
]


@pytest.fixture
def table(tmp_path):
    df = pd.DataFrame(
        {
            "sample": ["a", "b", "c", "d", "e"],
            "ligand_smiles": ["CCCCCCCCN", "", "C(C", "[NH3+]CCc1ccccc1.[I-]", None],
            "ligand_name": ["octylamine", "DDAB", "bad", "PEAI", None],
            "composition": [
                "CsPbI3",
                "CsPbBr3",
                "CsPbI3",
                "CsXxI3",
                "FA0.79MA0.16Cs0.05Pb(I0.9Br0.1)3",
            ],
            "plqy_percent": [50.0, 60.0, 70.0, 80.0, 90.0],
        }
    )
    path = tmp_path / "in.csv"
    df.to_csv(path, index=False)
    return path, df


def _run(args):
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_featurize_keeps_rows_and_columns(table, tmp_path, suffix):
    path, df = table
    if suffix == ".parquet":
        src = tmp_path / "in.parquet"
        df.to_parquet(src, index=False)
        path = src
    out = tmp_path / f"out{suffix}"
    result = _run(["featurize", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    assert list(got.columns[: len(df.columns)]) == list(df.columns)
    assert set(NAMED) <= set(got.columns)
    assert any(c.startswith("frac_") for c in got.columns)
    assert len(got) == len(df)
    assert got["sample"].tolist() == ["a", "b", "c", "d", "e"]
    assert got["ligand_status"].tolist() == ["ok", "ok", "invalid_smiles", "ok", "missing"]
    assert got["composition_status"].iloc[3] != "ok"
    assert got.loc[1, "counter_ion"] == "Br"  # empty SMILES fell back to the name DDAB
    assert pd.isna(got.loc[2, "chain_length"])
    assert "rows: 5, ok: 2, failed: 3" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_custom_columns_and_no_composition(tmp_path):
    src = tmp_path / "ligs.csv"
    pd.DataFrame({"mol": ["OA", "OAm"]}).to_csv(src, index=False)
    out = tmp_path / "o.csv"
    result = CliRunner().invoke(
        main, ["featurize", str(src), "-o", str(out), "--smiles-col", "mol"]
    )
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out)
    assert "composition_status" not in got.columns
    assert got["chain_length"].tolist() == [18, 18]


def test_missing_column_is_a_clear_error(tmp_path):
    src = tmp_path / "x.csv"
    pd.DataFrame({"a": [1]}).to_csv(src, index=False)
    result = CliRunner().invoke(main, ["featurize", str(src), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code != 0
    assert "no ligand column" in result.output
    result = CliRunner().invoke(
        main,
        [
            "featurize",
            str(src),
            "-o",
            str(tmp_path / "o.csv"),
            "--smiles-col",
            "a",
            "--composition-col",
            "nope",
        ],
    )
    assert result.exit_code != 0 and "composition column 'nope'" in result.output


def test_bad_output_suffix(table, tmp_path):
    path, _ = table
    result = CliRunner().invoke(main, ["featurize", str(path), "-o", str(tmp_path / "o.xyz")])
    assert result.exit_code != 0 and "table format" in result.output


def test_progress_bar_forced_to_stderr_and_off_by_default(table, tmp_path):
    path, _ = table
    out = tmp_path / "o.csv"
    runner = CliRunner()
    forced = runner.invoke(main, ["featurize", str(path), "-o", str(out), "--progress"])
    assert forced.exit_code == 0
    assert "ligands" in forced.stderr and "ligands" not in forced.stdout
    quiet = runner.invoke(main, ["featurize", str(path), "-o", str(out)])
    assert "ligands:" not in quiet.stderr


def test_morgan_and_full_options(table, tmp_path):
    path, _ = table
    out = tmp_path / "o.csv"
    result = _run(
        ["featurize", str(path), "-o", str(out), "--morgan-bits", "8", "--descriptors", "full"]
    )
    assert result.exit_code == 0
    cols = pd.read_csv(out).columns
    assert "morgan_7" in cols and "rdkit_MolLogP" in cols


def test_help_mentions_columns():
    result = CliRunner().invoke(main, ["featurize", "--help"])
    assert result.exit_code == 0
    assert "--smiles-col" in result.output and "--composition-col" in result.output


def test_python_m_pqdml_subprocess(table, tmp_path):
    path, _ = table
    out = tmp_path / "sub.parquet"
    proc = subprocess.run(
        [sys.executable, "-m", "pqdml", "featurize", str(path), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("rows: 5, ok: 2, failed: 3")
    assert "ligands:" not in proc.stderr  # not a terminal: no progress bar
    assert len(pd.read_parquet(out)) == 5


def test_bundled_example(repo_root, tmp_path):
    out = tmp_path / "ex.csv"
    result = _run(["featurize", str(repo_root / "data" / "example_candidates.csv"), "-o", str(out)])
    assert result.exit_code == 0
    got = pd.read_csv(out)
    assert (got["ligand_status"] == "ok").sum() == len(got) - 1
