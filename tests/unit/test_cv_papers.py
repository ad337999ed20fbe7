"""Grouping by paper keeps every paper in one fold, whatever identifier its rows carry."""

import pandas as pd

from pqdml.model.cv import group_labels, make_splits


def test_rows_of_one_paper_share_a_label_via_doi_citation_or_url():
    recs = pd.DataFrame(
        {
            "record_id": list("abcdef"),
            "doi": ["10.1/x", "", "", "10.2/y", "", ""],
            "citation": ["P1", "P1", "P2", "", "", ""],
            "source_url": ["", "", "", "", "https://u/1", "https://u/1"],
            "source": ["", "", "r3", "", "s5", "s6"],
        }
    )
    labels = group_labels(recs, "doi").tolist()
    assert labels[0] == labels[1] == "doi:10.1/x"  # citation joins the DOI's group
    assert labels[2] == "citation:P2"
    assert labels[3] == "doi:10.2/y"
    assert labels[4] == labels[5] == "source_url:https://u/1"


def test_curated_comparisons_never_straddle_folds(repo_root):
    data = pd.read_csv(repo_root / "data" / "pqd_literature.csv")
    labels = group_labels(data, "doi")
    assert data.assign(paper=labels).groupby("group_id")["paper"].nunique().max() == 1
    splits, _ = make_splits(data, "group:doi")
    for train_idx, test_idx in splits:
        assert not set(labels.iloc[train_idx]) & set(labels.iloc[test_idx])


def test_public_adapters_group_rows_without_doi_by_paper(shared_datasets):
    from pqdml.data.datasets import load

    synth = load("synthesizer", path=shared_datasets / "synthesizer")
    assert group_labels(synth, "doi").nunique() == 1  # one paper
    pdp = load("perovskite-database", path=shared_datasets / "perovskite_database")
    labels = group_labels(pdp, "doi")
    no_doi = pdp["doi"].isna()
    assert no_doi.any()
    # papers without a DOI: far fewer groups than rows (rows of one paper share a citation)
    assert labels[no_doi].nunique() < no_doi.sum() / 2


def test_a_shared_source_url_does_not_merge_cited_papers():
    """Review rows share the review's URL but cite different papers: they stay apart."""
    recs = pd.DataFrame(
        {
            "record_id": ["r1", "r2", "r3"],
            "doi": ["", "", ""],
            "citation": ["Paper A", "Paper B", ""],
            "source_url": ["https://review", "https://review", "https://review"],
        }
    )
    labels = group_labels(recs, "doi").tolist()
    assert labels == ["citation:Paper A", "citation:Paper B", "source_url:https://review"]
