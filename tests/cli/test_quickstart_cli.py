"""The README's main job: ``pqdml quickstart`` trains, screens and reports on bundled data."""

import pandas as pd
from click.testing import CliRunner

from pqdml.cli import main
from pqdml.config import bundled_data_dir


def test_quickstart_writes_model_ranked_candidates_and_report(tmp_path):
    out = tmp_path / "qs"
    result = CliRunner().invoke(main, ["quickstart", "-o", str(out), "--n-trials", "0"])
    assert result.exit_code == 0, result.output
    for name in ("xgb_shallow", "ridge", "random_forest", "mean", "nested_selection"):
        assert f"\n{name} " in result.output, name
    assert "model used for predictions:" in result.output
    assert (out / "model" / "model.json").is_file()
    assert (out / "model" / "metadata.json").is_file()
    report = out / "report.html"
    assert report.is_file() and "<img" in report.read_text()

    ranked = pd.read_csv(out / "ranked.csv")
    candidates = pd.read_csv(bundled_data_dir() / "example_candidates.csv")
    assert len(ranked) == len(candidates)  # every candidate once, broken ones included
    broken = ranked[ranked["ligand_smiles"] == "C(C"]
    assert broken["status"].tolist() == ["invalid_smiles"]
    assert broken["prediction"].isna().all()
    ok = ranked[ranked["status"] == "ok"]
    assert ok["prediction"].between(0, 100).all()
    assert sorted(ok["rank"].astype(int)) == list(range(1, len(ok) + 1))
