"""Canonical records: the schema and its validation, file formats, public-dataset adapters.

- :mod:`pqdml.data.targets` — the one target table (:data:`TARGETS`, :class:`TargetSpec`).
- :mod:`pqdml.data.records` — record rules: a row's ligand text, missing cells, candidate rows.
- :mod:`pqdml.data.schema` — columns, units, :func:`validate` → :class:`ValidationReport`.
- :mod:`pqdml.data.datasets` — the registered public datasets (fetch with a checksum, load).
- :mod:`pqdml.data.formats` — :func:`read_records` for canonical tables and original public files.
- :mod:`pqdml.data.adapters` — public-dataset files → canonical records with an :class:`AdapterReport`.
"""

from pqdml.data.adapters import AdapterReport
from pqdml.data.formats import FORMATS, guess_format, read_records
from pqdml.data.schema import (
    COLUMNS,
    REQUIRED,
    STAGES,
    Issue,
    ValidationReport,
    validate,
)
from pqdml.data.targets import TARGETS

__all__ = [
    "COLUMNS",
    "FORMATS",
    "REQUIRED",
    "STAGES",
    "TARGETS",
    "AdapterReport",
    "Issue",
    "ValidationReport",
    "guess_format",
    "read_records",
    "validate",
]
