"""`pqdml predict`, `pqdml screen` and `pqdml library` through the click entry point."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pqdml.cli import main
from pqdml.library import generate_library


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from pqdml.model import train

    lib = generate_library(
        anchors=["carboxylic_acid", "amine_primary", "thiol"],
        chain_lengths=range(4, 17, 2),
        backbones=["linear"],
    )
    rng = np.random.default_rng(1)
    rows = [
        {
            "record_id": f"r{i}-{comp}",
            "doi": f"10.0/{i % 5}",
            "composition": comp,
            "ligand_smiles": smi,
            "stage": "post-synthesis",
            "is_control": 0,
            "plqy_percent": float(np.clip(35 + 2 * n + shift + rng.normal(0, 3), 0, 100)),
        }
        for i, (smi, n) in enumerate(zip(lib.ligand_smiles, lib.chain_length, strict=True))
        for comp, shift in (("CsPbI3", 0.0), ("CsPbBr3", 12.0))
    ]
    path = tmp_path_factory.mktemp("model") / "plqy"
    train(pd.DataFrame(rows), "plqy", n_trials=0, cv="random").save(path)
    return path


def test_predict_prints_report_and_name_equals_smiles(model_dir):
    runner = CliRunner()
    args = ["--composition", "CsPbI3", "--model", str(model_dir), "--top", "2"]
    by_name = runner.invoke(main, ["predict", "--ligand", "octylamine", *args])
    by_smiles = runner.invoke(main, ["predict", "--ligand", "CCCCCCCCN", *args])
    assert by_name.exit_code == 0, by_name.output
    assert by_smiles.exit_code == 0, by_smiles.output
    line = [ln for ln in by_name.output.splitlines() if ln.startswith("prediction")]
    assert line == [ln for ln in by_smiles.output.splitlines() if ln.startswith("prediction")]
    for word in ("interval", "domain", "nearest", "because"):
        assert word in by_name.output


def test_predict_bad_ligand_is_a_clean_error(model_dir):
    res = CliRunner().invoke(
        main, ["predict", "--ligand", "C(C", "--composition", "CsPbI3", "--model", str(model_dir)]
    )
    assert res.exit_code == 1
    assert "C(C" in res.output and "Traceback" not in res.output


def test_screen_command(tmp_path, model_dir):
    src = tmp_path / "c.smi"
    src.write_text("CCCCCCCCN octylamine\nC(C broken\nCCCCCCCCCCCCS\nCCCCCCCCN again\n")
    out = tmp_path / "ranked.csv"
    res = CliRunner().invoke(
        main,
        [
            "screen",
            str(src),
            "-o",
            str(out),
            "--model",
            str(model_dir),
            "--composition",
            "CsPbI3",
            "--top",
            "2",
            "-j",
            "1",
            "--chunk-size",
            "2",
            "--no-progress",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "screened 4 candidates" in res.output
    table = pd.read_csv(out)
    assert list(table["status"]) == ["ok", "invalid_smiles", "ok", "ok"]
    assert table.loc[3, "duplicate_of"] == 0
    assert (tmp_path / "ranked_top2.csv").exists()


def test_screen_without_composition_fails_clearly(tmp_path, model_dir):
    src = tmp_path / "c.smi"
    src.write_text("CCN\n")
    res = CliRunner().invoke(
        main, ["screen", str(src), "-o", str(tmp_path / "o.csv"), "--model", str(model_dir)]
    )
    assert res.exit_code == 1 and "--composition" in res.output


def test_library_generate(tmp_path):
    out = tmp_path / "lib.csv"
    res = CliRunner().invoke(
        main,
        [
            "library",
            "generate",
            "-o",
            str(out),
            "--anchors",
            "thiol,amine_primary",
            "--min-chain",
            "4",
            "--max-chain",
            "6",
            "--backbones",
            "linear",
        ],
    )
    assert res.exit_code == 0, res.output
    lib = pd.read_csv(out)
    assert list(lib["name"]) == [
        "C4 linear thiol",
        "C5 linear thiol",
        "C6 linear thiol",
        "C4 linear primary amine",
        "C5 linear primary amine",
        "C6 linear primary amine",
    ]
    bad = CliRunner().invoke(main, ["library", "generate", "-o", str(out), "--anchors", "amide"])
    assert bad.exit_code == 1 and "amide" in bad.output


def test_library_real(tmp_path):
    out = tmp_path / "real.csv"
    res = CliRunner().invoke(
        main, ["library", "real", "-o", str(out), "--anchors", "thiol", "--max-heavy-atoms", "6"]
    )
    assert res.exit_code == 0, res.output
    lib = pd.read_csv(out)
    assert len(lib) > 5
    assert "CCCCS" in set(lib["ligand_smiles"])  # 1-butanethiol
    assert lib["anchors"].str.contains("thiol").all()
    assert lib["source"].str.contains("chemicals").all()


def test_screen_reads_an_original_public_file_with_format(tmp_path, shared_datasets):
    """The CLI contract: screen takes --format like every data command; every row kept."""
    from pqdml.data.datasets import load

    src = shared_datasets / "buried_interface" / "new.xlsx"
    out = tmp_path / "ranked.csv"
    result = CliRunner().invoke(
        main,
        ["screen", str(src), "-o", str(out), "--format", "buried-interface", "--target", "pce"],
    )
    assert result.exit_code == 0, result.output
    ranked = pd.read_csv(out)
    expected = load("buried-interface", path=shared_datasets / "buried_interface")
    assert len(ranked) == len(expected)
    assert set(ranked["record_id"]) == set(expected["record_id"])
    assert not list(tmp_path.glob("*.input.parquet"))  # the converted input is removed
