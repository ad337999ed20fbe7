"""Predict one ligand on one perovskite: value, interval, domain verdict, reasons in words."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pqdml import exceptions as exc
from pqdml.chem.ligand import resolve_ligand
from pqdml.data.records import check_stage
from pqdml.data.targets import target_spec
from pqdml.explain import explain_predictions
from pqdml.model import Predictor, resolve_model
from pqdml.model.ranking import model_ranking_verdict, ranking_caveat

__all__ = ["PredictionReport", "predict_one"]

_ERRORS: dict[str, type[exc.InvalidInputError]] = {
    "invalid_smiles": exc.InvalidSmilesError,
    "unknown_ligand": exc.UnknownLigandError,
    "unsupported_element": exc.UnsupportedElementError,
    "invalid_composition": exc.InvalidCompositionError,
    "unknown_ion": exc.UnknownIonError,
    "stoichiometry": exc.StoichiometryError,
    "ambiguous_composition": exc.AmbiguousCompositionError,
}


@dataclass
class PredictionReport:
    """One prediction with everything a chemist needs to judge it.

    Attributes
    ----------
    ligand
        The ligand as given (name or SMILES).
    canonical_smiles
        RDKit canonical SMILES of the ligand.
    composition, stage
        Perovskite formula and process stage used.
    target, target_column, unit
        Target key (``plqy``), record column (``plqy_percent``) and its unit.
    prediction_kind
        ``"value"`` or ``"gain_over_control"``.
    prediction
        Predicted value.
    interval
        ``(low, high)`` conformal prediction interval at ``level``.
    level
        Interval level.
    in_domain
        Applicability-domain verdict.
    max_similarity
        Largest Tanimoto similarity of the ligand to a training ligand.
    nearest_ligands
        The nearest training ligands with their similarity.
    reasons
        Why the ligand is (partly) out of domain; empty when nothing is flagged.
    contributions
        Top contributing features in words (SHAP).
    binding_type, chain_length
        Ligand descriptors the model used.
    ranking_skill
        The model's measured ranking skill within one system (a sentence from its grouped
        CV): whether comparing this prediction with another ligand's in the same system
        is better than chance.
    """

    ligand: str
    canonical_smiles: str | None
    composition: str
    stage: str | None
    target: str
    target_column: str
    unit: str
    prediction_kind: str
    prediction: float
    interval: tuple[float, float]
    level: float
    in_domain: bool
    max_similarity: float
    nearest_ligands: list[tuple[str, float]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    contributions: list[str] = field(default_factory=list)
    binding_type: str | None = None
    chain_length: float | None = None
    ranking_skill: str | None = None

    def __str__(self) -> str:
        """Render the report the ``pqdml predict`` command prints."""
        what = f"{self.target} ({self.target_column})"
        if self.prediction_kind == "gain_over_control":
            what += ", gain over the control"
        unit = f" {self.unit}" if self.unit else ""
        chain = "" if self.chain_length is None else f"{self.chain_length:g}"
        lines = [
            f"ligand       {self.ligand}  [{self.canonical_smiles}]",
            f"             binding type {self.binding_type}, chain length {chain}",
            f"perovskite   {self.composition}" + (f", stage {self.stage}" if self.stage else ""),
            f"prediction   {what}: {self.prediction:.2f}{unit}",
            f"interval     {self.interval[0]:.2f} – {self.interval[1]:.2f}{unit} "
            f"({self.level:.0%} conformal)",
            f"domain       {'IN domain' if self.in_domain else 'OUT of domain'}; "
            f"max Tanimoto similarity to training {self.max_similarity:.2f}",
        ]
        if self.nearest_ligands:
            lines.append(
                "nearest      "
                + "; ".join(f"{name} ({sim:.2f})" for name, sim in self.nearest_ligands)
            )
        for reason in self.reasons:
            lines.append(f"flag         {reason}")
        if self.contributions:
            lines.append("because")
            lines.extend(f"  - {c}" for c in self.contributions)
        if self.ranking_skill:
            lines.append(f"ranking      {self.ranking_skill}")
            caveat = ranking_caveat(self.ranking_skill)
            if caveat:
                lines.append(f"             {caveat}")
        return "\n".join(lines)


def _resolve_smiles(text: str) -> str:
    """SMILES of a dictionary name or a SMILES; raises when it is neither."""
    record = resolve_ligand(text)
    for attr in ("smiles", "canonical_smiles"):
        value = getattr(record, attr, None)
        if isinstance(value, str) and value:
            return value
    return text


def _nearest(model: Predictor, smiles: object) -> list[tuple[str, float]]:
    """Return the training ligands nearest to one canonical SMILES, with their similarity."""
    return model.nearest_ligands([smiles if isinstance(smiles, str) else ""])[0]


def _unit(model: Predictor) -> str:
    """Return the unit of the model's target column (``%``, ``V``, ``nm``) from the target table."""
    spec = target_spec(str(model.target_column))
    return spec.unit if spec is not None else ""


def predict_one(
    ligand: str,
    composition: str,
    *,
    model: Predictor | str | os.PathLike[str] | None = None,
    target: str = "plqy",
    stage: str | None = None,
    process: Mapping[str, float] | None = None,
    level: float = 0.9,
    top: int = 5,
) -> PredictionReport:
    """Predict one ligand on one perovskite, with interval, domain verdict and reasons.

    Parameters
    ----------
    ligand
        Ligand name from the dictionary (``"oleylamine"``, ``"OAm"``) or a SMILES.
    composition
        Perovskite formula, e.g. ``"CsPbI3"``.
    model
        A :class:`pqdml.model.TrainedModel`, a model directory, or None for the shipped
        default model of ``target``.
    target
        Target of the default model (``plqy`` or ``pce``).
    stage
        Process stage (``synthesis``, ``post-synthesis``, ``purification``, ``film-treatment``).
    process
        Process values as ``{"proc_<name>_<unit>": value}``.
    level
        Interval level.
    top
        Number of contributions in words (0 skips the SHAP explanation).

    Returns
    -------
    PredictionReport
        ``str(report)`` is what ``pqdml predict`` prints.

    Raises
    ------
    InvalidInputError
        Unknown ligand, unparseable SMILES, unsupported element, bad composition or a
        process key that is not a ``proc_*`` column (the subclass names the reason).

    Examples
    --------
    >>> report = predict_one("octylamine", "CsPbI3")  # doctest: +SKIP
    >>> print(report)  # doctest: +SKIP
    """
    if not isinstance(ligand, str) or not ligand.strip():
        raise exc.UnknownLigandError(f"ligand {ligand!r} is empty")
    if not isinstance(composition, str) or not composition.strip():
        raise exc.InvalidCompositionError(f"composition {composition!r} is empty")
    stage = check_stage(stage)
    model = resolve_model(model, target)
    smiles = _resolve_smiles(ligand.strip())
    record: dict[str, Any] = {
        "record_id": "query",
        "ligand_name": ligand.strip(),
        "ligand_smiles": smiles,
        "composition": composition.strip(),
        "stage": stage,
        "is_control": 0,
    }
    for key, value in (process or {}).items():
        if not key.startswith("proc_"):
            raise exc.InvalidInputError(
                f"process key {key!r} is not a proc_<name>_<unit> column", code="invalid_process"
            )
        try:
            record[key] = float(value)
        except (TypeError, ValueError):
            raise exc.InvalidInputError(
                f"process value {key}={value!r} is not a number", code="invalid_process"
            ) from None
    records = pd.DataFrame([record])
    result = model.predict(records, level=level)
    row = result.iloc[0]
    status = str(row["status"])
    if status != "ok":
        error_cls = _ERRORS.get(status, exc.InvalidInputError)
        raise error_cls(
            f"cannot predict {ligand!r} on {composition!r}: {row['error']}", code=status
        )
    contributions: list[str] = []
    if top > 0:
        contributions = explain_predictions(model, records, top=top)[0]
    reasons = [r for r in str(row.get("ad_reasons") or "").split("; ") if r]
    chain = row.get("chain_length")
    return PredictionReport(
        ligand=ligand.strip(),
        canonical_smiles=row.get("canonical_smiles"),
        composition=composition.strip(),
        stage=stage,
        target=model.target,
        target_column=model.target_column,
        unit=_unit(model),
        prediction_kind=str(result.attrs.get("prediction_kind", "value")),
        prediction=float(row["prediction"]),
        interval=(float(row["pi_low"]), float(row["pi_high"])),
        level=float(result.attrs.get("level", level)),
        in_domain=bool(row["in_domain"]),
        max_similarity=float(row["max_similarity"]),
        nearest_ligands=_nearest(model, row.get("canonical_smiles")),
        reasons=reasons,
        contributions=contributions,
        binding_type=row.get("binding_type"),
        chain_length=None if chain is None or math.isnan(float(chain)) else float(chain),
        ranking_skill=model_ranking_verdict(model),
    )
