"""Nearest training ligands: one structured source, the CSV text formatted from it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pqdml
from pqdml.model import default_model
from pqdml.model.domain import format_nearest

PANEL = [
    "oleylamine",
    "CCCCCCCCN",
    "OC(=O)CCCCCCCC",
    "C[N+](C)(C)CCCCCCCC.[Br-]",
    "c1ccccc1CCN",
    "C(C",  # bad SMILES: no neighbours
    "",  # no ligand
]


@pytest.fixture(scope="module")
def model():
    return default_model("plqy")


def test_text_column_is_the_formatted_structured_list(model) -> None:
    records = pd.DataFrame({"ligand_smiles": PANEL, "composition": "CsPbBr3"})
    out = model.predict(records)
    smiles = [s if isinstance(s, str) else "" for s in out["canonical_smiles"]]
    pairs = model.nearest_ligands(smiles)
    assert len(pairs) == len(PANEL)
    assert [format_nearest(p) for p in pairs] == out["nearest_ligands"].tolist()
    for p, best in zip(pairs, out["max_similarity"], strict=True):
        if not p:
            assert not np.isfinite(best)
            continue
        sims = [s for _, s in p]
        assert len(p) == 3 and sims == sorted(sims, reverse=True)
        assert sims[0] == pytest.approx(best)
    assert pairs[5] == [] and pairs[6] == []


def test_predict_one_gets_the_pairs_without_parsing_text(model) -> None:
    report = pqdml.predict_one("octylamine", "CsPbI3", model=model, top=0)
    expected = model.nearest_ligands([report.canonical_smiles])[0]
    assert report.nearest_ligands == expected and len(expected) == 3
    assert all(isinstance(n, str) and 0.0 <= s <= 1.0 for n, s in expected)
    assert report.nearest_ligands[0][1] == pytest.approx(report.max_similarity)
    assert format_nearest(expected) in str(report)
