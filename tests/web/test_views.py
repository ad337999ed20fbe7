"""pqdml.web.views: what the pages show, straight from the model's stored metrics."""

from __future__ import annotations

import copy

from fastapi.testclient import TestClient

from pqdml.exceptions import InvalidInputError, StoichiometryError, UnknownLigandError
from pqdml.web import create_app, views


def test_metrics_rows_are_the_stored_fold_summaries(model) -> None:
    rows = {r["key"]: r for r in views.metrics_rows(model)}
    mine = model.metrics["selection"]["predictor"]
    s = model.metrics["models"][mine]["summary"]
    assert rows[mine]["mae"] == f"{s['mae']['mean']:.3g} ± {s['mae']['sd']:.2g}"
    assert rows[mine]["pooled_mae"] == f"{model.metrics['models'][mine]['pooled']['mae']:.3g}"
    assert rows["mean"]["spearman"] == "n/a"  # a constant predictor has no ranking
    assert rows[mine]["mine"] and rows[mine]["model"].endswith("— this model")
    assert [k for k, r in rows.items() if r["mine"]] == [mine]


def test_the_headline_is_pooled_and_falls_back_to_the_fold_mean(model) -> None:
    mine = model.metrics["selection"]["predictor"]
    assert views.model_summary(model)["mae"] == (
        f"{model.metrics['models'][mine]['pooled']['mae']:.3g}"
    )
    old = copy.copy(model)
    old.metrics = copy.deepcopy(model.metrics)
    for entry in old.metrics["models"].values():
        entry.pop("pooled")
    summary = views.model_summary(old)
    assert not summary["has_pooled"]
    assert summary["mae"] == f"{model.metrics['models'][mine]['summary']['mae']['mean']:.3g}"
    assert "pooled MAE" not in TestClient(create_app(old)).get("/model").text


def test_errors_go_to_their_field() -> None:
    assert views.field_of(UnknownLigandError("x")) == "ligand"
    assert views.field_of(StoichiometryError("x")) == "composition"
    assert views.field_of(InvalidInputError("x", code="invalid_process")) == "process"
    form = views.PredictForm("OAm", "CsPbBr3", "boiling", "")
    assert views.predict_page(None, form)["errors"] == {
        "stage": "stage 'boiling' is not one of synthesis, post-synthesis, purification, "
        "film-treatment, control"
    }


def test_interval_bar_uses_the_physical_range(model) -> None:
    assert views.target_range(model, 20.0, 90.0) == (0.0, 100.0)
    gain = copy.copy(model)
    gain.metadata = {**model.metadata, "prediction_kind": "gain_over_control"}
    lo, hi = views.target_range(gain, -5.0, 15.0)
    assert lo < -5.0 and hi > 15.0  # no physical bounds for a gain: the interval, padded


def test_the_predict_page_names_the_best_baseline_too(model, client) -> None:
    summary = views.model_summary(model)
    maes = {
        name: model.metrics["models"][name]["pooled"]["mae"] for name in ("ridge", "random_forest")
    }
    best = min(maes, key=maes.__getitem__)
    assert summary["best_baseline"] == views.MODEL_NAMES[best].removesuffix(" (baseline)")
    html = client.get("/", params={"ligand": "OAm", "composition": "CsPbBr3"}).text
    assert f"for the best other baseline ({summary['best_baseline']})" in html
