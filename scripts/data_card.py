"""Print the count tables of the data card (``data/README.md``) from the curated CSV.

The numbers in the card are not typed by hand: this script computes them from
``data/pqd_literature.csv`` with pandas and RDKit and prints a markdown block that is
pasted between the ``<!-- counts:start -->`` and ``<!-- counts:end -->`` markers of the
card. ``tests/integration/test_curated_dataset.py`` re-runs it and checks that the card
still matches the CSV.

Usage::

    python scripts/data_card.py [data/pqd_literature.csv]           # print the block
    python scripts/data_card.py --write                              # update data/README.md in place
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from rdkit import Chem, RDLogger

REPO = Path(__file__).resolve().parents[1]
CSV = REPO / "data" / "pqd_literature.csv"
CARD = REPO / "data" / "README.md"
START, END = "<!-- counts:start -->", "<!-- counts:end -->"

#: Target columns counted in the card, in the order of ``pqdml.data.schema.TARGETS``.
TARGET_COLUMNS = ("plqy_percent", "pce_percent", "voc_v", "jsc_ma_cm2", "ff_percent", "emission_nm")

#: Fallback anchor-group classes when ``pqdml.chem.ligand`` is not available: the first
#: SMARTS that matches names the class (checked in this order, on the whole agent).
ANCHOR_SMARTS: tuple[tuple[str, str], ...] = (
    ("polymer (repeat unit)", "[#0]"),
    ("metal halide (Z-type)", "[Pb,Zn,Cd,Y,Sr,Cu,Ag,In]~[Cl,Br,I]"),
    ("phosphine / phosphine oxide (L-type)", "[PX3;!$(P=O);!$(P~[OX2H1,OX1-])]"),
    ("phosphonic acid", "P(=O)([OX2H1,OX1-])"),
    ("sulfonate / sulfate / sulfonic acid", "S(=O)(=O)[OX2H1,OX1-]"),
    ("thiocyanate", "[SX1-,SX2]C#N"),
    ("thiol", "[SX2H1,SX1H0;!$(S~[#6]#N)]"),
    ("carboxylic acid / carboxylate", "C(=O)[OX2H1,OX1-]"),
    ("onium cation (ammonium, amidinium, imidazolium, phosphonium, sulfonium)", "[N+,n+,P+,S+]"),
    ("amine", "[NX3;!$(N-C=O);!$(N-[a]);!$(N=*)]"),
    ("alkyl / silyl halide (halide donor)", "[Si,CX4]-[Cl,Br,I]"),
    ("ester / alcohol (solvent-type agent)", "[OX2]"),
    ("tetrafluoroborate", "[B-](F)(F)(F)F"),
    ("halide ion or hydrogen halide", "[Cl-,Br-,I-,Cl&H1,Br&H1,I&H1]"),
    ("alkali cation", "[Cs+,Na+,K+,Rb+]"),
)


def load(path: str | Path = CSV) -> pd.DataFrame:
    """Read the curated CSV the way the card counts it (empty cells are missing)."""
    return pd.read_csv(
        path, keep_default_na=False, na_values=[""], dtype={"doi": str, "notes": str}
    )


def _md_table(counts: pd.Series, key: str, value: str = "rows") -> str:
    lines = [f"| {key} | {value} |", "|---|---:|"]
    lines += [f"| {k} | {int(v)} |" for k, v in counts.items()]
    return "\n".join(lines)


def anchor_class(smiles: object) -> str:
    """First matching class of :data:`ANCHOR_SMARTS` for an agent SMILES ("no SMILES" if empty)."""
    if not isinstance(smiles, str) or not smiles:
        return "no SMILES (unnamed agent)"
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return "unparseable SMILES"
    for name, smarts in ANCHOR_SMARTS:
        if mol.HasSubstructMatch(Chem.MolFromSmarts(smarts)):
            return name
    return "other"


def binding_types(df: pd.DataFrame) -> tuple[pd.Series, str, str]:
    """Count treated rows by ligand binding type; also return how, and a column title.

    Uses ``pqdml.chem.ligand.featurize_ligands`` when that module exists and gives a
    ``binding_type`` column; otherwise falls back to :func:`anchor_class`.
    """
    treated = df[df["is_control"] == 0]
    try:
        from pqdml.chem.ligand import featurize_ligands  # type: ignore[import-not-found,unused-ignore]

        smiles = treated["ligand_smiles"].fillna("").tolist()
        feats = featurize_ligands([s if s else "" for s in smiles])
        if "binding_type" not in feats.columns:
            raise ImportError("featurize_ligands gives no binding_type column")
        kinds = feats["binding_type"].where(feats["ligand_status"] == "ok", "not classified")
        kinds = kinds.fillna("not classified").astype(str)
        how = (
            "Binding type of the agent in treated rows (is_control = 0), from "
            "`pqdml.chem.ligand.featurize_ligands` (rows it cannot classify: 'not classified')."
        )
        title = "binding type"
    except ImportError:
        kinds = treated["ligand_smiles"].map(anchor_class)
        how = (
            "`pqdml.chem.ligand` is not available, so treated rows (is_control = 0) are counted by "
            "the anchor group of the agent (first match of the SMARTS list in `scripts/data_card.py`)."
        )
        title = "anchor group"
    return kinds.value_counts().sort_index(), how, title


def card_block(path: str | Path = CSV, *, binding: bool = True) -> str:
    """Build the markdown block of counts, markers included.

    With ``binding=False`` the binding-type table (which depends on the ligand featurizer's
    version, not only on the CSV) and the end marker are left out: the result is then a
    prefix of the full block.
    """
    RDLogger.DisableLog("rdApp.*")  # type: ignore[attr-defined]
    df = load(path)
    n = len(df)
    n_groups = df["group_id"].nunique()
    n_doi = int(df["doi"].notna().sum())
    n_review = int(df["source"].str.contains(r"review ref \d+", regex=True).sum())
    n_control = int(df["is_control"].sum())
    n_flag = (
        int(df["notes"].fillna("").str.contains("FLAG:", regex=False).sum()) if "notes" in df else 0
    )
    parts = [
        START,
        f"Rows: **{n}** ({n_control} control rows, {n - n_control} treated rows) in {n_groups} "
        f"comparison groups; {n_doi} rows carry a DOI, {n_review} rows cite a review reference, "
        f"{n_flag} rows are flagged as doubtful (`FLAG:` in notes).",
        "",
        "**Rows with a value, by target**",
        "",
        _md_table(df[list(TARGET_COLUMNS)].notna().sum(), "target column"),
        "",
        "**Rows by composition**",
        "",
        _md_table(df["composition"].value_counts().sort_index(), "composition"),
        "",
        "**Rows by stage**",
        "",
        _md_table(df["stage"].value_counts().sort_index(), "stage"),
        "",
        "**Rows by morphology**",
        "",
        _md_table(df["morphology"].value_counts().sort_index(), "morphology"),
        "",
        "**Rows by origin**",
        "",
        _md_table(
            df["record_id"].str.split("-").str[0].value_counts().sort_index(), "record_id prefix"
        ),
    ]
    if not binding:
        return "\n".join(parts)
    kinds, how, title = binding_types(df)
    parts += ["", "**Treated rows by binding type**", "", how, "", _md_table(kinds, title), END]
    return "\n".join(parts)


def write_card(path: str | Path = CSV, card: str | Path = CARD) -> Path:
    """Replace the block between the markers of ``card`` with :func:`card_block`; return the path."""
    from pqdml.io import atomic_open

    text = Path(card).read_text(encoding="utf-8")
    head, sep, rest = text.partition(START)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise SystemExit(f"{card}: markers {START} / {END} not found")
    with atomic_open(card, "w", encoding="utf-8") as fh:
        fh.write(head + card_block(path) + tail)
    return Path(card)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print the block, or update the card with ``--write``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", default=str(CSV))
    parser.add_argument("--write", action="store_true", help="update data/README.md in place")
    args = parser.parse_args(argv)
    if args.write:
        print(write_card(args.csv))
    else:
        print(card_block(args.csv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
