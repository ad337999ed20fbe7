"""Cross-validation schemes, found by name through a tiny registry.

Schemes (``--cv``):

``random``
    Shuffled K-fold (5 folds) over *recipes*: rows with identical inputs (same paper,
    ligand, composition, stage, antisolvent and process settings — replicates of one
    recipe) always share a fold, so a replicate never scores its twin. Optimistic for
    literature data all the same: rows of one paper share a lab, a control and a protocol.
``group:recipe``
    Grouped K-fold over recipes (the same recipe key as ``random``): the scheme for
    single-lab data with repeated recipes (the synthesizer set).
``group:<column>``
    Grouped K-fold (up to 5 folds): all rows sharing a value of ``<column>`` are in the same
    fold. ``group:doi`` is the default for literature data (grouped by paper); rows with an
    empty ``doi`` are grouped by their ``citation`` (rows sharing a citation with a DOI row
    join that DOI's group), then ``source_url``, then ``source``; when all are empty, each row is its
    own group (also when there is no ``doi`` column at all; if every row ends up alone,
    this is random K-fold in effect, and ``metrics.json`` says so). ``group:ligand`` groups by the ligand's canonical SMILES (falling back to the
    ligand text). Any other column works as is (empty cells: one group per row).
``leave-one-group-out:<column>``
    One fold per group of ``<column>``, same grouping rules.

``auto`` (the default, ``cv=None``)
    ``group:doi`` when the rows come from at least :data:`MIN_PAPERS` papers, else
    ``group:recipe`` (single-lab data); :func:`choose_scheme` says which and why.

Scaffold splits are not offered: alkyl-chain ligands have no ring, hence an empty scaffold.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold, KFold, LeaveOneGroupOut

from pqdml.data.records import ligand_text
from pqdml.features import process_columns
from pqdml.registry import Registry

#: Default scheme for literature data.
DEFAULT_CV = "group:doi"
#: Fewest papers for which ``auto`` groups by paper (fewer: by recipe).
MIN_PAPERS = 5
#: Number of folds for ``random`` and ``group:*``.
N_SPLITS = 5

Splits = list[tuple[np.ndarray, np.ndarray]]
SchemeFn = Callable[[pd.DataFrame, "str | None", int, "pd.Series | None"], tuple[Splits, pd.Series]]
CV_SCHEMES: Registry[SchemeFn] = Registry("cv scheme")


def _blank(values: pd.Series) -> pd.Series:
    text = values.astype("string").fillna("").str.strip()
    return text.isin(["", "nan", "None", "<NA>"])


def group_labels(
    records: pd.DataFrame, column: str, *, canonical_smiles: pd.Series | None = None
) -> pd.Series:
    """Group label of every row for ``column`` (see the module docstring for the rules).

    Examples
    --------
    >>> recs = pd.DataFrame({"record_id": ["a", "b", "c"], "doi": ["10.1/x", "", "10.1/x"],
    ...                      "source": ["", "ref 3", ""]})
    >>> group_labels(recs, "doi").tolist()
    ['doi:10.1/x', 'source:ref 3', 'doi:10.1/x']
    """
    n = len(records)
    ids = (
        records["record_id"].astype(str)
        if "record_id" in records
        else pd.Series([str(i) for i in range(n)], index=records.index)
    )
    own = "row:" + ids.reset_index(drop=True)
    own.index = records.index
    if column == "ligand":
        if canonical_smiles is not None:
            values = canonical_smiles.reindex(records.index).astype("string").fillna("")
        else:
            values = ligand_text(records).astype("string")
        values = values.where(~_blank(values), "")
        label = "ligand:" + values.astype(str)
        return label.where(values != "", own).astype(str)
    if column == "doi" and "doi" not in records:
        records = records.assign(doi="")  # no DOI column: fall back to source, then the row
    if column not in records:
        raise KeyError(f"cannot group by {column!r}: the data has no such column")
    values = records[column].astype("string").fillna("").str.strip()
    label = (column + ":" + values).astype(object)
    label = label.where(~_blank(records[column]), None)
    if column == "doi":
        # A citation names one paper: it also joins DOI groups. A source URL or source only
        # fills rows that have neither (the review's URL is shared by papers it cites).
        for fallback in ("citation", "source_url", "source"):
            if fallback in records:
                text = records[fallback].astype("string").fillna("").str.strip()
                alt = (fallback + ":" + text).astype(object).where(~_blank(records[fallback]), None)
                if fallback == "citation":
                    label = _merge_papers(label, alt)
                else:
                    label = label.where(label.notna(), alt)
    return label.where(label.notna(), own).astype(str)


def recipe_labels(records: pd.DataFrame) -> pd.Series:
    """Label of each row's recipe: paper, ligand text, composition, stage, antisolvent, process.

    Rows with the same label are replicates of one recipe (identical inputs in one paper;
    rows without a DOI, citation or source count as one paper) and are kept in one fold by
    every scheme.

    Examples
    --------
    >>> recs = pd.DataFrame({"composition": ["CsPbBr3"] * 3, "proc_t_c": [150, 150, 170]})
    >>> labels = recipe_labels(recs)
    >>> bool(labels[0] == labels[1]), bool(labels[0] == labels[2])
    (True, False)
    """
    n = len(records)
    empty = pd.Series([""] * n, index=records.index, dtype=object)
    paper = group_labels(records, "doi") if n else empty
    # rows without any paper identifier (a lab's own table) share one "unknown paper":
    # identical inputs there are replicates too; grouping them only makes CV stricter
    paper = paper.where(~paper.astype(str).str.startswith("row:"), "")
    parts = [paper.astype(str), ligand_text(records).astype(str)]
    for col in ("composition", "stage", "antisolvent_name", "morphology"):
        parts.append(
            records[col].astype("string").fillna("").astype(str) if col in records else empty
        )
    for col in process_columns(records):
        parts.append(pd.to_numeric(records[col], errors="coerce").round(9).astype(str))
    key = parts[0]
    for part in parts[1:]:
        key = key + "|" + part
    codes = pd.factorize(key)[0]
    return pd.Series([f"recipe:{c}" for c in codes], index=records.index, dtype=object)


def choose_scheme(records: pd.DataFrame) -> tuple[str, str]:
    """Choose the ``auto`` scheme for ``records``; return it and the reason.

    Examples
    --------
    >>> recs = pd.DataFrame({"doi": ["10.1/a"] * 4, "composition": ["CsPbBr3"] * 4})
    >>> choose_scheme(recs)[0]
    'group:recipe'
    """
    papers = group_labels(records, "doi")
    n_papers = int(papers[~papers.str.startswith("row:")].nunique())
    if n_papers >= MIN_PAPERS:
        return "group:doi", f"grouped by paper: {n_papers} papers (>= {MIN_PAPERS})"
    n_recipes = recipe_labels(records).nunique()
    return (
        "group:recipe",
        f"grouped by recipe (identical process settings): only {n_papers} paper(s), "
        f"fewer than {MIN_PAPERS}, so paper-grouped CV is impossible; {n_recipes} recipes "
        f"for {len(records)} rows",
    )


def _merge_papers(label: pd.Series, alt: pd.Series) -> pd.Series:
    """Fill missing ``label`` from ``alt``, and join groups that share an ``alt`` value.

    A paper whose rows carry its DOI on some rows and only its citation on others stays
    one group: every row with the same citation takes the label of the first of them
    that has a DOI (rows that share a DOI already share a label).
    """
    known = pd.DataFrame({"label": label, "alt": alt}).dropna()
    first = known.groupby("alt", sort=False)["label"].first()
    # Rows whose DOI label differs from their citation's first label: relabel the whole DOI.
    relabel = dict(zip(known["label"], known["alt"].map(first), strict=True))
    merged = label.map(lambda v: relabel.get(v, v) if v is not None else None)
    filled = alt.map(lambda a: first.get(a, a) if a is not None else None)
    return merged.where(merged.notna(), filled)


def _parse(scheme: str) -> tuple[str, str | None]:
    kind, _, column = scheme.partition(":")
    return kind, (column or None)


def make_splits(
    records: pd.DataFrame,
    scheme: str | None = None,
    *,
    seed: int = 0,
    canonical_smiles: pd.Series | None = None,
) -> tuple[Splits, pd.Series]:
    """Outer CV folds for ``records`` under ``scheme``.

    Parameters
    ----------
    records
        Training rows (positional indices of the returned folds refer to them).
    scheme
        ``random``, ``group:<column>`` or ``leave-one-group-out:<column>``; None → ``group:doi``.
    seed
        Shuffling seed.
    canonical_smiles
        Canonical SMILES per row, used by ``group:ligand``.

    Returns
    -------
    splits, groups
        List of ``(train_idx, test_idx)`` positional arrays and each row's group label.
    """
    if scheme in (None, "auto"):
        scheme = choose_scheme(records)[0]
    kind, column = _parse(scheme)
    return CV_SCHEMES[kind](records, column, seed, canonical_smiles)


def _labels(records: pd.DataFrame, column: str, smiles: pd.Series | None) -> pd.Series:
    if column == "recipe":
        return recipe_labels(records)
    return group_labels(records, column, canonical_smiles=smiles)


@CV_SCHEMES.register("random")
def _random(
    records: pd.DataFrame, column: str | None, seed: int, smiles: pd.Series | None
) -> tuple[Splits, pd.Series]:
    n = len(records)
    if n < 2:
        raise ValueError(f"cross-validation needs at least 2 rows, got {n}")
    groups = recipe_labels(records)
    n_groups = groups.nunique()
    if n_groups < 2:
        raise ValueError(
            f"cv scheme 'random' needs at least 2 distinct recipes, got {n_groups} "
            "(every row has the same inputs)"
        )
    cv = GroupKFold(n_splits=min(N_SPLITS, n_groups), shuffle=True, random_state=seed)
    return list(cv.split(np.zeros(n), groups=groups.to_numpy())), groups


@CV_SCHEMES.register("group")
def _group(
    records: pd.DataFrame, column: str | None, seed: int, smiles: pd.Series | None
) -> tuple[Splits, pd.Series]:
    if not column:
        raise ValueError("cv scheme 'group' needs a column, e.g. 'group:doi'")
    groups = _labels(records, column, smiles)
    n_groups = groups.nunique()
    if n_groups < 2:
        hint = " (try --cv group:recipe for single-lab data)" if column == "doi" else ""
        raise ValueError(
            f"cv scheme 'group:{column}' needs at least 2 groups, got {n_groups}{hint}"
        )
    cv = GroupKFold(n_splits=min(N_SPLITS, n_groups), shuffle=True, random_state=seed)
    return list(cv.split(np.zeros(len(records)), groups=groups.to_numpy())), groups


@CV_SCHEMES.register("leave-one-group-out")
def _logo(
    records: pd.DataFrame, column: str | None, seed: int, smiles: pd.Series | None
) -> tuple[Splits, pd.Series]:
    if not column:
        raise ValueError(
            "cv scheme 'leave-one-group-out' needs a column, e.g. 'leave-one-group-out:doi'"
        )
    groups = _labels(records, column, smiles)
    if groups.nunique() < 2:
        raise ValueError(f"cv scheme 'leave-one-group-out:{column}' needs at least 2 groups")
    splits = list(LeaveOneGroupOut().split(np.zeros(len(records)), groups=groups.to_numpy()))
    return splits, groups


def inner_splits(groups: np.ndarray, *, seed: int, n_splits: int = 3) -> Splits:
    """Return grouped inner folds used by hyper-parameter search inside one outer training fold."""
    n_groups = len(np.unique(groups))
    if n_groups < 2:
        n = len(groups)
        k = min(n_splits, n)
        return list(KFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(n)))
    cv = GroupKFold(n_splits=min(n_splits, n_groups), shuffle=True, random_state=seed)
    return list(cv.split(np.zeros(len(groups)), groups=groups))
