"""``pqdml train`` / ``pqdml evaluate`` through the click entry point on a small CSV."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pqdml.cli import main

LIGANDS = ["CCCCCCCCN", "CCCCCCCCCCCCCCCCCC(=O)O", "CCCCCCCCCCCCS", "NCCc1ccccc1", "CCCCC(=O)O"]


@pytest.fixture(scope="module")
def csv_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    n = 70
    temp = rng.uniform(100, 200, n)
    df = pd.DataFrame(
        {
            "record_id": [f"r{i}" for i in range(n)],
            "doi": [f"10.1/p{i % 10}" for i in range(n)],
            "composition": rng.choice(["CsPbBr3", "CsPbI3"], n),
            "ligand_smiles": rng.choice(LIGANDS, n),
            "stage": "synthesis",
            "is_control": 0,
            "proc_temperature_c": temp,
            "plqy_percent": np.clip(20 + 0.5 * (temp - 100) + rng.normal(0, 4, n), 0, 100),
        }
    )
    root = tmp_path_factory.mktemp("cli")
    df.iloc[:50].to_csv(root / "train.csv", index=False)
    df.iloc[50:].to_csv(root / "test.csv", index=False)
    return root / "train.csv", root / "test.csv"


def test_train_then_evaluate(csv_files: tuple[Path, Path], tmp_path: Path) -> None:
    train_csv, test_csv = csv_files
    runner = CliRunner()
    out = tmp_path / "model"
    res = runner.invoke(
        main,
        [
            "train",
            "--data",
            str(train_csv),
            "--target",
            "plqy",
            "-o",
            str(out),
            "--n-trials",
            "0",
            "--seed",
            "3",
        ],
    )
    assert res.exit_code == 0, res.output
    for name in ("xgboost", "mean", "ridge", "random_forest", "coverage", "pooled", "concord"):
        assert name in res.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["cv"] == "group:doi" and metrics["n_rows"] == 50
    assert json.loads((out / "metadata.json").read_text())["seed"] == 3

    js = tmp_path / "eval.json"
    res = runner.invoke(
        main, ["evaluate", "--model", str(out), "--data", str(test_csv), "--json", str(js)]
    )
    assert res.exit_code == 0, res.output
    assert "training mean" in res.output
    result = json.loads(js.read_text())
    assert {"n", "mae", "rmse", "r2", "coverage", "baseline_mae"} <= set(result)
    assert {"concordance", "concordance_ci", "n_pairs"} <= set(result)
    assert len(result["concordance_ci"]) == 2 and isinstance(result["n_pairs"], int)
    assert result["n"] == 20
    assert result["mae"] < result["baseline_mae"]


def test_train_reports_bad_arguments(csv_files: tuple[Path, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(
        main,
        [
            "train",
            "--data",
            str(csv_files[0]),
            "--target",
            "pce",
            "-o",
            str(tmp_path / "m"),
            "--n-trials",
            "0",
        ],
    )
    assert res.exit_code != 0
    assert "pce_percent" in res.output
    res = runner.invoke(
        main,
        [
            "train",
            "--data",
            str(csv_files[0]),
            "--target",
            "plqy",
            "-o",
            str(tmp_path / "m"),
            "--cv",
            "scaffold",
        ],
    )
    assert res.exit_code != 0 and "unknown cv scheme" in res.output


def test_evaluate_refuses_a_tampered_model(csv_files: tuple[Path, Path], tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "metadata.json").write_text("{")
    res = CliRunner().invoke(
        main, ["evaluate", "--model", str(tmp_path / "m"), "--data", str(csv_files[1])]
    )
    assert res.exit_code != 0 and "not valid JSON" in res.output


def test_train_with_morgan_bits_and_random_cv(csv_files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "m"
    res = CliRunner().invoke(
        main,
        [
            "train",
            "--data",
            str(csv_files[0]),
            "--target",
            "plqy",
            "-o",
            str(out),
            "--n-trials",
            "0",
            "--cv",
            "random",
            "--morgan-bits",
            "16",
            "--level",
            "0.8",
        ],
    )
    assert res.exit_code == 0, res.output
    meta = json.loads((out / "metadata.json").read_text())
    assert "ligand__morgan_15" in meta["feature_names"]
    assert meta["featurizer"]["morgan_bits"] == 16
    assert meta["conformal"]["level"] == 0.8
    assert "equivalent to random K-fold" in res.output


def test_default_cv_works_on_single_lab_data(shared_datasets: Path, tmp_path: Path) -> None:
    """The synthesizer set is one paper: the default CV groups by recipe and says so."""
    data = shared_datasets / "synthesizer" / "dataset_synthesizer.csv"
    res = CliRunner().invoke(
        main,
        ["train", "--data", str(data), "--format", "synthesizer", "--target", "plqy",
         "-o", str(tmp_path / "m"), "--repeats", "1"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "group:recipe" in res.output and "grouped by recipe" in res.output
    meta = json.loads((tmp_path / "m" / "metadata.json").read_text())
    assert meta["cv"]["scheme"] == "group:recipe" and "paper" in meta["cv"]["reason"]
