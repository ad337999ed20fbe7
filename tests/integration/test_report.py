"""write_report end to end on the bundled curated data with a real trained model."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pqdml import explain
from pqdml.io import read_table
from pqdml.report import write_report

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def curated(repo_root: Path) -> pd.DataFrame:
    from pqdml.data import read_records

    frame, _ = read_records(repo_root / "data" / "pqd_literature.csv")
    return frame


@pytest.fixture(scope="module")
def model(tiny_model):
    return tiny_model


@pytest.fixture(scope="module")
def ranked(tmp_path_factory: pytest.TempPathFactory, repo_root: Path, model) -> Path:
    from pqdml.screen import screen

    out = tmp_path_factory.mktemp("screen") / "ranked.csv"
    screen(repo_root / "data" / "example_candidates.csv", out, model=model)
    return out


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, model, curated, ranked) -> Path:
    from pqdml.report import write_report

    out = tmp_path_factory.mktemp("report") / "plqy.html"
    path = write_report(model, data=curated, screen=ranked, out=out)
    assert path == out
    return path


def test_shap_additivity_on_trained_model(model, curated: pd.DataFrame) -> None:
    result = explain.shap_values(model, curated)
    ok = result.ok
    assert ok.sum() > 50
    margin = model.predict_margin(result.X[ok])
    np.testing.assert_allclose(result.values[ok].sum(axis=1) + result.base_value, margin, atol=1e-4)
    # the same records predicted by the model: SHAP explains exactly its output
    pred = model.predict(curated)["prediction"].to_numpy()[ok]
    np.testing.assert_allclose(model.target_transform.inverse(margin), pred, atol=1e-6)


def test_explain_predictions_on_trained_model(model) -> None:
    records = pd.DataFrame(
        {
            "record_id": ["a", "b", "c"],
            "ligand_smiles": ["CCCCCCCCN", "C(C", "CCCCCCCCCCCCCCCCCC(=O)O"],
            "composition": ["CsPbBr3", "CsPbBr3", "CsPbI3"],
            "stage": ["post-synthesis"] * 3,
            "is_control": [0, 0, 0],
        }
    )
    sentences = explain.explain_predictions(model, records, top=20)
    assert len(sentences) == 3
    assert sentences[1][0].startswith("not explained (invalid_smiles): unparseable SMILES 'C(C'")
    assert any(s.startswith("chain length 8 (") for s in sentences[0])
    assert all(re.search(r"\([+−]\d+\.\d PLQY points vs average\)$", s) for s in sentences[2])


def test_report_is_self_contained(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    # no resource is fetched from anywhere: every src/href is a data: URI or an anchor
    for attr in re.findall(r'(?:src|href)="([^"]*)"', text):
        assert attr.startswith(("data:", "#")), attr
    assert '<link rel="stylesheet"' not in text and "<script" not in text
    images = re.findall(r'<img [^>]*src="data:image/png;base64,([^"]+)"', text)
    assert len(images) >= 10
    for data in images:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    for section in ("Summary", "Cross-validated performance", "SHAP", "Applicability domain"):
        assert section in text
    # the ranked file came from this very model: no mismatch warning
    assert "produced by another model" not in text


def test_report_folder_has_every_figure_and_table(report: Path) -> None:
    folder = report.parent / "plqy_files"
    text = report.read_text(encoding="utf-8")
    figures = re.findall(r'<figure id="fig-([^"]+)"', text)
    expected = {
        "parity",
        "residuals_by_group",
        "learning_curve",
        "concept_importance",
        "beeswarm",
        "dependence_chain_length",
        "dependence_binding_type",
        "applicability_domain",
        "waterfall_1",
    }
    assert expected <= set(figures)
    for name in figures:
        assert (folder / f"{name}.png").stat().st_size > 1000
        assert (folder / f"{name}.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    for table in (
        "metrics",
        "oof_predictions",
        "learning_curve",
        "concept_importance",
        "top_candidates",
    ):
        assert not read_table(folder / f"{table}.csv").empty
    assert not list(folder.glob("*.part")) and not list(report.parent.glob(".*.part"))
    top = read_table(folder / "top_candidates.csv")
    assert top["explanation"].str.contains("PLQY points vs average").all()
    assert list(top["rank"]) == sorted(top["rank"])


def test_summary_counts_match_the_data(report: Path, curated: pd.DataFrame) -> None:
    text = report.read_text(encoding="utf-8")
    papers = curated["doi"].dropna().astype(str).str.strip()
    n_papers = papers[papers != ""].nunique()
    assert f"{len(curated)} rows" in text
    assert f"{n_papers} papers (distinct DOI)" in text
    assert "group:doi" in text
    assert "XGBoost (this model)" in text and "mean of training targets" in text


def test_oof_predictions_are_out_of_fold(report: Path, model, curated: pd.DataFrame) -> None:
    oof = read_table(report.parent / "plqy_files" / "oof_predictions.csv")
    assert {"record_id", "group", "fold", "y_true", "y_pred", "pi_low", "pi_high"} <= set(oof)
    # each group is held out in exactly one fold
    assert (oof.groupby("group")["fold"].nunique() == 1).all()
    in_sample = model.predict(curated.set_index("record_id").loc[oof["record_id"]].reset_index())
    err_oof = np.abs(oof["y_true"].to_numpy() - oof["y_pred"].to_numpy())
    err_in = np.abs(oof["y_true"].to_numpy() - in_sample["prediction"].to_numpy())
    both = np.isfinite(err_oof) & np.isfinite(err_in)
    assert both.sum() > 40
    assert err_oof[both].mean() > err_in[both].mean()
    assert ((oof["pi_low"] <= oof["y_pred"]) & (oof["y_pred"] <= oof["pi_high"])).all()
    assert oof["pi_low"].min() >= 0 and oof["pi_high"].max() <= 100


def test_concept_table_matches_explain(report: Path, model, curated: pd.DataFrame) -> None:
    table = read_table(report.parent / "plqy_files" / "concept_importance.csv")
    result = explain.shap_values(model, curated)
    direct = explain.concept_importance(explain.subset(result, result.ok))
    merged = table.merge(direct, on="concept", suffixes=("", "_direct"))
    assert len(merged) == len(direct)
    np.testing.assert_allclose(merged["mean_abs_shap"], merged["mean_abs_shap_direct"], rtol=1e-6)


def test_captions_are_computed_from_the_data(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    caption = re.search(
        r'id="fig-dependence_chain_length".*?<figcaption>(.*?)</figcaption>', text, re.S
    )
    assert caption is not None
    assert re.search(r"ranges from [+-]\d+\.\d to [+-]\d+\.\d PLQY points", caption.group(1))
    assert "Spearman" in caption.group(1)


def test_recomputed_oof_uses_the_models_folds(model, curated: pd.DataFrame) -> None:
    import copy

    from pqdml.model.oof import oof_predictions

    stored, how = oof_predictions(model, curated)
    assert how.startswith("out-of-fold predictions stored")
    bare = copy.copy(model)
    bare.metrics = {k: v for k, v in model.metrics.items() if k != "oof"}
    with pytest.raises(ValueError, match="pass the training data"):
        oof_predictions(bare, None)
    again, how = oof_predictions(bare, curated)
    assert how.startswith("recomputed")
    merged = stored.merge(again, on="record_id", suffixes=("", "_re"))
    assert len(merged) == len(stored)
    assert (merged["fold"] == merged["fold_re"]).all()
    assert (merged["group"] == merged["group_re"]).all()
    np.testing.assert_allclose(merged["y_true"], merged["y_true_re"])
    assert (again.groupby("group")["fold"].nunique() == 1).all()


def test_report_without_data_still_writes(tmp_path: Path, model) -> None:
    from pqdml.report import write_report

    path = write_report(model, out=tmp_path / "bare.html")
    text = path.read_text(encoding="utf-8")
    assert "stored with the model" in text
    assert 'id="fig-parity"' in text and 'id="fig-learning_curve"' not in text
    assert "No data given" in text
    assert 'id="fig-applicability_domain"' in text


def test_failure_leaves_no_report(tmp_path: Path, model, curated, monkeypatch) -> None:
    from pqdml.explain import plots
    from pqdml.report import write_report

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(plots, "beeswarm", broken)
    with pytest.raises(RuntimeError, match="boom"):
        write_report(model, data=curated, out=tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()


def test_other_level_recalibrates_stored_intervals(model) -> None:
    from pqdml.model.oof import oof_predictions

    at_model, _ = oof_predictions(model, None)
    at_half, how = oof_predictions(model, None, level=0.5)
    assert "re-calibrated at 50%" in how
    np.testing.assert_allclose(at_half["y_pred"], at_model["y_pred"])
    width = lambda f: (f["pi_high"] - f["pi_low"]).to_numpy()  # noqa: E731
    assert np.all(width(at_half) <= width(at_model) + 1e-9)
    assert np.mean(width(at_half)) < np.mean(width(at_model))


def test_top_ranked_reads_big_files_in_chunks(tmp_path: Path) -> None:
    from pqdml.io import write_table
    from pqdml.report.html import _top_ranked

    n = 450_000
    rng = np.random.default_rng(1)
    ranks = rng.permutation(n).astype(float) + 1
    status = np.where(rng.random(n) < 0.1, "invalid_smiles", "ok")
    ranks[status != "ok"] = np.nan
    frame = pd.DataFrame({"canonical_smiles": "C", "status": status, "rank": ranks})
    path = write_table(frame, tmp_path / "ranked.csv")
    top = _top_ranked(path, n=50)
    expected = frame[frame["status"] == "ok"].nsmallest(50, "rank")["rank"].to_numpy()
    np.testing.assert_array_equal(top["rank"].to_numpy(), expected)


def test_trend_caption_says_when_the_model_ignores_a_feature():
    import numpy as np

    from pqdml.report.sections import trend_caption

    text = trend_caption(np.array([1.0, 2, 3, 4]), np.zeros(4), "chain length", "PLQY points")
    assert (
        text
        == "The model does not use chain length: its contribution is the same (+0.0 PLQY points) for every record."
    )


def test_suggestions_add_a_next_experiments_section(tmp_path: Path, model) -> None:
    suggestions = pd.DataFrame(
        {
            "rank": [2, 1],
            "ligand_name": ["<script>alert(1)</script>", "octylamine"],
            "prediction": [70.0, 81.5],
            "pi_low": [50.0, 60.0],
            "pi_high": [90.0, 99.0],
            "why": ["exploit", "explore (upside)"],
        }
    )
    path = tmp_path / "suggestions.csv"
    suggestions.to_csv(path, index=False)
    page = write_report(model, out=tmp_path / "r.html", suggestions=path).read_text()
    section = page[page.index('<section id="next-experiments">') :]
    assert 'href="#next-experiments"' in page
    # ranked order, and user text escaped
    assert section.index("octylamine") < section.index("&lt;script&gt;")
    assert "<script>alert" not in page
