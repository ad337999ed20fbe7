"""Screen many ligand candidates: streaming, resumable, parallel batch prediction.

- :mod:`pqdml.screen.run` — :func:`screen` and :class:`ScreenSummary`.
- :mod:`pqdml.screen.chunk` — one chunk of candidates → output rows (:data:`OUTPUT_COLUMNS`).
- :mod:`pqdml.screen.engines` — local worker processes and Dask.
- :mod:`pqdml.screen.parts` — the resumable parts folder and the final ranked merge.

No chemistry or model logic lives here: rows become records by
:func:`pqdml.data.records.candidate_records` and each row's status and prediction come from
the model (:meth:`pqdml.model.TrainedModel.predict`).
"""

from pqdml.screen.chunk import OUTPUT_COLUMNS, predict_chunk
from pqdml.screen.run import ScreenSummary, screen

__all__ = ["OUTPUT_COLUMNS", "ScreenSummary", "predict_chunk", "screen"]
