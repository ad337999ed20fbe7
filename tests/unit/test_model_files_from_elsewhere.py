"""Model folders from elsewhere: edited metadata (with recomputed hashes) is checked on load;
retraining replaces a model atomically."""

from __future__ import annotations

import errno
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from pqdml.exceptions import ModelArtifactError, OutputPathError
from pqdml.model import artifact, load_model

SHIPPED = Path(__file__).resolve().parents[2] / "models" / "plqy"


def _copy(tmp_path: Path) -> Path:
    dest = tmp_path / "model"
    shutil.copytree(SHIPPED, dest)
    return dest


def _rewrite(model_dir: Path, edit) -> None:
    """Edit metadata.json and recompute its self-hash, as anyone can."""
    path = model_dir / "metadata.json"
    meta = json.loads(path.read_text())
    edit(meta)
    meta.pop("metadata_sha256", None)
    meta["metadata_sha256"] = hashlib.sha256(artifact._canonical(meta)).hexdigest()
    path.write_text(json.dumps(meta))


def _swap_composition(meta):
    names = meta["feature_names"]
    i = names.index("composition__frac_Br")
    j = names.index("composition__frac_Cl")
    names[i], names[j] = names[j], names[i]


def _set_residual(value, at=0):
    def edit(meta):
        meta["conformal"]["residuals"][at] = value

    return edit


EDITS = {
    "negative residual": (_set_residual(-0.5), "residuals must be >= 0"),
    "unsorted residuals": (_set_residual(50.0, at=1), "sorted"),
    "collapsed bounds": (
        lambda m: m["target_transform"].update(low=100.0, high=100.0),
        "not ordered",
    ),
    "newer minor version": (lambda m: m.update(pqdml_version="0.2.0"), "newer than this pqdml"),
    "morgan bits above the limit": (
        lambda m: m["featurizer"].update(morgan_bits=5000),
        "less than or equal to 4096",
    ),
    "fingerprint of ten million bits": (
        lambda m: m["applicability_domain"]["fingerprint"].update(n_bits=10**7),
        "n_bits",
    ),
    "renamed feature": (
        lambda m: m["feature_names"].__setitem__(3, "ligand__octanol_partition"),
        "does not produce",
    ),
    "swapped composition features": (_swap_composition, "not in the order"),
    "path escaping the folder": (
        lambda m: m["files"].update({"sub/../../secret.txt": "0" * 64}),
        "only metrics.json",
    ),
    "absolute path": (lambda m: m["files"].update({"/tmp/elsewhere": "0" * 64}), "only"),
    "zero descriptor scale": (
        lambda m: m["applicability_domain"]["descriptor_scale"].__setitem__(0, 0.0),
        "descriptor_scale must be > 0",
    ),
    "target column of another target": (
        lambda m: m.update(target_column="pce_percent"),
        "has the column",
    ),
}


@pytest.mark.parametrize("case", sorted(EDITS))
def test_edited_metadata_with_a_recomputed_hash_is_refused(tmp_path, case):
    edit, message = EDITS[case]
    model_dir = _copy(tmp_path)
    _rewrite(model_dir, edit)
    with pytest.raises(ModelArtifactError, match=message) as info:
        load_model(model_dir)
    assert "\n" not in str(info.value)


def test_no_file_outside_the_model_folder_is_opened(tmp_path, monkeypatch):
    model_dir = _copy(tmp_path)
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    _rewrite(model_dir, lambda m: m["files"].update({"../outside.json": "0" * 64}))
    opened = []
    real = artifact.sha256_file
    monkeypatch.setattr(artifact, "sha256_file", lambda p: opened.append(Path(p)) or real(p))
    with pytest.raises(ModelArtifactError):
        load_model(model_dir)
    assert all(p.resolve().is_relative_to(model_dir.resolve()) for p in opened)


def test_the_shipped_model_passes(tmp_path):
    assert load_model(_copy(tmp_path)).feature_names


def test_a_failed_retrain_leaves_the_old_model_intact(tmp_path, monkeypatch):
    model = load_model(SHIPPED)
    out = model.save(tmp_path / "plqy")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = []

    def full_disk(path, obj):
        calls.append(path)
        if len(calls) == 2:  # model.json and one JSON file written, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, obj)

    real = artifact._write_json
    monkeypatch.setattr(artifact, "_write_json", full_disk)
    with pytest.raises(OSError, match="No space left"):
        model.save(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plqy"]  # no staging left
    load_model(out)


def test_retraining_replaces_the_whole_folder(tmp_path):
    model = load_model(SHIPPED)
    out = model.save(tmp_path / "plqy")
    (out / "stale.txt").write_text("left from an older layout")
    model.save(out)
    assert not (out / "stale.txt").exists()
    load_model(out)


def test_saving_over_a_folder_that_is_not_a_model_is_refused(tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.docx").write_text("years of work")
    with pytest.raises(OutputPathError, match="not a pqdml model"):
        load_model(SHIPPED).save(folder)
    assert (folder / "thesis.docx").read_text() == "years of work"
