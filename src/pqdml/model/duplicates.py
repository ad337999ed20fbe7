"""Double entries and label noise among training rows.

Two different things are easy to confuse:

**Duplicates** — rows with the same paper (DOI, else citation, else source URL; see
:func:`pqdml.model.cv.group_labels`), the same comparison (``group_id``), the same ligand
(canonical SMILES, else its text), composition, stage, control flag and process settings.
Three kinds:

- ``"review quote"``: one row's ``source`` names a review and another's does not — the
  review's quoted value beside the paper's own value: one sample entered twice;
- ``"identical copy"``: the same value entered twice;
- ``"replicates"``: the same recipe measured several times in one source with different
  values (single-lab replicate syntheses). These are real measurements: they are kept
  and reported, and every CV scheme keeps them in one fold (:func:`pqdml.model.cv.recipe_labels`).

Review quotes and identical copies double-weight one sample and put two labels on one
input, so training merges them (:func:`merge_duplicates`): rows whose ``qualifier`` marks
them as aged or a bound give way to unqualified ones; the rest are averaged.

**Same inputs, different papers** — the same ligand, composition, stage and process in
two papers (typically the oleic acid / oleylamine control). That is between-paper label
noise, not a double entry: it is reported (:func:`same_inputs_different_papers`) and
kept.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pqdml.data.records import ligand_text
from pqdml.features import process_columns
from pqdml.model.cv import group_labels

#: Kinds of duplicate clusters that training merges (replicates are kept).
MERGED_KINDS = ("review quote", "identical copy")
#: ``qualifier`` values that yield to an unqualified row of the same sample.
WEAK_QUALIFIERS = (">=", "<=", "aged", "lower bound", "upper bound")


def _text(records: pd.DataFrame, column: str) -> pd.Series:
    if column not in records:
        return pd.Series([""] * len(records), index=records.index, dtype=object)
    return records[column].astype("string").fillna("").str.strip().astype(object)


def input_keys(records: pd.DataFrame, canonical: pd.Series | None = None) -> pd.Series:
    """Key of a row's inputs: ligand (canonical SMILES, else text), composition, stage, process."""
    lig = ligand_text(records).astype(str).str.lower()
    if canonical is not None:
        can = canonical.reindex(records.index).astype("string").fillna("").astype(str)
        lig = can.where(can != "", lig)
    key = lig + "|" + _text(records, "composition").astype(str)
    key = key + "|" + _text(records, "stage").astype(str).str.lower()
    key = key + "|" + _text(records, "is_control").astype(str)
    for col in process_columns(records):
        key = key + "|" + pd.to_numeric(records[col], errors="coerce").round(9).astype(str)
    return key


def _is_review(source: str) -> bool:
    return "review" in source.lower() and "curation" not in source.lower()


def find_duplicates(
    records: pd.DataFrame, values: pd.Series, *, canonical: pd.Series | None = None
) -> list[dict[str, Any]]:
    """Clusters of rows that are one sample entered more than once (module docstring).

    Parameters
    ----------
    records
        Canonical records (rows without a value are ignored).
    values
        The target value of each row (same index).
    canonical
        Canonical SMILES per row (optional; the ligand text is used otherwise).

    Returns
    -------
    list of dict
        One dict per cluster: ``rows`` (positions), ``record_ids``, ``values``, ``kind``
        (``"review quote"``, ``"identical copy"`` or ``"replicates"``), ``paper``.

    Examples
    --------
    >>> recs = pd.DataFrame({"record_id": ["REV-1", "P-1", "P-2"], "doi": ["10.1/a"] * 2 + ["10.1/b"],
    ...     "source": ["review ref 3", "curation P-1", "curation P-2"], "composition": ["CsPbBr3"] * 3,
    ...     "ligand_smiles": ["CCCCN"] * 3, "stage": ["synthesis"] * 3, "is_control": [0] * 3})
    >>> [(c["record_ids"], c["kind"]) for c in find_duplicates(recs, pd.Series([92.0, 90.0, 80.0]))]
    [(['REV-1', 'P-1'], 'review quote')]
    """
    rec = records.reset_index(drop=True)
    vals = pd.Series(np.asarray(values, dtype=float))
    has = vals.notna().to_numpy()
    can = canonical.reset_index(drop=True) if canonical is not None else None
    paper = group_labels(rec, "doi")
    key = paper + "||" + _text(rec, "group_id").astype(str) + "||" + input_keys(rec, can)
    ids = rec["record_id"].astype(str) if "record_id" in rec else pd.Series(rec.index.astype(str))
    sources = _text(rec, "source")
    clusters = []
    for _k, rows in pd.Series(np.arange(len(rec)))[has].groupby(key[has].to_numpy()):
        pos = rows.to_list()
        if len(pos) < 2 or paper.iat[pos[0]].startswith("row:"):
            continue
        review = [_is_review(str(sources.iat[i])) for i in pos]
        values_here = [float(vals.iat[i]) for i in pos]
        if any(review) and not all(review):
            kind = "review quote"
        elif len(set(values_here)) == 1:
            kind = "identical copy"
        else:
            kind = "replicates"
        clusters.append(
            {
                "rows": pos,
                "record_ids": [ids.iat[i] for i in pos],
                "values": values_here,
                "kind": kind,
                "paper": str(paper.iat[pos[0]]),
            }
        )
    return clusters


def merge_duplicates(
    records: pd.DataFrame, values: pd.Series, clusters: list[dict[str, Any]]
) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """Rows to keep, their merged values and what was merged.

    Only clusters of :data:`MERGED_KINDS` are merged. In each, rows whose ``qualifier`` is in :data:`WEAK_QUALIFIERS` are dropped when
    an unqualified row exists ("fresh over aged"); the remaining values are averaged into
    the first remaining row, preferring a paper's own row over a review quote.

    Returns
    -------
    keep, merged_values, log
        Boolean mask over ``records`` (positional), the value of every row (merged values
        on the kept row of a cluster), and one log entry per cluster.
    """
    clusters = [c for c in clusters if c["kind"] in MERGED_KINDS]
    vals = np.asarray(values, dtype=float).copy()
    keep = np.ones(len(records), dtype=bool)
    qual = _text(records, "qualifier").astype(str).str.lower().to_numpy()
    sources = _text(records, "source").astype(str).to_numpy()
    log = []
    for c in clusters:
        pos = list(c["rows"])
        strong = [i for i in pos if qual[i] not in WEAK_QUALIFIERS]
        use = strong or pos
        use = sorted(use, key=lambda i: _is_review(sources[i]))  # paper rows first
        kept = use[0]
        keep[pos] = False
        keep[kept] = True
        vals[kept] = float(np.mean(vals[use]))
        log.append(
            {
                "kept": c["record_ids"][pos.index(kept)],
                "merged": [c["record_ids"][pos.index(i)] for i in pos if i != kept],
                "values": c["values"],
                "value_used": float(vals[kept]),
                "dropped_as_weak": [c["record_ids"][pos.index(i)] for i in pos if i not in use],
                "kind": c["kind"],
            }
        )
    return keep, vals, log


def same_inputs_different_papers(
    records: pd.DataFrame, values: pd.Series, *, canonical: pd.Series | None = None
) -> dict[str, Any]:
    """Count inputs measured in more than one paper and the spread of their labels (noise).

    Returns
    -------
    dict
        ``n_inputs`` (distinct inputs seen in ≥ 2 papers), ``n_rows``, ``median_range``
        (median over those inputs of max − min of the value) and ``examples`` (up to five).
    """
    rec = records.reset_index(drop=True)
    vals = pd.Series(np.asarray(values, dtype=float))
    has = vals.notna().to_numpy()
    can = canonical.reset_index(drop=True) if canonical is not None else None
    key = input_keys(rec, can)
    paper = group_labels(rec, "doi")
    frame = pd.DataFrame({"key": key, "paper": paper, "value": vals})[has]
    frame = frame[~frame["paper"].str.startswith("row:")]
    n_papers = frame.groupby("key")["paper"].nunique()
    multi = n_papers[n_papers >= 2].index
    sub = frame[frame["key"].isin(multi)]
    ranges = sub.groupby("key")["value"].agg(lambda v: float(v.max() - v.min()))
    examples = [
        {"inputs": k.split("|")[0][:60], "n_papers": int(n_papers[k]), "range": float(ranges[k])}
        for k in ranges.sort_values(ascending=False).index[:5]
    ]
    return {
        "n_inputs": len(multi),
        "n_rows": len(sub),
        "median_range": float(ranges.median()) if len(ranges) else float("nan"),
        "examples": examples,
    }


def merge_training_duplicates(
    records: pd.DataFrame, values: np.ndarray, *, canonical: pd.Series | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Keep-mask and merged values of training rows, as :func:`pqdml.model.train` merges them.

    For code that must rebuild a model's training rows (e.g. to recompute its folds).
    """
    vals = pd.Series(np.asarray(values, dtype=float))
    clusters = find_duplicates(records, vals, canonical=canonical)
    keep, merged, _ = merge_duplicates(records, vals, clusters)
    return keep, merged
