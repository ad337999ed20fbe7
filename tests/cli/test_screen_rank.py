"""`pqdml screen --rank-by/--reference` and the ranking-skill verdict of screen and predict."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pqdml.cli import main
from pqdml.exceptions import InvalidInputError
from pqdml.model import load_model
from pqdml.model.ranking import ranking_caveat
from pqdml.screen import ScreenSummary, screen
from pqdml.screen import parts as sio

#: Candidates over two compositions (so p_better differs from the prediction order), one
#: duplicate (octylamine on CsPbI3) and one row that cannot be predicted.
CANDIDATES = [
    ("CCCCCCCCN", "CsPbI3"),
    ("CCCCCCCCCCCCCCCCCC(=O)O", "CsPbI3"),
    ("CCCCCCCCCCCCS", "CsPbI3"),
    ("NCCS", "CsPbBr3"),
    ("c1ccncc1S", "CsPbBr3"),
    ("C(C", "CsPbBr3"),
    ("CCCCCCCCCCCCCCCCCCN", "CsPbBr3"),
    ("CCCCCCCCN", "CsPbI3"),
    ("CCCCCCCCCCCCCCCCCCN", "CsPbI3"),
]


@pytest.fixture(scope="module")
def model(tiny_model_dir):
    return load_model(tiny_model_dir)


@pytest.fixture(scope="module")
def calibrated(tiny_model_dir):
    """The tiny model with a p_better slope: its own (from one pair of treatments) is 0,
    which makes every p_better 0.5 and the p-better order a tie broken by prediction."""
    m = load_model(tiny_model_dir)
    m.metadata["p_better"] = {"slope": 0.2, "n_pairs": 100}
    return m


@pytest.fixture
def candidates(tmp_path):
    path = tmp_path / "cands.csv"
    pd.DataFrame(CANDIDATES, columns=["ligand_smiles", "composition"]).assign(
        stage="post-synthesis"
    ).to_csv(path, index=False)
    return path


def _ranked(out) -> pd.DataFrame:
    frame = pd.read_csv(out)
    first = frame[frame["rank"].notna() & frame["duplicate_of"].isna()]
    return first.sort_values("rank")


def _run(args):
    return CliRunner().invoke(main, ["screen", *map(str, args)])


def test_rank_by_lower_orders_by_interval_lower_bound(tmp_path, candidates, tiny_model_dir):
    out = tmp_path / "lower.csv"
    res = _run([candidates, "-o", out, "--model", tiny_model_dir, "--rank-by", "lower", "-j", 1])
    assert res.exit_code == 0, res.output
    ranked = _ranked(out)
    assert len(ranked) == 7  # 9 rows: one broken, one duplicate
    expected = ranked.sort_values(["pi_low", "prediction"], ascending=False, kind="stable")
    assert ranked["row_id"].tolist() == expected["row_id"].tolist()
    assert "p_better" not in pd.read_csv(out).columns
    # the tiny model's intervals are per-candidate: the order is not the prediction's
    assert ranked["row_id"].tolist() != ranked.sort_values("prediction")["row_id"].tolist()[::-1]
    assert "ranked by lower interval bound" in res.output


def test_rank_by_p_better_against_a_reference(tmp_path, candidates, calibrated):
    out = tmp_path / "pb.csv"
    summary = screen(
        candidates,
        out,
        model=calibrated,
        rank_by="p-better",
        reference="oleylamine",
        n_jobs=1,
        chunk_size=4,
        top=3,
    )
    frame = pd.read_csv(out)
    ok = frame["status"].eq("ok")
    assert (~ok).sum() == 1
    assert frame.loc[~ok, "p_better"].isna().all()
    assert frame.loc[ok, "p_better"].between(0, 1).all()
    ranked = _ranked(out)
    expected = ranked.sort_values(["p_better", "prediction"], ascending=False, kind="stable")
    assert ranked["row_id"].tolist() == expected["row_id"].tolist()
    assert ranked["p_better"].nunique() == len(ranked)  # no ties: the key decides
    # the reference differs between the two systems, so the order is not the prediction's
    assert ranked["row_id"].tolist() != ranked.sort_values("prediction")["row_id"].tolist()[::-1]
    # p_better is computed against the reference in each row's own system
    for comp in ("CsPbI3", "CsPbBr3"):
        ref = pd.DataFrame(
            [
                {
                    "ligand_smiles": "CCCCCCCC/C=C\\CCCCCCCCN",
                    "composition": comp,
                    "stage": "post-synthesis",
                    "is_control": 0,
                }
            ]
        )
        ref_pred = float(calibrated.predict(ref)["prediction"].iloc[0])
        rows = frame[ok & frame["composition"].eq(comp)]
        expected_p = calibrated.p_better(rows["prediction"].to_numpy(), ref_pred)
        np.testing.assert_allclose(rows["p_better"].to_numpy(), expected_p, rtol=1e-6)
    # the --top file follows the same ranking
    top = pd.read_csv(summary.top_path)
    assert top["row_id"].tolist() == ranked["row_id"].tolist()[:3]
    assert summary.rank_by == "p-better" and "against oleylamine" in str(summary)


def test_reference_without_p_better_adds_the_column(tmp_path, candidates, tiny_model_dir):
    out = tmp_path / "ref.csv"
    res = _run(
        [candidates, "-o", out, "--model", tiny_model_dir, "--reference", "CCCCCCCCN", "-j", 1]
    )
    assert res.exit_code == 0, res.output
    ranked = _ranked(out)
    assert ranked["p_better"].notna().all()
    assert ranked["prediction"].is_monotonic_decreasing  # still ranked by prediction
    # octylamine against itself in the same system: exactly one half
    same = pd.read_csv(out).query("ligand_smiles == 'CCCCCCCCN'")["p_better"]
    np.testing.assert_allclose(same, 0.5)


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--reference", "C(C"], "C(C"),
        (["--reference", "notaligandname"], "notaligandname"),
        (["--rank-by", "p-better"], "needs a reference"),
    ],
)
def test_bad_reference_is_a_clean_error_before_any_work(
    tmp_path, candidates, tiny_model_dir, extra, needle
):
    out = tmp_path / "bad.csv"
    res = _run([candidates, "-o", out, "--model", tiny_model_dir, *extra])
    assert res.exit_code == 1
    assert needle in res.output and "Traceback" not in res.output
    assert not out.exists()
    assert not out.with_name(out.name + ".parts").exists()


def test_verdict_printed_by_screen_and_predict(tmp_path, candidates, tiny_model_dir, model):
    verdict = model.metrics["ranking_verdict"]
    res = _run([candidates, "-o", tmp_path / "v.csv", "--model", tiny_model_dir, "-j", 1])
    assert res.exit_code == 0, res.output
    assert f"ranking skill on held-out papers: {verdict}" in res.output
    pred = CliRunner().invoke(
        main,
        [
            "predict",
            "--ligand",
            "octylamine",
            "--composition",
            "CsPbI3",
            "--model",
            str(tiny_model_dir),
            "--top",
            "0",
        ],
    )
    assert pred.exit_code == 0, pred.output
    assert verdict in pred.output
    caveat = ranking_caveat(verdict)
    if caveat is not None:
        assert caveat in res.output and caveat in pred.output


def test_no_skill_summary_says_chance_in_plain_words(tmp_path):
    summary = ScreenSummary(
        out=tmp_path / "x.csv",
        n_rows=1,
        n_ok=1,
        n_duplicates=0,
        status_counts={"ok": 1},
        n_chunks=1,
        n_chunks_resumed=0,
        seconds=1.0,
        ranking_skill="no demonstrated ranking skill: concordance 0.51 (95% CI 0.44–0.58, "
        "120 pairs) includes chance (0.5)",
    )
    text = str(summary)
    assert "not better than chance on held-out papers" in text
    skilled = ScreenSummary(
        **{
            **summary.__dict__,
            "ranking_skill": "ranks better than chance "
            "within a system: concordance 0.70 (95% CI 0.62–0.77, 90 pairs)",
        }
    )
    assert "not better than chance" not in str(skilled)


def test_resume_with_changed_ranking_is_refused(
    tmp_path, candidates, model, tiny_model_dir, monkeypatch
):
    out = tmp_path / "resume.csv"

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("killed before the merge")

    with monkeypatch.context() as m:
        m.setattr(sio, "merge_parts", killed)
        with pytest.raises(KeyboardInterrupt):
            screen(candidates, out, model=model, n_jobs=1, chunk_size=4)
    assert out.with_name(out.name + ".parts").is_dir()
    for kwargs in ({"rank_by": "lower"}, {"reference": "oleylamine"}):
        with pytest.raises(InvalidInputError, match="different arguments") as err:
            screen(candidates, out, model=model, n_jobs=1, chunk_size=4, **kwargs)
        assert err.value.code == "resume_mismatch"
    summary = screen(candidates, out, model=model, n_jobs=1, chunk_size=4)
    assert summary.n_chunks_resumed == 3
    # and the other way round: parts ranked by p-better are not resumed by a default run
    with monkeypatch.context() as m:
        m.setattr(sio, "merge_parts", killed)
        with pytest.raises(KeyboardInterrupt):
            screen(
                candidates,
                out,
                model=model,
                n_jobs=1,
                chunk_size=4,
                rank_by="p-better",
                reference="oleylamine",
            )
    with pytest.raises(InvalidInputError, match="different arguments"):
        screen(candidates, out, model=model, n_jobs=1, chunk_size=4)
    res = _run([candidates, "-o", out, "--model", tiny_model_dir, "--rank-by", "lower"])
    assert res.exit_code == 1 and "--restart" in res.output
