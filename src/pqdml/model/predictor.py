"""What the apps (predict, screen, suggest, report, web) need of a model: the :class:`Predictor`.

:class:`pqdml.model.TrainedModel` is the one implementation pqdml ships; the Protocol
states the contract so the app layers are typed against it instead of ``Any``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import pandas as pd

__all__ = ["Predictor"]


@runtime_checkable
class Predictor(Protocol):
    """A fitted model that predicts canonical records with an interval and a domain verdict.

    Attributes
    ----------
    target, target_column
        Target key (``"plqy"``) and its record column (``"plqy_percent"``).
    metadata
        What the model knows about itself (training data, CV metrics, featurizer).
    """

    target: str
    target_column: str
    metadata: dict[str, Any]

    def predict(self, records: pd.DataFrame, *, level: float | None = None) -> pd.DataFrame:
        """One row per record: :data:`pqdml.model.PREDICTION_COLUMNS`, same index."""
        ...

    def nearest_ligands(self, smiles: Sequence[str]) -> list[list[tuple[str, float]]]:
        """Return the most similar training ligands of each SMILES: ``(name, similarity)``."""
        ...

    def trim_caches(self, max_entries: int) -> None:
        """Drop feature memos holding more than ``max_entries`` entries."""
        ...

    def use_threads(self, n: int) -> None:
        """Predict on ``n`` threads (1 in worker processes that parallelize themselves)."""
        ...
