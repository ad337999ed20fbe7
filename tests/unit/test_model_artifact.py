"""Artifact tests: save → load → identical predictions; tampered or incompatible artifacts refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pqdml.exceptions import ModelArtifactError
from pqdml.model import load_model, train

LIGANDS = ["CCCCCCCCN", "CCCCCCCCCCCCCCCCCC(=O)O", "CCCCCCCCCCCCS", "NCCc1ccccc1", "CCCCC(=O)O"]


def _data(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lig = rng.choice(LIGANDS, n)
    temp = rng.uniform(100, 200, n)
    y = 30 + 0.3 * (temp - 100) + 10 * (lig == "CCCCCCCCN") + rng.normal(0, 3, n)
    return pd.DataFrame(
        {
            "record_id": [f"r{i}" for i in range(n)],
            "doi": [f"10.1/p{i % 8}" for i in range(n)],
            "composition": rng.choice(["CsPbBr3", "CsPbI3"], n),
            "ligand_smiles": lig,
            "stage": "synthesis",
            "is_control": 0,
            "proc_temperature_c": temp,
            "plqy_percent": np.clip(y, 0, 100),
        }
    )


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, pd.DataFrame]:
    data = _data()
    model = train(data, "plqy", n_trials=0)
    path = model.save(tmp_path_factory.mktemp("m") / "plqy")
    return path, data, model.predict(data)


def test_save_writes_json_files_only(saved: tuple[Path, pd.DataFrame, pd.DataFrame]) -> None:
    path, _, _ = saved
    names = sorted(p.name for p in path.iterdir())
    assert names == ["metadata.json", "metrics.json", "model.json", "training_ligands.json"]
    meta = json.loads((path / "metadata.json").read_text())
    for key in (
        "format_version",
        "target",
        "feature_names",
        "featurizer",
        "training_data_sha256",
        "rows",
        "cv",
        "conformal",
        "applicability_domain",
        "versions",
        "seed",
        "files",
    ):
        assert key in meta
    lig = json.loads((path / "training_ligands.json").read_text())
    assert len(lig["ligands"]) == len(LIGANDS)
    assert all(len(d["fingerprint_hex"]) == 2048 // 4 for d in lig["ligands"])


def test_save_load_gives_identical_predictions(
    saved: tuple[Path, pd.DataFrame, pd.DataFrame],
) -> None:
    path, data, before = saved
    after = load_model(path).predict(data)
    pd.testing.assert_frame_equal(before, after)


def _copy(path: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "copy"
    shutil.copytree(path, dest)
    return dest


def test_corrupted_json_is_refused(
    saved: tuple[Path, pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    dest = _copy(saved[0], tmp_path)
    (dest / "metadata.json").write_text('{"format_version": 1, "target": ')
    with pytest.raises(ModelArtifactError, match="not valid JSON"):
        load_model(dest)


def test_edited_model_json_is_refused(
    saved: tuple[Path, pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    dest = _copy(saved[0], tmp_path)
    text = (dest / "model.json").read_text()
    (dest / "model.json").write_text(text.replace('"base_score"', '"base_score" ', 1))
    with pytest.raises(ModelArtifactError, match=r"model\.json.*sha256"):
        load_model(dest)


def test_edited_metadata_is_refused(
    saved: tuple[Path, pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    dest = _copy(saved[0], tmp_path)
    meta = json.loads((dest / "metadata.json").read_text())
    meta["applicability_domain"]["similarity_threshold"] = 0.0
    (dest / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelArtifactError, match="modified after the model was saved"):
        load_model(dest)


def test_wrong_format_version_is_refused(
    saved: tuple[Path, pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    dest = _copy(saved[0], tmp_path)
    meta = json.loads((dest / "metadata.json").read_text())
    meta["format_version"] = 99
    (dest / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelArtifactError, match="format_version 99"):
        load_model(dest)


def test_missing_file_and_directory_are_refused(
    saved: tuple[Path, pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    dest = _copy(saved[0], tmp_path)
    (dest / "training_ligands.json").unlink()
    with pytest.raises(ModelArtifactError, match="missing"):
        load_model(dest)
    with pytest.raises(ModelArtifactError, match="does not exist"):
        load_model(tmp_path / "nowhere")
