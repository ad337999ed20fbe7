"""Every command over a corpus of hostile files: a one-line reason or a status per row.

For each command and file: no traceback, exit code 0 with a status for every row or a
non-zero exit with a one-line ``Error:``, the inputs byte-for-byte unchanged, and no
process left behind. Outputs that would overwrite an input or a model file are refused
with exit code 2.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import psutil
import pytest
from click.testing import CliRunner

from pqdml.cli import main

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "plqy"


def _corpus(folder: Path) -> dict[str, Path]:
    """Hostile files, written fresh for each test."""
    rows = "ligand_smiles,composition\n"
    files: dict[str, bytes] = {
        "empty.csv": b"",
        "blank_lines.csv": b"\n\n\n",
        "header_only.csv": rows.encode(),
        "binary.csv": bytes(range(256)) * 8,
        "gzip_inside.csv": gzip.compress((rows + "CCCCN,CsPbBr3\n").encode()),
        "named.csv.gz": gzip.compress((rows + "CCCCN,CsPbBr3\n").encode()),
        "latin1.csv": (rows + "CCCCN,CsPbBr3\nOCCO,CsPbI3 \xb5\n").encode("latin-1"),
        "excel_bom.csv": ("\ufeff" + rows + "CCCCCCN,CsPbBr3\n").encode(),
        "corrupt.parquet": b"PAR1" + bytes(300) + b"PAR1",
        "twice_named.csv": b"composition,ligand_smiles,composition\nCsPbBr3,CCN,CsPbI3\n",
        "giant_smiles.csv": (rows + "N" + "C" * 25_000 + ",CsPbBr3\nCCCCCCN,CsPbBr3\n").encode(),
        "words_in_smiles.csv": (rows + "CCCCCCO and then some text,CsPbBr3\n").encode(),
        "nul_bytes.csv": (rows + "CC\x00CN,CsPbBr3\n").encode(),
        "stages.csv": b"ligand_smiles,composition,stage\nCCCCN,CsPbBr3,posts-ynthesis\n",
        "clashing_columns.csv": b"ligand_smiles,composition,status,input_status,rank\n"
        b"CCCCCCN,CsPbBr3,a,b,c\n",
    }
    out = {}
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        out[name] = path
    return out


def _digest(paths) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


def _children() -> set[int]:
    return {
        p.pid
        for p in psutil.Process().children(recursive=True)
        if p.is_running() and "resource_tracker" not in " ".join(p.cmdline())
    }


def _run(args: list[str], protected: list[Path]) -> tuple[int, str]:
    """Run one command; check no traceback, one-line error, inputs unchanged, no process left."""
    before, kids = _digest(protected), _children()
    result = CliRunner().invoke(main, args)
    text = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )
    assert "Traceback" not in text, (args, text)
    if result.exit_code:
        errors = [line for line in text.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, (args, text)
    assert _digest(protected) == before, f"{args} changed an input"
    assert not (_children() - kids), f"{args} left processes behind"
    return result.exit_code, text


def _rows_have_status(path: Path, column: str, n_rows: int) -> None:
    out = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(out) == n_rows
    assert (out[column] != "").all()


@pytest.fixture
def corpus(tmp_path):
    return _corpus(tmp_path)


def test_featurize_over_the_corpus(corpus, tmp_path):
    for name, path in corpus.items():
        out = tmp_path / f"featurized_{name}.csv"
        code, _ = _run(["featurize", str(path), "-o", str(out), "-j", "1"], list(corpus.values()))
        if code == 0:
            n = len(pd.read_csv(path, dtype=str)) if path.stat().st_size > 3 else 0
            _rows_have_status(out, "ligand_status", n)


def test_screen_over_the_corpus(corpus, tmp_path):
    for name, path in corpus.items():
        out = tmp_path / f"ranked_{name}.csv"
        args = ["screen", str(path), "-o", str(out), "--composition", "CsPbBr3", "-j", "1"]
        code, _ = _run([*args, "--model", str(MODEL)], list(corpus.values()))
        if code == 0:
            n = len(pd.read_csv(path, dtype=str))
            _rows_have_status(out, "status", n)


def test_validate_over_the_corpus(corpus):
    for path in corpus.values():
        _run(["validate", str(path)], list(corpus.values()))


def test_statuses_for_the_rows_that_deserve_one(corpus, tmp_path):
    out = tmp_path / "ranked.csv"
    for name, status in {
        "giant_smiles.csv": "too_large",
        "words_in_smiles.csv": "invalid_smiles",
        "stages.csv": "unknown_stage",
    }.items():
        code, _ = _run(
            ["screen", str(corpus[name]), "-o", str(out), "--model", str(MODEL), "-j", "1"],
            [corpus[name]],
        )
        assert code == 0
        assert pd.read_csv(out)["status"].iloc[0] == status, name
    code, text = _run(
        ["screen", str(corpus["clashing_columns.csv"]), "-o", str(out), "--model", str(MODEL)],
        [corpus["clashing_columns.csv"]],
    )
    res = pd.read_csv(out, dtype=str)
    assert res[["input_status", "input_status_1", "input_rank"]].iloc[0].tolist() == ["b", "a", "c"]
    assert "status -> input_status_1" in text


@pytest.mark.slow
def test_report_evaluate_and_train_over_the_corpus(corpus, tmp_path):
    for name, path in corpus.items():
        _run(
            ["report", "--model", str(MODEL), "--data", str(path), "-o", str(tmp_path / "r.html")],
            list(corpus.values()),
        )
        _run(["evaluate", "--model", str(MODEL), "--data", str(path)], list(corpus.values()))
        code, _ = _run(
            ["train", "--data", str(path), "--target", "plqy", "-o", str(tmp_path / name)],
            list(corpus.values()),
        )
        assert code != 0, name  # none of these files is a training set


def test_outputs_that_would_destroy_an_input_or_a_model_file_are_refused(tmp_path):
    src = tmp_path / "cands.csv"
    src.write_text("ligand_smiles,composition\nCCCCCCN,CsPbBr3\nCCCCCCCCS,CsPbI3\n")
    top_named = tmp_path / "t_top2.csv"
    shutil.copy(src, top_named)
    model = tmp_path / "model"
    shutil.copytree(MODEL, model)
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    protected = [src, top_named, *model.iterdir(), folder / "notes.txt"]
    m = ["--model", str(model)]
    cases = [
        ["featurize", str(src), "-o", str(src)],
        ["screen", str(src), "-o", str(src), *m],
        ["screen", str(src), "-o", str(tmp_path / "x.smi"), *m],
        ["screen", str(top_named), "-o", str(tmp_path / "t.csv"), "--top", "2", *m],
        ["screen", str(src), "-o", str(model / "ranked.csv"), *m],
        ["evaluate", *m, "--data", str(src), "--json", str(model / "metrics.json")],
        ["report", *m, "-o", str(model / "report.html")],
        ["train", "--data", str(src), "--target", "plqy", "-o", str(folder)],
    ]
    for args in cases:
        code, text = _run(args, protected)
        assert code == 2, (args, text)
    assert not (tmp_path / "x.smi").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_option_ranges_are_checked(tmp_path):
    code, text = _run(
        ["library", "generate", "--max-chain", "5000", "-o", str(tmp_path / "l.csv")], []
    )
    assert code == 2 and "--max-chain" in text
