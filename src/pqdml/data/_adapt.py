"""What every public-dataset adapter shares: the report it fills, the solvent names, row helpers.

Kept apart from :mod:`pqdml.data.adapters` (the registry of adapters) so that adapters in
their own modules (:mod:`pqdml.data._pdp`) import it without importing the registry.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from pqdml.data.schema import canonical_order

__all__ = ["SOLVENT_SMILES", "AdapterReport", "Problem"]


#: Solvents used as antisolvents / quenching media → SMILES (checked with RDKit in the tests).
SOLVENT_SMILES: dict[str, str] = {
    "toluene": "Cc1ccccc1",
    "methanol": "CO",
    "ethanol": "CCO",
    "isopropanol": "CC(C)O",
    "butanol": "CCCCO",
    "cyclopentanone": "O=C1CCCC1",
    "chlorobenzene": "Clc1ccccc1",
    "ethyl acetate": "CCOC(C)=O",
    "methyl acetate": "COC(C)=O",
    "diethyl ether": "CCOCC",
    "anisole": "COc1ccccc1",
    "acetone": "CC(C)=O",
}


@dataclass(frozen=True)
class Problem:
    """One source row (``line``, 1-based, header = line 1) that could not be mapped cleanly."""

    line: int | None
    column: str
    reason: str


@dataclass
class AdapterReport:
    """What an adapter read, what it produced and what went wrong, row by row."""

    dataset: str
    source: str
    rows_read: int = 0
    rows_mapped: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __deepcopy__(self, memo: dict[int, object]) -> AdapterReport:
        # pandas deep-copies DataFrame.attrs on every operation; a finished report is
        # read-only, so sharing it keeps adapter frames as fast as plain ones.
        return self

    def add(self, line: int | None, column: str, reason: str) -> None:
        """Record a problem of one source row."""
        self.problems.append(Problem(line, column, reason))

    @property
    def rows_with_problems(self) -> int:
        """Number of distinct source lines with at least one problem."""
        return len({p.line for p in self.problems if p.line is not None})

    def counts(self) -> dict[str, int]:
        """Problems counted by reason, most frequent first."""
        return dict(Counter(p.reason for p in self.problems).most_common())

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-serialisable summary."""
        return {
            "dataset": self.dataset,
            "source": self.source,
            "rows_read": self.rows_read,
            "rows_mapped": self.rows_mapped,
            "rows_with_problems": self.rows_with_problems,
            "problems_by_reason": self.counts(),
            "notes": list(self.notes),
        }

    def format(self, max_examples: int = 3) -> str:
        """Return a human-readable summary with a few example lines per reason."""
        out = [
            f"{self.dataset}: {self.rows_read} source rows read, {self.rows_mapped} canonical rows "
            f"written, {self.rows_with_problems} source rows with problems",
        ]
        by_reason: dict[str, list[Problem]] = {}
        for p in self.problems:
            by_reason.setdefault(p.reason, []).append(p)
        for reason, items in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
            lines = [str(p.line) for p in items[:max_examples] if p.line is not None]
            more = ", ..." if len(items) > max_examples else ""
            where = f" (lines {', '.join(lines)}{more})" if lines else ""
            out.append(f"  {len(items):4d} × {reason}{where}")
        for note in self.notes:
            out.append(f"  note: {note}")
        return "\n".join(out)


def _finish(rows: list[dict[str, object]], lines: list[int], report: AdapterReport) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows)
    df = df[canonical_order(list(df.columns))]
    df["is_control"] = df["is_control"].astype("int64")
    report.rows_mapped = len(df)
    df.attrs["adapter_report"] = report
    df.attrs["source_lines"] = lines
    return df


def _num(value: object) -> float:
    """Return a float, or NaN for empty / non-numeric cells."""
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
    return out
