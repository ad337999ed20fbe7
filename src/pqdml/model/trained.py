"""The fitted model object: featurize → XGBoost → back-transform, with intervals and AD."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xgboost

from pqdml.data.records import clean_text
from pqdml.features import FeatureCache, build_matrix, featurize_records
from pqdml.model import intervals
from pqdml.model.artifact import read_artifact, write_artifact
from pqdml.model.conformal import conformal_quantile
from pqdml.model.domain import N_BITS, ApplicabilityDomain, anchors_of
from pqdml.model.effect import from_effect
from pqdml.model.pbetter import p_better
from pqdml.model.presets import LinearPredictor
from pqdml.model.target import TargetTransform

#: Columns of :meth:`TrainedModel.predict`, in order.
PREDICTION_COLUMNS = [
    "status",
    "error",
    "prediction",
    "pi_low",
    "pi_high",
    "in_domain",
    "max_similarity",
    "nearest_ligands",
    "ad_reasons",
    "canonical_smiles",
    "binding_type",
    "chain_length",
]


def row_status(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Row status/error from the ligand and composition statuses of a feature frame.

    ``ok`` when the ligand is valid (or absent) and the composition is valid; otherwise the
    featurizer's error code (ligand first) and message. A missing composition is
    ``missing_composition``.
    """
    n = len(frame)
    status = pd.Series(["ok"] * n, index=frame.index, dtype=object)
    error = pd.Series([""] * n, index=frame.index, dtype=object)
    lst = frame.get("ligand_status", pd.Series(["ok"] * n, index=frame.index)).fillna("ok")
    lerr = frame.get("ligand_error", pd.Series([""] * n, index=frame.index)).fillna("")
    cst = frame.get("composition_status", pd.Series(["ok"] * n, index=frame.index)).fillna("ok")
    cerr = frame.get("composition_error", pd.Series([""] * n, index=frame.index)).fillna("")
    bad_c = ~cst.isin(["ok"])
    status[bad_c] = cst[bad_c].replace({"empty": "missing_composition"})
    error[bad_c] = cerr[bad_c]
    bad_l = ~lst.isin(["ok", "empty"])
    status[bad_l] = lst[bad_l]
    error[bad_l] = lerr[bad_l]
    return status, error


#: Message of a ligand that is featurized but has no group to bind the surface.
NO_ANCHOR_MESSAGE = (
    "no anchoring group found in {smiles}: the molecule has nothing to bind the surface"
)


def prediction_status(records: pd.DataFrame, frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Status and message of each record for prediction: the one place these rules live.

    On top of :func:`row_status` (the featurizers' verdicts):

    - text in ``ligand_smiles`` that is neither a SMILES nor a dictionary name is
      ``invalid_smiles`` (``unknown_ligand`` is kept for text given as a name only);
    - a ligand with no anchoring group (binding type ``none``) is ``no_anchor_group``: it
      cannot bind the surface, so no prediction is made for it.

    :meth:`TrainedModel.predict`, and through it :func:`pqdml.predict_one`, ``pqdml screen``,
    the report and the web page, all use it.
    """
    status, error = row_status(frame)
    n = len(frame)
    smiles = records.get("ligand_smiles", pd.Series([None] * n, index=frame.index))
    given = clean_text(smiles).ne("").to_numpy()
    bad = (status == "unknown_ligand").to_numpy() & given
    status[bad] = "invalid_smiles"
    binding = frame.get("ligand_text__binding_type", pd.Series([None] * n, index=frame.index))
    no_anchor = (status == "ok") & binding.astype(object).eq("none")
    if no_anchor.any():
        canonical = frame.get("ligand_canonical_smiles", frame.get("ligand_text", binding))
        status[no_anchor] = "no_anchor_group"
        error[no_anchor] = [
            NO_ANCHOR_MESSAGE.format(smiles=s) for s in canonical[no_anchor].astype(str)
        ]
    return status, error


def ligand_info(frame: pd.DataFrame, fingerprints: list[Any] | None = None) -> pd.DataFrame:
    """Per-row ligand identity used by the AD: canonical SMILES, name, binding type, anchors.

    ``fingerprints`` (optional, aligned with ``frame``) become the ``fingerprint`` column.
    """
    n = len(frame)
    idx = frame.index
    smiles = frame.get("ligand_canonical_smiles", pd.Series([None] * n, index=idx))
    smiles = smiles.astype(object).where(smiles.notna(), "")
    bt = frame.get("ligand_text__binding_type", pd.Series([None] * n, index=idx)).astype(object)
    key = smiles.astype(str)
    first = np.flatnonzero(~key.duplicated().to_numpy())
    per_ligand = dict(zip(key.iloc[first], _anchor_sets(frame, first), strict=True))
    anchors = [per_ligand[k] for k in key]
    ok = (
        frame.get("ligand_status", pd.Series(["ok"] * n, index=idx))
        .fillna("ok")
        .isin(["ok", "empty"])
    )
    info = pd.DataFrame(
        {
            "canonical_smiles": smiles,
            "name": frame.get("ligand_label", pd.Series([""] * n, index=idx)),
            "binding_type": bt,
            "anchors": anchors,
            "ok": ok,
        },
        index=idx,
    )
    if fingerprints is not None:
        info["fingerprint"] = pd.Series(fingerprints, index=idx, dtype=object)
    return info


def _anchor_sets(frame: pd.DataFrame, rows: np.ndarray) -> list[set[str]]:
    """:func:`anchors_of` of the anchor columns of ``frame`` at positions ``rows``.

    Float columns are read at once (a positive finite count names its group); any other
    column goes through :func:`anchors_of` value by value.
    """
    anchor_cols = [c for c in frame.columns if "anchor" in c.lower()]
    numeric = [c for c in anchor_cols if frame[c].dtype == np.float64]
    others = [c for c in anchor_cols if frame[c].dtype != np.float64]
    sets: list[set[str]] = [set() for _ in rows]
    counted = [
        c
        for c in numeric
        if not str(c).lower().endswith(("n_anchors", "anchor_count", "n_anchor_groups"))
    ]
    if counted and len(rows):
        names = [str(c).lower().split("__")[-1].removeprefix("anchor_") for c in counted]
        values = frame[counted].to_numpy(dtype=np.float64)[rows]
        with np.errstate(invalid="ignore"):
            hit = np.isfinite(values) & (values > 0)
        for i, j in zip(*np.nonzero(hit), strict=True):
            sets[i].add(names[j])
    if others and len(rows):
        records = frame[others].iloc[rows].to_dict(orient="records")
        for found, record in zip(sets, records, strict=True):
            found |= anchors_of(record)
    return sets


class TrainedModel:
    """A trained pqdml model: featurizer configuration, XGBoost booster, intervals, AD.

    Build one with :func:`pqdml.model.train` or :func:`pqdml.model.load_model`.

    Attributes
    ----------
    target : str
        Target key (``"plqy"``, ``"pce"``, ...).
    target_column : str
        Canonical record column of the target.
    feature_names : list of str
        Feature names in matrix column order.
    metadata : dict
        Everything written to ``metadata.json``.
    booster : xgboost.Booster
        The fitted booster (predicts in the transformed target space).
    """

    def __init__(
        self,
        *,
        target: str,
        target_column: str,
        feature_names: list[str],
        booster: xgboost.Booster,
        target_transform: TargetTransform,
        residuals: np.ndarray,
        domain: ApplicabilityDomain,
        metadata: dict[str, Any],
        metrics: dict[str, Any] | None = None,
        predictor: LinearPredictor | None = None,
    ) -> None:
        self.target = target
        self.target_column = target_column
        self.feature_names = list(feature_names)
        self.booster = booster
        self.target_transform = target_transform
        self.residuals = np.sort(np.asarray(residuals, dtype=float))
        self.domain = domain
        self.metadata = metadata
        self.metrics = metrics or {}
        self.predictor = predictor
        featurizer = metadata.get("featurizer", {})
        self._cache = FeatureCache(
            descriptors=featurizer.get("descriptors", "default"),
            morgan_bits=int(featurizer.get("morgan_bits", 0)),
            fingerprint_bits=N_BITS,
        )

    def __repr__(self) -> str:
        n = self.metadata.get("rows", {}).get("n_used", "?")
        return f"TrainedModel(target={self.target!r}, n_features={len(self.feature_names)}, n_train={n})"

    @property
    def level(self) -> float:
        """Default interval level the model was trained with."""
        return float(self.metadata.get("conformal", {}).get("level", 0.9))

    @property
    def prediction_kind(self) -> str:
        """``"value"``, ``"gain_over_control"`` or ``"effect_headroom_fraction"``."""
        return str(self.metadata.get("prediction_kind", "value"))

    @property
    def predictor_name(self) -> str:
        """The candidate that predicts: an XGBoost preset, or ``ridge`` / ``mean`` when it won."""
        if self.predictor is not None:
            return self.predictor.name
        sel = self.metadata.get("selection") or {}
        return str(sel.get("predictor", "xgboost"))

    def to_target(self, prediction: np.ndarray, control: np.ndarray) -> np.ndarray:
        """Treated value in the target's unit of an effect prediction, for a control value.

        Only for models trained with ``effect=True`` (:mod:`pqdml.model.effect`); a value
        model's prediction is returned unchanged.
        """
        effect = self.metadata.get("effect")
        if not effect:
            return np.asarray(prediction, dtype=float)
        return from_effect(prediction, control, effect.get("ceiling"))

    def p_better(
        self, prediction: np.ndarray, reference_prediction: float | np.ndarray
    ) -> np.ndarray:
        """Calibrated probability that each candidate beats a reference in the same system.

        ``prediction`` and ``reference_prediction`` are this model's predictions for the
        candidates and the reference ligand in one system (same composition and process),
        or one reference prediction per candidate (each in the candidate's system); see
        :mod:`pqdml.model.pbetter`. Every probability is 0.5 when the model stored no
        calibration (slope 0: no ranking skill measured).
        """
        slope = float((self.metadata.get("p_better") or {}).get("slope", 0.0))
        return p_better(prediction, reference_prediction, slope)

    def predict_model_units(self, X: np.ndarray) -> np.ndarray:
        """Point prediction of the shipped predictor, in the model's units."""
        if self.predictor is not None:
            return self.predictor.predict(X)
        return self.target_transform.inverse(self.predict_margin(X))

    def _featurize(self, records: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        frame = featurize_records(records, cache=self._cache)
        return build_matrix(records, frame, self.feature_names), frame

    def transform(self, records: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        """Featurize ``records`` into the model's matrix.

        Returns
        -------
        X : numpy.ndarray
            float64 ``[n_rows, n_features]`` (NaN where a featurizer failed).
        status : pandas.DataFrame
            Same index as ``records``: ``status``, ``error``, ``canonical_smiles``,
            ``binding_type``, ``chain_length``.
        """
        X, frame = self._featurize(records)
        return X, self._status_frame(records, frame)

    @staticmethod
    def _status_frame(records: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
        status, error = prediction_status(records, frame)
        n = len(frame)
        none = pd.Series([None] * n, index=frame.index, dtype=object)
        smiles = frame.get("ligand_canonical_smiles", none)
        chain = frame.get("ligand__chain_length", pd.Series(np.nan, index=frame.index))
        return pd.DataFrame(
            {
                "status": status,
                "error": error,
                "canonical_smiles": smiles.astype(object).where(smiles.notna(), None),
                "binding_type": frame.get("ligand_text__binding_type", none),
                "chain_length": pd.to_numeric(chain, errors="coerce"),
            },
            index=frame.index,
        )

    def predict_margin(self, X: np.ndarray) -> np.ndarray:
        """Booster output in the fitting (transformed) space, float64."""
        if X.shape[0] == 0:
            return np.zeros(0)
        return np.asarray(
            self.booster.inplace_predict(np.ascontiguousarray(X, dtype=np.float64)),
            dtype=np.float64,
        )

    def predict(self, records: pd.DataFrame, *, level: float | None = None) -> pd.DataFrame:
        """Predict with a conformal interval and an applicability-domain verdict.

        Parameters
        ----------
        records
            Canonical records (at least a ligand and a composition column).
        level
            Interval level (default: the level the model was trained with).

        Returns
        -------
        pandas.DataFrame
            Same index as ``records``; columns :data:`PREDICTION_COLUMNS`. Rows whose ligand
            or composition failed keep their status and NaN predictions. ``attrs`` carries
            ``prediction_kind`` (``"value"`` or ``"gain_over_control"``) and ``target``.
        """
        level = self.level if level is None else float(level)
        q = conformal_quantile(self.residuals, level)
        conf = self.metadata.get("conformal", {})
        partner = self.metadata.get("ridge_partner")
        partner_lp = LinearPredictor.from_dict(partner) if partner else None
        X, frame = self._featurize(records)
        out = self._status_frame(records, frame)
        ok = (out["status"] == "ok").to_numpy()
        pred = np.full(len(X), np.nan)
        low = np.full(len(X), np.nan)
        high = np.full(len(X), np.nan)
        disagree = np.full(len(X), np.nan)
        if ok.any():
            t = self.target_transform
            z_xgb = self.predict_margin(X[ok])
            if self.predictor is not None:
                pred[ok] = self.predictor.predict(X[ok])
                z = t.forward(pred[ok])
            else:
                z = z_xgb
                pred[ok] = t.inverse(z)
            half = np.full(len(z), q)
            if partner_lp is not None:
                disagree[ok] = np.abs(
                    t.forward(t.inverse(z_xgb)) - t.forward(partner_lp.predict(X[ok]))
                )
                norm = conf.get("normalised") or {}
                if conf.get("method_used") == "normalised" and norm:
                    sig = intervals.difficulty(0.0, disagree[ok], float(norm["beta"]))
                    half = intervals.normalised_half_widths(
                        np.asarray(norm["residuals"]), np.asarray(norm["sigmas"]), sig, level
                    )
            low[ok] = t.inverse(z - half)
            high[ok] = t.inverse(z + half)
        fingerprints = self._cache.ligand_fingerprints(frame["ligand_text"])
        ad = self.domain.assess(X, ligand_info(frame, fingerprints))
        out["prediction"] = pred
        out["pi_low"] = low
        out["pi_high"] = high
        for col in ("in_domain", "max_similarity", "nearest_ligands", "ad_reasons"):
            out[col] = ad[col].to_numpy()
        check = self.metadata.get("domain_check") or {}
        if check.get("criterion") == "disagreement":
            thr = float(check["disagreement_threshold"])
            far = np.isfinite(disagree) & (disagree > thr)
            out["in_domain"] = ~far
            reasons = out["ad_reasons"].astype(str).to_numpy()
            out["ad_reasons"] = [
                "; ".join(
                    x
                    for x in (
                        f"models disagree: |xgboost − ridge| {d:.2f} > {thr:.2f}" if f else "",
                        r,
                    )
                    if x
                )
                for d, f, r in zip(disagree, far, reasons, strict=True)
            ]
        out.loc[~ok, "in_domain"] = False
        out = out[PREDICTION_COLUMNS]
        out.attrs["prediction_kind"] = self.prediction_kind
        out.attrs["target"] = self.target
        out.attrs["level"] = level
        return out

    def nearest_ligands(self, smiles: Sequence[str]) -> list[list[tuple[str, float]]]:
        """Return the training ligands most similar to each SMILES, as ``(name, similarity)``.

        The structured form of the ``nearest_ligands`` text column of :meth:`predict`
        (which is :func:`pqdml.model.domain.format_nearest` of it).
        """
        return self.domain.nearest_to(smiles)

    def trim_caches(self, max_entries: int) -> None:
        """Drop the feature memos (this model's and the ligand featurizer's) above ``max_entries``."""
        self._cache.trim(max_entries)

    def use_threads(self, n: int) -> None:
        """Predict on ``n`` XGBoost threads."""
        self.booster.set_param({"nthread": int(n)})

    def save(self, path: str | Path) -> Path:
        """Write the artifact directory (see :mod:`pqdml.model.artifact`); return its path."""
        self.metadata = write_artifact(self, path)
        return Path(path)


def load_model(path: str | os.PathLike[str]) -> TrainedModel:
    """Load a model directory written by :meth:`TrainedModel.save`, verifying it first.

    Raises :class:`~pqdml.exceptions.ModelArtifactError` for any directory that fails the
    checks of :func:`pqdml.model.artifact.read_artifact` (missing or tampered files).

    Examples
    --------
    >>> load_model("/nonexistent")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    pqdml.exceptions.ModelArtifactError: model directory '/nonexistent' does not exist
    """
    return TrainedModel(**read_artifact(path))
