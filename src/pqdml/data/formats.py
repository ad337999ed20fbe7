"""Read records from any supported file: canonical tables or an original public-dataset file.

:func:`read_records` returns the canonical table and the name of the format it used,
guessed from the file name and its columns unless given. Every command that takes data
(``validate``, ``featurize``, ``train``, ...) goes through it, so a user can point pqdml
at the original public file.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd

from pqdml.data.adapters import ADAPTERS
from pqdml.exceptions import UnknownFormatError
from pqdml.io import read_table, table_kind

#: Formats :func:`read_records` understands.
FORMATS: tuple[str, ...] = (
    "canonical",
    "synthesizer",
    "buried-interface",
    "perovskite-database",
    "passivator-screening",
)

#: Columns that identify each public format (all must be present).
_SIGNATURES: dict[str, tuple[str, ...]] = {
    "synthesizer": ("Sample No.", "antisolvent", "V (antisolvent)", "PLQY", "peak_pos"),
    "buried-interface": ("SMILES", "PVK", "control_PCE", "PCE"),
    "perovskite-database": ("Ref_ID", "Perovskite_composition_a_ions", "JV_default_PCE"),
    "passivator-screening": ("SMILES", "PCE_pristine(%)", "PCE_passivated(%)", "DOI"),
    "canonical": ("record_id", "composition"),
}
_FILE_NAMES = {
    "dataset_synthesizer.csv": "synthesizer",
    "new.xlsx": "buried-interface",
    "perovskite_database.csv": "perovskite-database",
    "summary_of_the_entire_dataset.csv": "passivator-screening",
}

#: Text types of canonical string columns, so IDs such as ``"0012"`` are not read as numbers.
_STR_COLUMNS = (
    "record_id",
    "doi",
    "source",
    "composition",
    "morphology",
    "ligand_name",
    "ligand_smiles",
    "stage",
    "group_id",
    "solvent_name",
    "antisolvent_name",
    "antisolvent_smiles",
    "substrate_name",
    "notes",
)


def _header(path: Path) -> list[str]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return [str(c) for c in pd.read_excel(path, nrows=0, engine="openpyxl").columns]
    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq  # heavy (~0.2 s): only Parquet files need it

        return list(pq.read_schema(path).names)
    with open(path, encoding="utf-8-sig", errors="replace") as fh:  # Excel writes a BOM
        first = fh.readline()
    sep = ";" if first.count(";") > first.count(",") else ("\t" if "\t" in first else ",")
    return next(csv.reader([first], delimiter=sep))


def guess_format(path: str | os.PathLike[str]) -> str:
    """Guess the format of a file from its name, then its header.

    Parameters
    ----------
    path
        A canonical CSV/TSV/Parquet table or an original public-dataset file.

    Returns
    -------
    str
        One of :data:`FORMATS`.

    Raises
    ------
    UnknownFormatError
        When neither the name nor the columns match a known format.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"input file {str(p)!r} does not exist")
    by_name = _FILE_NAMES.get(p.name.lower())
    try:
        columns = set(_header(p))
    except (OSError, ValueError, StopIteration) as exc:
        raise UnknownFormatError(f"cannot read the header of {str(p)!r}: {exc}") from exc
    for fmt, needed in _SIGNATURES.items():
        if set(needed) <= columns:
            return fmt
    if by_name:
        return by_name
    raise UnknownFormatError(
        f"cannot tell the format of {str(p)!r}: its columns match none of "
        f"{', '.join(FORMATS)} (a canonical table needs at least record_id and composition); "
        "pass --format"
    )


def _csv_record_lines(path: Path, sep: str) -> list[int]:
    """1-based starting line of each data record of a CSV file (header = line 1).

    Counts physical lines, so quoted cells spanning several lines are handled; blank
    lines are skipped like :func:`pandas.read_csv` does.
    """
    starts: list[int] = []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        previous_end = 0
        first = True
        for row in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if first:
                first = False
                continue
            starts.append(start)
    return starts


def canonical_dtypes(path: str | os.PathLike[str]) -> dict[str, str]:
    """Column types :func:`read_records` gives a canonical CSV/TSV table (text stays text).

    Identifiers such as ``"0012"`` must not be read as numbers; every other column is
    inferred. Empty for Parquet, which stores its types.
    """
    p = Path(path)
    if table_kind(p) not in ("csv", "tsv"):
        return {}
    header = _header(p)
    return {c: "str" for c in _STR_COLUMNS if c in header}


def _read_canonical(path: Path) -> pd.DataFrame:
    kind = table_kind(path)
    if kind == "parquet":
        df = read_table(path)
        df.attrs["source_lines"] = list(range(2, len(df) + 2))
        return df
    if kind == "smi":
        raise UnknownFormatError(f"{str(path)!r}: a .smi file holds candidates, not records")
    df = read_table(path, dtype=canonical_dtypes(path))
    try:
        lines = _csv_record_lines(path, "\t" if kind == "tsv" else ",")
    except (OSError, UnicodeDecodeError, csv.Error):
        lines = []
    df.attrs["source_lines"] = lines if len(lines) == len(df) else list(range(2, len(df) + 2))
    return df


def read_records(
    path: str | os.PathLike[str], fmt: str | None = None, *, format: str | None = None
) -> tuple[pd.DataFrame, str]:
    r"""Read records from a canonical table or an original public-dataset file.

    Parameters
    ----------
    path
        Canonical CSV/TSV/Parquet, or ``dataset_synthesizer.csv``, ``new.xlsx``,
        ``Perovskite_database.csv`` in their original formats.
    fmt
        One of :data:`FORMATS`; ``None`` guesses it (see :func:`guess_format`).
    format
        Alias of ``fmt`` (the name used in ``docs/architecture.md``).

    Returns
    -------
    tuple of (pandas.DataFrame, str)
        The records, unvalidated, and the format used. ``df.attrs["source_lines"]`` holds
        each row's line in the input file (header = line 1); adapters also set
        ``df.attrs["adapter_report"]``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = p.write_text("record_id,composition,stage,is_control\nr1,CsPbBr3,synthesis,0\n")
    >>> df, used = read_records(p)
    >>> used, len(df), df.attrs["source_lines"]
    ('canonical', 1, [2])
    """
    if fmt is not None and format is not None and fmt != format:
        raise UnknownFormatError(f"conflicting formats {fmt!r} and {format!r}")
    chosen = fmt or format
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"input file {str(p)!r} does not exist")
    if chosen is None:
        chosen = guess_format(p)
    if chosen not in FORMATS:
        raise UnknownFormatError(f"unknown format {chosen!r}; known: {', '.join(FORMATS)}")
    if chosen == "canonical":
        return _read_canonical(p), chosen
    return ADAPTERS[chosen](p), chosen
