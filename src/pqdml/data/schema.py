"""The canonical record schema: columns, units, ranges, and validation of a whole table.

One row per measured sample. :func:`validate` checks a table in one go and returns a
:class:`ValidationReport` listing every problem with its line number, column and reason.
It never alters or drops a row. Structural checks (required columns, ranges, allowed
values, uniqueness) run through a :mod:`pandera` schema with ``lazy=True``; chemistry
checks (SMILES, composition) run through RDKit and :mod:`pqdml.chem.composition`.

Errors make a table unusable for training (``pqdml validate`` exits non-zero); warnings
are facts worth knowing that do not (an ambiguous halide family such as ``CsPb(Cl/Br)3``,
a polymer SMILES with ``*`` atoms, an unknown morphology word).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

from pqdml.data import _chemcheck
from pqdml.data.issues import Issue
from pqdml.data.targets import TARGET_SPECS
from pqdml.exceptions import DataValidationError

#: Allowed values of ``stage``.
STAGES: tuple[str, ...] = (
    "synthesis",
    "post-synthesis",
    "purification",
    "film-treatment",
    "control",
)

#: Morphology words the project uses; others are accepted with a warning.
MORPHOLOGIES: tuple[str, ...] = (
    "QD",
    "NC",
    "NPL",
    "NW",
    "film-of-QDs",
    "bulk-film",
    "thin-film",
    "single-crystal",
    "powder",
)

#: Columns every table must have.
REQUIRED: tuple[str, ...] = ("record_id", "composition", "stage", "is_control")

#: Prefixes of open-ended numeric column families: process parameters and molecule descriptors.
NUMERIC_PREFIXES: tuple[str, ...] = ("proc_", "mol_")


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column: kind (``str``, ``int``, ``float``), unit, allowed range, meaning."""

    kind: Literal["str", "int", "float"]
    unit: str
    description: str
    low: float | None = None
    high: float | None = None


#: Every named canonical column, in the order tables are written.
COLUMNS: dict[str, ColumnSpec] = {
    "record_id": ColumnSpec("str", "", "unique row identifier"),
    "doi": ColumnSpec("str", "", "DOI of the paper the measurement comes from"),
    "source": ColumnSpec("str", "", "where the row came from (review ref, curation id, dataset)"),
    "year": ColumnSpec("int", "year", "publication year", 1950, 2100),
    "composition": ColumnSpec("str", "", "perovskite formula, e.g. CsPbBr3"),
    "morphology": ColumnSpec("str", "", "QD, NC, NPL, film-of-QDs, bulk-film, ..."),
    "ligand_name": ColumnSpec("str", "", "ligand or treatment agent name"),
    "ligand_smiles": ColumnSpec("str", "", "ligand SMILES (may be empty)"),
    "stage": ColumnSpec(
        "str", "", "synthesis | post-synthesis | purification | film-treatment | control"
    ),
    "is_control": ColumnSpec("int", "0/1", "1 for an untreated control sample"),
    "group_id": ColumnSpec("str", "", "rows of one comparison (controls linked to treated rows)"),
    "solvent_name": ColumnSpec("str", "", "synthesis or processing solvent"),
    "antisolvent_name": ColumnSpec("str", "", "antisolvent name"),
    "antisolvent_smiles": ColumnSpec("str", "", "antisolvent SMILES"),
    "substrate_name": ColumnSpec("str", "", "layer under the perovskite (e.g. NiOx, TiO2)"),
    **{
        t.column: ColumnSpec("float", t.unit, t.description, *t.valid)
        for t in TARGET_SPECS.values()
    },
    "fwhm_nm": ColumnSpec("float", "nm", "emission full width at half maximum", 0, 500),
    "fwhm_ev": ColumnSpec("float", "eV", "emission full width at half maximum", 0, 2),
    "notes": ColumnSpec("str", "", "free text"),
}

LINE_CONVENTION = "line numbers are 1-based lines of the input file, the header being line 1"


@dataclass
class ValidationReport:
    """Every problem of a table, found in one pass; errors and warnings.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"record_id": ["a"], "composition": ["CsPbBr3"],
    ...                    "stage": ["synthesis"], "is_control": [0], "plqy_percent": [120.0]})
    >>> report = validate(df, check_chemistry=False)
    >>> report.ok, report.errors[0].column
    (False, 'plqy_percent')
    """

    n_rows: int
    issues: list[Issue] = field(default_factory=list)
    source: str | None = None

    @property
    def errors(self) -> list[Issue]:
        """Issues that make the table unusable."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        """Issues worth knowing that do not fail validation."""
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def to_frame(self) -> pd.DataFrame:
        """Return the issues as a table: severity, line, column, value, reason."""
        rows = [
            {
                "severity": i.severity,
                "line": i.line,
                "column": i.column,
                "value": i.value,
                "reason": i.reason,
            }
            for i in self.issues
        ]
        return pd.DataFrame(rows, columns=["severity", "line", "column", "value", "reason"])

    def format(self, max_issues: int | None = None) -> str:
        """Return a human-readable report; ``max_issues`` limits the listed issues per severity."""
        where = f" in {self.source}" if self.source else ""
        head = (
            f"{self.n_rows} rows checked{where}: {len(self.errors)} errors, "
            f"{len(self.warnings)} warnings ({LINE_CONVENTION})."
        )
        lines = [head]
        for title, items in (("ERRORS", self.errors), ("WARNINGS", self.warnings)):
            if not items:
                continue
            lines.append(f"{title}:")
            shown = items if max_issues is None else items[:max_issues]
            for i in shown:
                loc = f"line {i.line}" if i.line is not None else "table"
                col = f", column {i.column}" if i.column else ""
                val = "" if _is_missing(i.value) else f" (value {i.value!r})"
                lines.append(f"  {loc}{col}{val}: {i.reason}")
            if len(shown) < len(items):
                lines.append(f"  ... and {len(items) - len(shown)} more")
        if self.ok:
            lines.append("OK: no errors.")
        return "\n".join(lines)

    def raise_for_errors(self) -> None:
        """Raise :class:`~pqdml.exceptions.DataValidationError` carrying this report if it has errors."""
        if not self.ok:
            raise DataValidationError(self.format(max_issues=20), report=self)


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def numeric_columns(columns: Sequence[str]) -> list[str]:
    """Names among ``columns`` that must hold numbers (named numeric columns, ``proc_*``, ``mol_*``)."""
    out = []
    for c in columns:
        spec = COLUMNS.get(c)
        if (spec is not None and spec.kind != "str") or c.startswith(NUMERIC_PREFIXES):
            out.append(c)
    return out


def _pandera_schema(columns: Sequence[str]) -> pa.DataFrameSchema:
    cols: dict[str, pa.Column] = {}
    for name, spec in COLUMNS.items():
        checks = []
        if spec.low is not None and spec.high is not None:
            checks.append(
                pa.Check.in_range(
                    spec.low,
                    spec.high,
                    error=f"outside the allowed range {spec.low:g}–{spec.high:g} {spec.unit}".strip(),
                )
            )
        if name == "stage":
            checks.append(pa.Check.isin(STAGES, error=f"not one of {', '.join(STAGES)}"))
        if name == "is_control":
            checks.append(pa.Check.isin([0, 1], error="must be 0 or 1"))
        if name == "year":
            checks.append(
                pa.Check(lambda s: s.isna() | (s == np.floor(s)), error="not a whole year")
            )
        cols[name] = pa.Column(
            checks=checks,
            required=name in REQUIRED,
            nullable=name not in REQUIRED,
            unique=name == "record_id",
            report_duplicates="all",
        )
    for name in columns:
        if name.startswith(NUMERIC_PREFIXES) and name not in cols:
            cols[name] = pa.Column(nullable=True, required=False)
    return pa.DataFrameSchema(cols, strict=False, name="pqdml canonical records")


_REASONS = {
    "column_in_dataframe": "required column is missing",
    "field_uniqueness": "duplicate record_id",
    "not_nullable": "required value is empty",
}


def _line_numbers(df: pd.DataFrame, lines: Sequence[int] | None) -> list[int]:
    if lines is None:
        attr = df.attrs.get("source_lines")
        if attr is not None and len(attr) == len(df):
            lines = attr
    if lines is None:
        return list(range(2, len(df) + 2))
    if len(lines) != len(df):
        raise ValueError(f"lines has {len(lines)} entries for a table of {len(df)} rows")
    return [int(x) for x in lines]


def _coerce_numbers(df: pd.DataFrame, line_of: list[int], issues: list[Issue]) -> pd.DataFrame:
    """Copy ``df`` with numeric columns as floats; unparseable cells become issues (and NaN in the copy)."""
    out = df.copy()
    for col in numeric_columns(list(df.columns)):
        raw = df[col]
        if pd.api.types.is_bool_dtype(raw):
            out[col] = raw.astype(float)
            continue
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        for pos in np.flatnonzero(bad.to_numpy()):
            issues.append(Issue(line_of[pos], col, raw.iloc[pos], "not a number"))
        out[col] = num.astype(float)
    for col in ("record_id", "composition", "stage"):
        if col in out.columns:
            s = out[col]
            blank = s.notna() & (s.astype(str).str.strip() == "")
            out[col] = s.where(~blank, None)
    return out


def _pandera_issues(df: pd.DataFrame, line_of: list[int]) -> list[Issue]:
    schema = _pandera_schema(list(df.columns))
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        issues = []
        for rec in exc.failure_cases.to_dict("records"):
            check = str(rec.get("check"))
            column = rec.get("column")
            index = rec.get("index")
            if check == "column_in_dataframe":
                issues.append(Issue(None, str(rec["failure_case"]), None, _REASONS[check]))
                continue
            if _is_missing(index):
                reason = _REASONS.get(check, check)
                issues.append(Issue(None, column, rec.get("failure_case"), reason))
                continue
            pos = df.index.get_loc(index)
            reason = _REASONS.get(check, check)
            issues.append(Issue(line_of[int(pos)], column, rec.get("failure_case"), reason))
        return issues
    return []


def _consistency_issues(df: pd.DataFrame, line_of: list[int]) -> list[Issue]:
    issues: list[Issue] = []
    if {"is_control", "stage"} <= set(df.columns):
        ctrl = df["is_control"] == 1
        stage_ctrl = df["stage"] == "control"
        for pos in np.flatnonzero((ctrl & ~stage_ctrl & df["stage"].notna()).to_numpy()):
            issues.append(
                Issue(
                    line_of[pos],
                    "stage",
                    df["stage"].iloc[pos],
                    "is_control is 1 but stage is not 'control'",
                )
            )
        for pos in np.flatnonzero((stage_ctrl & (df["is_control"] == 0)).to_numpy()):
            issues.append(
                Issue(line_of[pos], "is_control", 0, "stage is 'control' but is_control is 0")
            )
        if "group_id" in df.columns:
            lonely = ctrl & df["group_id"].isna()
            for pos in np.flatnonzero(lonely.to_numpy()):
                issues.append(
                    Issue(
                        line_of[pos],
                        "group_id",
                        None,
                        "control row without group_id: it is linked to no treated row",
                        "warning",
                    )
                )
    if "morphology" in df.columns:
        for i, value in enumerate(df["morphology"].tolist()):
            if not _is_missing(value) and str(value) not in MORPHOLOGIES:
                issues.append(
                    Issue(
                        line_of[i],
                        "morphology",
                        value,
                        f"unknown morphology (known: {', '.join(MORPHOLOGIES)})",
                        "warning",
                    )
                )
    if "doi" in df.columns:
        for i, value in enumerate(df["doi"].tolist()):
            if not _is_missing(value) and not re.match(r"^10\.\d{4,9}/\S+$", str(value).strip()):
                issues.append(
                    Issue(
                        line_of[i],
                        "doi",
                        value,
                        "does not look like a DOI (10.xxxx/...)",
                        "warning",
                    )
                )
    return issues


def validate(
    df: pd.DataFrame,
    *,
    lines: Sequence[int] | None = None,
    check_chemistry: bool = True,
    source: str | None = None,
) -> ValidationReport:
    """Check a table of canonical records and report every problem in one go.

    Parameters
    ----------
    df
        The records. Never modified; no row is dropped.
    lines
        1-based line number in the input file of each row (header = line 1). Default:
        ``df.attrs["source_lines"]`` when :func:`pqdml.data.read_records` set it, else
        row position + 2 (a one-line header and no multi-line cells).
    check_chemistry
        Parse ``ligand_smiles``/``antisolvent_smiles`` with RDKit and ``composition`` with
        :func:`pqdml.chem.composition.parse_composition`.
    source
        Name of the input, shown in the report.

    Returns
    -------
    ValidationReport
        ``report.ok`` is False when any error was found.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"record_id": ["a", "a"], "composition": ["CsPbBr3", "CsPbI3"],
    ...                    "stage": ["synthesis", "baking"], "is_control": [0, 2]})
    >>> sorted((i.line, i.column) for i in validate(df, check_chemistry=False).errors)
    [(2, 'record_id'), (3, 'is_control'), (3, 'record_id'), (3, 'stage')]
    """
    line_of = _line_numbers(df, lines)
    issues: list[Issue] = []
    work = df.reset_index(drop=True)
    work.attrs = {}  # nothing below needs them; pandas would deep-copy them at every step
    numeric = _coerce_numbers(work, line_of, issues)
    issues.extend(_pandera_issues(numeric, line_of))
    issues.extend(_consistency_issues(numeric, line_of))
    if check_chemistry:
        issues.extend(_chemcheck.smiles_issues(work, line_of))
        issues.extend(_chemcheck.composition_issues(work, line_of))
    unparsed = {(i.line, i.column) for i in issues if i.reason == "not a number"}
    issues = [
        i
        for i in issues
        if not (i.reason == _REASONS["not_nullable"] and (i.line, i.column) in unparsed)
    ]
    # rows read from one source line (e.g. a device and its control) must not repeat an issue
    issues = list(dict.fromkeys(issues))
    issues.sort(key=lambda i: (i.line if i.line is not None else 0, i.column or ""))
    return ValidationReport(n_rows=len(df), issues=issues, source=source)


def canonical_order(columns: Sequence[str]) -> list[str]:
    """Order column names as canonical tables are written: named columns, then ``proc_*``, ``mol_*``, others."""
    named = [c for c in COLUMNS if c in columns and c != "notes"]
    proc = sorted(c for c in columns if c.startswith("proc_"))
    mol = sorted(c for c in columns if c.startswith("mol_"))
    rest = [
        c for c in columns if c not in named and c not in proc and c not in mol and c != "notes"
    ]
    tail = ["notes"] if "notes" in columns else []
    return named + proc + mol + rest + tail
