"""read_records: canonical tables, format guessing and its errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pqdml.data import FORMATS, guess_format, read_records
from pqdml.exceptions import UnknownFormatError
from pqdml.io import write_table


def test_formats_contract():
    assert FORMATS == (
        "canonical",
        "synthesizer",
        "buried-interface",
        "perovskite-database",
        "passivator-screening",
    )


def canonical(tmp_path: Path, suffix: str = ".csv") -> Path:
    df = pd.DataFrame(
        {
            "record_id": ["0012", "x"],
            "composition": ["CsPbBr3", "CsPbI3"],
            "stage": ["synthesis", "control"],
            "is_control": [0, 1],
            "ligand_smiles": ["CCCCCCCCCCCCS", None],
            "plqy_percent": [50.0, None],
        }
    )
    return write_table(df, tmp_path / f"records{suffix}")


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet"])
def test_canonical_tables_read_back(tmp_path, suffix):
    path = canonical(tmp_path, suffix)
    df, fmt = read_records(path)
    assert fmt == "canonical"
    assert df["record_id"].tolist() == ["0012", "x"]  # ids stay text
    assert df["plqy_percent"].iloc[0] == 50.0 and pd.isna(df["plqy_percent"].iloc[1])
    assert df.attrs["source_lines"] == [2, 3]


def test_explicit_format_and_alias(tmp_path):
    path = canonical(tmp_path)
    assert read_records(path, "canonical")[1] == "canonical"
    assert read_records(path, format="canonical")[1] == "canonical"
    with pytest.raises(UnknownFormatError, match="conflicting formats"):
        read_records(path, "canonical", format="synthesizer")
    with pytest.raises(UnknownFormatError, match="unknown format 'excel'"):
        read_records(path, "excel")


def test_unknown_columns_are_refused_with_advice(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(UnknownFormatError, match="pass --format"):
        guess_format(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_records(tmp_path / "nope.csv")


def test_public_formats_are_guessed_from_columns(tmp_path):
    synth = tmp_path / "renamed.csv"
    synth.write_text(";Sample No.;antisolvent;V (antisolvent);PLQY;peak_pos\n", encoding="utf-8")
    assert guess_format(synth) == "synthesizer"
    pdp = tmp_path / "export.csv"
    pdp.write_text("Ref_ID,Perovskite_composition_a_ions,JV_default_PCE\n", encoding="utf-8")
    assert guess_format(pdp) == "perovskite-database"
    buried = tmp_path / "molecules.xlsx"
    pd.DataFrame(columns=["SMILES", "PVK", "control_PCE", "PCE"]).to_excel(buried, index=False)
    assert guess_format(buried) == "buried-interface"


def test_public_reexports():
    import pqdml
    import pqdml.data

    assert pqdml.read_records is read_records
    assert pqdml.validate is pqdml.data.validate
