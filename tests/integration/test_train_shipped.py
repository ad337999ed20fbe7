"""The shipped default models load, verify and predict bounded values with intervals and AD."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pqdml.exceptions import ModelArtifactError
from pqdml.model import PREDICTION_COLUMNS, default_model


@pytest.mark.parametrize(("target", "high"), [("plqy", 100.0), ("pce", 35.0)])
def test_shipped_model_predicts_in_range(target: str, high: float, repo_root: Path) -> None:
    model = default_model(target)
    assert model.target == target
    candidates = pd.read_csv(repo_root / "data" / "example_candidates.csv")
    out = model.predict(candidates)
    assert list(out.columns) == PREDICTION_COLUMNS
    assert list(out.index) == list(candidates.index)
    ok = out["status"] == "ok"
    assert ok.sum() >= len(candidates) - 1  # the bundled list has one deliberately invalid ligand
    assert out.loc[~ok, "prediction"].isna().all()
    for col in ("prediction", "pi_low", "pi_high"):
        assert out.loc[ok, col].between(0.0, high).all()
    assert out.loc[ok, "in_domain"].isin([True, False]).all()


@pytest.mark.parametrize("target", ["plqy", "pce"])
def test_shipped_metrics_report_baselines_and_coverage(target: str, repo_root: Path) -> None:
    metrics = json.loads((repo_root / "models" / target / "metrics.json").read_text())
    presets = {"xgb_shallow", "xgb_huber", "xgb_stumps", "xgb_deep"}
    baselines = {"mean", "ridge", "random_forest"}
    assert set(metrics["models"]) == presets | baselines | {"nested_selection"}
    # built with --select: the predictor is the pickle-free candidate with the lowest pooled MAE
    pooled = {k: v["pooled"]["mae"] for k, v in metrics["models"].items()}
    chosen = metrics["selection"]["predictor"]
    assert pooled[chosen] == min(pooled[k] for k in presets | {"mean", "ridge"})
    assert pooled[chosen] < pooled["mean"]
    assert metrics["ranking_verdict"]
    assert 0.8 <= metrics["coverage"]["pooled"] <= 1.0
    assert len(metrics["oof"]["y_true"]) == metrics["n_rows"]


def test_unknown_default_model_target() -> None:
    with pytest.raises(ModelArtifactError, match="no shipped model for target 'voc'"):
        default_model("voc")
