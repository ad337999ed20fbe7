"""What a model's ``metadata.json`` may say: a pydantic schema plus semantic checks on load.

The sha256 values in ``metadata.json`` protect **integrity**: a file changed or truncated
after saving, by accident, is refused. They do not protect **authenticity**: anyone who
edits a model can recompute them. So :func:`validate_metadata` also checks that the
metadata makes sense before anything is built from it, and refuses (with
:class:`~pqdml.exceptions.ModelArtifactError`) a model whose

- ``files`` name anything but the artifact's own files (no ``../x``, no absolute path:
  nothing outside the model folder is ever opened);
- ``feature_names`` are not what its featurizer configuration produces (in order, no
  duplicates), or are more than :data:`MAX_FEATURES`;
- ``featurizer.morgan_bits`` exceeds :data:`MAX_MORGAN_BITS`, the applicability-domain
  fingerprint exceeds :data:`MAX_FINGERPRINT_BITS`, or the residuals exceed :data:`MAX_ROWS`;
- target bounds are not ordered (``low < high``), or the target and its column disagree
  with the target table;
- conformal residuals are negative, unsorted or all zero (a zero-width interval);
- ``pqdml_version`` is newer than this pqdml (major.minor): a model written by a later
  version may use fields this one does not understand.

Only a model from a source you trust should be used: these checks stop mistakes and
crude edits, not a careful forger (who could, for example, change the trees in
``model.json``).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pqdml import __version__
from pqdml.data.targets import TARGET_SPECS
from pqdml.exceptions import ModelArtifactError
from pqdml.features.records import CATEGORICAL_COLUMNS, FeatureCache, featurize_records

__all__ = [
    "MAX_FEATURES",
    "MAX_FINGERPRINT_BITS",
    "MAX_MORGAN_BITS",
    "MAX_ROWS",
    "ModelMetadata",
    "validate_metadata",
]

#: Largest ``featurizer.morgan_bits`` a model may ask for.
MAX_MORGAN_BITS = 4096
#: Largest applicability-domain fingerprint size.
MAX_FINGERPRINT_BITS = 16384
#: Largest number of features.
MAX_FEATURES = 10_000
#: Largest number of training rows (conformal residuals, AD reference rows).
MAX_ROWS = 2_000_000
#: The files of a model folder besides ``metadata.json`` (see :mod:`pqdml.model.artifact`).
ARTIFACT_FILES = frozenset({"model.json", "training_ligands.json", "metrics.json"})

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_VERSION = re.compile(r"^(\d+)\.(\d+)")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Featurizer(_Open):
    """``featurizer``: the ligand descriptor set, Morgan bits and extra record columns."""

    descriptors: Literal["default", "full"] = "default"
    morgan_bits: int = Field(default=0, ge=0, le=MAX_MORGAN_BITS)
    extra_features: list[str] = Field(default_factory=list, max_length=MAX_FEATURES)


class TargetTransform(_Open):
    """``target_transform``: the fitting-space transform and the target's bounds."""

    kind: Literal["identity", "logit", "log"] | str
    low: float
    high: float
    eps: float = Field(ge=0, le=0.5)

    @model_validator(mode="after")
    def _ordered(self) -> TargetTransform:
        if not self.low < self.high:
            raise ValueError(f"target bounds are not ordered: low {self.low} >= high {self.high}")
        return self


class Conformal(_Open):
    """``conformal``: interval level and sorted non-negative out-of-fold residuals."""

    level: float = Field(gt=0, lt=1)
    residuals: list[float] = Field(min_length=1, max_length=MAX_ROWS)

    @model_validator(mode="after")
    def _residuals(self) -> Conformal:
        r = self.residuals
        if min(r) < 0:
            raise ValueError("residuals must be >= 0")
        if any(b < a for a, b in itertools.pairwise(r)):
            raise ValueError("residuals must be sorted (ascending)")
        if max(r) == 0:
            raise ValueError("residuals are all zero (a zero-width interval)")
        return self


class Fingerprint(_Open):
    """``applicability_domain.fingerprint``."""

    kind: Literal["morgan"]
    radius: int = Field(ge=0, le=6)
    n_bits: int = Field(ge=1, le=MAX_FINGERPRINT_BITS)


class Domain(_Open):
    """``applicability_domain``: thresholds and reference statistics."""

    similarity_threshold: float = Field(ge=0, le=1)
    distance_threshold: float | None = Field(ge=0)  # None: no descriptor distance (infinite)
    k: int = Field(ge=1, le=1000)
    fingerprint: Fingerprint
    descriptor_columns: list[int] = Field(default_factory=list, max_length=MAX_FEATURES)
    descriptor_mean: list[float] = Field(default_factory=list, max_length=MAX_FEATURES)
    descriptor_scale: list[float] = Field(default_factory=list, max_length=MAX_FEATURES)

    @model_validator(mode="after")
    def _sizes(self) -> Domain:
        n = len(self.descriptor_columns)
        if len(self.descriptor_mean) != n or len(self.descriptor_scale) != n:
            raise ValueError(
                "descriptor_columns, descriptor_mean and descriptor_scale differ in length"
            )
        if any(c < 0 for c in self.descriptor_columns):
            raise ValueError("descriptor_columns must be >= 0")
        if any(not s > 0 for s in self.descriptor_scale):
            raise ValueError("descriptor_scale must be > 0")
        return self


class ModelMetadata(_Open):
    """The parts of ``metadata.json`` that predictions depend on (other keys are kept as is)."""

    format_version: Literal[1]
    pqdml_version: str = Field(pattern=_VERSION.pattern)
    target: str
    target_column: str
    feature_names: list[str] = Field(min_length=1, max_length=MAX_FEATURES)
    featurizer: Featurizer
    target_transform: TargetTransform
    conformal: Conformal
    applicability_domain: Domain
    files: dict[str, str]

    @model_validator(mode="after")
    def _consistent(self) -> ModelMetadata:
        bad = sorted(set(self.files) - ARTIFACT_FILES)
        if bad:
            raise ValueError(
                f"files lists {', '.join(map(repr, bad))}: only "
                f"{', '.join(sorted(ARTIFACT_FILES))} belong to a model folder"
            )
        if any(not _SHA256.match(v) for v in self.files.values()):
            raise ValueError("files must map to sha256 hex digests")
        spec = TARGET_SPECS.get(self.target)
        if spec is not None and spec.column != self.target_column:
            raise ValueError(
                f"target {self.target!r} has the column {spec.column!r}, not {self.target_column!r}"
            )
        if len(set(self.feature_names)) != len(self.feature_names):
            raise ValueError("feature_names holds duplicates")
        newer = _major_minor(self.pqdml_version) > _major_minor(__version__)
        if newer:
            raise ValueError(
                f"the model was written by pqdml {self.pqdml_version}, newer than this pqdml "
                f"{__version__}: upgrade pqdml to use it"
            )
        return self


def _major_minor(version: str) -> tuple[int, int]:
    match = _VERSION.match(version)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def _expected_names(featurizer: Featurizer) -> list[str]:
    """Ligand and composition feature names, in order, that this featurizer configuration gives."""
    cache = FeatureCache(descriptors=featurizer.descriptors, morgan_bits=featurizer.morgan_bits)
    probe = pd.DataFrame({"ligand_smiles": ["CCCCCCCCN"], "composition": ["CsPbBr3"]})
    frame = featurize_records(probe, cache=cache)
    return [c for p in ("ligand__", "composition__") for c in frame.columns if c.startswith(p)]


def _check_features(meta: ModelMetadata) -> None:
    """Check the order: configured ligand/composition features, process columns, levels.

    Categorical levels are sorted within each column, as the featurizer writes them.
    """
    names = meta.feature_names
    expected = _expected_names(meta.featurizer)
    position = {n: i for i, n in enumerate(expected)}
    block = [n for n in names if n.startswith(("ligand__", "composition__"))]
    unknown = [n for n in block if n not in position]
    if unknown:
        raise ValueError(
            f"feature_names hold {', '.join(map(repr, unknown[:3]))}, which the featurizer "
            f"configuration {meta.featurizer.model_dump(include={'descriptors', 'morgan_bits'})} "
            "does not produce"
        )
    if [position[n] for n in block] != sorted(position[n] for n in block):
        raise ValueError("feature_names are not in the order the featurizer produces them")
    if names[: len(block)] != block:
        raise ValueError("feature_names: ligand and composition features must come first")
    prefixes = ("process__", *(f"{p}__" for p in CATEGORICAL_COLUMNS.values()))
    rest = names[len(block) :]
    odd = [n for n in rest if not n.startswith(prefixes)]
    if odd:
        raise ValueError(f"feature_names hold unknown features {', '.join(map(repr, odd[:3]))}")
    for prefix in prefixes[1:]:
        group = [n for n in rest if n.startswith(prefix)]
        if group != sorted(group):
            raise ValueError(f"feature_names: the {prefix[:-2]!r} levels are not sorted")


def validate_metadata(meta: dict[str, Any], root: str | Path) -> ModelMetadata:
    """Check a model's metadata before anything is loaded from it; return the parsed schema.

    Raises
    ------
    ModelArtifactError
        One line naming the model folder and every problem found.
    """
    where = f"model {str(root)!r}"
    try:
        parsed = ModelMetadata.model_validate(meta)
        _check_features(parsed)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'metadata'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()[:5]
        )
        raise ModelArtifactError(f"{where} has invalid metadata.json: {problems}") from None
    except ValueError as exc:
        raise ModelArtifactError(f"{where} has invalid metadata.json: {exc}") from None
    return parsed
