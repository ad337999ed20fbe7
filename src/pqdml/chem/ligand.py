"""Ligand name or SMILES → a fixed set of named, explainable ligand features.

A ligand is given as a SMILES or as a common name/abbreviation from the shipped
dictionary (``ligands.csv``, matched case-insensitively). Salts written as
dot-separated SMILES are split: the organic ion(s) are the ligand, the other ions
are recorded in ``counter_ion`` and do not change the organic descriptors. The
rules for chain length, anchoring groups, L/X/Z binding type, zwitterions and
chelation are written out in ``docs/ligands.md``.

Examples
--------
>>> f = featurize_ligand("OAm")
>>> f["chain_length"], f["binding_type"], f["binding_reason"]
(18.0, 'L', 'L: primary amine (1)')
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import re
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np
import pandas as pd
from rdkit import Chem, DataStructs, rdBase

from pqdml.chem._compute import (
    FULL_NAMES,
    LIGAND_NUMERIC_FEATURES,
    LIGAND_STRING_FEATURES,
    SUPPORTED_ELEMENTS,
    Item,
    Split,
    compute_many,
    element_counts,
    morgan_generator,
)
from pqdml.chem._dictionary import LigandRecord, dictionary_records, lookup_name, suggest_names
from pqdml.exceptions import (
    InvalidInputError,
    InvalidSmilesError,
    TooLargeError,
    UnknownLigandError,
    UnsupportedElementError,
)
from pqdml.io import worker_setup

__all__ = [
    "LIGAND_NUMERIC_FEATURES",
    "LIGAND_STRING_FEATURES",
    "LigandFeaturizer",
    "LigandRecord",
    "clear_cache",
    "dictionary_records",
    "featurize_ligand",
    "featurize_ligands",
    "ligand_feature_names",
    "morgan_fingerprint",
    "resolve_ligand",
]

_META = ["ligand_status", "ligand_error", "ligand_canonical_smiles", "ligand_resolved_name"]
_CACHE_MAX = 20_000  # feature dicts by canonical SMILES (about 4 kB each)
_cache: dict[tuple[str, str, int, int], dict[str, Any]] = {}
#: Row entry of the applicability-domain fingerprint (see :func:`_featurize_table`).
FINGERPRINT = "ligand_fingerprint"


_MIXTURE = re.compile(r"\s*;\s*|\s+\+\s+")


def clear_cache(*, above: int = 0) -> None:
    """Empty this process's memo of featurized ligands when it holds more than ``above`` entries.

    The memo (at most 20,000 ligands, about 4 kB each) makes repeated ligands cheap; a
    long-running caller that streams millions of distinct molecules may keep it smaller.
    """
    if len(_cache) > above:
        _cache.clear()


def _mixture(text: str) -> LigandRecord | None:
    """Resolve ``"benzoic acid + DDAB"`` / ``"OAm; HI"``: every part a name or a SMILES."""
    parts = [p for p in _MIXTURE.split(text.strip()) if p]
    if len(parts) < 2:
        return None
    smiles, names = [], []
    for part in parts:
        rec = lookup_name(part)
        if rec is None:
            if _parse_smiles(part) is None:
                return None
            rec = LigandRecord(text=part, smiles=part, source="smiles")
        smiles.append(rec.smiles)
        names.append(rec.name or rec.smiles)
    return LigandRecord(
        text=text, smiles=".".join(smiles), name=" + ".join(names), source="dictionary"
    )


#: Text with SMILES-only syntax (no spaces; brackets, bonds, ring closures or charges) that
#: RDKit cannot parse is reported as an unparseable SMILES, not as an unknown name.
_SMILES_SYNTAX = re.compile(r"^[^\s]*[()\[\]=#@/\\+%0-9][^\s]*$")


#: Letters SMILES may write outside brackets (the organic subset, aromatic forms included).
_ORGANIC_SUBSET = re.compile(r"(?:Cl|Br|[BCNOPSFI]|[bcnops])+")
_BRACKET_ATOM = re.compile(r"\[[^\]]*\]")
_LETTER_RUN = re.compile(r"[A-Za-z]+")


def _looks_like_a_name(text: str) -> bool:
    """Whether ``text`` holds letters no SMILES writes outside brackets (``2-ethylhexylamine``).

    Such text with digits, parentheses or hyphens (``18-crown-6``, ``Pb(OAc)2``) is a
    name the dictionary lacks, not a broken SMILES.
    """
    return any(
        not _ORGANIC_SUBSET.fullmatch(run)
        for run in _LETTER_RUN.findall(_BRACKET_ATOM.sub("", text))
    )


#: Largest ligand text (name or SMILES) read, in characters; longer text is ``too_large``
#: before RDKit sees it (RDKit crashes the process on chains of about 20,000 atoms).
MAX_LIGAND_CHARS = 4_000
#: Largest ligand, in heavy atoms (a C18 ligand has 19 or 20; real ligands stay far below):
#: above it ``too_large``.
MAX_HEAVY_ATOMS = 1_500
#: Largest ligand with ``descriptors="full"``: some RDKit descriptors grow as the fourth
#: power of the size (2.8 s at 200 heavy atoms, 15 min at 1,500).
MAX_HEAVY_ATOMS_FULL = 200


def _short(text: str) -> str:
    return repr(text) if len(text) <= 60 else f"{text[:40]!r}... ({len(text):,} characters)"


def _resolve(text: str) -> tuple[LigandRecord, Chem.Mol]:
    if not isinstance(text, str) or not text.strip():
        raise UnknownLigandError(f"empty ligand text {text!r}", code="missing")
    if len(text) > MAX_LIGAND_CHARS:
        raise TooLargeError(
            f"ligand {_short(text)} is longer than the limit of {MAX_LIGAND_CHARS:,} characters"
        )
    record = lookup_name(text)
    if record is None:
        record = LigandRecord(text=text, smiles=text.strip(), source="smiles")
    parts = record.smiles.split()
    if record.source == "smiles" and len(parts) > 1:
        mixture = _mixture(text)
        if mixture is not None:
            return mixture, _checked_mol(mixture.smiles, text)
        if _parse_smiles(parts[0]) is not None:  # RDKit would read the rest as a name
            raise InvalidSmilesError(
                f"ligand {_short(text)} holds {len(parts)} whitespace-separated parts: it is "
                "not one SMILES (RDKit would silently keep only the first part) and not a "
                "known ligand name"
            )
    mol = _parse_smiles(record.smiles) if len(parts) == 1 else None
    if mol is None and record.source == "smiles":
        mixture = _mixture(text)
        if mixture is not None:
            record, mol = mixture, _parse_smiles(mixture.smiles)
    if mol is None or mol.GetNumAtoms() == 0:
        hints = suggest_names(text) if record.source == "smiles" else []
        hint = f"; did you mean {', '.join(repr(h) for h in hints)}?" if hints else ""
        if (
            record.source == "smiles"
            and _SMILES_SYNTAX.search(text.strip())
            and not _looks_like_a_name(text.strip())
        ):
            raise InvalidSmilesError(
                f"unparseable SMILES {text!r}: RDKit cannot read it, and it is not a known "
                f"ligand name{hint}"
            )
        raise UnknownLigandError(
            f"ligand {text!r} is not a known ligand name and not a parseable SMILES{hint}"
        )
    return record, mol


def _checked_mol(smiles: str, text: str) -> Chem.Mol:
    mol = _parse_smiles(smiles)
    if mol is None or mol.GetNumAtoms() == 0:
        raise InvalidSmilesError(f"unparseable SMILES in ligand {_short(text)}")
    return mol


def resolve_ligand(text: str) -> LigandRecord:
    """Resolve a ligand name, abbreviation or SMILES to a :class:`LigandRecord`.

    Dictionary names and abbreviations take precedence over SMILES (``"SCN"`` is
    thiocyanate, not the SMILES S–C–N). Matching ignores case and extra whitespace.
    Several agents given together, separated by ``";"`` or ``" + "`` (``"benzoic acid + DDAB"``),
    resolve to one dot-separated SMILES when every part is a name or a SMILES.

    Raises
    ------
    UnknownLigandError
        When ``text`` is empty, ambiguous, or neither a known name nor a parseable
        SMILES; the message suggests close dictionary names.

    Examples
    --------
    >>> resolve_ligand("ddab").smiles
    'CCCCCCCCCCCC[N+](C)(C)CCCCCCCCCCCC.[Br-]'
    """
    return _resolve(text)[0]


def _parse_smiles(smiles: str) -> Chem.Mol | None:
    """Parse ``smiles`` as ``Chem.MolFromSmiles`` does, without its stereo perception.

    The parser's own steps are reading, then removing hydrogens with sanitization (done
    here by ``RemoveHs``, as the parser calls it), then assigning stereochemistry. No
    feature uses the stereo labels, and ``Chem.MolToSmiles`` perceives stereochemistry
    for the canonical SMILES itself, so the last step is skipped: about 18 us less per
    molecule, with the same canonical SMILES and features (tested). ``None`` where
    ``MolFromSmiles`` gives ``None``.
    """
    with rdBase.BlockLogs():
        try:
            mol = Chem.MolFromSmiles(smiles, sanitize=False)
            if mol is None:
                return None
            return Chem.RemoveHs(mol, updateExplicitCount=True)
        except (Chem.rdchem.MolSanitizeException, RuntimeError, ValueError):
            return None


def _check_options(descriptors: str, morgan_bits: int) -> None:
    if descriptors not in ("default", "full"):
        raise ValueError(f"descriptors must be 'default' or 'full', not {descriptors!r}")
    if (
        isinstance(morgan_bits, bool)
        or not isinstance(morgan_bits, int | np.integer)
        or morgan_bits < 0
    ):
        raise ValueError(f"morgan_bits must be a non-negative integer, not {morgan_bits!r}")


def ligand_feature_names(*, descriptors: str = "default", morgan_bits: int = 0) -> list[str]:
    """Ordered numeric feature names for the given options.

    Examples
    --------
    >>> ligand_feature_names(morgan_bits=4)[-1]
    'morgan_3'
    """
    _check_options(descriptors, morgan_bits)
    names = list(LIGAND_NUMERIC_FEATURES)
    if descriptors == "full":
        names += [f"rdkit_{n}" for n in FULL_NAMES]
    return names + [f"morgan_{i}" for i in range(morgan_bits)]


def featurize_ligand(
    text: str, *, descriptors: str = "default", morgan_bits: int = 0
) -> dict[str, Any]:
    """Featurize one ligand given as a name, abbreviation or SMILES.

    Parameters
    ----------
    text
        Dictionary name/abbreviation (case-insensitive) or SMILES.
    descriptors
        ``"default"`` (the curated fast set) or ``"full"`` (adds every RDKit
        descriptor as ``rdkit_<name>``).
    morgan_bits
        Number of Morgan (radius 2) fingerprint bits to add as ``morgan_<i>``.

    Returns
    -------
    dict
        ``ligand_canonical_smiles``, ``ligand_resolved_name``, the numeric features of
        :func:`ligand_feature_names` and the string features
        :data:`LIGAND_STRING_FEATURES`.

    Raises
    ------
    InvalidInputError
        ``UnknownLigandError`` or ``UnsupportedElementError`` naming the input.

    Examples
    --------
    >>> featurize_ligand("[NH3+]CCc1ccccc1.[I-]")["counter_ion"]
    'I'
    """
    _check_options(descriptors, morgan_bits)
    return _featurize(text, descriptors, morgan_bits, 0)


def _featurize(
    text: str, descriptors: str, morgan_bits: int, fingerprint_bits: int
) -> dict[str, Any]:
    """:func:`featurize_ligand` without the option check; see :func:`_featurize_table`."""
    canonical, name, feats = _features(text, descriptors, morgan_bits, fingerprint_bits)
    return {"ligand_canonical_smiles": canonical, "ligand_resolved_name": name, **feats}


def _features(
    text: str, descriptors: str, morgan_bits: int, fingerprint_bits: int
) -> tuple[str, str | None, dict[str, Any]]:
    """Canonical SMILES, dictionary name and the (cached, shared: do not modify) features."""
    result = _features_many([text], descriptors, morgan_bits, fingerprint_bits)[0]
    if isinstance(result, InvalidInputError):
        raise result
    return result


_Features = tuple[str, str | None, dict[str, Any]]
_Key = tuple[str, str, int, int]  # canonical SMILES and the options
#: Molecules per stage of :func:`_features_many` (few are kept in memory at once).
_STAGE_BATCH = 128


def _features_many(
    texts: list[str], descriptors: str, morgan_bits: int, fingerprint_bits: int
) -> list[_Features | InvalidInputError]:
    """:func:`_features` of each text, or the input error it raises, in order.

    The work runs stage by stage over up to :data:`_STAGE_BATCH` molecules: parse them
    all, then write all canonical SMILES, then compute the features of those not cached
    (:func:`pqdml.chem._compute.compute_many`). Each RDKit routine then runs many times
    in a row, which takes about 20% less CPU than one molecule at a time (measured with
    ``benchmarks/featurize.py``); the results are the same.
    """
    out: list[_Features | InvalidInputError] = []
    for start in range(0, len(texts), _STAGE_BATCH):
        parsed: list[tuple[LigandRecord, Chem.Mol, dict[int, int]] | InvalidInputError] = []
        for text in texts[start : start + _STAGE_BATCH]:
            try:
                one = _parse(text)
                if descriptors == "full" and one[1].GetNumHeavyAtoms() > MAX_HEAVY_ATOMS_FULL:
                    raise TooLargeError(
                        f"ligand {_short(text)} has {one[1].GetNumHeavyAtoms():,} heavy atoms, "
                        f"above the limit of {MAX_HEAVY_ATOMS_FULL} for the full descriptor set"
                    )
                parsed.append(one)
            except InvalidInputError as exc:
                parsed.append(exc)
        # per text: its cache key, dictionary name and molecule, or its input error
        slots: list[tuple[_Key, str | None, Item] | InvalidInputError] = []
        found: dict[_Key, dict[str, Any] | InvalidInputError] = {}
        todo: dict[_Key, Item] = {}
        for item in parsed:
            if isinstance(item, InvalidInputError):
                slots.append(item)
                continue
            record, mol, counts = item
            canonical = Chem.MolToSmiles(mol)
            key = (canonical, descriptors, morgan_bits, fingerprint_bits)
            mol_item: Item = (mol, counts, record.text, canonical)
            slots.append((key, record.name, mol_item))
            if key not in found and key not in todo:
                cached = _cache.get(key)
                if cached is None:
                    todo[key] = mol_item
                else:
                    found[key] = cached
        results = compute_many(list(todo.values()), descriptors, morgan_bits, fingerprint_bits)
        for new_key, feats in zip(todo, results, strict=True):
            found[new_key] = feats
            if isinstance(feats, dict):
                if fingerprint_bits and _names_a_ligand(new_key[0]):
                    # morgan_fingerprint(canonical) would resolve the name, not this molecule
                    feats[FINGERPRINT] = None
                if len(_cache) >= _CACHE_MAX:
                    _cache.clear()
                _cache[new_key] = feats
        for slot in slots:
            if isinstance(slot, InvalidInputError):
                out.append(slot)
                continue
            key, name, mol_item = slot
            feats = found[key]
            if isinstance(feats, InvalidInputError) and todo[key][2] != mol_item[2]:
                # another spelling of the same molecule: the message names this text
                feats = compute_many([mol_item], descriptors, morgan_bits, fingerprint_bits)[0]
            out.append(feats if isinstance(feats, InvalidInputError) else (key[0], name, feats))
    return out


def _parse(text: str) -> tuple[LigandRecord, Chem.Mol, dict[int, int]]:
    """Resolve and parse ``text``; check its elements; return its atoms per atomic number."""
    record, mol = _resolve(text)
    if mol.GetNumHeavyAtoms() > MAX_HEAVY_ATOMS:
        raise TooLargeError(
            f"ligand {_short(text)} has {mol.GetNumHeavyAtoms():,} heavy atoms, above the "
            f"limit of {MAX_HEAVY_ATOMS}"
        )
    counts = element_counts(mol)
    if not SUPPORTED_ELEMENTS.issuperset(counts):
        bad = sorted(
            {a.GetSymbol() for a in mol.GetAtoms() if a.GetAtomicNum() not in SUPPORTED_ELEMENTS}
        )
        raise UnsupportedElementError(
            f"ligand {text!r} contains unsupported element(s) {', '.join(bad)}"
        )
    return record, mol, counts


def _names_a_ligand(text: str) -> bool:
    """Whether ``text`` is (or is ambiguously) a dictionary name or abbreviation."""
    try:
        return lookup_name(text) is not None
    except InvalidInputError:
        return True


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _chunk_rows(args: tuple[list[str | None], str, int, list[str], int]) -> list[tuple[Any, ...]]:
    """Featurize one chunk into tuples aligned with ``columns`` (never raises for input).

    ``columns`` starts with :data:`_META` (status, error, canonical SMILES, name).
    """
    values, descriptors, morgan_bits, columns, fingerprint_bits = args
    texts = [str(v) for v in values if not _is_missing(v)]
    results = iter(_features_many(texts, descriptors, morgan_bits, fingerprint_bits))
    blank = [None] * (len(columns) - 2)
    feature_columns = columns[len(_META) :]
    rows: list[tuple[Any, ...]] = []
    for value in values:
        if _is_missing(value):
            rows.append(("missing", "no ligand given", *blank))
            continue
        result = next(results)
        if isinstance(result, InvalidInputError):
            rows.append((result.code, str(result), *blank))
        else:
            canonical, name, feats = result
            rows.append(("ok", None, canonical, name, *map(feats.get, feature_columns)))
    return rows


def _default_jobs(n: int) -> int:
    return (
        (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
        if n > 20_000
        else 1
    )


def featurize_ligands(
    values: Iterable[object],
    *,
    descriptors: str = "default",
    morgan_bits: int = 0,
    n_jobs: int | None = 1,
    progress: bool | None = False,
) -> pd.DataFrame:
    """Featurize many ligands; one output row per input, same order and index.

    Each distinct text is featurized once. Failed rows are kept: ``ligand_status``
    holds the error code (``missing``, ``unknown_ligand``, ``unsupported_element`` ...),
    ``ligand_error`` the message, and every feature stays NaN (strings ``None``).

    Parameters
    ----------
    values
        Names or SMILES (a Series keeps its index).
    descriptors, morgan_bits
        As in :func:`featurize_ligand`.
    n_jobs
        Worker processes; ``None`` uses every core above 20,000 distinct inputs and
        one below; ``-1`` uses every core.
    progress
        ``True`` forces a tqdm bar on stderr, ``False`` hides it, ``None`` shows it
        for large inputs when stderr is a terminal.

    Returns
    -------
    pandas.DataFrame
        Columns ``ligand_status``, ``ligand_error``, ``ligand_canonical_smiles``,
        ``ligand_resolved_name``, :data:`LIGAND_STRING_FEATURES`, then the numeric
        features of :func:`ligand_feature_names` (float64).

    Examples
    --------
    >>> featurize_ligands(["OA", "C(C", "not-a-ligand"])["ligand_status"].tolist()
    ['ok', 'invalid_smiles', 'unknown_ligand']
    """
    _check_options(descriptors, morgan_bits)
    return _featurize_table(
        values, descriptors=descriptors, morgan_bits=morgan_bits, n_jobs=n_jobs, progress=progress
    )[0]


_Block = tuple[list[tuple[Any, ...]], np.ndarray, list[Any]]


_ChunkArgs = tuple[list[str | None], str, int, list[str], int]


def _chunk_block(args: _ChunkArgs) -> _Block:
    """Featurize one chunk into (text columns per row, float64 feature block, fingerprints)."""
    return _rows_block(_chunk_rows(args), args[3], args[4])


def _rows_block(rows: list[tuple[Any, ...]], columns: list[str], fingerprint_bits: int) -> _Block:
    n_text = len(_META) + len(LIGAND_STRING_FEATURES)
    stop = len(columns) - (1 if fingerprint_bits else 0)
    texts = [row[:n_text] for row in rows]
    numeric = np.array([row[n_text:stop] for row in rows], dtype=np.float64)
    numeric = numeric.reshape(len(rows), stop - n_text)
    fingerprints = [row[-1] for row in rows] if fingerprint_bits else []
    return texts, numeric, fingerprints


#: Distinct ligands per worker process below which one more process does not pay off.
_PER_JOB = 500


def useful_jobs(n_jobs: int, n_distinct: int) -> int:
    """Return how many processes are worth starting for ``n_distinct`` ligands (<= ``n_jobs``).

    Examples
    --------
    >>> useful_jobs(8, 1200), useful_jobs(8, 100), useful_jobs(2, 10**6)
    (3, 1, 2)
    """
    return max(1, min(n_jobs, n_distinct // _PER_JOB + 1))


def _new_pool(jobs: int) -> ProcessPoolExecutor:
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    # workers exit with their parent (kill -9 of the main process) and ignore Ctrl-C
    return ProcessPoolExecutor(jobs, mp_context=ctx, initializer=worker_setup)


#: The pool of :func:`shared_workers` while its block runs (at most one).
_SHARED: list[tuple[int, ProcessPoolExecutor]] = []


@contextlib.contextmanager
def shared_workers(n_jobs: int) -> Iterator[None]:
    """Let every batch featurized inside the block with several processes use one pool.

    For a stream of chunks (:func:`pqdml.features.table.featurize_file`): the ``n_jobs``
    worker processes start once instead of once per chunk, and keep their memos
    (features by canonical SMILES, Crippen contributions) from one chunk to the next.
    With ``n_jobs`` below 2, or inside another such block, it changes nothing.
    """
    if n_jobs < 2 or _SHARED:
        yield
        return
    _SHARED.append((n_jobs, _new_pool(n_jobs)))
    try:
        yield
    finally:
        _SHARED.pop()[1].shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _worker_pool(jobs: int) -> Iterator[ProcessPoolExecutor]:
    """Yield the shared pool when one with enough workers is open, else a new pool."""
    if _SHARED and _SHARED[0][0] >= jobs:
        yield _SHARED[0][1]
        return
    pool = _new_pool(jobs)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


#: Status of a ligand whose featurization killed the worker process (a native crash).
CRASHED = "featurizer_crashed"


def _blocks(pool: ProcessPoolExecutor, args: list[_ChunkArgs]) -> Iterator[_Block]:
    """:func:`_chunk_block` of each chunk in ``pool``, in order; a crash costs one row only.

    When a worker process dies (a native crash in RDKit), the pool is broken: the
    chunks not yet done are featurized by :func:`_isolated_block`, and a shared pool is
    replaced by a new one for the next batches.
    """
    done = 0
    try:
        for block in pool.map(_chunk_block, args):
            yield block
            done += 1
    except BrokenProcessPool:
        if _SHARED and _SHARED[0][1] is pool:
            _SHARED[0] = (_SHARED[0][0], _new_pool(_SHARED[0][0]))
        pool.shutdown(wait=False)
        for arg in args[done:]:
            yield _isolated_block(arg)


def _isolated_block(arg: _ChunkArgs) -> _Block:
    """Featurize one chunk in a fresh process, halving it until the killing texts are found.

    A text that kills its process on its own gets the status :data:`CRASHED`.
    """
    values = arg[0]
    pool = _new_pool(1)
    try:
        return pool.submit(_chunk_block, arg).result()
    except BrokenProcessPool:
        if len(values) == 1:
            blank = [None] * (len(arg[3]) - 2)
            message = (
                f"featurizing {values[0]!r} killed the worker process (a native crash in "
                "RDKit); the other rows are unaffected"
            )
            return _rows_block([(CRASHED, message, *blank)], arg[3], arg[4])
        mid = len(values) // 2
        halves = [_isolated_block((part, *arg[1:])) for part in (values[:mid], values[mid:])]
        return (
            halves[0][0] + halves[1][0],
            np.concatenate([halves[0][1], halves[1][1]]),
            halves[0][2] + halves[1][2],
        )
    finally:
        pool.shutdown(wait=True)


def _featurize_table(
    values: Iterable[object],
    *,
    descriptors: str = "default",
    morgan_bits: int = 0,
    n_jobs: int | None = 1,
    progress: bool | None = False,
    fingerprint_bits: int = 0,
) -> tuple[pd.DataFrame, list[DataStructs.ExplicitBitVect | None]]:
    """:func:`featurize_ligands`, plus Morgan fingerprints for the applicability domain.

    With ``fingerprint_bits`` > 0, also return per row the radius-2 Morgan fingerprint of
    that size of the ligand's organic part, made from the molecule already parsed for the
    features: what :func:`morgan_fingerprint` gives for the row's canonical SMILES, without
    parsing it again. ``None`` for failed rows, and for a canonical SMILES that is also a
    dictionary name (:func:`morgan_fingerprint` would resolve the name). Without
    ``fingerprint_bits`` the list is empty.
    """
    from tqdm.auto import tqdm

    index = values.index if isinstance(values, pd.Series) else None
    items = list(values)
    numeric = ligand_feature_names(descriptors=descriptors, morgan_bits=morgan_bits)
    text_cols = [*_META, *LIGAND_STRING_FEATURES]
    columns = [*text_cols, *numeric, *([FINGERPRINT] if fingerprint_bits else [])]
    keys = [None if _is_missing(v) else str(v) for v in items]
    unique = list(dict.fromkeys(keys))
    jobs = _default_jobs(len(unique)) if n_jobs is None else n_jobs
    if jobs < 0:
        jobs = os.cpu_count() or 1
    jobs = useful_jobs(jobs, len(unique))
    disable: bool | None = (
        not progress if progress is not None else (None if len(unique) >= 5000 else True)
    )
    size = max(200, min(5000, len(unique) // (jobs * 8) + 1))
    chunks = [unique[i : i + size] for i in range(0, len(unique), size)]
    args = [(c, descriptors, morgan_bits, columns, fingerprint_bits) for c in chunks]
    blocks: list[_Block] = []
    with tqdm(
        total=len(unique), unit="ligand", file=sys.stderr, disable=disable, desc="ligands"
    ) as bar:
        if jobs == 1:
            for arg in args:
                blocks.append(_chunk_block(arg))
                bar.update(len(arg[0]))
        else:
            with _worker_pool(jobs) as pool:
                for arg, block in zip(args, _blocks(pool, args), strict=True):
                    blocks.append(block)
                    bar.update(len(arg[0]))
    texts = [row for block in blocks for row in block[0]]
    fingerprints = [fp for block in blocks for fp in block[2]]
    table = (
        np.concatenate([block[1] for block in blocks])
        if blocks
        else np.empty((0, len(numeric)), dtype=np.float64)
    )
    position = {k: i for i, k in enumerate(unique)}
    take = np.fromiter((position[k] for k in keys), dtype=np.intp, count=len(keys))
    if len(unique) != len(keys) or not np.array_equal(take, np.arange(len(keys))):
        table = table[take]
        texts = [texts[i] for i in take.tolist()]
        fingerprints = [fingerprints[i] for i in take.tolist()] if fingerprints else []
    frame = pd.DataFrame(table, columns=numeric, index=index, copy=False)
    text_data = list(zip(*texts, strict=True)) if texts else [() for _ in text_cols]
    for pos, (col, data) in enumerate(zip(text_cols, text_data, strict=True)):
        arr = np.empty(len(keys), dtype=object)
        arr[:] = data
        frame.insert(pos, col, pd.Series(arr, index=frame.index, dtype=object))
    return frame, fingerprints if fingerprint_bits else []


def morgan_fingerprint(
    smiles: str, *, radius: int = 2, n_bits: int = 2048
) -> DataStructs.ExplicitBitVect:
    """Morgan fingerprint of a ligand's organic part, for Tanimoto similarity.

    ``smiles`` may also be a dictionary name. Counter-ions are left out, so a salt
    and its organic ion have similarity 1.

    Examples
    --------
    >>> a, b = morgan_fingerprint("PEAI"), morgan_fingerprint("[NH3+]CCc1ccccc1")
    >>> DataStructs.TanimotoSimilarity(a, b)
    1.0
    """
    record, mol = _resolve(smiles)
    split = Split(mol, element_counts(mol), record.text, "." in record.smiles)
    return morgan_generator(radius, n_bits).GetFingerprint(split.ligand)


class LigandFeaturizer:
    """Featurizer contract: ``featurize(text) -> np.ndarray``, ``feature_labels()``, ``citations()``.

    Parameters
    ----------
    descriptors, morgan_bits
        As in :func:`featurize_ligand`.

    Examples
    --------
    >>> fz = LigandFeaturizer()
    >>> len(fz.featurize("octylamine")) == len(fz.feature_labels())
    True
    """

    def __init__(self, *, descriptors: str = "default", morgan_bits: int = 0) -> None:
        _check_options(descriptors, morgan_bits)
        self.descriptors = descriptors
        self.morgan_bits = morgan_bits

    def feature_labels(self) -> list[str]:
        """Names of the vector's entries, in order."""
        return ligand_feature_names(descriptors=self.descriptors, morgan_bits=self.morgan_bits)

    def featurize(self, text: str) -> np.ndarray:
        """Return the numeric feature vector of one ligand (raises on bad input)."""
        feats = featurize_ligand(text, descriptors=self.descriptors, morgan_bits=self.morgan_bits)
        return np.array([feats[n] for n in self.feature_labels()], dtype=np.float64)

    def citations(self) -> list[str]:
        """Return the sources of the method and of the ligand dictionary."""
        return [
            "RDKit: Open-source cheminformatics, https://www.rdkit.org",
            "Y. Xu, M. Lyu, J. Zhu, Surface engineering in CsPbX3 quantum dots: from materials "
            "to solar cells, Mater. Chem. Front. 2024, 8, 2029 (DOI 10.1039/d3qm00911d)",
            "M. L. H. Green, A new approach to the formal classification of covalent compounds "
            "of the elements, J. Organomet. Chem. 1995, 500, 127 (covalent bond classification)",
        ]
