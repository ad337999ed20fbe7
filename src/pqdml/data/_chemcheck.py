"""Chemistry checks used by :func:`pqdml.data.schema.validate`: SMILES (RDKit) and compositions.

Kept apart from the schema so the schema module stays about columns and ranges.
"""

from __future__ import annotations

import functools
from typing import Literal

import pandas as pd
from rdkit import Chem, RDLogger

from pqdml.chem.composition import parse_composition
from pqdml.data.issues import Issue
from pqdml.exceptions import AmbiguousCompositionError, InvalidCompositionError

SMILES_COLUMNS = ("ligand_smiles", "antisolvent_smiles")


def _silence_rdkit() -> None:
    RDLogger.DisableLog("rdApp.*")  # type: ignore[attr-defined]


@functools.lru_cache(maxsize=8192)
def check_smiles(smiles: str) -> tuple[Literal["ok", "warning", "error"], str]:
    """Parse one SMILES with RDKit; return (``"ok"`` | ``"warning"`` | ``"error"``, reason).

    ``*`` atoms (polymer repeat units, unspecified counter-ions such as ``[*+]``) are
    valid input and give a warning, since descriptors treat them as unknown atoms.

    Examples
    --------
    >>> check_smiles("CCCCCCCCCCCCS")
    ('ok', '')
    >>> check_smiles("C1CC")[0]
    'error'
    """
    _silence_rdkit()
    text = smiles.strip()
    if not text:
        return "ok", ""
    if any(ch.isspace() for ch in text):
        return "error", "SMILES contains whitespace"
    mol = Chem.MolFromSmiles(text, sanitize=False)
    if mol is None:
        return "error", "RDKit cannot parse this SMILES (syntax error)"
    try:
        Chem.SanitizeMol(mol)
    except Exception as exc:  # RDKit raises its own MolSanitizeException family
        return "error", f"RDKit rejects this SMILES: {str(exc).strip()}"
    if any(atom.GetAtomicNum() == 0 for atom in mol.GetAtoms()):
        return (
            "warning",
            "SMILES has '*' atoms (polymer repeat unit or unspecified counter-ion): "
            "parsed, but descriptors treat them as unknown atoms",
        )
    return "ok", ""


def smiles_issues(df: pd.DataFrame, line_of: list[int]) -> list[Issue]:
    """Issues for every unparseable (error) or ``*``-containing (warning) SMILES cell."""
    issues: list[Issue] = []
    for col in SMILES_COLUMNS:
        if col not in df.columns:
            continue
        for pos, value in enumerate(df[col].tolist()):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                continue
            status, reason = check_smiles(str(value))
            if status != "ok":
                issues.append(Issue(line_of[pos], col, value, reason, status))
    return issues


@functools.lru_cache(maxsize=8192)
def check_composition(formula: str) -> tuple[Literal["ok", "warning", "error"], str]:
    """Parse one perovskite formula; ambiguous halide families are warnings, not errors.

    Returns (``"ok"`` | ``"warning"`` | ``"error"``, reason).
    """
    text = formula.strip()
    if not text:
        return "error", "empty composition"
    try:
        parse_composition(text)
    except AmbiguousCompositionError as exc:
        return "warning", f"ambiguous composition (ratio unknown): {exc}"
    except InvalidCompositionError as exc:
        return "error", f"unparseable composition: {exc}"
    return "ok", ""


def composition_issues(df: pd.DataFrame, line_of: list[int]) -> list[Issue]:
    """Issues for every composition cell that cannot be parsed (error) or is ambiguous (warning)."""
    if "composition" not in df.columns:
        return []
    issues: list[Issue] = []
    for pos, value in enumerate(df["composition"].tolist()):
        if value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip():
            continue  # empty required values are reported by the schema
        status, reason = check_composition(str(value))
        if status != "ok":
            issues.append(Issue(line_of[pos], "composition", value, reason, status))
    return issues
