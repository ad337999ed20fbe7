"""``suggest``: the next batch of experiments from the measured records and a candidate pool.

Steps of :func:`suggest`:

1. Read the measured records and the pool (any format :func:`pqdml.data.read_records`
   reads; a pool without ``record_id``/``composition``, e.g. ``pqdml library`` output, is
   read as a plain table). ``composition`` fills a missing composition; ``grid`` expands
   the pool over process settings.
2. Train the product model on the measured rows with :func:`pqdml.train` (grouped CV by
   paper when the rows come from 3 or more papers, else random folds; fixed
   hyper-parameters): it gives the applicability domain and the SHAP explanations.
3. Featurize measured rows and pool together (feature names from their inputs) and fit
   the :class:`~pqdml.campaign.surrogate.EnsembleSurrogate` (bootstrap XGBoost + crepes
   conformal predictive system) on the measured rows.
4. Score the eligible pool rows (featurized, not already measured, in domain when asked)
   and choose a diverse batch (:mod:`pqdml.campaign.acquisition`).

Pool rows that cannot be featurized keep their status and message in
:attr:`Suggestions.pool_status` and are never suggested.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from pqdml.campaign.acquisition import STRATEGIES, Objective, score, select_batch
from pqdml.campaign.replay import design_matrix
from pqdml.campaign.surrogate import EnsembleSurrogate
from pqdml.data.formats import read_records
from pqdml.exceptions import UnknownFormatError
from pqdml.explain import explain_predictions
from pqdml.features import RecordFeaturizer, featurize_records
from pqdml.io import read_table, write_table
from pqdml.model import TrainedModel, train
from pqdml.model.cv import group_labels
from pqdml.model.target import BOUNDS
from pqdml.model.train import resolve_target, training_targets
from pqdml.model.trained import row_status

#: Columns :func:`suggest` adds to the chosen pool rows, in order.
SUGGESTION_COLUMNS = [
    "rank",
    "prediction",
    "pi_low",
    "pi_high",
    "acquisition",
    "p_improve",
    "in_domain",
    "nearest_measured",
    "why",
]
_ID_COLUMNS = ("record_id", "ligand_name", "ligand_smiles", "composition")

Source: TypeAlias = pd.DataFrame | str | os.PathLike[str]


@dataclass
class Suggestions:
    """The result of :func:`suggest`.

    Attributes
    ----------
    table : pandas.DataFrame
        The chosen pool rows, every input column kept, plus :data:`SUGGESTION_COLUMNS`
        (and ``p_within`` with a window constraint).
    pool_status : pandas.DataFrame
        One row per pool row: ``pool_row``, identifying input columns, ``status``
        (``ok``, a featurizer error code, ``already_measured``, ``out_of_domain``),
        ``error`` and ``rank`` (empty unless suggested).
    summary : dict
        Target, strategy, objective, best measured value, counts.
    model : TrainedModel
        The model trained on the measured rows.
    """

    table: pd.DataFrame
    pool_status: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    model: TrainedModel | None = None

    def write(self, path: str | os.PathLike[str]) -> tuple[Path, Path]:
        """Write the suggestions and, beside them, ``<name>.status.csv``; atomically."""
        out = write_table(self.table, path)
        p = Path(path)
        status = write_table(self.pool_status, p.with_name(p.stem + ".status.csv"))
        return out, status


def parse_grid(text: str) -> dict[str, list[object]]:
    """Parse ``"col=v1,v2;col2=w1"`` into ``{"col": [v1, v2], "col2": [w1]}`` (numbers as float).

    Examples
    --------
    >>> parse_grid("proc_t_c=150,170; antisolvent_name=Toluene")
    {'proc_t_c': [150.0, 170.0], 'antisolvent_name': ['Toluene']}
    """
    grid: dict[str, list[object]] = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        col, sep, values = part.partition("=")
        items = [v.strip() for v in values.split(",") if v.strip()]
        if not sep or not col.strip() or not items:
            raise ValueError(f"grid entry {part!r} is not of the form col=v1,v2")
        parsed: list[object] = []
        for v in items:
            try:
                parsed.append(float(v))
            except ValueError:
                parsed.append(v)
        grid[col.strip()] = parsed
    return grid


def parse_window(text: str) -> tuple[str, float, float]:
    """Parse ``"emission=450:470"`` into ``("emission", 450.0, 470.0)``.

    Examples
    --------
    >>> parse_window("emission=455:465")
    ('emission', 455.0, 465.0)
    """
    name, sep, rng = text.partition("=")
    lo, sep2, hi = rng.partition(":")
    try:
        low, high = float(lo), float(hi)
    except ValueError:
        low = high = float("nan")
    if not sep or not sep2 or not low <= high:
        raise ValueError(f"window {text!r} is not of the form target=low:high with low <= high")
    return name.strip(), low, high


def expand_pool(
    pool: pd.DataFrame, grid: dict[str, list[object]] | None, composition: str | None
) -> pd.DataFrame:
    """Fill a missing ``composition`` and take the product of ``pool`` with ``grid`` values."""
    pool = pool.reset_index(drop=True).copy()
    if composition:
        if "composition" not in pool:
            pool["composition"] = composition
        else:
            blank = pool["composition"].astype("string").fillna("").str.strip() == ""
            pool.loc[blank, "composition"] = composition
    if not grid:
        return pool
    combos = pd.DataFrame(list(product(*grid.values())), columns=list(grid))
    base = pool.drop(columns=[c for c in grid if c in pool])
    return base.merge(combos, how="cross")


def _read(source: Source, fmt: str | None) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source.reset_index(drop=True).copy()
    try:
        return read_records(source, fmt)[0].reset_index(drop=True)
    except UnknownFormatError:
        if fmt is not None:
            raise
        return read_table(source)  # a plain candidate table (e.g. `pqdml library` output)


def _cv_for(records: pd.DataFrame) -> str:
    n_papers = group_labels(records, "doi").nunique()
    return "group:doi" if n_papers >= 3 else "random"


def _label(records: pd.DataFrame, i: int) -> str:
    if "record_id" in records and pd.notna(records["record_id"].iloc[i]):
        return str(records["record_id"].iloc[i])
    return f"measured row {i + 1}"


def suggest(
    data: Source,
    candidates: Source,
    target: str,
    *,
    n: int = 4,
    direction: str = "maximize",
    goal: float | None = None,
    strategy: str = "ei",
    reference: str | None = None,
    exclude_out_of_domain: bool = False,
    seed: int = 0,
    effect: bool = False,
    composition: str | None = None,
    grid: str | dict[str, list[object]] | None = None,
    within: str | tuple[str, float, float] | None = None,
    fmt: str | None = None,
    candidates_format: str | None = None,
    level: float = 0.9,
    n_members: int = 16,
    explain: bool = True,
    model: TrainedModel | None = None,
) -> Suggestions:
    """Choose the next ``n`` experiments from a candidate pool.

    Parameters
    ----------
    data
        Measured records (DataFrame or any file :func:`pqdml.data.read_records` reads).
    candidates
        The pool: records in the same schema without target values.
    target
        ``plqy``, ``pce``, ``emission``, ... (see :func:`pqdml.train`).
    n
        Batch size.
    direction
        ``maximize``, ``minimize`` or ``goal`` (then ``goal`` is the value to hit).
    goal
        Target value to hit (e.g. an emission peak of 460 nm); implies ``direction="goal"``.
    strategy
        ``ei`` (default), ``ucb``, ``thompson``, ``greedy`` or ``random``.
    reference
        Ligand name or SMILES among the measured rows; ``p_improve`` is then the
        probability of beating its (mean) measured value instead of the best.
    exclude_out_of_domain
        Never suggest rows outside the trained model's applicability domain.
    seed
        The same seed gives the same suggestions.
    effect
        Model the gain over the group's control (``relative_to_control``).
    composition
        Composition for pool rows without one.
    grid
        ``"col=v1,v2;col2=..."`` (or a dict): expand the pool over these values.
    within
        ``"emission=450:470"``: a second target that must land in a window (constrained EI).
    fmt, candidates_format
        Formats of ``data`` and ``candidates`` (None: guessed).
    level
        Level of ``pi_low``–``pi_high``.
    n_members
        Bootstrap members of the surrogate.
    explain
        Add the ``why`` column (SHAP of the trained model).
    model
        A model already trained on these measured rows (e.g. ``Suggestions.model`` of an
        earlier call); skips the training step.

    Returns
    -------
    Suggestions

    Examples
    --------
    >>> s = suggest("measured.csv", "pool.csv", "plqy", n=4)  # doctest: +SKIP
    >>> s.table[["ligand_name", "rank", "prediction", "p_improve", "why"]]  # doctest: +SKIP
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    objective = Objective("goal", goal) if goal is not None else Objective(direction)
    key, column = resolve_target(target)
    measured = _read(data, fmt)
    if isinstance(grid, str):
        grid = parse_grid(grid)
    pool = expand_pool(_read(candidates, candidates_format), grid, composition)
    if pool.empty:
        raise ValueError("the candidate pool has no rows")

    y_all, reason = training_targets(measured, column, relative_to_control=effect)
    use = (reason == "").to_numpy()
    recs = measured[use].reset_index(drop=True)
    y = y_all[use].to_numpy(dtype=float)
    model = model or train(
        recs if not effect else measured,
        key,
        cv=_cv_for(recs),
        seed=seed,
        level=level,
        n_trials=0,
        relative_to_control=effect,
    )

    both = pd.concat([recs, pool], ignore_index=True, sort=False)
    frame = featurize_records(both)
    featurizer = RecordFeaturizer(target_column=column).fit(both, feature_frame=frame)
    X, Z = design_matrix(featurizer.transform(both, feature_frame=frame))
    Xm, Xp, Zm, Zp = X[: len(recs)], X[len(recs) :], Z[: len(recs)], Z[len(recs) :]
    status, error = row_status(frame.iloc[len(recs) :].reset_index(drop=True))
    status, error = status.astype(object).copy(), error.astype(object).copy()
    measured_keys = {row.tobytes() for row in Zm}
    seen = np.array([row.tobytes() in measured_keys for row in Zp])
    first = (status == "ok").to_numpy() & seen
    status[first] = "already_measured"
    error[first] = "the same ligand, composition and process as a measured row"

    ok = (status == "ok").to_numpy()
    ad = model.predict(pool[ok]) if ok.any() else None
    in_domain = np.zeros(len(pool), dtype=bool)
    nearest_lig = np.full(len(pool), "", dtype=object)
    if ad is not None:
        in_domain[ok] = ad["in_domain"].astype(bool).to_numpy()
        nearest_lig[ok] = ad["nearest_ligands"].astype(str).to_numpy()
    if exclude_out_of_domain:
        out = ok & ~in_domain
        status[out] = "out_of_domain"
        error[out] = "outside the model's applicability domain (--exclude-out-of-domain)"
    eligible = np.flatnonzero((status == "ok").to_numpy())

    bounds = None if effect else BOUNDS.get(column)
    surrogate = EnsembleSurrogate(n_members=n_members, seed=seed, bounds=bounds).fit(Xm, y)
    u_meas = objective.utility(y)
    feasible = np.ones(len(y), dtype=bool)
    p_within = members_within = None
    if within is not None:
        wname, lo, hi = parse_window(within) if isinstance(within, str) else within
        _, wcol = resolve_target(wname)
        wvals = pd.to_numeric(recs.get(wcol), errors="coerce").to_numpy(dtype=float)
        has = np.isfinite(wvals)
        if has.sum() < 2:
            raise ValueError(f"the window on {wcol!r} needs at least 2 measured values of it")
        feasible = has & (wvals >= lo) & (wvals <= hi)
        wsur = EnsembleSurrogate(n_members=n_members, seed=seed + 1).fit(Xm[has], wvals[has])
        wpred = wsur.predict(Xp[eligible])
        p_within = ((wpred.samples >= lo) & (wpred.samples <= hi)).mean(axis=1)
        members_within = (wpred.members >= lo) & (wpred.members <= hi)
    floor = float(u_meas.min())
    best = float(u_meas[feasible].max()) if feasible.any() else floor
    ref_u = None
    if reference is not None:
        match = np.zeros(len(recs), dtype=bool)
        for col in ("ligand_name", "ligand_smiles"):
            if col in recs:
                match |= (recs[col].astype(str).str.strip() == reference.strip()).to_numpy()
        if not match.any():
            raise ValueError(f"reference ligand {reference!r} is not among the measured rows")
        ref_u = float(objective.utility(np.array([y[match].mean()]))[0])

    rng = np.random.default_rng(seed)
    chosen = np.zeros(0, dtype=int)
    pred = None
    if len(eligible):
        pred = surrogate.predict(Xp[eligible])
        sc = score(
            strategy,
            pred,
            objective,
            best,
            reference=ref_u,
            p_within=p_within,
            within_members=members_within,
            floor=floor,
        )
        tie = objective.utility(pred.mean)
        chosen = select_batch(strategy, sc, Zp[eligible], n, rng, tie_break=tie)

    rows = eligible[chosen]
    table = pool.iloc[rows].reset_index(drop=True)
    added = [*SUGGESTION_COLUMNS, "p_within"]
    table = table.rename(columns={c: f"input_{c}" for c in table.columns if c in added})
    table["rank"] = np.arange(1, len(rows) + 1)
    if pred is not None and len(rows):
        low, high = pred.interval(level)
        table["prediction"] = pred.mean[chosen]
        table["pi_low"] = low[chosen]
        table["pi_high"] = high[chosen]
        table["acquisition"] = sc.acquisition[chosen]
        table["p_improve"] = sc.p_improve[chosen]
        if p_within is not None:
            table["p_within"] = p_within[chosen]
    for col in ("prediction", "pi_low", "pi_high", "acquisition", "p_improve"):
        if col not in table:  # nothing eligible: the columns still exist
            table[col] = np.full(len(rows), np.nan)
    table["in_domain"] = in_domain[rows]
    d = ((Zp[rows][:, None, :] - Zm[None, :, :]) ** 2).sum(-1)
    near = d.argmin(axis=1) if len(rows) else np.zeros(0, dtype=int)
    table["nearest_measured"] = [
        f"{_label(recs, int(j))} ({key} {y[j]:.3g}; ligand match {nearest_lig[r] or '-'})"
        for j, r in zip(near, rows, strict=True)
    ]
    why = [""] * len(rows)
    if explain and len(rows):
        sentences = explain_predictions(
            model, table[pool.columns.intersection(table.columns)], top=2
        )
        why = ["; ".join(s) for s in sentences]
    if len(rows):
        u_mean = objective.utility(table["prediction"].to_numpy())
        mode = np.where(u_mean > best, "exploit (mean beats best measured)", "explore (upside)")
        table["why"] = [f"{m}: {w}" if w else m for m, w in zip(mode, why, strict=True)]
    else:
        table["why"] = []

    ids = [c for c in _ID_COLUMNS if c in pool]
    pool_status = pool[ids].copy()
    pool_status.insert(0, "pool_row", np.arange(1, len(pool) + 1))
    pool_status["status"] = status.to_numpy()
    pool_status["error"] = error.to_numpy()
    rank = np.full(len(pool), np.nan)
    rank[rows] = np.arange(1, len(rows) + 1)
    pool_status["rank"] = rank
    pool_status.loc[rows, "status"] = "suggested"

    counts = pd.Series(status).value_counts().to_dict()
    summary = {
        "target": key,
        "target_column": column,
        "prediction_kind": "gain_over_control" if effect else "value",
        "objective": objective.direction,
        "goal": objective.goal,
        "within": None
        if within is None
        else list(parse_window(within) if isinstance(within, str) else within),
        "strategy": strategy,
        "seed": seed,
        "n_measured": len(recs),
        "best_measured": float(y[feasible][np.argmax(u_meas[feasible])])
        if feasible.any()
        else None,
        "reference": reference,
        "n_pool": len(pool),
        "pool_status": {str(k): int(v) for k, v in counts.items()},
        "n_suggested": len(rows),
        "surrogate": f"bootstrap XGBoost x{n_members} + crepes conformal predictive system "
        f"({surrogate.n_calibration_} out-of-bag residuals)",
        "cv": model.metrics.get("cv"),
    }
    table.attrs["summary"] = summary
    return Suggestions(table=table, pool_status=pool_status, summary=summary, model=model)
