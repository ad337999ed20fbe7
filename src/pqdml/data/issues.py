"""One problem found in a table: where, which column, which value, why, how bad."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Issue"]


@dataclass(frozen=True)
class Issue:
    """One problem found in a table.

    ``line`` is the 1-based line of the input file (header = line 1), ``None`` for a
    problem of the whole table (a missing column).
    """

    line: int | None
    column: str | None
    value: object
    reason: str
    severity: Literal["error", "warning"] = "error"
