"""Effect targets: what a treatment does against the control of its own group.

Most of the variance of literature PLQY and PCE is between papers, so a model of the
absolute value learns the paper. An effect model learns the change a treatment makes
against the control (``is_control == 1``) of its own ``group_id``, and converts back to
the target's unit for a given control value.

Bounded targets use the **fraction of headroom closed**::

    f = (t − c) / (ceiling − c)    when t ≥ c  (0: no change, 1: reaches the ceiling)
    f = (t − c) / c                when t < c  (−1: the treatment kills the signal)

so ``f`` lies in [−1, 1] whatever the control, and a treatment that closes 70 % of the gap
to 100 % PLQY gets the same label in a paper whose control is at 20 % as in one at 80 %.
The loss branch keeps worsening treatments bounded (a pure headroom ratio would send a
small loss from a 95 % control to −19).

Ceilings: PLQY 100 %. For PCE the choice was measured (``benchmarks/effects.py``, the
no-ligand rivals on paper-grouped CV, MAE of the gain in PCE points): the mean plain
gain (buried-interface 0.92, passivator-screening 0.73) did at least as well as the mean
relative gain (0.96, 0.73) and the mean fraction of the gap to the Shockley–Queisser limit
of 33.7 % (0.95, 0.75). Control PCEs of 15–25 % sit far from any ceiling, so the headroom
barely changes between papers; PCE therefore uses the plain gain ``t − c`` (ceiling
``None``), as do Voc, Jsc, FF and the emission peak. For PLQY the headroom matters
(controls from 3 to 92 %): the mean relative gain there is useless (MAE 162 points on the
curated rows, against 9.4 for the mean headroom fraction).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Ceiling of the headroom fraction per target column (None: plain gain t − c).
CEILINGS: dict[str, float | None] = {"plqy_percent": 100.0}


def ceiling_for(column: str) -> float | None:
    """Headroom ceiling of ``column`` (None for targets modelled as a plain gain)."""
    return CEILINGS.get(column)


def to_effect(treated: np.ndarray, control: np.ndarray, ceiling: float | None) -> np.ndarray:
    """Fraction of headroom closed (or plain gain when ``ceiling`` is None).

    Examples
    --------
    >>> to_effect(np.array([80.0, 10.0]), np.array([60.0, 20.0]), 100.0).tolist()
    [0.5, -0.5]
    """
    t = np.asarray(treated, dtype=float)
    c = np.asarray(control, dtype=float)
    if ceiling is None:
        return t - c
    t = np.minimum(t, ceiling)
    c = np.minimum(c, ceiling)
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where(ceiling - c > 0, (t - c) / (ceiling - c), 0.0)
        down = np.where(c > 0, (t - c) / c, 0.0)
    return np.clip(np.where(t >= c, up, down), -1.0, 1.0)


def from_effect(effect: np.ndarray, control: np.ndarray, ceiling: float | None) -> np.ndarray:
    """Treated value in the target's unit from an effect and the control value.

    Examples
    --------
    >>> from_effect(np.array([0.5, -0.5]), np.array([60.0, 20.0]), 100.0).tolist()
    [80.0, 10.0]
    """
    f = np.asarray(effect, dtype=float)
    c = np.asarray(control, dtype=float)
    if ceiling is None:
        return c + f
    c = np.minimum(c, ceiling)
    f = np.clip(f, -1.0, 1.0)
    return np.where(f >= 0, c + f * (ceiling - c), c + f * c)


def control_values(records: pd.DataFrame, y: pd.Series) -> pd.Series:
    """Mean measured control value of each row's ``group_id`` (NaN without a control)."""
    n = len(records)
    if "group_id" not in records or "is_control" not in records:
        return pd.Series(np.nan, index=records.index)
    control = pd.to_numeric(records["is_control"], errors="coerce").fillna(0).astype(int) == 1
    gid = records["group_id"].astype("string").fillna("").str.strip()
    ok = control & y.notna() & (gid != "")
    means = y[ok].groupby(gid[ok]).mean()
    out = gid.map(means).astype(float)
    return out if n else pd.Series(dtype=float)
