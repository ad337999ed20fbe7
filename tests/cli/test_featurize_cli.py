"""``pqdml featurize`` through the entry point (CliRunner and one real subprocess)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from pqdml.cli import main

NAMED = [
    "ligand_status",
    "ligand_error",
    "chain_length",
    "binding_type",
    "binding_type_primary",
    "zwitterionic",
    "n_anchors",
    "counter_ion",
    "composition_status",
    "composition_error",
    "tolerance_factor",
    "octahedral_factor",
]


@pytest.fixture
def table(tmp_path):
    df = pd.DataFrame(
        {
            "sample": ["a", "b", "c", "d", "e"],
            "ligand_smiles": ["CCCCCCCCN", "", "C(C", "[NH3+]CCc1ccccc1.[I-]", None],
            "ligand_name": ["octylamine", "DDAB", "bad", "PEAI", None],
            "composition": [
                "CsPbI3",
                "CsPbBr3",
                "CsPbI3",
                "CsXxI3",
                "FA0.79MA0.16Cs0.05Pb(I0.9Br0.1)3",
            ],
            "plqy_percent": [50.0, 60.0, 70.0, 80.0, 90.0],
        }
    )
    path = tmp_path / "in.csv"
    df.to_csv(path, index=False)
    return path, df


def _run(args):
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_featurize_keeps_rows_and_columns(table, tmp_path, suffix):
    path, df = table
    if suffix == ".parquet":
        src = tmp_path / "in.parquet"
        df.to_parquet(src, index=False)
        path = src
    out = tmp_path / f"out{suffix}"
    result = _run(["featurize", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    assert list(got.columns[: len(df.columns)]) == list(df.columns)
    assert set(NAMED) <= set(got.columns)
    assert any(c.startswith("frac_") for c in got.columns)
    assert len(got) == len(df)
    assert got["sample"].tolist() == ["a", "b", "c", "d", "e"]
    assert got["ligand_status"].tolist() == ["ok", "ok", "invalid_smiles", "ok", "missing"]
    assert got["composition_status"].iloc[3] != "ok"
    assert got.loc[1, "counter_ion"] == "Br"  # empty SMILES fell back to the name DDAB
    assert pd.isna(got.loc[2, "chain_length"])
    assert "rows: 5, ok: 2, failed: 3" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_custom_columns_and_no_composition(tmp_path):
    src = tmp_path / "ligs.csv"
    pd.DataFrame({"mol": ["OA", "OAm"]}).to_csv(src, index=False)
    out = tmp_path / "o.csv"
    result = CliRunner().invoke(
        main, ["featurize", str(src), "-o", str(out), "--smiles-col", "mol"]
    )
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out)
    assert "composition_status" not in got.columns
    assert got["chain_length"].tolist() == [18, 18]


def test_missing_column_is_a_clear_error(tmp_path):
    src = tmp_path / "x.csv"
    pd.DataFrame({"a": [1]}).to_csv(src, index=False)
    result = CliRunner().invoke(main, ["featurize", str(src), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code != 0
    assert "no ligand column" in result.output
    result = CliRunner().invoke(
        main,
        [
            "featurize",
            str(src),
            "-o",
            str(tmp_path / "o.csv"),
            "--smiles-col",
            "a",
            "--composition-col",
            "nope",
        ],
    )
    assert result.exit_code != 0 and "composition column 'nope'" in result.output


def test_bad_output_suffix(table, tmp_path):
    path, _ = table
    result = CliRunner().invoke(main, ["featurize", str(path), "-o", str(tmp_path / "o.xyz")])
    assert result.exit_code != 0 and "table format" in result.output


def test_progress_bar_forced_to_stderr_and_off_by_default(table, tmp_path):
    path, _ = table
    out = tmp_path / "o.csv"
    runner = CliRunner()
    forced = runner.invoke(main, ["featurize", str(path), "-o", str(out), "--progress"])
    assert forced.exit_code == 0
    assert "ligands" in forced.stderr and "ligands" not in forced.stdout
    quiet = runner.invoke(main, ["featurize", str(path), "-o", str(out)])
    assert "ligands:" not in quiet.stderr


def test_morgan_and_full_options(table, tmp_path):
    path, _ = table
    out = tmp_path / "o.csv"
    result = _run(
        ["featurize", str(path), "-o", str(out), "--morgan-bits", "8", "--descriptors", "full"]
    )
    assert result.exit_code == 0
    cols = pd.read_csv(out).columns
    assert "morgan_7" in cols and "rdkit_MolLogP" in cols


def test_help_mentions_columns():
    result = CliRunner().invoke(main, ["featurize", "--help"])
    assert result.exit_code == 0
    assert "--smiles-col" in result.output and "--composition-col" in result.output


def test_python_m_pqdml_subprocess(table, tmp_path):
    path, _ = table
    out = tmp_path / "sub.parquet"
    proc = subprocess.run(
        [sys.executable, "-m", "pqdml", "featurize", str(path), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("rows: 5, ok: 2, failed: 3")
    assert "ligands:" not in proc.stderr  # not a terminal: no progress bar
    assert len(pd.read_parquet(out)) == 5


def test_bundled_example(repo_root, tmp_path):
    out = tmp_path / "ex.csv"
    result = _run(["featurize", str(repo_root / "data" / "example_candidates.csv"), "-o", str(out)])
    assert result.exit_code == 0
    got = pd.read_csv(out)
    assert (got["ligand_status"] == "ok").sum() == len(got) - 1


# --- streaming in chunks ------------------------------------------------------------------


@pytest.fixture
def messy(tmp_path):
    # Invalid SMILES, unknown names, missing cells. With --chunk-size 3, 'note' and
    # 'ligand_name' are all missing in the first chunk, and 'batch' has its only missing
    # cell (float in a whole read) in the second.
    ligands = ["OA", "C(C", None, "PEAI", "", "xyz", "CCCCN", "OAm", "DDAB"]
    n = 14
    df = pd.DataFrame(
        {
            "sample": [f"s{i:02d}" for i in range(n)],
            "ligand_smiles": [ligands[i % len(ligands)] for i in range(n)],
            "ligand_name": [None, None, None, "octylamine", None, "DDAB", *[None] * 8],
            "composition": [["CsPbBr3", None, "CsXxI3", "CsPbI3"][i % 4] for i in range(n)],
            "note": [None] * 3 + [f"n{i}" for i in range(3, n)],
            "batch": [1, 2, 3, 4, None, 6, *range(7, n + 1)],
        }
    )
    path = tmp_path / "messy.csv"
    df.to_csv(path, index=False)
    return path


def _same_output(a, b):
    if a.suffix == ".csv":
        assert a.read_bytes() == b.read_bytes()
    else:
        import pyarrow.parquet as pq

        assert pq.read_schema(a).equals(pq.read_schema(b))
        pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("source", ["example", "messy"])
def test_chunked_output_equals_one_chunk(repo_root, messy, tmp_path, suffix, source):
    src = repo_root / "data" / "example_candidates.csv" if source == "example" else messy
    whole, chunked = tmp_path / f"whole{suffix}", tmp_path / f"chunked{suffix}"
    one = _run(["featurize", str(src), "-o", str(whole)])
    many = _run(["featurize", str(src), "-o", str(chunked), "--chunk-size", "3"])
    assert one.exit_code == 0 and many.exit_code == 0, one.output + many.output
    _same_output(whole, chunked)
    assert many.stdout.replace(str(chunked), "") == one.stdout.replace(str(whole), "")
    read = pd.read_csv if suffix == ".csv" else pd.read_parquet
    assert read(chunked).iloc[:, 0].tolist() == pd.read_csv(src).iloc[:, 0].tolist()


def test_summary_counts_every_chunk(messy, tmp_path):
    out = tmp_path / "o.csv"
    result = _run(["featurize", str(messy), "-o", str(out), "--chunk-size", "2"])
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out)
    assert got["sample"].tolist() == [f"s{i:02d}" for i in range(14)]  # each row once, in order
    n_ok = int(((got["ligand_status"] == "ok") & (got["composition_status"] == "ok")).sum())
    assert result.stdout.startswith(f"rows: 14, ok: {n_ok}, failed: {14 - n_ok} (ligand: ")
    assert "invalid_smiles 2" in result.stdout and "missing" in result.stdout


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_failure_in_a_later_chunk_leaves_no_output(messy, tmp_path, monkeypatch, suffix):
    import pqdml.features.table as table

    real, calls = table.featurize_table, []

    def flaky(df, **kwargs):
        calls.append(len(df))
        if len(calls) == 2:
            raise ValueError("boom in chunk 2")
        return real(df, **kwargs)

    monkeypatch.setattr(table, "featurize_table", flaky)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / f"o{suffix}"
    result = CliRunner().invoke(
        main, ["featurize", str(messy), "-o", str(out), "--chunk-size", "5"]
    )
    assert result.exit_code != 0 and "boom in chunk 2" in result.output
    assert calls == [5, 5]
    assert list(out_dir.iterdir()) == []  # neither the output nor a temporary file

    def interrupted(df, **kwargs):
        calls.append(len(df))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(df, **kwargs)

    calls.clear()
    monkeypatch.setattr(table, "featurize_table", interrupted)
    with pytest.raises(KeyboardInterrupt):
        table.featurize_file(messy, out, chunk_size=5)
    assert list(out_dir.iterdir()) == []


def test_large_inputs_use_every_core(messy, tmp_path, monkeypatch):
    import pqdml.features.table as table

    seen = []
    real = table.featurize_table
    monkeypatch.setattr(table, "count_rows", lambda path, kind: 2_000_000)
    monkeypatch.setattr(table, "cpu_count", lambda: 7)
    monkeypatch.setattr(
        table, "featurize_table", lambda df, **kw: seen.append(kw["n_jobs"]) or real(df, **kw)
    )
    table.featurize_file(messy, tmp_path / "o.csv", chunk_size=5)
    assert seen == [7, 7, 7]
    seen.clear()
    table.featurize_file(messy, tmp_path / "o.csv", chunk_size=5, n_jobs=2)
    assert seen == [2, 2, 2]


def test_public_formats_are_read_whole(tmp_path):
    from pqdml.features.table import _streamable

    plain = tmp_path / "p.csv"
    plain.write_text("ligand_smiles\nOA\n")
    canon = tmp_path / "c.csv"
    canon.write_text("record_id,composition,ligand_name\nr1,CsPbBr3,OA\n")
    assert _streamable(plain, None) == ("table", {})
    assert _streamable(canon, None)[0] == "canonical"
    assert _streamable(canon, "canonical")[1]["record_id"] == "str"
    assert _streamable(canon, "synthesizer") is None
    assert _streamable(tmp_path / "new.xlsx", None) is None
