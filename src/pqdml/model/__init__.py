"""Models: training with honest CV, baselines, conformal intervals, applicability domain, artifacts.

- :func:`train` — records → :class:`TrainedModel` (grouped CV, nested search, metrics).
- :meth:`TrainedModel.predict` — prediction, interval, AD verdict per row.
- :func:`load_model` / :meth:`TrainedModel.save` — verified JSON artifact directory.
- :func:`default_model` — the shipped ``models/<target>/``.
- :func:`evaluate` — score a model on new labelled records.
"""

from __future__ import annotations

import os
from pathlib import Path

from pqdml.config import models_dir
from pqdml.exceptions import ModelArtifactError
from pqdml.model.artifact import FORMAT_VERSION
from pqdml.model.cv import CV_SCHEMES, DEFAULT_CV
from pqdml.model.evaluate import evaluate
from pqdml.model.predictor import Predictor
from pqdml.model.train import train
from pqdml.model.trained import PREDICTION_COLUMNS, TrainedModel, load_model

__all__ = [
    "CV_SCHEMES",
    "DEFAULT_CV",
    "FORMAT_VERSION",
    "PREDICTION_COLUMNS",
    "Predictor",
    "TrainedModel",
    "default_model",
    "evaluate",
    "load_model",
    "resolve_model",
    "train",
]


def default_model(target: str = "plqy") -> TrainedModel:
    """Load the shipped default model for ``target`` (``plqy`` or ``pce``).

    Looked up in :func:`pqdml.config.models_dir` (the packaged ``pqdml/_models`` of an
    installed wheel, else ``models/`` of a source checkout).

    Examples
    --------
    >>> model = default_model("plqy")  # doctest: +SKIP
    """
    path = Path(models_dir()) / target
    if not path.is_dir():
        raise ModelArtifactError(
            f"no shipped model for target {target!r} at {str(path)!r}; train one with "
            f"`pqdml train --target {target} ...` and load it with load_model()"
        )
    return load_model(path)


def resolve_model(
    model: Predictor | str | os.PathLike[str] | None, target: str = "plqy"
) -> Predictor:
    """Return the model an app was given: an object, a model directory, or None for the default.

    Parameters
    ----------
    model
        A :class:`Predictor` (returned as is), a model directory (loaded with
        :func:`load_model`), or None for the shipped :func:`default_model` of ``target``.
    target
        Target of the default model.
    """
    if model is None:
        return default_model(target)
    if isinstance(model, str | os.PathLike):
        return load_model(model)
    return model
