"""Small, fast checks of the data promises (docs/data-promises.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import psutil
import pytest

from pqdml.chem.ligand import MAX_HEAVY_ATOMS, MAX_LIGAND_CHARS, featurize_ligands
from pqdml.data.formats import guess_format
from pqdml.data.records import candidate_records, check_stage
from pqdml.exceptions import InvalidInputError, OutputPathError, UnknownFormatError
from pqdml.features import featurize_file
from pqdml.io import check_model_output, check_output, input_columns
from pqdml.screen.chunk import output_names


def test_size_limits_come_before_rdkit():
    texts = ["O" * (MAX_LIGAND_CHARS + 1), "C" * (MAX_HEAVY_ATOMS + 1) + "N", "CCCCCCCCCCCCN"]
    started = time.perf_counter()
    out = featurize_ligands(texts)
    assert out["ligand_status"].tolist() == ["too_large", "too_large", "ok"]
    assert "characters" in out["ligand_error"][0] and "heavy atoms" in out["ligand_error"][1]
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("OCCO\tjunk", "invalid_smiles"),
        ("c1ccccc1CCN  (see SI)", "invalid_smiles"),
        ("dodecanethiol maybe", "unknown_ligand"),
        ("OAm + OA", "ok"),  # a mixture of two dictionary names
        ("oleic acid", "ok"),  # a dictionary name with a space
    ],
)
def test_whitespace_separated_parts_never_give_a_truncated_molecule(text, status):
    assert featurize_ligands([text])["ligand_status"][0] == status


def test_unknown_stages_get_a_status_and_a_suggestion():
    with pytest.raises(InvalidInputError, match="did you mean 'purification'"):
        check_stage("purificaton")
    chunk = pd.DataFrame(
        {"ligand_smiles": ["CCN"] * 3, "stage": ["film treatment", "synthesis", None]}
    )
    _, status, message = candidate_records(chunk, composition="CsPbBr3")
    assert status.tolist() == ["unknown_stage", "ok", "ok"]
    assert "film-treatment" in message[0]


def test_output_names_never_overwrite_a_user_column():
    names = output_names(["rank", "input_rank", "input_rank_1", "prediction", "x"])
    assert names == {
        "rank": "input_rank_2",
        "input_rank": "input_rank",
        "input_rank_1": "input_rank_1",
        "prediction": "input_prediction",
        "x": "x",
    }
    assert len(set(names.values())) == len(names)


def test_check_output_refuses_inputs_through_links_and_model_files(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("a\n1\n")
    link = tmp_path / "link.csv"
    link.symlink_to(src)
    hard = tmp_path / "hard.csv"
    os.link(src, hard)
    for out in (link, hard, tmp_path / "sub" / ".." / "in.csv"):
        with pytest.raises(OutputPathError, match="is the input"):
            check_output(out, inputs=[src])
    model = tmp_path / "m"
    model.mkdir()
    (model / "metadata.json").write_text("{}")
    (model / "model.json").write_text("{}")
    with pytest.raises(OutputPathError, match="model directory"):
        check_output(model / "preds.csv")
    with pytest.raises(OutputPathError, match=r"\.smi output"):
        check_output(tmp_path / "x.smi", kinds=("csv", "parquet"))
    (model / "train.csv").write_text("a\n1\n")
    with pytest.raises(OutputPathError, match="lies in it"):
        check_model_output(model, inputs=[model / "train.csv"])
    with pytest.raises(OutputPathError, match="not a pqdml model"):
        check_model_output(tmp_path)
    assert check_output(tmp_path / "new" / "out.csv", inputs=[src]).name == "out.csv"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_output_folder_is_refused_before_any_work(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputPathError, match="not writable"):
            check_output(folder / "x.csv")
    finally:
        folder.chmod(0o700)


def test_featurize_passes_user_columns_through_as_written(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(
        "code,ligand_smiles,note,dose\n0042,CCCCN,NULL,1.50\n1e3,nan,n/a,2\n,CCO,#N/A,\n"
    )
    featurize_file(src, tmp_path / "out.csv", chunk_size=2)
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert out["code"].tolist() == ["0042", "1e3", ""]
    assert out["note"].tolist() == ["NULL", "n/a", "#N/A"]
    assert out["dose"].tolist() == ["1.50", "2", ""]
    assert out["ligand_smiles"].tolist() == ["CCCCN", "nan", "CCO"]


def test_duplicated_headers_are_refused_and_a_bom_does_not_break_guessing(tmp_path):
    dup = tmp_path / "dup.tsv"
    dup.write_text("ligand_smiles\tnote\tnote\nCCN\ta\tb\n")
    with pytest.raises(UnknownFormatError, match="'note' more than once"):
        input_columns(dup, "tsv")
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffrecord_id,doi,composition,ligand_smiles,stage\n".encode())
    plain = tmp_path / "plain.csv"
    plain.write_bytes(bom.read_bytes()[3:])
    assert guess_format(bom) == guess_format(plain)


def test_a_worker_exits_within_seconds_of_its_parent_being_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(
            """
            import multiprocessing, os, sys, time
            from pqdml.io import worker_setup

            def work(parent):
                worker_setup(parent)
                time.sleep(600)

            if __name__ == "__main__":
                child = multiprocessing.get_context("spawn").Process(
                    target=work, args=(os.getpid(),))
                child.start()
                print(child.pid, flush=True)
                time.sleep(600)
            """
        )
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        child = psutil.Process(int(proc.stdout.readline()))
        time.sleep(1.0)  # let the child arm its parent-death signal
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        _, alive = psutil.wait_procs([child], timeout=5)
        for p in alive:
            p.kill()
        assert not alive, "the worker outlived its parent"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_training_reads_labels_as_validate_does():
    from pqdml.data.labels import label_values
    from pqdml.model.train import training_targets

    values = ["71.5", "62 %", "101", "-3", "", "0.41", "0.37", "0.52", "88"]
    records = pd.DataFrame({"plqy_percent": values})
    with pytest.warns(UserWarning, match="fractions mixed with percentages"):
        y, reason = training_targets(records, "plqy_percent")
    assert y.notna().tolist() == [True, False, False, False, False, True, True, True, True]
    assert reason.tolist()[1:5] == [
        "plqy_percent is not a number",
        "plqy_percent outside the valid range 0–100 %",
        "plqy_percent outside the valid range 0–100 %",
        "missing plqy_percent",
    ]
    assert label_values(pd.Series([0.4, 55.0, 70.0, 81.0]), "plqy_percent")[2] == []
