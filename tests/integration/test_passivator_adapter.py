"""The passivator-screening adapter: one control and one treated record per source row."""

from __future__ import annotations

import warnings

from pqdml.data.datasets import DATASETS, load
from pqdml.data.formats import read_records
from pqdml.io import sha256_file


def test_each_row_becomes_a_control_and_a_treated_record(shared_datasets) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the registered sha256 matches the shared copy
        df = load("passivator-screening")
    report = df.attrs["adapter_report"]
    treated = df[df["is_control"] == 0]
    assert len(treated) == report.rows_read == 154
    controls = df[df["is_control"] == 1]
    assert set(treated["group_id"]) == set(controls["group_id"])
    assert controls["group_id"].is_unique
    assert (
        treated["doi"].str.startswith("10.").mean() > 0.99
    )  # 'DOI: ', 'https://doi.org/' stripped
    assert not treated["doi"].str.contains("doi", case=False).any()
    assert "repeats line" in " ".join(report.counts())  # the duplicated rows are reported
    assert df["pce_percent"].between(0, 35).all()


def test_original_file_is_recognised(shared_datasets) -> None:
    path = shared_datasets / "passivator_screening" / DATASETS["passivator-screening"].main_file
    assert sha256_file(path) == DATASETS["passivator-screening"].files[0].sha256
    df, fmt = read_records(path)
    assert fmt == "passivator-screening" and len(df) > 154
