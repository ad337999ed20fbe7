"""predict_one, TrainedModel.predict and screen give every input the same status and value."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pqdml import exceptions as exc
from pqdml.predict import predict_one
from pqdml.screen import screen

pytestmark = pytest.mark.slow

#: (ligand text as a user types it, composition, the status every path must give)
PANEL = [
    ("CCCCCCCCN", "CsPbI3", "ok"),  # octylamine
    ("oleylamine", "CsPbBr3", "ok"),  # a dictionary name
    ("CCCCCC", "CsPbI3", "no_anchor_group"),  # hexane: nothing binds the surface
    ("C(C", "CsPbI3", "invalid_smiles"),  # unparseable SMILES
    ("CCCCCCCCN", "CsXyI3", "unknown_ion"),  # no such A-site ion
]


def test_predict_one_and_screen_agree(tiny_model, tmp_path):
    src = tmp_path / "panel.csv"
    pd.DataFrame(
        {
            "ligand_smiles": [text for text, _, _ in PANEL],
            "composition": [comp for _, comp, _ in PANEL],
        }
    ).to_csv(src, index=False)
    out = tmp_path / "ranked.csv"
    screen(src, out, model=tiny_model, n_jobs=1)
    ranked = pd.read_csv(out)
    assert list(ranked["status"]) == [status for _, _, status in PANEL]
    for (text, comp, status), row in zip(PANEL, ranked.itertuples(), strict=True):
        if status == "ok":
            report = predict_one(text, comp, model=tiny_model, top=0)
            assert math.isclose(report.prediction, row.prediction, rel_tol=1e-9)
            assert math.isclose(report.interval[0], row.pi_low, rel_tol=1e-9)
            assert report.in_domain == bool(row.in_domain)
        else:
            with pytest.raises(exc.InvalidInputError) as err:
                predict_one(text, comp, model=tiny_model, top=0)
            assert err.value.code == status
            assert text in str(err.value)
