"""The curated literature dataset ``data/pqd_literature.csv`` and its data card agree and hold up."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from rdkit import Chem

REPO = Path(__file__).resolve().parents[2]
CSV = REPO / "data" / "pqd_literature.csv"
CARD = REPO / "data" / "README.md"

COLUMN_ORDER = [
    "record_id",
    "doi",
    "source",
    "citation",
    "source_url",
    "year",
    "composition",
    "morphology",
    "ligand_name",
    "ligand_smiles",
    "stage",
    "is_control",
    "group_id",
    "plqy_percent",
    "pce_percent",
    "voc_v",
    "jsc_ma_cm2",
    "ff_percent",
    "emission_nm",
    "qualifier",
    "notes",
]
RANGES = {
    "plqy_percent": (0, 100),
    "pce_percent": (0, 35),
    "voc_v": (0, 2),
    "jsc_ma_cm2": (0, 40),
    "ff_percent": (0, 100),
    "emission_nm": (250, 1500),
}
REVIEW_REF = re.compile(r"review ref \d+")

#: Table 1 of the review (Xu et al., Mater. Chem. Front. 2024, 8, 2029): ref → (Jsc, Voc, FF, PCE).
TABLE1 = {
    127: (14.37, 1.20, 78.0, 13.40),
    136: (15.21, 1.18, 74.2, 13.30),
    137: (15.30, 1.23, 74.8, 14.10),
    141: (17.66, 1.22, 63.4, 13.66),
    142: (15.84, 1.24, 75.5, 14.90),
    143: (14.96, 1.25, 75.6, 14.10),
    151: (15.85, 1.25, 76.7, 15.21),
    157: (14.32, 1.25, 79.0, 14.25),
    138: (17.80, 1.27, 73.1, 16.53),
    158: (17.51, 1.23, 71.0, 15.25),
    164: (4.68, 1.59, 56.9, 4.23),
    165: (4.49, 1.54, 72.4, 5.01),
    166: (4.84, 1.59, 71.0, 5.46),
    135: (5.93, 1.59, 74.7, 7.04),
    169: (16.98, 1.04, 67.2, 11.87),
    170: (15.23, 1.23, 78.0, 14.62),
    171: (15.38, 1.27, 74.7, 14.65),
    172: (17.65, 1.26, 74.8, 16.64),
}


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return pd.read_csv(CSV, keep_default_na=False, na_values=[""], dtype={"doi": str, "notes": str})


@pytest.fixture(scope="module")
def data_card() -> ModuleType:
    spec = importlib.util.spec_from_file_location("data_card", REPO / "scripts" / "data_card.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_file_layout(df: pd.DataFrame) -> None:
    raw = CSV.read_bytes()
    raw.decode("utf-8")  # UTF-8 throughout
    assert list(df.columns) == COLUMN_ORDER
    assert 90 <= len(df) <= 300
    assert df["record_id"].notna().all()
    assert df["record_id"].is_unique


def test_every_row_has_its_source(df: pd.DataFrame) -> None:
    has_doi = df["doi"].notna()
    has_review_ref = df["source"].str.contains(REVIEW_REF) | df["citation"].fillna("").str.contains(
        REVIEW_REF
    )
    assert df["source"].notna().all()
    assert df.loc[has_doi, "doi"].str.match(r"^10\.\d{4,9}/\S+$").all()
    # Rows with neither a DOI nor a review reference keep the page they were read from and say why.
    rest = df[~has_doi & ~has_review_ref]
    assert rest["source_url"].notna().all(), rest["record_id"].tolist()
    assert rest["notes"].str.contains("DOI").all(), rest["record_id"].tolist()
    assert len(rest) < len(df) / 4


def test_one_paper_one_citation(df: pd.DataFrame) -> None:
    """Rows of one paper agree on DOI and citation, so papers without a DOI can still be grouped."""
    cited = df[df["doi"].notna() & df["citation"].notna()]
    assert (cited.groupby("doi")["citation"].nunique() == 1).all()
    assert (cited.groupby("citation")["doi"].nunique() == 1).all()
    review_rows = df[df["record_id"].str.startswith("REV-")]
    assert review_rows["citation"].str.contains(REVIEW_REF).all()


def test_controls_are_linked_to_treated_rows(df: pd.DataFrame) -> None:
    assert set(df["is_control"].unique()) <= {0, 1}
    assert ((df["is_control"] == 1) == (df["stage"] == "control")).all()
    assert df["group_id"].notna().all()
    treated_groups = set(df.loc[df["is_control"] == 0, "group_id"])
    orphans = df[(df["is_control"] == 1) & ~df["group_id"].isin(treated_groups)]
    assert orphans.empty, orphans["record_id"].tolist()


def test_every_smiles_parses(df: pd.DataFrame) -> None:
    bad = [
        (r, s)
        for r, s in zip(df["record_id"], df["ligand_smiles"], strict=True)
        if isinstance(s, str) and Chem.MolFromSmiles(s) is None
    ]
    assert bad == []
    # treated rows name their agent; only unnamed agents may lack a SMILES
    missing = df[(df["is_control"] == 0) & df["ligand_smiles"].isna()]
    assert missing["ligand_name"].str.contains("not named|not stated", regex=True).all()


def test_targets_in_physical_ranges(df: pd.DataFrame) -> None:
    for column, (low, high) in RANGES.items():
        values = df[column].dropna()
        assert values.between(low, high).all(), column
    assert df[list(RANGES)].notna().any(axis=1).all(), "every row has at least one target"


def test_stage_and_morphology_values(df: pd.DataFrame) -> None:
    assert set(df["stage"]) <= {
        "synthesis",
        "post-synthesis",
        "purification",
        "film-treatment",
        "control",
    }
    assert set(df["morphology"]) <= {"QD", "NC", "NPL", "film-of-QDs"}


def test_table1_complete(df: pd.DataFrame) -> None:
    for ref, (jsc, voc, ff, pce) in TABLE1.items():
        rows = df[df["source"].str.contains(rf"review ref {ref}\b") & (df["pce_percent"] == pce)]
        assert len(rows) == 1, ref
        row = rows.iloc[0]
        assert (row["jsc_ma_cm2"], row["voc_v"], row["ff_percent"]) == (jsc, voc, ff), ref


def test_known_statements(df: pd.DataFrame) -> None:
    """Spot checks of review sentences: 'from X% to Y%' gives a linked control/treated pair."""

    def one(source: str, column: str, value: float) -> pd.Series:
        rows = df[df["source"].str.contains(source, regex=False) & (df[column] == value)]
        assert len(rows) == 1, (source, column, value)
        return rows.iloc[0]

    control, treated = (
        one("review ref 110", "plqy_percent", 3.0),
        one("review ref 110", "plqy_percent", 98.0),
    )
    assert (control["is_control"], treated["is_control"]) == (1, 0)
    assert control["group_id"] == treated["group_id"]
    assert treated["ligand_smiles"] == "Cl[Cd]Cl"
    before, after = (
        one("review ref 179", "pce_percent", 14.07),
        one("review ref 179", "pce_percent", 15.72),
    )
    assert before["group_id"] == after["group_id"] and before["is_control"] == 1
    # TMSI: trimethylsilyl iodide in synthesis (ref 120), trimethylsulfonium iodide in ref 172
    assert one("review ref 120", "plqy_percent", 85.0)["ligand_smiles"] == "C[Si](C)(C)I"
    assert one("review ref 172", "pce_percent", 16.64)["ligand_smiles"] == "C[S+](C)C.[I-]"
    # an "also in review" fact is one row with both sources and the paper's DOI
    certified = one("review ref 176", "pce_percent", 16.6)
    assert certified["record_id"] == "RF-007" and certified["doi"] == "10.1038/s41560-019-0535-7"


def test_no_duplicate_facts(df: pd.DataFrame) -> None:
    key = ["doi", "citation", "group_id", "composition", "ligand_smiles", "stage", *RANGES]
    dupes = df[df.duplicated(subset=key, keep=False)]
    assert dupes.empty, dupes["record_id"].tolist()


def test_validates_under_the_schema(df: pd.DataFrame) -> None:
    schema = pytest.importorskip("pqdml.data.schema")
    report = schema.validate(df)
    assert report.ok, report.format(max_issues=20)


def test_card_counts_match_csv(df: pd.DataFrame, data_card: ModuleType) -> None:
    block = data_card.card_block(CSV, binding=False)
    card = CARD.read_text(encoding="utf-8")
    assert block in card, "data/README.md is stale: run `python scripts/data_card.py --write`"
    # the binding-type table depends on the ligand featurizer's version: check its total only
    binding = card.partition("**Treated rows by binding type**")[2].partition(data_card.END)[0]
    counts = [int(m) for m in re.findall(r"^\| [^|]+ \| (\d+) \|$", binding, flags=re.MULTILINE)]
    assert sum(counts) == int((df["is_control"] == 0).sum())
    assert f"Rows: **{len(df)}**" in block
    assert f"| plqy_percent | {df['plqy_percent'].notna().sum()} |" in block


def test_card_block_counts_a_tiny_table(tmp_path: Path, data_card: ModuleType) -> None:
    table = pd.DataFrame(
        {
            "record_id": ["a", "b", "c"],
            "doi": ["10.1/x", None, None],
            "source": ["review ref 1", "curation X-1", "curation X-2"],
            "composition": ["CsPbBr3", "CsPbBr3", "CsPbI3"],
            "morphology": ["QD", "QD", "film-of-QDs"],
            "ligand_smiles": [
                "CCCCCCCC/C=C\\CCCCCCCCN",
                "CCCCP(CCCC)CCCC",
                "[NH3+]CCc1ccccc1.[I-]",
            ],
            "stage": ["control", "post-synthesis", "film-treatment"],
            "is_control": [1, 0, 0],
            "group_id": ["g", "g", "h"],
            "plqy_percent": [50.0, 90.0, None],
            "pce_percent": [None, None, 14.1],
            "voc_v": [None, None, None],
            "jsc_ma_cm2": [None, None, None],
            "ff_percent": [None, None, None],
            "emission_nm": [None, None, None],
        }
    )
    path = tmp_path / "tiny.csv"
    table.to_csv(path, index=False)
    block = data_card.card_block(path)
    assert "Rows: **3** (1 control rows, 2 treated rows) in 2 comparison groups" in block
    assert "1 rows carry a DOI, 1 rows cite a review reference, 0 rows are flagged" in block
    assert "| plqy_percent | 2 |" in block and "| pce_percent | 1 |" in block
    assert "| CsPbBr3 | 2 |" in block


def test_card_lists_every_flagged_row(df: pd.DataFrame) -> None:
    flagged = df.loc[df["notes"].fillna("").str.contains("FLAG:", regex=False), "record_id"]
    section = (
        CARD.read_text(encoding="utf-8")
        .partition("**Flagged rows**")[2]
        .partition("**Not entered**")[0]
    )
    assert len(flagged) > 0
    assert [r for r in flagged if r not in section] == []


def test_card_documents_every_canonical_column() -> None:
    schema = pytest.importorskip("pqdml.data.schema")
    columns = CARD.read_text(encoding="utf-8").partition("## Columns")[2].partition("## Counts")[0]
    names = [*schema.COLUMNS, *COLUMN_ORDER, *(f"{p}<name>" for p in schema.NUMERIC_PREFIXES)]
    assert [n for n in names if f"`{n}" not in columns] == []
