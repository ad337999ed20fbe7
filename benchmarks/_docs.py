"""Shared output of the benchmarks: JSON without NaN, tables in docs/benchmarks.md."""

from __future__ import annotations

import math
from pathlib import Path

from pqdml.io import atomic_open

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def write_block(name: str, table: str, heading: str) -> None:
    """Replace the ``name`` block of ``DOCS`` with ``table`` (appended under ``heading`` if absent)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = DOCS.read_text(encoding="utf-8")
    block = f"{start}\n{table}\n{end}"
    if start in text:
        head, _, rest = text.partition(start)
        text = head + block + rest.partition(end)[2]
    else:
        text = text.rstrip() + f"\n\n## {heading}\n\n" + block + "\n"
    with atomic_open(DOCS, "w", encoding="utf-8") as fh:
        fh.write(text)


def json_safe(obj: object) -> object:
    """``obj`` with every non-finite float as None (JSON has no NaN), tuples as lists."""
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
