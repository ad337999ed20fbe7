"""Canonical records: the schema and its validation, file formats, public-dataset adapters.

- :mod:`pqdml.data.schema` — columns, units, :data:`TARGETS`, :func:`validate` → :class:`ValidationReport`.
- :mod:`pqdml.data.formats` — :func:`read_records` for canonical tables and original public files.
- :mod:`pqdml.data.adapters` — public-dataset files → canonical records with an :class:`AdapterReport`.
"""

from pqdml.data.formats import FORMATS, guess_format, read_records
from pqdml.data.schema import (
    COLUMNS,
    REQUIRED,
    STAGES,
    TARGETS,
    Issue,
    ValidationReport,
    validate,
)

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


def __getattr__(name: str) -> object:
    # the adapters are imported on first use (read_records imports them only for public formats)
    if name == "AdapterReport":
        from pqdml.data.adapters import AdapterReport

        return AdapterReport
    raise AttributeError(f"module 'pqdml.data' has no attribute {name!r}")
