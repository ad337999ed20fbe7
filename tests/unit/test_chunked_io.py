"""Chunked reading and atomic chunk-by-chunk writing (the I/O behind ``pqdml featurize``)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pqdml.io import read_table, write_table
from pqdml.io.chunks import read_chunks, write_chunks

# Chunks of 2 rows: each column's inferred type changes between chunks.
MIXED = pd.DataFrame(
    {
        "whole": [1, 2, 3, None, 5, 6],  # ints; the missing cell is in the 2nd chunk only
        "flag": [True, False, None, True, False, True],  # booleans with a missing cell
        "late_text": [None, None, None, "a", "b", None],  # text, all missing in chunk 1
        "code": ["1", "2", "3", "x4", "5", "6"],  # numbers in one chunk, text in another
        "x": [0.5, 1.0, 1.5, 2.0, 2.5, 3.0],
        "never": [None] * 6,
    }
)


def _concat(chunks):
    return pd.concat(list(chunks), ignore_index=True)


@pytest.mark.parametrize("name", ["t.csv", "t.tsv", "t.parquet"])
def test_chunks_have_the_types_of_a_whole_read(tmp_path, name):
    path = write_table(MIXED, tmp_path / name)
    whole = read_table(path)
    for size in (1, 2, 4, 100):
        got = _concat(read_chunks(path, size))
        pd.testing.assert_frame_equal(got, whole)


def test_parquet_integers_with_nulls_are_float_in_every_chunk(tmp_path):
    path = tmp_path / "i.parquet"
    table = pa.table({"i": pa.array([1, 2, None, 4], pa.int32()), "b": [True, None, True, False]})
    pq.write_table(table, path)
    chunks = list(read_chunks(path, 2))
    assert [c["i"].dtype for c in chunks] == ["float64", "float64"]
    pd.testing.assert_frame_equal(_concat(chunks), read_table(path))


def test_given_text_columns_stay_text(tmp_path):
    path = write_table(pd.DataFrame({"record_id": ["0012", "13", None, "14"]}), tmp_path / "c.csv")
    got = _concat(read_chunks(path, 1, dtype={"record_id": "str"}))
    assert got["record_id"].tolist()[:2] == ["0012", "13"]
    pd.testing.assert_frame_equal(got, read_table(path, dtype={"record_id": "str"}))


def test_smi_chunks_and_an_empty_table(tmp_path):
    smi = tmp_path / "c.smi"
    smi.write_text("CCCCN butylamine\n# comment\nCCN\nC(C broken one\n")
    pd.testing.assert_frame_equal(_concat(read_chunks(smi, 2)), read_table(smi))
    empty = tmp_path / "e.csv"
    empty.write_text("a,b\n")
    (only,) = read_chunks(empty, 10)
    assert list(only.columns) == ["a", "b"] and len(only) == 0


def _frames():
    for start in range(0, len(MIXED), 2):
        yield MIXED.iloc[start : start + 2]


@pytest.mark.parametrize("name", ["o.csv", "o.tsv", "o.parquet"])
def test_writing_chunks_equals_writing_the_whole_table(tmp_path, name):
    ref = write_table(MIXED, tmp_path / f"ref_{name}")
    out = write_chunks(_frames(), tmp_path / name)
    if name.endswith(".parquet"):
        # "late_text" is typed when its first values arrive; "never" stays all-null
        assert pq.read_schema(out).equals(pq.read_schema(ref))
        pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(ref))
    else:
        assert out.read_bytes() == ref.read_bytes()


@pytest.mark.parametrize("name", ["o.csv", "o.parquet"])
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_failure_midway_leaves_no_file(tmp_path, name, error):
    def frames():
        yield from list(_frames())[:2]  # the 2nd frame types "late_text" (a rewrite)
        raise error("stop")

    with pytest.raises(error):
        write_chunks(frames(), tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_mismatched_or_missing_chunks_are_refused(tmp_path):
    with pytest.raises(ValueError, match="chunk 2 has columns"):
        write_chunks([MIXED, MIXED[["x"]]], tmp_path / "o.csv")
    with pytest.raises(ValueError, match="no chunks"):
        write_chunks([], tmp_path / "o.parquet")
    assert list(tmp_path.iterdir()) == []
