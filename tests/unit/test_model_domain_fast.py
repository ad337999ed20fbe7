"""The applicability domain's fast path (fingerprints from featurization) equals the re-parse path."""

from __future__ import annotations

import numpy as np
import pytest

from pqdml.chem.ligand import _featurize_table, dictionary_records
from pqdml.features import featurize_records
from pqdml.library import ANCHORS
from pqdml.model import default_model
from pqdml.model.domain import N_BITS, fingerprint_bits, tanimoto_matrix
from pqdml.model.trained import ligand_info


def _panel() -> list[str]:
    """About 200 ligands: the dictionary (SMILES and names) and generated chains, some bad."""
    out = [r.smiles for r in dictionary_records()] + [
        str(r.name) for r in dictionary_records()[:20]
    ]
    for n, (_, build, _groups) in enumerate(ANCHORS.values()):
        for k, head in enumerate(("", "c1ccccc1", "CC(C)", "FC(F)(F)")):
            chain = head + "C" * (2 + (n + 5 * k) % 16) + ("C=C" if (n + k) % 3 == 0 else "")
            out.append(build(chain, chain))
    return [*out, "C(C", "", "OAm; HI", "CC[Hg]CC", "[Na+].[Cl-]"]


@pytest.mark.parametrize("target", ["plqy", "pce"])
def test_fast_fingerprints_give_the_same_domain_verdicts(target: str) -> None:
    import pandas as pd

    smiles = _panel()
    assert len(smiles) >= 150
    model = default_model(target)
    records = pd.DataFrame({"ligand_smiles": smiles, "composition": "CsPbI3", "stage": "film"})
    frame = featurize_records(records)
    _, fps = _featurize_table(frame["ligand_text"], fingerprint_bits=N_BITS)
    X = np.zeros((len(records), len(model.feature_names)))
    slow = model.domain.assess(X, ligand_info(frame))
    fast = model.domain.assess(X, ligand_info(frame, fps))
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert fast["max_similarity"].notna().sum() > 100


def test_fast_fingerprints_and_similarity_equal_the_reference_computation() -> None:
    smiles = _panel()
    frame, fps = _featurize_table(smiles, fingerprint_bits=N_BITS)
    ok = [
        (c, fp)
        for c, fp in zip(frame["ligand_canonical_smiles"], fps, strict=True)
        if fp is not None
    ]
    assert len(ok) > 150
    dense = np.array([fingerprint_bits(c) for c, _ in ok])
    fast = np.zeros_like(dense)
    for row, (_, fp) in zip(fast, ok, strict=True):
        row[list(fp.GetOnBits())] = 1
    np.testing.assert_array_equal(fast, dense)
    domain = default_model("pce").domain
    expected = tanimoto_matrix(dense, domain.fingerprints)
    np.testing.assert_array_equal(domain.similarity([fp for _, fp in ok]), expected)
