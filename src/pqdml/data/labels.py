"""Measured labels as training reads them: the same ranges as ``pqdml validate``, every skip named.

:func:`label_values` turns a label column into numbers. A cell that is not a number
(``"85 %"``, ``"n/a"``) or lies outside the target's valid range (the range
:func:`pqdml.data.validate_records` checks, from :data:`pqdml.data.targets.TARGET_SPECS`)
is skipped with its reason, never clipped or counted as missing. A percentage column
holding values in 0–1 beside values above 1 (fractions mixed with percentages) is
flagged.
"""

from __future__ import annotations

import pandas as pd

from pqdml.data.targets import target_spec

__all__ = ["label_values"]


def label_values(values: pd.Series, column: str) -> tuple[pd.Series, pd.Series, list[str]]:
    """Return the usable labels, the reason per skipped row, and notes about the column.

    Parameters
    ----------
    values
        The label column as read (numbers or text).
    column
        Its canonical name (``plqy_percent``), which gives the valid range and unit.

    Returns
    -------
    y : pandas.Series
        Float labels; NaN where a row is skipped.
    reason : pandas.Series
        ``""`` for usable rows, else why the row is skipped.
    notes : list of str
        Column-level findings, such as a likely unit mix.

    Examples
    --------
    >>> y, reason, notes = label_values(pd.Series([50, "85 %", 140, None]), "plqy_percent")
    >>> reason.tolist()
    ['', 'plqy_percent is not a number', 'plqy_percent outside the valid range 0–100 %', \
'missing plqy_percent']
    """
    y = pd.to_numeric(values, errors="coerce").astype(float)
    reason = pd.Series("", index=values.index, dtype=object)
    text = values.astype("string").str.strip()
    blank = values.isna() | text.isna() | text.eq("")
    reason[blank] = f"missing {column}"
    reason[y.isna() & ~blank] = f"{column} is not a number"
    notes: list[str] = []
    spec = target_spec(column)
    if spec is not None:
        low, high = spec.valid
        outside = y.notna() & ((y < low) | (y > high))
        reason[outside] = f"{column} outside the valid range {low:g}–{high:g} {spec.unit}".strip()
        y[outside] = float("nan")
        if spec.unit == "%":
            fractions = int(((y > 0) & (y <= 1)).sum())
            # a few sub-1 % yields are real; many beside larger values suggest fractions
            if fractions >= max(3, 0.05 * y.notna().sum()) and (y > 1).any():
                notes.append(
                    f"{fractions} value(s) of {column} lie in 0–1 among values up to "
                    f"{y.max():g}: fractions mixed with percentages? (check the units)"
                )
    return y, reason, notes
