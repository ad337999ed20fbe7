"""Model artifact: a directory of JSON files, no pickle, verified on load.

``MODEL_DIR/``

``model.json``
    The XGBoost booster in XGBoost's own JSON format (``Booster.save_model``). When a
    baseline won the model selection, it predicts and its parameters are in
    ``metadata["predictor"]`` (plain numbers); the booster stays for explanations.
``training_ligands.json``
    Training ligands (canonical SMILES, name, packed Morgan bits as hex) and the
    standardised descriptor reference rows used by the applicability domain.
``metrics.json``
    Cross-validation metrics of XGBoost and the baselines (see :mod:`pqdml.model.train`).
``metadata.json``
    ``format_version``, target, feature names, featurizer configuration, target transform,
    training-data sha256, rows used/skipped with reasons, CV scheme and summary metrics,
    conformal calibration (sorted out-of-fold residuals), AD reference statistics, package
    versions, seed, the sha256 of every other file, and ``metadata_sha256`` of itself
    (computed over the canonical JSON without that key).

:func:`write_artifact` and :func:`read_artifact` own the layout; :meth:`TrainedModel.save`
and :func:`pqdml.model.load_model` call them (the model module imports this one, not the
other way round: the model class is named here for type checking only).
:func:`read_artifact` refuses, with :class:`~pqdml.exceptions.ModelArtifactError`, a missing
directory or file, unreadable JSON, another ``format_version``, and any hash mismatch.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import xgboost

from pqdml.exceptions import ModelArtifactError
from pqdml.io import atomic_open, atomic_path, check_model_output, sha256_file
from pqdml.model.domain import ApplicabilityDomain
from pqdml.model.metadata_schema import validate_metadata
from pqdml.model.presets import LinearPredictor
from pqdml.model.target import TargetTransform

if TYPE_CHECKING:  # annotation only: trained.py imports this module at run time
    from pqdml.model.trained import TrainedModel

#: Version of the artifact layout; bump on any incompatible change.
FORMAT_VERSION = 1
FILES = ("model.json", "training_ligands.json", "metrics.json")


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=_jsonable).encode()


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return None if not np.isfinite(obj) else float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.bool_):
        return bool(obj)
    raise TypeError(f"cannot write {type(obj).__name__} to JSON")


def _finite(obj: Any) -> Any:
    """Replace non-finite floats by None (JSON has no NaN), recursively."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    if isinstance(obj, float | np.floating):
        return float(obj) if np.isfinite(obj) else None
    return obj


def _write_json(path: Path, obj: Any) -> None:
    with atomic_open(path, "w", encoding="utf-8") as fh:
        json.dump(_finite(obj), fh, indent=1, default=_jsonable, allow_nan=False)
        fh.write("\n")


def write_artifact(model: TrainedModel, path: str | os.PathLike[str]) -> dict[str, Any]:
    """Write ``model`` to the directory ``path`` as a whole; return its metadata as written.

    The files are written to a temporary sibling folder, which then takes the place of
    ``path`` by renames: on any failure (a full disk...) the old model stays intact. A
    folder that holds anything but a pqdml model is refused (:func:`pqdml.io.check_model_output`).
    """
    out = check_model_output(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".saving", dir=out.parent))
    old = out.with_name(f"{staging.name.removesuffix('.saving')}.old")
    done = False
    try:
        os.chmod(staging, 0o777 & ~_umask())
        meta = _write_files(model, staging)
        if out.exists():
            os.rename(out, old)
        os.rename(staging, out)
        done = True
    finally:
        if not done:  # put the old model back, drop the half-written one
            shutil.rmtree(staging, ignore_errors=True)
            if old.exists() and not out.exists():
                os.rename(old, out)
    shutil.rmtree(old, ignore_errors=True)
    return meta


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_files(model: TrainedModel, out: Path) -> dict[str, Any]:
    """Write the model's files into the (new, empty) folder ``out``; return the metadata."""
    with atomic_path(out / "model.json") as tmp:
        # XGBoost picks the format from the suffix: write to a .json temp name, then move.
        with tempfile.TemporaryDirectory(dir=out) as d:
            staged = Path(d) / "model.json"
            model.booster.save_model(str(staged))
            os.replace(staged, tmp)
    stats, ligands = model.domain.to_json()
    _write_json(out / "training_ligands.json", ligands)
    _write_json(out / "metrics.json", model.metrics)
    meta = dict(model.metadata)
    meta["format_version"] = FORMAT_VERSION
    meta["target"] = model.target
    meta["target_column"] = model.target_column
    meta["feature_names"] = model.feature_names
    meta["target_transform"] = model.target_transform.to_dict()
    meta.setdefault("conformal", {})["residuals"] = [round(float(r), 8) for r in model.residuals]
    meta["applicability_domain"] = stats
    meta["files"] = {name: sha256_file(out / name) for name in FILES}
    meta.pop("metadata_sha256", None)
    meta = _finite(meta)
    meta["metadata_sha256"] = hashlib.sha256(_canonical(meta)).hexdigest()
    _write_json(out / "metadata.json", meta)
    return meta


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise ModelArtifactError(f"model artifact is incomplete: {str(path)!r} is missing")
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelArtifactError(
            f"model artifact file {str(path)!r} is not valid JSON: {exc}"
        ) from None


def read_artifact(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Verify a model directory and read its parts: the keyword arguments of the model.

    Returns
    -------
    dict
        ``target``, ``target_column``, ``feature_names``, ``booster``,
        ``target_transform``, ``residuals``, ``domain``, ``metadata``, ``metrics`` and
        ``predictor`` (a :class:`LinearPredictor` or None), as
        :class:`pqdml.model.TrainedModel` takes them.

    Raises
    ------
    ModelArtifactError
        Missing directory/file, invalid JSON, unsupported ``format_version`` or a sha256
        mismatch (a tampered or partially copied artifact).

    Examples
    --------
    >>> read_artifact("/nonexistent")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    pqdml.exceptions.ModelArtifactError: model directory '/nonexistent' does not exist
    """
    root = Path(path)
    if not root.is_dir():
        raise ModelArtifactError(f"model directory {str(root)!r} does not exist")
    meta = _read_json(root / "metadata.json")
    if not isinstance(meta, dict):
        raise ModelArtifactError(f"{str(root / 'metadata.json')!r} does not hold a JSON object")
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelArtifactError(
            f"model {str(root)!r} has format_version {version!r}; this pqdml reads version "
            f"{FORMAT_VERSION} (retrain the model with this pqdml version)"
        )
    claimed = meta.get("metadata_sha256")
    body = {k: v for k, v in meta.items() if k != "metadata_sha256"}
    if claimed != hashlib.sha256(_canonical(body)).hexdigest():
        raise ModelArtifactError(
            f"{str(root / 'metadata.json')!r} was modified after the model was saved (sha256 mismatch)"
        )
    validate_metadata(meta, root)  # semantic checks; files never outside the folder
    for name, digest in (meta.get("files") or {}).items():
        file = root / name
        if not file.is_file():
            raise ModelArtifactError(f"model artifact is incomplete: {str(file)!r} is missing")
        if sha256_file(file) != digest:
            raise ModelArtifactError(
                f"{str(file)!r} does not match the sha256 recorded in metadata.json: the file "
                "was modified or corrupted after the model was saved"
            )
    if set(FILES) - set(meta.get("files") or {}):
        raise ModelArtifactError(f"metadata.json of {str(root)!r} does not list all artifact files")
    booster = xgboost.Booster()
    try:
        booster.load_model(str(root / "model.json"))
    except xgboost.core.XGBoostError as exc:
        raise ModelArtifactError(
            f"XGBoost cannot read {str(root / 'model.json')!r}: {exc}"
        ) from None
    ligands = _read_json(root / "training_ligands.json")
    metrics = _read_json(root / "metrics.json")
    try:
        domain = ApplicabilityDomain.from_json(meta["applicability_domain"], ligands)
        transform = TargetTransform(**meta["target_transform"])
        residuals = np.asarray(meta["conformal"]["residuals"], dtype=float)
        predictor = meta.get("predictor")
        return {
            "target": meta["target"],
            "target_column": meta["target_column"],
            "feature_names": list(meta["feature_names"]),
            "booster": booster,
            "target_transform": transform,
            "residuals": residuals,
            "domain": domain,
            "metadata": meta,
            "metrics": metrics,
            "predictor": LinearPredictor.from_dict(predictor) if predictor else None,
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelArtifactError(f"model {str(root)!r} metadata is incomplete: {exc!r}") from None
