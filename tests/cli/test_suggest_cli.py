"""``pqdml suggest`` through the click entry point on small CSVs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pqdml.cli import main

LIGANDS = ["CCCCCCCCN", "CCCCCCCCCCCCCCCCCC(=O)O", "CCCCCCCCCCCCS", "NCCc1ccccc1", "CCCCC(=O)O"]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    rng = np.random.default_rng(0)
    n = 30
    temp = rng.choice(np.arange(100, 201, 10), n).astype(float)
    measured = pd.DataFrame(
        {
            "record_id": [f"r{i}" for i in range(n)],
            "doi": [f"10.1/p{i % 5}" for i in range(n)],
            "composition": "CsPbBr3",
            "ligand_smiles": rng.choice(LIGANDS, n),
            "stage": "synthesis",
            "is_control": 0,
            "proc_temperature_c": temp,
            "plqy_percent": np.clip(20 + 0.4 * (temp - 100) + rng.normal(0, 3, n), 0, 100),
            "emission_nm": 500 - 0.3 * (temp - 100) + rng.normal(0, 2, n),
        }
    )
    library = pd.DataFrame(
        {
            "my_id": ["L1", "L2", "L3", "L4"],
            "ligand_name": ["octylamine", "oleic acid", "bad one", "phenethylamine"],
            "ligand_smiles": ["CCCCCCCCN", "CCCCCCCC/C=C\\CCCCCCCC(=O)O", "C1CC((", "NCCc1ccccc1"],
        }
    )
    root = tmp_path_factory.mktemp("suggest")
    measured.to_csv(root / "measured.csv", index=False)
    library.to_csv(root / "library.csv", index=False)
    return {"measured": root / "measured.csv", "library": root / "library.csv", "root": root}


def _run(args: list[str]) -> object:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_suggest_from_a_library_with_composition_and_grid(files: dict[str, Path]) -> None:
    out = files["root"] / "next.csv"
    result = _run(
        [
            "suggest",
            "--data",
            str(files["measured"]),
            "--candidates",
            str(files["library"]),
            "--target",
            "plqy",
            "-o",
            str(out),
            "--n",
            "3",
            "--composition",
            "CsPbBr3",
            "--grid",
            "proc_temperature_c=125,135,145;stage=synthesis",
            "--seed",
            "1",
            "--n-members",
            "4",
        ]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert len(table) == 3 and table["rank"].tolist() == [1, 2, 3]
    assert {"my_id", "ligand_name", "composition", "proc_temperature_c", "why"} <= set(table)
    assert "L3" not in set(table["my_id"])
    status = pd.read_csv(files["root"] / "next.status.csv")
    assert len(status) == 12  # 4 ligands x 3 temperatures
    assert (status.loc[status["ligand_name"] == "bad one", "status"] == "invalid_smiles").all()
    assert (status["status"] == "suggested").sum() == 3
    assert "suggestions written to" in result.output
    assert not list(files["root"].glob(".next.csv.*"))  # no leftover temporary file


def test_goal_and_window(files: dict[str, Path]) -> None:
    out = files["root"] / "goal.csv"
    result = _run(
        [
            "suggest",
            "--data",
            str(files["measured"]),
            "--candidates",
            str(files["library"]),
            "--target",
            "plqy",
            "-o",
            str(out),
            "--n",
            "2",
            "--composition",
            "CsPbBr3",
            "--grid",
            "proc_temperature_c=105,195",
            "--within",
            "emission=460:480",
            "--strategy",
            "thompson",
            "--n-members",
            "4",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "p_within" in pd.read_csv(out).columns


def test_bad_arguments_are_clear_errors(files: dict[str, Path]) -> None:
    out = files["root"] / "x.csv"
    base = [
        "suggest",
        "--data",
        str(files["measured"]),
        "--candidates",
        str(files["library"]),
        "--target",
        "plqy",
        "-o",
        str(out),
        "--composition",
        "CsPbBr3",
    ]
    result = _run([*base, "--grid", "nonsense"])
    assert result.exit_code != 0 and "col=v1,v2" in result.output
    result = _run([*base, "--reference", "CCO"])
    assert result.exit_code != 0 and "reference ligand 'CCO'" in result.output
    assert not out.exists()
