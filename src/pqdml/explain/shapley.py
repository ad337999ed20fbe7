"""SHAP explanations of a trained model, rolled up into concepts a chemist thinks in.

Data flows one way: records → :meth:`TrainedModel.transform` → SHAP values of the
XGBoost booster (``shap.TreeExplainer``) → concepts → sentences.

SHAP values live in the model's *transformed* target space (the booster's raw margin,
e.g. the logit of PLQY/100 for a bounded target). They are exactly additive there: per
row, ``base_value + values.sum() == model.predict_margin(X)``. Converting a contribution
into target units (PLQY points, PCE points, volts, ...) cannot stay additive through a
non-linear back-transform; pqdml states a contribution in target units as the
*difference of back-transformed predictions*::

    effect_j = g⁻¹(margin) − g⁻¹(margin − φ_j)

i.e. how much the prediction in target units would change if feature (or concept) ``j``
contributed nothing (stayed at the training average). For an untransformed target this
equals ``φ_j``; for a logit-transformed target it is exact for that one contribution and
the effects of several contributions need not add up to the total.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xgboost

from pqdml.chem._ions import SITE_IONS
from pqdml.data.targets import target_spec
from pqdml.explain.words import describe_concept
from pqdml.model import Predictor, TrainedModel

__all__ = [
    "CONCEPTS",
    "ShapResult",
    "concept_importance",
    "concept_of",
    "concept_values",
    "explain_predictions",
    "shap_values",
    "subset",
    "target_effects",
    "target_unit",
]

#: The concepts features roll up into, in display order.
CONCEPTS: tuple[str, ...] = (
    "chain length",
    "binding type",
    "anchoring group",
    "zwitterionic",
    "polarity/size descriptors",
    "ligand substructure (Morgan bits)",
    "ligand present",
    "A-site mix",
    "B-site mix",
    "halide / lattice",
    "process",
    "morphology",
    "other",
)

#: The X-site fractions, r_X, the tolerance and octahedral factors and the band-gap estimate
#: carry one fact for lead-halide perovskites (r_X and the octahedral factor correlate at
#: r = −1.00, band gap and octahedral factor at 0.96): one concept, so one bar.
LATTICE = "halide / lattice"
_SITE_CONCEPT = {"A": "A-site mix", "B": "B-site mix", "X": LATTICE}


_LIGAND_RULES: tuple[tuple[str, str], ...] = (
    (r"^morgan_\d+$", "ligand substructure (Morgan bits)"),
    (r"^present$", "ligand present"),
    (r"(chain|tail|branch)", "chain length"),
    (r"zwitter", "zwitterionic"),
    (r"^binding", "binding type"),
    (r"(anchor|chelat|denticity|counter_ion)", "anchoring group"),
)
_COMPOSITION_RULES: tuple[tuple[str, str], ...] = (
    (r"(tolerance|octahedral|stab|window|goldschmidt|^tau)", LATTICE),
    (r"(band_?gap|^eg)", LATTICE),
)


def concept_of(feature_name: str) -> str:
    """Map a model feature name to the chemist's concept it belongs to.

    Feature names carry a source prefix (``ligand__``, ``composition__``,
    ``process__``, ``stage__``, ``morphology__``, ``antisolvent__``); one-hot and
    fingerprint columns map back to the concept they encode.

    Parameters
    ----------
    feature_name
        A name from :attr:`TrainedModel.feature_names`, e.g. ``"ligand__chain_length"``.

    Returns
    -------
    str
        One of :data:`CONCEPTS`.

    Examples
    --------
    >>> concept_of("ligand__chain_length")
    'chain length'
    >>> concept_of("ligand__morgan_17")
    'ligand substructure (Morgan bits)'
    >>> concept_of("composition__frac_Br")
    'halide / lattice'
    >>> concept_of("ligand__tail_length"), concept_of("composition__is_double_perovskite")
    ('chain length', 'B-site mix')
    >>> concept_of("stage__film-treatment")
    'process'
    """
    prefix, sep, name = feature_name.partition("__")
    if not sep:
        prefix, name = "", feature_name
    low = name.lower()
    if prefix in ("process", "stage", "antisolvent", "solvent"):
        return "process"
    if prefix == "morphology":
        return "morphology"
    if prefix == "ligand":
        for pattern, concept in _LIGAND_RULES:
            if re.search(pattern, low):
                return concept
        return "polarity/size descriptors"
    if prefix == "composition":
        for pattern, concept in _COMPOSITION_RULES:
            if re.search(pattern, low):
                return concept
        site = _composition_site(name)
        if site is not None:
            return site
        return "other"
    return "other"


def _composition_site(name: str) -> str | None:
    """Site concept of a composition feature (``frac_Br``, ``r_A``, ``mixing_entropy_X``)."""
    if name.startswith("frac_"):
        ion = name.removeprefix("frac_")
        for site, ions in SITE_IONS.items():
            if ion in ions:
                return _SITE_CONCEPT[site]
        return None
    tokens = [t for t in re.split(r"[_\W]+", name) if t]
    for token in reversed(tokens):
        if token in _SITE_CONCEPT:
            return _SITE_CONCEPT[token]
    if "inorganic" in tokens:
        return "A-site mix"
    if "double" in tokens:  # is_double_perovskite: an ordered B(I)/B(III) pair
        return "B-site mix"
    return None


@dataclass(frozen=True)
class ShapResult:
    """SHAP values of a model on a batch of records.

    Attributes
    ----------
    values
        ``(n_rows, n_features)`` SHAP values in the model's transformed target space;
        NaN for rows whose featurization failed (their ``status`` is not ``"ok"``).
    base_value
        Expected model output (margin) over the explainer's reference; per ok row
        ``base_value + values[i].sum() == margin[i]``.
    X
        ``(n_rows, n_features)`` feature matrix the values explain.
    feature_names
        Column names of ``X`` and ``values``.
    status
        One row per record (same index as the records): ``status`` (``"ok"`` or an
        error code), ``error`` (message) and any further per-row columns the model's
        ``transform`` reports (e.g. ``canonical_smiles``, ``binding_type``).
    margin
        The booster's raw output per row (NaN for failed rows).
    """

    values: np.ndarray
    base_value: float
    X: np.ndarray
    feature_names: list[str]
    status: pd.DataFrame
    margin: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        """Boolean mask of rows with usable SHAP values."""
        return np.asarray(self.status["status"].astype(str) == "ok")

    def concepts(self) -> list[str]:
        """Concept of every feature, in feature order."""
        return [concept_of(name) for name in self.feature_names]


def _status_frame(status: Any, n_rows: int, index: pd.Index) -> pd.DataFrame:
    """Normalise the model's per-row status to columns ``status`` and ``error``."""
    if isinstance(status, pd.DataFrame):
        frame = status
    else:
        frame = pd.DataFrame({"status": list(status)}, index=index)
    out = pd.DataFrame(index=frame.index)
    status_col = next(
        (c for c in ("status", "row_status", "feature_status") if c in frame.columns), None
    )
    error_col = next((c for c in ("error", "message", "reason") if c in frame.columns), None)
    out["status"] = frame[status_col].astype(str) if status_col else "ok"
    out["error"] = frame[error_col].fillna("").astype(str) if error_col else ""
    for col in frame.columns:  # keep the model's extra per-row facts (binding_type, ...)
        if col not in (status_col, error_col, "status", "error"):
            out[col] = frame[col]
    if len(out) != n_rows:
        raise ValueError(f"model.transform returned {len(out)} status rows for {n_rows} rows of X")
    return out


_ADDITIVITY_ATOL = 1e-4
#: The ``shap.TreeExplainer`` of the last few boosters explained: building one decodes the
#: whole booster (about 60 ms for a shipped model), which every one-row explanation would
#: otherwise pay again. Bounded, as an explainer keeps its booster alive.
_EXPLAINERS: OrderedDict[int, tuple[Any, Any]] = OrderedDict()
_EXPLAINERS_MAX = 4


def _tree_explainer(booster: Any) -> Any:
    """Return the cached ``shap.TreeExplainer`` of ``booster`` (built on first use)."""
    import shap  # heavy (~3 s with numba): loaded only when explaining

    cached = _EXPLAINERS.get(id(booster))
    if cached is not None and cached[0] is booster:
        _EXPLAINERS.move_to_end(id(booster))
        return cached[1]
    explainer = shap.TreeExplainer(booster)
    _EXPLAINERS[id(booster)] = (booster, explainer)
    while len(_EXPLAINERS) > _EXPLAINERS_MAX:
        _EXPLAINERS.popitem(last=False)
    return explainer


def shap_values(model: TrainedModel, records: pd.DataFrame) -> ShapResult:
    """SHAP values of ``model.booster`` on ``model.transform(records)``.

    Uses ``shap.TreeExplainer(model.booster)`` (exact path-dependent TreeSHAP on the raw
    margin). Known pitfall with shap 0.51 / xgboost 3.2: ``explainer.expected_value``
    equals the booster's ``base_score`` until ``shap_values`` has run, and only then the
    tree-path expectation that makes the values additive; it is therefore read after
    the call. If the values still do not add up to ``model.predict_margin(X)`` within
    1e-4, XGBoost's own ``pred_contribs=True`` (the same algorithm) is used instead.

    Parameters
    ----------
    model
        A :class:`pqdml.model.TrainedModel`.
    records
        Canonical records (a DataFrame).

    Returns
    -------
    ShapResult
        Values for every row; rows that failed featurization keep NaN values and their
        status.
    """
    X, status = model.transform(records)
    X = np.asarray(X, dtype=np.float64)
    frame = _status_frame(status, X.shape[0], records.index)
    ok = np.asarray(frame["status"] == "ok")
    n, p = X.shape
    values = np.full((n, p), np.nan)
    margin = np.full(n, np.nan)
    explainer = _tree_explainer(model.booster)
    base = float("nan")
    if ok.any():
        raw = np.asarray(explainer.shap_values(X[ok], check_additivity=False), dtype=np.float64)
        values[ok] = raw.reshape(int(ok.sum()), p)
        margin[ok] = np.asarray(model.predict_margin(X[ok]), dtype=np.float64).ravel()
        # Read the base value only after shap_values(): shap 0.51 reports the booster's
        # base_score before the first call and the tree-path expectation after it.
        base = float(np.ravel(explainer.expected_value)[0])
        if np.nanmax(np.abs(values[ok].sum(axis=1) + base - margin[ok])) > _ADDITIVITY_ATOL:
            # Fallback: XGBoost's own TreeSHAP (same algorithm, bias column = base value).
            contribs = model.booster.predict(xgboost.DMatrix(X[ok]), pred_contribs=True)
            values[ok] = np.asarray(contribs[:, :-1], dtype=np.float64)
            base = float(contribs[0, -1])
    else:
        base = float(np.ravel(explainer.expected_value)[0])
    return ShapResult(
        values=values,
        base_value=base,
        X=X,
        feature_names=list(model.feature_names),
        status=frame,
        margin=margin,
    )


def concept_values(result: ShapResult) -> pd.DataFrame:
    """Signed SHAP values summed within each concept, per row.

    Returns
    -------
    pandas.DataFrame
        Same index as the records, one column per concept present (in
        :data:`CONCEPTS` order); NaN rows for failed records.
    """
    concepts = np.array(result.concepts())
    present = [c for c in CONCEPTS if c in set(concepts)]
    data = {c: result.values[:, concepts == c].sum(axis=1) for c in present}
    frame = pd.DataFrame(data, index=result.status.index)
    frame.loc[~result.ok, :] = np.nan
    return frame


def concept_importance(result: ShapResult) -> pd.DataFrame:
    """Rank concepts by importance: signed SHAP summed per row, then mean ``|.|`` over rows.

    Parameters
    ----------
    result
        Output of :func:`shap_values`.

    Returns
    -------
    pandas.DataFrame
        Columns ``concept``, ``mean_abs_shap`` (model's transformed units),
        ``n_features`` and ``top_feature`` (feature with the largest mean ``|SHAP|``
        in the concept), sorted by decreasing importance; only ok rows count.
    """
    per_row = concept_values(result)
    ok_rows = per_row[result.ok]
    concepts = np.array(result.concepts())
    feature_abs = (
        np.abs(result.values[result.ok]).mean(axis=0)
        if result.ok.any()
        else np.zeros(len(concepts))
    )
    rows = []
    for concept in per_row.columns:
        members = np.flatnonzero(concepts == concept)
        top = members[np.argmax(feature_abs[members])]
        rows.append(
            {
                "concept": concept,
                "mean_abs_shap": float(np.abs(ok_rows[concept]).mean()) if len(ok_rows) else np.nan,
                "n_features": len(members),
                "top_feature": result.feature_names[top],
            }
        )
    out = pd.DataFrame(rows, columns=["concept", "mean_abs_shap", "n_features", "top_feature"])
    return out.sort_values("mean_abs_shap", ascending=False, kind="stable").reset_index(drop=True)


def target_unit(model: Predictor) -> str:
    """Words for one unit of the model's target, e.g. ``"PLQY points"``."""
    target = str(model.target or "").lower()
    spec = target_spec(target)
    return spec.unit_words if spec is not None else f"{target or 'target'} units"


def target_effects(
    model: TrainedModel, result: ShapResult, contributions: np.ndarray
) -> np.ndarray:
    """Contributions in target units: ``g⁻¹(margin) − g⁻¹(margin − φ)`` per row.

    Parameters
    ----------
    model
        The model whose back-transform ``g⁻¹`` (``model.target_transform.inverse``) maps
        margins to target units.
    result
        SHAP result providing the per-row ``margin``.
    contributions
        ``(n_rows,)`` or ``(n_rows, k)`` signed contributions ``φ`` in margin units
        (single features or concept sums).

    Returns
    -------
    numpy.ndarray
        Same shape as ``contributions``: how much the prediction (in target units)
        would move if that contribution were removed — its effect vs the average.
    """
    inv = model.target_transform.inverse
    phi = np.asarray(contributions, dtype=np.float64)
    margin = result.margin if phi.ndim == 1 else result.margin[:, None]
    full = inv(np.broadcast_to(margin, phi.shape).ravel()).reshape(phi.shape)
    without = inv((margin - phi).ravel()).reshape(phi.shape)
    return np.asarray(full - without)


def explain_predictions(model: Any, records: pd.DataFrame, *, top: int = 5) -> list[list[str]]:
    """Describe the largest contributions to each prediction, in words and target units.

    Contributions are grouped by concept (:func:`concept_of`) and stated as
    :func:`target_effects` — the difference of back-transformed predictions with and
    without that concept's SHAP contribution, relative to the training average.

    Parameters
    ----------
    model
        A :class:`pqdml.model.TrainedModel`.
    records
        Canonical records.
    top
        Number of sentences per row (largest absolute effect first).

    Returns
    -------
    list of list of str
        One list per record, in order, e.g.
        ``["chain length 8 (−6.1 PLQY points vs average)", ...]``; a record that could
        not be featurized gets one sentence saying why.
    """
    result = shap_values(model, records)
    per_concept = concept_values(result)
    effects = np.full(per_concept.shape, np.nan)
    if result.ok.any():
        effects[result.ok] = target_effects(
            model,
            subset(result, result.ok),
            per_concept.to_numpy()[result.ok],
        )
    concepts = np.array(result.concepts())
    unit = target_unit(model)
    out: list[list[str]] = []
    for row in range(len(per_concept)):
        if not result.ok[row]:
            status = result.status.iloc[row]
            out.append([f"not explained ({status['status']}): {status['error']}".rstrip(": ")])
            continue
        sentences = []
        for j in np.argsort(-np.abs(effects[row]))[:top]:
            concept = per_concept.columns[j]
            members = np.flatnonzero(concepts == concept)
            words = describe_concept(
                concept,
                [result.feature_names[m] for m in members],
                result.X[row, members],
                result.values[row, members],
            )
            effect = effects[row, j]
            sign = "+" if effect >= 0 else "−"
            sentences.append(f"{words} ({sign}{abs(effect):.1f} {unit} vs average)")
        out.append(sentences)
    return out


def subset(result: ShapResult, mask: np.ndarray) -> ShapResult:
    """Return the rows of ``result`` selected by a boolean mask."""
    return ShapResult(
        values=result.values[mask],
        base_value=result.base_value,
        X=result.X[mask],
        feature_names=result.feature_names,
        status=result.status[mask],
        margin=result.margin[mask],
    )
