"""Plot functions (ax=None → new Axes, else draw on the given one) and computed captions."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

from pqdml.explain import plots
from pqdml.report.sections import trend_caption

RNG = np.random.default_rng(0)


def test_parity_marks_interval_misses() -> None:
    y = np.array([10.0, 50.0, 90.0, 40.0])
    ax = plots.parity(y, y + 1, pi_low=y - 5, pi_high=[15, 55, 95, 30], label="PLQY (%)")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "covered (75%)" in labels
    assert ax.get_xlabel() == "measured PLQY (%)"
    plt.close(ax.figure)


def test_functions_draw_on_the_given_axes() -> None:
    fig, axes = plt.subplots(2, 3)
    flat = axes.ravel()
    assert (
        plots.residuals_by_group(RNG.normal(size=20), ["a"] * 10 + ["b"] * 10, ax=flat[0])
        is flat[0]
    )
    sizes = np.array([10, 20, 30])
    assert (
        plots.learning_curve(sizes, RNG.random((3, 4)), baseline_mae=RNG.random((3, 4)), ax=flat[1])
        is flat[1]
    )
    table = pd.DataFrame(
        {"concept": ["chain length", "halide / lattice"], "mean_abs_shap": [0.3, 0.1]}
    )
    assert plots.concept_bar(table, ax=flat[2]) is flat[2]
    assert (
        plots.dependence(RNG.random(9), RNG.random(9), xlabel="x", ylabel="y", ax=flat[3])
        is flat[3]
    )
    cats = ["L", "X", "L+X"] * 3
    assert (
        plots.category_dependence(cats, RNG.random(9), xlabel="b", ylabel="y", ax=flat[4])
        is flat[4]
    )
    contributions = pd.Series({"chain length": 0.5, "halide / lattice": -0.2, "process": 0.1})
    ax = plots.waterfall(
        contributions,
        base_value=1.0,
        to_target=lambda z: 100 / (1 + np.exp(-z)),
        unit="PLQY points",
        ax=flat[5],
    )
    assert ax is flat[5]
    assert (
        ax.get_title()
        == f"expected value {100 / (1 + np.exp(-1.0)):.1f} → this prediction {100 / (1 + np.exp(-1.4)):.1f} PLQY points"
    )
    plt.close(fig)


def test_waterfall_bars_add_up_in_target_units_and_stay_inside_the_plot() -> None:
    def to_target(z):
        return 100 / (1 + np.exp(-np.asarray(z, dtype=float)))

    contributions = pd.Series({"halide / lattice": 2.5, "chain length": -0.9, "process": 0.4})
    contributions = pd.concat([contributions, pd.Series({f"x{i}": 0.01 * i for i in range(9)})])
    ax = plots.waterfall(contributions, base_value=1.7, to_target=to_target, unit="PLQY points")
    v = ax.waterfall_values
    assert v["start"] == pytest.approx(to_target(1.7))
    assert v["end"] == pytest.approx(to_target(1.7 + contributions.sum()))
    assert v["start"] + v["bars"].sum() == pytest.approx(v["end"], abs=1e-9)
    lo, hi = ax.get_xlim()
    for patch in ax.patches:
        x0, x1 = sorted((patch.get_x(), patch.get_x() + patch.get_width()))
        assert lo <= x0 and x1 <= hi
    # without a back-transform the bars are the SHAP values themselves
    raw = plots.waterfall(contributions, base_value=1.7)
    assert raw.waterfall_values["bars"].sum() == pytest.approx(contributions.sum())
    plt.close("all")


def test_new_axes_when_none() -> None:
    train = RNG.normal(size=(30, 5))
    train[:, 4] = np.nan  # a descriptor unknown for every training row is imputed, not fatal
    ax = plots.ad_map(train, RNG.normal(size=(6, 5)), in_domain=[True, False] * 3)
    assert isinstance(ax, Axes)
    assert len(ax.collections) == 3
    plt.close(ax.figure)


def test_trend_caption_is_computed() -> None:
    x = np.repeat([2.0, 8.0, 12.0, 18.0], 5)
    effect = np.repeat([-3.0, 0.5, 2.0, 1.0], 5)
    text = trend_caption(x, effect, "chain length", "PLQY points")
    assert "ranges from -3.0 to +2.0 PLQY points" in text
    assert "highest at chain length 12 (+2.0)" in text and "lowest at 2 (-3.0)" in text
    assert "rises with chain length" in text
    flat = trend_caption(np.ones(5), np.zeros(5), "tolerance factor", "PLQY points")
    assert flat.startswith("Too few distinct values")


@pytest.mark.parametrize("rho_sign", [1, -1])
def test_trend_caption_direction(rho_sign: int) -> None:
    x = np.linspace(0.8, 1.0, 40)
    text = trend_caption(x, rho_sign * (x - 0.9) * 50, "tolerance factor", "PLQY points")
    assert ("rises with" if rho_sign > 0 else "falls with") in text
