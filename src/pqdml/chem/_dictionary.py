"""The shipped ligand dictionary (``ligands.csv``) and name → SMILES resolution.

Names and abbreviations are matched case-insensitively and whitespace-tolerantly.
An abbreviation used by two entries (``TMSI`` is trimethylsilyl iodide in one paper
and trimethylsulfonium iodide in another) is ambiguous and is refused with both
candidates named, rather than silently picking one.
"""

from __future__ import annotations

import csv
import difflib
import functools
import re
from dataclasses import dataclass, replace
from importlib import resources

from pqdml.exceptions import UnknownLigandError

_SPACES = re.compile(r"\s+")
_PAREN = re.compile(r"^(?P<head>.*?)\s*\((?P<inner>[^()]*)\)\s*$")


@dataclass(frozen=True)
class LigandRecord:
    """A ligand as the user named it, resolved to a SMILES.

    Attributes
    ----------
    text
        The text as given.
    smiles
        SMILES to featurize (from the dictionary, or ``text`` itself).
    name
        Dictionary name when ``text`` matched a name or abbreviation, else ``None``.
    category
        Dictionary category (``"amine"``, ``"metal salt"``, ...) or ``None``.
    citation
        Where the dictionary entry came from, or ``None``.
    source
        ``"dictionary"`` or ``"smiles"``.
    """

    text: str
    smiles: str
    name: str | None = None
    category: str | None = None
    citation: str | None = None
    source: str = "smiles"


def normalize_name(text: str) -> str:
    """Return the lookup key of a ligand name: lower case, single spaces, plain primes."""
    text = text.replace("′", "'").replace("’", "'").replace("γ", "gamma-")
    return _SPACES.sub(" ", text.strip().lower()).replace("gamma--", "gamma-")


@dataclass(frozen=True)
class _Dictionary:
    records: tuple[LigandRecord, ...]
    by_key: dict[str, LigandRecord]
    ambiguous: dict[str, tuple[str, ...]]


@functools.cache
def _load() -> _Dictionary:
    text = resources.files("pqdml.chem").joinpath("ligands.csv").read_text(encoding="utf-8")
    records: list[LigandRecord] = []
    owners: dict[str, list[LigandRecord]] = {}
    for row in csv.DictReader(text.splitlines()):
        rec = LigandRecord(
            text=row["name"],
            smiles=row["smiles"],
            name=row["name"],
            category=row["category"] or None,
            citation=row["citation"] or None,
            source="dictionary",
        )
        records.append(rec)
        keys = {normalize_name(row["name"])}
        keys.update(normalize_name(a) for a in row["abbreviations"].split(";") if a.strip())
        for key in keys:
            owners.setdefault(key, []).append(rec)
    by_key = {k: v[0] for k, v in owners.items() if len(v) == 1}
    ambiguous = {k: tuple(str(r.name) for r in v) for k, v in owners.items() if len(v) > 1}
    return _Dictionary(tuple(records), by_key, ambiguous)


def dictionary_records() -> tuple[LigandRecord, ...]:
    """All entries of the shipped ligand dictionary, in file order.

    Examples
    --------
    >>> len(dictionary_records()) >= 60
    True
    """
    return _load().records


def lookup_name(text: str) -> LigandRecord | None:
    """Return the dictionary entry named by ``text``, or ``None`` when no name matches.

    ``text`` is tried as written, then without a trailing parenthesis and then as the
    parenthesis' content, so ``"1-dodecanethiol (DDT)"`` finds the entry.

    Raises
    ------
    UnknownLigandError
        With code ``"ambiguous_ligand_name"`` when ``text`` is an abbreviation of two entries.
    """
    book = _load()
    key = normalize_name(text)
    candidates = [key]
    match = _PAREN.match(key)
    if match:
        candidates += [match["head"], match["inner"]]
    for cand in candidates:
        if cand in book.ambiguous:
            names = " or ".join(repr(n) for n in book.ambiguous[cand])
            raise UnknownLigandError(
                f"ligand {text!r} is ambiguous: it may mean {names}; give the full name or a SMILES",
                code="ambiguous_ligand_name",
            )
        rec = book.by_key.get(cand)
        if rec is not None:
            return replace(rec, text=text)
    return None


def suggest_names(text: str, n: int = 3) -> list[str]:
    """Return dictionary names or abbreviations close to ``text`` (difflib), best first."""
    book = _load()
    keys = list(book.by_key) + list(book.ambiguous)
    return difflib.get_close_matches(normalize_name(text), keys, n=n, cutoff=0.6)
