import os
import stat

import pandas as pd
import pytest

from pqdml.exceptions import UnknownFormatError
from pqdml.io import atomic_path, read_table, write_table


def test_write_table_round_trips_csv_and_parquet(tmp_path):
    df = pd.DataFrame({"a": [1, 2, 3], "b": ["x", None, "z"]})
    for name in ("t.csv", "t.parquet"):
        path = write_table(df, tmp_path / name)
        back = read_table(path)
        assert list(back.columns) == ["a", "b"]
        assert len(back) == 3


def test_atomic_path_leaves_old_file_on_failure(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_written_files_get_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_table(pd.DataFrame({"a": [1]}), tmp_path / "p.csv")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_unknown_suffix_is_a_clear_error(tmp_path):
    with pytest.raises(UnknownFormatError, match=r"cannot tell the table format of .*\.xyz"):
        read_table(tmp_path / "data.xyz")


def test_smi_reader_keeps_names(tmp_path):
    p = tmp_path / "c.smi"
    p.write_text("CCCCN butylamine\n# comment\n\nC(C  broken one\n")
    df = read_table(p)
    assert df["ligand_smiles"].tolist() == ["CCCCN", "C(C"]
    assert df["ligand_name"].tolist() == ["butylamine", "broken one"]


def test_parquet_ignores_run_time_attrs(tmp_path):
    df = pd.DataFrame({"a": [1, 2]})
    df.attrs["report"] = object()  # not JSON-serialisable, as an adapter report
    back = read_table(write_table(df, tmp_path / "t.parquet"))
    assert back["a"].tolist() == [1, 2]
    assert "report" in df.attrs  # the caller's frame is untouched
