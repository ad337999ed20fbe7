"""Training rows: targets and skip reasons, ranking groups, sources, and the domain table."""

from __future__ import annotations

import math
import warnings
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from pqdml.data.labels import label_values
from pqdml.data.records import ligand_text
from pqdml.features import process_columns
from pqdml.model.cv import group_labels
from pqdml.model.effect import ceiling_for, control_values, to_effect

#: ``qualifier`` values of rows that are bounds, not measurements (not training rows).
BOUND_QUALIFIERS = (">=", "<=", "lower bound", "upper bound")


def _is_control(records: pd.DataFrame) -> pd.Series:
    if "is_control" not in records:
        return pd.Series(False, index=records.index)
    return pd.to_numeric(records["is_control"], errors="coerce").fillna(0).astype(int) == 1


def training_targets(
    records: pd.DataFrame,
    column: str,
    *,
    relative_to_control: bool = False,
    effect: bool = False,
) -> tuple[pd.Series, pd.Series]:
    """Target per row (NaN for non-training rows) and the reason each excluded row is skipped.

    With ``relative_to_control`` the target is ``value − mean(control values of the group)``;
    with ``effect`` it is :func:`pqdml.model.effect.to_effect` of the value and that mean.
    """
    if effect:
        gain, reason = training_targets(records, column, relative_to_control=True)
        base = control_values(records, pd.to_numeric(records[column], errors="coerce"))
        value = gain + base
        eff = pd.Series(to_effect(value, base, ceiling_for(column)), index=records.index)
        return eff.where(reason == ""), reason
    if column not in records:
        raise ValueError(f"the data has no {column!r} column to train on")
    y, reason, notes = label_values(records[column], column)  # as validate: no clipping
    for note in notes:
        warnings.warn(note, stacklevel=2)
    if "qualifier" in records:
        qual = records["qualifier"].astype("string").fillna("").str.strip().str.lower()
        reason[(reason == "") & qual.isin(BOUND_QUALIFIERS)] = "value is a bound (qualifier)"
    if not relative_to_control:
        return y, reason
    control = _is_control(records)
    if "group_id" not in records:
        raise ValueError(
            "relative_to_control needs a group_id column linking controls to treated rows"
        )
    gid = records["group_id"].astype("string").fillna("").str.strip()
    ctrl_value = (
        y[control & y.notna() & (gid != "")].groupby(gid[control & y.notna() & (gid != "")]).mean()
    )
    base = gid.map(ctrl_value).astype(float)
    gain = y - base
    reason[(reason == "") & control] = "control row (its gain is 0 by definition)"
    reason[(reason == "") & base.isna()] = "no control row with a value in its group_id"
    gain[reason != ""] = np.nan
    return gain, reason


def duplicate_keys(records: pd.DataFrame, canonical: pd.Series) -> np.ndarray:
    """Key identifying a repeated measurement: canonical SMILES + composition + stage + process."""
    lig = canonical.fillna("").astype(str).where(canonical.notna(), ligand_text(records))
    parts = [lig, records.get("composition", pd.Series("", index=records.index)).astype(str)]
    parts.append(records.get("stage", pd.Series("", index=records.index)).astype(str))
    for col in process_columns(records):
        parts.append(pd.to_numeric(records[col], errors="coerce").round(6).astype(str))
    key = parts[0].astype(str)
    for p in parts[1:]:
        key = key + "|" + p.astype(str)
    return key.to_numpy()


def _count_failures(frame: pd.DataFrame) -> dict[str, dict[str, int]]:
    out = {}
    for prefix in ("ligand", "composition"):
        col = f"{prefix}_status"
        if col in frame:
            # no ligand (e.g. a control) is not a failure; a missing composition is
            fine = ("ok", "empty") if prefix == "ligand" else ("ok",)
            counts = Counter(str(s) for s in frame[col].fillna("ok") if s not in fine)
            out[prefix] = dict(sorted(counts.items()))
    return out


def ranking_groups(records: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Group of each row for the ranking metric (``group_id``, else paper) and a treated mask."""
    paper = group_labels(records, "doi")
    if "group_id" in records:
        gid = records["group_id"].astype("string").fillna("").str.strip()
        label = ("group:" + gid).where(gid != "", paper)
    else:
        label = paper
    treated = ~_is_control(records).to_numpy()
    return label.astype(str).to_numpy(), treated


def _sources(records: pd.DataFrame) -> np.ndarray:
    if "dataset" in records:
        return records["dataset"].astype("string").fillna("").astype(str).to_numpy()
    return np.array([""] * len(records))


def _domain_table(
    y: np.ndarray, pred: np.ndarray, in_domain: np.ndarray, novel: np.ndarray, treated: np.ndarray
) -> dict[str, Any]:
    """OOF error of in-domain vs out-of-domain rows (each fold's domain from its training rows)."""
    err = np.abs(pred - y)

    def block(mask: np.ndarray) -> dict[str, Any]:
        return {
            "n": int(mask.sum()),
            "mae": float(err[mask].mean()) if mask.any() else math.nan,
        }

    out: dict[str, Any] = {
        "in_domain": block(in_domain),
        "out_of_domain": block(~in_domain),
        "in_domain_treated": block(in_domain & treated),
        "out_of_domain_treated": block(~in_domain & treated),
        "unseen_binding_or_anchor": block(novel),
        "seen_binding_and_anchor": block(~novel),
    }
    a, b = out["in_domain"]["mae"], out["out_of_domain"]["mae"]
    out["passes"] = bool(math.isfinite(a) and math.isfinite(b) and a < b)
    out["note"] = (
        "each outer fold's domain fitted on its training rows, its held-out rows judged; "
        "the check passes when in-domain rows have the lower out-of-fold error"
    )
    return out
