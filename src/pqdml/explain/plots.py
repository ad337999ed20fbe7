"""Figures for models and explanations; every function takes ``ax=None`` and returns the Axes.

Matplotlib runs headless (the Agg backend is selected before pyplot is imported), so
the functions work on servers and in CI. They take plain arrays or the results of
:mod:`pqdml.explain`; they compute nothing that the caller could not check.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from sklearn.decomposition import PCA

__all__ = [
    "ad_map",
    "beeswarm",
    "category_dependence",
    "concept_bar",
    "dependence",
    "learning_curve",
    "parity",
    "residuals_by_group",
    "waterfall",
]

_BLUE = "#1f77b4"
_ORANGE = "#ff7f0e"
_GREY = "#7f7f7f"


def _axes(ax: Axes | None, size: tuple[float, float] = (5.0, 4.0)) -> Axes:
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=size)
    return new


def parity(
    y_true: Sequence[float] | np.ndarray,
    y_pred: Sequence[float] | np.ndarray,
    *,
    pi_low: Sequence[float] | np.ndarray | None = None,
    pi_high: Sequence[float] | np.ndarray | None = None,
    label: str = "target",
    ax: Axes | None = None,
) -> Axes:
    """Predicted vs measured with prediction intervals as vertical bars.

    Parameters
    ----------
    y_true, y_pred
        Measured and (out-of-fold) predicted values.
    pi_low, pi_high
        Interval ends (optional); points whose interval misses the measured value are
        drawn in orange.
    label
        Axis label of the target, with units.
    ax
        Axes to draw on (a new figure when ``None``).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = parity([1, 2, 3], [1.1, 1.9, 3.2], pi_low=[0, 1, 2], pi_high=[2, 3, 4])
    """
    ax = _axes(ax, (5.0, 5.0))
    yt = np.asarray(y_true, dtype=float)
    yp = np.asarray(y_pred, dtype=float)
    colour = np.full(len(yt), _BLUE, dtype=object)
    if pi_low is not None and pi_high is not None:
        lo = np.asarray(pi_low, dtype=float)
        hi = np.asarray(pi_high, dtype=float)
        miss = (yt < lo) | (yt > hi)
        colour[miss] = _ORANGE
        alpha = float(np.clip(40.0 / max(len(yt), 1), 0.06, 0.35))  # many rows: fainter bars
        ax.vlines(yt, lo, hi, colors=list(colour), alpha=alpha, linewidth=1.0)
        cover = float(np.mean(~miss)) if len(yt) else float("nan")
        ax.plot([], [], color=_ORANGE, marker="o", ls="", label="interval misses")
        ax.plot([], [], color=_BLUE, marker="o", ls="", label=f"covered ({cover:.0%})")
    ax.scatter(yt, yp, c=list(colour), s=18, edgecolors="white", linewidths=0.4, zorder=3)
    finite = np.concatenate([yt[np.isfinite(yt)], yp[np.isfinite(yp)]])
    if finite.size:
        lo_lim, hi_lim = float(finite.min()), float(finite.max())
        pad = 0.05 * (hi_lim - lo_lim or 1.0)
        ax.plot([lo_lim - pad, hi_lim + pad], [lo_lim - pad, hi_lim + pad], color=_GREY, lw=1)
        ax.set_xlim(lo_lim - pad, hi_lim + pad)
        ax.set_ylim(lo_lim - pad, hi_lim + pad)
    ax.set_xlabel(f"measured {label}")
    ax.set_ylabel(f"predicted {label} (out of fold)")
    if pi_low is not None:
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    return ax


def residuals_by_group(
    residuals: Sequence[float] | np.ndarray,
    groups: Sequence[Any] | np.ndarray,
    *,
    max_groups: int = 15,
    label: str = "residual",
    ax: Axes | None = None,
) -> Axes:
    """Residuals (measured − predicted) per group, largest groups first, as box plots.

    Parameters
    ----------
    residuals
        Out-of-fold residuals.
    groups
        Group label per row (e.g. the DOI a CV fold held out).
    max_groups
        Groups beyond the largest ``max_groups`` are pooled as ``"other"``.
    label
        Axis label.
    ax
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (7.0, 4.0))
    frame = pd.DataFrame({"r": np.asarray(residuals, dtype=float), "g": pd.Series(groups)})
    frame["g"] = frame["g"].fillna("(none)").astype(str)
    order = frame["g"].value_counts()
    keep = list(order.index[:max_groups])
    frame.loc[~frame["g"].isin(keep), "g"] = "other"
    labels = keep + (["other"] if (frame["g"] == "other").any() and "other" not in keep else [])
    data = [frame.loc[frame["g"] == g, "r"].dropna().to_numpy() for g in labels]
    ax.boxplot(data, vert=False, showfliers=False)
    for i, values in enumerate(data, start=1):
        jitter = np.random.default_rng(i).uniform(-0.15, 0.15, len(values))
        ax.scatter(values, i + jitter, s=8, color=_BLUE, alpha=0.6, zorder=3)
    ax.set_yticks(range(1, len(labels) + 1))
    ax.set_yticklabels(
        [_short(g, 38) + f" (n={len(d)})" for g, d in zip(labels, data, strict=True)]
    )
    ax.axvline(0, color=_GREY, lw=1)
    ax.invert_yaxis()
    ax.set_xlabel(label)
    return ax


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def learning_curve(
    sizes: Sequence[float] | np.ndarray,
    model_mae: np.ndarray,
    *,
    baseline_mae: np.ndarray | None = None,
    label: str = "MAE",
    ax: Axes | None = None,
) -> Axes:
    """Held-out error vs number of training rows (mean ± sd over CV folds).

    Parameters
    ----------
    sizes
        Mean number of training rows at each step.
    model_mae
        ``(n_steps, n_folds)`` held-out MAE of the model.
    baseline_mae
        ``(n_steps, n_folds)`` held-out MAE of the mean predictor (optional).
    label
        Axis label.
    ax
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    x = np.asarray(sizes, dtype=float)
    for values, name, colour in ((model_mae, "XGBoost", _BLUE), (baseline_mae, "mean", _GREY)):
        if values is None:
            continue
        arr = np.asarray(values, dtype=float)
        mean, sd = np.nanmean(arr, axis=1), np.nanstd(arr, axis=1)
        ax.plot(x, mean, marker="o", color=colour, label=name)
        ax.fill_between(x, mean - sd, mean + sd, color=colour, alpha=0.2)
    ax.set_xlabel("training rows")
    ax.set_ylabel(f"held-out {label}")
    ax.legend(frameon=False, fontsize=8)
    return ax


def concept_bar(importance: pd.DataFrame, *, unit: str = "", ax: Axes | None = None) -> Axes:
    """Horizontal bar chart of :func:`pqdml.explain.concept_importance`.

    Parameters
    ----------
    importance
        Frame with columns ``concept`` and ``mean_abs_shap`` (optionally
        ``mean_abs_effect`` in target units, used when present).
    unit
        Unit of the bar lengths for the axis label.
    ax
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (6.0, 0.35 * max(len(importance), 4) + 1.0))
    column = "mean_abs_effect" if "mean_abs_effect" in importance else "mean_abs_shap"
    frame = importance.sort_values(column, ascending=True)
    ax.barh(frame["concept"], frame[column], color=_BLUE)
    ax.set_xlabel(f"mean |contribution| {unit}".strip())
    return ax


def beeswarm(result: Any, *, max_display: int = 12, ax: Axes | None = None) -> Axes:
    """SHAP beeswarm of the top features (shap's own ``shap.plots.beeswarm``).

    Parameters
    ----------
    result
        A :class:`pqdml.explain.ShapResult`; only ok rows are drawn.
    max_display
        Number of features shown (the rest are summed into one row).
    ax
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import shap  # heavy (~3 s with numba): loaded only for the beeswarm

    ax = _axes(ax, (7.0, 0.4 * max_display + 1.5))
    ok = result.ok
    explanation = shap.Explanation(
        values=result.values[ok],
        base_values=np.full(int(ok.sum()), result.base_value),
        data=result.X[ok],
        feature_names=[n.replace("__", ": ") for n in result.feature_names],
    )
    with warnings.catch_warnings():
        # shap colours by per-feature quantiles; a feature unknown for every row is all-NaN
        warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
        shap.plots.beeswarm(explanation, max_display=max_display, ax=ax, show=False, plot_size=None)
    ax.set_xlabel("SHAP value (model scale)")
    return ax


def dependence(
    values: Sequence[float] | np.ndarray,
    effects: Sequence[float] | np.ndarray,
    *,
    xlabel: str,
    ylabel: str,
    colour_by: Sequence[float] | np.ndarray | None = None,
    colour_label: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Feature value vs its contribution to the prediction, one dot per record.

    Parameters
    ----------
    values
        Feature value per row (x axis).
    effects
        Contribution per row (y axis), e.g. in target units.
    xlabel, ylabel
        Axis labels.
    colour_by
        Optional second feature to colour the dots by.
    colour_label
        Colour bar label.
    ax
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    x = np.asarray(values, dtype=float)
    y = np.asarray(effects, dtype=float)
    if colour_by is not None:
        points = ax.scatter(x, y, c=np.asarray(colour_by, dtype=float), cmap="viridis", s=18)
        ax.figure.colorbar(points, ax=ax, label=colour_label)
    else:
        ax.scatter(x, y, color=_BLUE, s=18, alpha=0.8)
    ax.axhline(0, color=_GREY, lw=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def category_dependence(
    categories: Sequence[str] | np.ndarray,
    effects: Sequence[float] | np.ndarray,
    *,
    xlabel: str,
    ylabel: str,
    ax: Axes | None = None,
) -> Axes:
    """Contribution per category (e.g. binding type) as jittered dots over box plots.

    Parameters
    ----------
    categories
        Category per row.
    effects
        Contribution per row.
    xlabel, ylabel
        Axis labels.
    ax
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    frame = pd.DataFrame({"c": pd.Series(categories).astype(str), "e": np.asarray(effects)})
    frame = frame.dropna()
    labels = sorted(frame["c"].unique())
    data = [frame.loc[frame["c"] == c, "e"].to_numpy() for c in labels]
    if data:
        ax.boxplot(data, showfliers=False)
    for i, values in enumerate(data, start=1):
        jitter = np.random.default_rng(i).uniform(-0.15, 0.15, len(values))
        ax.scatter(i + jitter, values, s=12, color=_BLUE, alpha=0.7, zorder=3)
    ax.set_xticks(range(1, len(labels) + 1))
    ax.set_xticklabels([f"{c}\n(n={len(d)})" for c, d in zip(labels, data, strict=True)])
    ax.axhline(0, color=_GREY, lw=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def ad_map(
    train: np.ndarray,
    candidates: np.ndarray | None = None,
    *,
    in_domain: Sequence[bool] | np.ndarray | None = None,
    space: str = "ligand descriptors",
    ax: Axes | None = None,
) -> Axes:
    """2-D PCA map of ligand descriptor space: training ligands vs screened candidates.

    The PCA is fitted on the standardized training descriptors only (NaN columns are
    imputed with the training median), then candidates are projected into it.

    Parameters
    ----------
    train
        ``(n_train, n_descriptors)`` descriptors of the training ligands.
    candidates
        ``(n_candidates, n_descriptors)`` descriptors of screened candidates (optional).
    in_domain
        Applicability-domain verdict per candidate (colours in/out).
    space
        Words for the descriptor space, for the axis label.
    ax
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (6.0, 5.0))
    train = np.asarray(train, dtype=float)
    empty = ~np.isfinite(train).any(axis=0)  # descriptor never known in training: impute 0
    median = np.zeros(train.shape[1])
    if (~empty).any():
        median[~empty] = np.nanmedian(train[:, ~empty], axis=0)
    mean = np.nanmean(np.where(np.isfinite(train), train, median), axis=0)
    scale = np.nanstd(np.where(np.isfinite(train), train, median), axis=0)
    scale = np.where(scale > 0, scale, 1.0)

    def standardize(a: np.ndarray) -> np.ndarray:
        a = np.where(np.isfinite(a), a, median)
        return (a - mean) / scale

    pca = PCA(n_components=2, random_state=0).fit(standardize(train))
    t = pca.transform(standardize(train))
    ax.scatter(t[:, 0], t[:, 1], s=22, color=_GREY, alpha=0.7, label="training data")
    if candidates is not None and len(candidates):
        c = pca.transform(standardize(np.asarray(candidates, dtype=float)))
        inside = (
            np.ones(len(c), dtype=bool) if in_domain is None else np.asarray(in_domain, dtype=bool)
        )
        ax.scatter(
            c[inside, 0], c[inside, 1], s=30, marker="^", color=_BLUE, label="candidates, in domain"
        )
        ax.scatter(
            c[~inside, 0], c[~inside, 1], s=30, marker="x", color=_ORANGE,
            label="candidates, out of domain",
        )  # fmt: skip
    var = pca.explained_variance_ratio_
    ax.set_xlabel(f"PC1 of {space} ({var[0]:.0%} of variance)")
    ax.set_ylabel(f"PC2 ({var[1]:.0%} of variance)")
    ax.legend(frameon=False, fontsize=8)
    return ax


def waterfall(
    contributions: pd.Series,
    *,
    base_value: float,
    to_target: Any = None,
    unit: str = "",
    max_display: int = 8,
    ax: Axes | None = None,
) -> Axes:
    """Waterfall of one prediction: from the model's expected output, concept by concept.

    Without ``to_target`` the bars are SHAP contributions in the model's own scale and add
    up exactly (base value + bars = model output). With ``to_target`` (the back-transform
    of a bounded target) every bar is drawn **in target units** along the path
    ``to_target(base + c₁ + … + c_k)``: bar *k* spans from the back-transform of the running
    sum before it to the one after it, so the bars add up exactly to the prediction minus
    the start, in target units. The start is the model's expected output back-transformed
    (the back-transformed mean of the model's scale, which is not the training mean of the
    target when the link is not linear); the order is the one shown (largest first, from
    the top), and on a curved link the size of a bar depends on it — the x label says so.
    The axis limits cover every bar end, so no bar leaves the plot.

    Parameters
    ----------
    contributions
        Signed contributions indexed by name (e.g. a row of
        :func:`pqdml.explain.concept_values`), in the model's scale.
    base_value
        Expected model output (SHAP base value), in the model's scale.
    to_target
        Callable mapping the model's scale to target units (optional).
    unit
        Target unit words for the labels.
    max_display
        Largest contributions shown; the rest are pooled.
    ax
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.waterfall_values`` holds the drawn ``start``, ``bars`` (Series, top to bottom)
        and ``end``, in the units of the x axis.
    """
    ax = _axes(ax, (7.0, 0.45 * (max_display + 1) + 1.2))
    s = contributions.dropna()
    order = s.abs().sort_values(ascending=False).index
    shown = s[order[:max_display]]
    rest = s[order[max_display:]].sum()
    if len(order) > max_display:
        shown = pd.concat([shown, pd.Series({f"{len(order) - max_display} others": rest})])
    path = base_value + np.concatenate([[0.0], np.cumsum(shown.to_numpy())])
    if to_target is not None:
        path = np.ravel(to_target(np.asarray(path, dtype=float))).astype(float)
    bars = pd.Series(np.diff(path), index=shown.index)
    start, end = float(path[0]), float(path[-1])
    # drawn bottom-up: the first (largest) contribution at the top
    y = np.arange(len(bars))[::-1]
    colours = [_ORANGE if v < 0 else _BLUE for v in bars]
    ax.barh(y, bars.to_numpy(), left=path[:-1], color=colours)
    ax.set_yticks(y)
    ax.set_yticklabels([_short(str(i), 40) for i in bars.index])
    ax.axvline(start, color=_GREY, lw=1, ls="--")
    ax.axvline(end, color="black", lw=1)
    lo, hi = float(np.min(path)), float(np.max(path))
    pad = 0.06 * (hi - lo) if hi > lo else 1.0
    ax.set_xlim(lo - pad, hi + pad)
    if to_target is not None:
        ax.set_title(
            f"expected value {start:.1f} → this prediction {end:.1f} {unit}".rstrip(), fontsize=9
        )
        ax.set_xlabel(
            f"{unit or 'target units'}: bars add up to the prediction, taken in the order shown "
            "(top first) along the back-transform; blue raises, orange lowers"
        )
    else:
        ax.set_title(f"expected value {start:.3g} → this output {end:.3g}", fontsize=9)
        ax.set_xlabel("model output (its own scale); blue raises, orange lowers")
    ax.waterfall_values = {"start": start, "bars": bars, "end": end}  # type: ignore[attr-defined]
    return ax
