"""What the pages show, gathered from pqdml's public API as plain dicts for the templates.

Nothing here computes chemistry or model output: every value comes from
:func:`pqdml.predict_one`, :func:`pqdml.featurize_ligand`,
:func:`pqdml.featurize_composition`, :mod:`pqdml.explain`, :mod:`pqdml.explain.plots`,
:func:`pqdml.chem.draw.draw_ligand` or the model's stored metadata and metrics. This
module only arranges those values (and places numbers on a drawn scale).
"""

from __future__ import annotations

import base64
import contextlib
import io
import math
import threading
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import matplotlib
import pandas as pd
from threadpoolctl import ThreadpoolController

from pqdml import explain
from pqdml.chem import composition as comp_mod
from pqdml.chem.composition import featurize_composition
from pqdml.chem.draw import CLASS_COLOURS, anchor_atoms, draw_ligand
from pqdml.chem.ligand import featurize_ligand
from pqdml.data.schema import COLUMNS, STAGES
from pqdml.exceptions import InvalidCompositionError, InvalidInputError
from pqdml.explain import plots
from pqdml.predict import predict_one

matplotlib.use("Agg")  # the server draws figures to memory, never to a window
import matplotlib.pyplot as plt

#: One lock for the model and for matplotlib (neither is meant for concurrent threads).
LOCK = threading.RLock()
#: BLAS/OpenMP thread pools (XGBoost, scikit-learn's neighbour search): one request is one
#: row, for which starting threads costs more than it saves (measured in benchmarks/web.py).
_POOLS = ThreadpoolController()


@contextlib.contextmanager
def one_row() -> Iterator[None]:
    """Hold the model lock with BLAS/OpenMP pools limited to one thread (one-row work)."""
    with LOCK, _POOLS.limit(limits=1):
        yield


#: Model names of ``metrics.json`` in words (XGBoost presets are named after their preset).
MODEL_NAMES = {
    "mean": "mean of training targets (baseline)",
    "ridge": "ridge regression (baseline)",
    "random_forest": "random forest (baseline)",
    "nested_selection": "choose, then predict (nested selection: the honest score of choosing)",
}
#: The baselines every model is shown beside.
BASELINES = ("mean", "ridge", "random_forest")


def model_name(key: str) -> str:
    """``metrics.json`` model key in words (``xgb_deep`` → ``XGBoost preset xgb_deep``)."""
    return MODEL_NAMES.get(key, f"XGBoost preset {key}" if key.startswith("xgb") else key)


def predictor_key(model: Any) -> str:
    """Return the ``metrics.json`` key of the candidate that makes the model's predictions."""
    models = model.metrics.get("models", {})
    chosen = (model.metrics.get("selection") or {}).get("predictor")
    if chosen in models:
        return str(chosen)
    return next((k for k in models if k.startswith("xgb") or k == "xgboost"), "")


@dataclass
class PredictForm:
    """The predict form as submitted (every field a string, as typed)."""

    ligand: str = ""
    composition: str = ""
    stage: str = ""
    process: str = ""

    def process_values(self) -> dict[str, str]:
        """``proc_<name>_<unit>=value`` lines as a dict (raises on a line without ``=``)."""
        out = {}
        for line in self.process.replace(";", "\n").splitlines():
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise InvalidInputError(
                    f"process line {line.strip()!r} is not proc_<name>_<unit>=value",
                    code="invalid_process",
                )
            out[key.strip()] = value.strip()
        return out

    def check_stage(self) -> str | None:
        """Return the stage, or None when blank (raises on a stage the schema does not know)."""
        stage = self.stage.strip()
        if not stage:
            return None
        if stage not in STAGES:
            raise InvalidInputError(
                f"stage {stage!r} is not one of {', '.join(STAGES)}", code="invalid_stage"
            )
        return stage


def field_of(err: InvalidInputError) -> str:
    """Form field an input error belongs to: ``ligand``, ``composition``, ``stage`` or ``process``."""
    if isinstance(err, InvalidCompositionError):
        return "composition"
    code = getattr(err, "code", "")
    if code == "invalid_process":
        return "process"
    if code == "invalid_stage":
        return "stage"
    return "ligand"


def svg_uri(svg: str) -> str:
    """Wrap an SVG document as a ``data:`` URI (shown in ``<img>``, so no script in it can run)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _fmt(value: Any, spec: str = ".3g") -> str:
    x = _num(value)
    return format(x, spec) if math.isfinite(x) else "n/a"


def _mae(entry: dict[str, Any]) -> float:
    """Headline MAE of a candidate: pooled over all out-of-fold rows, else the fold mean."""
    pooled = entry.get("pooled") or {}
    if "mae" in pooled:
        return _num(pooled["mae"])
    return _num(entry.get("summary", {}).get("mae", {}).get("mean"))


def metrics_rows(model: Any) -> list[dict[str, Any]]:
    """Cross-validated metrics of every candidate and baseline from ``metrics.json``.

    ``mine`` marks the candidate that makes the predictions; ``pooled_*`` are over all
    out-of-fold rows (the headline), the other columns mean ± sd over folds.
    """
    mine = predictor_key(model)
    rows: list[dict[str, Any]] = []
    for name, entry in model.metrics.get("models", {}).items():
        s = entry.get("summary", {})
        label = model_name(name) + (" — this model" if name == mine else "")
        row: dict[str, Any] = {"key": name, "model": label, "mine": name == mine}
        for key in ("mae", "rmse", "r2", "spearman"):
            m = s.get(key, {})
            mean, sd = _fmt(m.get("mean")), _fmt(m.get("sd"), ".2g")
            row[key] = mean if sd == "n/a" or mean == "n/a" else f"{mean} ± {sd}"
        pooled = entry.get("pooled") or {}
        for key in ("mae", "spearman"):
            if key in pooled:
                row[f"pooled_{key}"] = _fmt(pooled[key])
        row["n"] = _fmt(s.get("n", {}).get("total"), ".0f")
        rows.append(row)
    return rows


def model_summary(model: Any) -> dict[str, Any]:
    """Target, training data, CV scheme, metrics vs baselines, ranking skill and coverage."""
    meta, metrics = model.metadata, model.metrics
    rows = meta.get("rows", {})
    cv = meta.get("cv", {}) if isinstance(meta.get("cv"), dict) else {}
    coverage = metrics.get("coverage", {})
    spec = COLUMNS.get(model.target_column)
    table = metrics_rows(model)
    entries = metrics.get("models", {})
    mine = predictor_key(model)
    maes = {name: _mae(entry) for name, entry in entries.items()}
    others = {
        k: v
        for k, v in maes.items()
        if k in BASELINES and k not in ("mean", mine) and math.isfinite(v)
    }
    best = min(others, key=others.__getitem__) if others else None
    mine_pooled = (entries.get(mine) or {}).get("pooled") or {}
    return {
        "target": model.target,
        "target_column": model.target_column,
        "meaning": spec.description if spec is not None else "",
        "unit": spec.unit if spec is not None else "",
        "prediction_kind": model.prediction_kind,
        "level": model.level,
        "n_used": rows.get("n_used"),
        "n_input": rows.get("n_input"),
        "skipped": rows.get("skipped") or {},
        "failures": rows.get("featurization_failures") or {},
        "cv_scheme": cv.get("scheme", metrics.get("cv")),
        "n_folds": cv.get("n_folds", metrics.get("n_folds")),
        "n_groups": cv.get("n_groups", metrics.get("n_groups")),
        "n_repeats": metrics.get("n_repeats", 1),
        "cv_note": metrics.get("cv_note", ""),
        "metrics": table,
        "has_pooled": any("pooled_mae" in r for r in table),
        "predictor": model_name(mine),
        "mae": _fmt(maes.get(mine)),
        "spearman": _fmt(mine_pooled.get("spearman")),
        "nested_mae": _fmt(maes.get("nested_selection")),
        "baseline_mae": _fmt(maes.get("mean")),
        "best_baseline": model_name(best).removesuffix(" (baseline)") if best else "",
        "best_baseline_mae": _fmt(maes.get(best)) if best else "n/a",
        "ranking_skill": metrics.get("ranking_verdict", ""),
        "coverage_mean": _num(coverage.get("pooled", coverage.get("mean"))),
        "coverage_level": _num(coverage.get("level", model.level)),
        "coverage_per_fold": [_num(c) for c in coverage.get("per_fold", [])],
        "n_training_ligands": len(getattr(model.domain, "smiles", [])),
        "n_features": len(model.feature_names),
        "created": meta.get("created_utc", ""),
        "pqdml_version": meta.get("pqdml_version", ""),
        "training_data_sha256": meta.get("training_data_sha256", ""),
        "versions": meta.get("versions", {}),
    }


def target_range(model: Any, low: float, high: float) -> tuple[float, float]:
    """Scale of the interval bar: the target's physical range (schema), else the interval."""
    spec = COLUMNS.get(model.target_column)
    if model.prediction_kind == "value" and spec is not None and spec.low is not None:
        return float(spec.low), float(spec.high if spec.high is not None else high)
    pad = max(abs(high - low) * 0.25, 1e-6)
    return min(0.0, low - pad), max(0.0, high + pad)


def _percent(x: float, lo: float, hi: float) -> float:
    return max(0.0, min(100.0, 100.0 * (x - lo) / (hi - lo))) if hi > lo else 50.0


def ligand_panel(text: str) -> dict[str, Any]:
    """Structure drawing, anchors and the descriptors a chemist checks first."""
    f = featurize_ligand(text)
    return {
        "svg": svg_uri(draw_ligand(text)),
        "anchors": [asdict(a) for a in anchor_atoms(text)],
        "canonical_smiles": f["ligand_canonical_smiles"],
        "resolved_name": f.get("ligand_resolved_name"),
        "binding_type": f["binding_type"],
        "binding_reason": f["binding_reason"],
        "chain_length": f["chain_length"],
        "n_alkyl_tails": f["n_alkyl_tails"],
        "zwitterionic": bool(f["zwitterionic"]),
        "chelating": bool(f["is_chelating"]),
        "counter_ion": f.get("counter_ion"),
        "colours": {
            k: "rgb({},{},{})".format(*(int(255 * c) for c in v)) for k, v in CLASS_COLOURS.items()
        },
    }


def composition_panel(formula: str) -> dict[str, Any]:
    """Tolerance and octahedral factors beside their stable windows."""
    c = featurize_composition(formula)
    t, mu = float(c["tolerance_factor"]), float(c["octahedral_factor"])
    return {
        "reduced": c["composition_reduced"],
        "factors": [
            {
                "name": "Goldschmidt tolerance factor t",
                "value": t,
                "window": comp_mod.T_STABLE,
                "inside": comp_mod.T_STABLE[0] <= t <= comp_mod.T_STABLE[1],
                "extra": f"cubic window {comp_mod.T_CUBIC[0]:g}–{comp_mod.T_CUBIC[1]:g}: "
                + ("inside" if c["t_in_cubic_window"] else "outside"),
            },
            {
                "name": "octahedral factor μ",
                "value": mu,
                "window": comp_mod.MU_STABLE,
                "inside": comp_mod.MU_STABLE[0] <= mu <= comp_mod.MU_STABLE[1],
                "extra": "",
            },
        ],
        "band_gap": c.get("band_gap_est_ev"),
        "radii": {k: c[k] for k in ("r_A", "r_B", "r_X")},
    }


def prediction_panel(model: Any, report: Any) -> dict[str, Any]:
    """Place the prediction and its interval on the target's physical range."""
    low, high = report.interval
    lo, hi = target_range(model, low, high)
    names = dict(zip(model.domain.names, model.domain.smiles, strict=False))
    nearest = []
    for name, sim in report.nearest_ligands:
        smiles = names.get(name)
        nearest.append(
            {
                "name": name,
                "similarity": sim,
                "smiles": smiles,
                "svg": svg_uri(draw_ligand(smiles, width=220, height=150)) if smiles else None,
            }
        )
    return {
        "report": report,
        "range": (lo, hi),
        "pos": {
            "low": _percent(low, lo, hi),
            "high": _percent(high, lo, hi),
            "value": _percent(report.prediction, lo, hi),
        },
        "nearest": nearest,
    }


def predict_page(model: Any, form: PredictForm, *, top: int = 5) -> dict[str, Any]:
    """Everything the predict page shows for one submitted form.

    Returns ``{"errors": {field: message}}`` when the input is bad: the message is the
    one the CLI prints (``str`` of the error).
    """
    try:
        stage = form.check_stage()
        process = form.process_values()
        with one_row():
            report = predict_one(
                form.ligand,
                form.composition,
                model=model,
                stage=stage,
                process=process,  # type: ignore[arg-type]
                top=top,
            )
    except InvalidInputError as err:
        return {"errors": {field_of(err): str(err)}}
    return {
        "errors": {},
        "ligand": ligand_panel(form.ligand.strip()),
        "composition": composition_panel(form.composition.strip()),
        "prediction": prediction_panel(model, report),
    }


def query_records(form: PredictForm) -> pd.DataFrame:
    """Build the one canonical record of a form (ligand as name-or-SMILES text, as predict_one reads it)."""
    record: dict[str, Any] = {
        "record_id": "query",
        "ligand_name": form.ligand.strip(),
        "ligand_smiles": None,
        "composition": form.composition.strip(),
        "stage": form.check_stage(),
        "is_control": 0,
    }
    for key, value in form.process_values().items():
        record[key] = pd.to_numeric(value, errors="coerce")
    return pd.DataFrame([record])


def waterfall_svg(model: Any, form: PredictForm) -> str:
    """SHAP waterfall by concept of one prediction (:func:`pqdml.explain.plots.waterfall`), as SVG.

    Raises
    ------
    InvalidInputError
        When the record cannot be featurized (the message names the reason).
    """
    records = query_records(form)
    with one_row():
        result = explain.shap_values(model, records)
        if not result.ok[0]:
            status = result.status.iloc[0]
            raise InvalidInputError(str(status["error"]), code=str(status["status"]))
        per_concept = explain.concept_values(result)
        ax = plots.waterfall(
            per_concept.iloc[0],
            base_value=result.base_value,
            to_target=model.target_transform.inverse,
            unit=explain.target_unit(model),
        )
        fig: Any = ax.figure
        fig.tight_layout()
        buf = io.StringIO()
        with plt.rc_context({"svg.fonttype": "none"}):  # text as text: 3x smaller, faster
            fig.savefig(buf, format="svg")
        plt.close(fig)
    return buf.getvalue()


@dataclass
class ApiRecord:
    """One record of ``POST /api/predict`` after validation."""

    ligand: str
    composition: str
    stage: str | None = None
    process: Mapping[str, float] = field(default_factory=dict)


def api_predict(model: Any, record: ApiRecord, *, level: float | None, top: int) -> dict[str, Any]:
    """One prediction as JSON: the :class:`pqdml.PredictionReport` fields, or the error."""
    try:
        if record.stage is not None and record.stage not in STAGES:
            raise InvalidInputError(
                f"stage {record.stage!r} is not one of {', '.join(STAGES)}", code="invalid_stage"
            )
        with one_row():
            report = predict_one(
                record.ligand,
                record.composition,
                model=model,
                stage=record.stage,
                process=dict(record.process),
                level=model.level if level is None else level,
                top=top,
            )
    except InvalidInputError as err:
        return {
            "status": getattr(err, "code", "invalid_input"),
            "field": field_of(err),
            "error": str(err),
            "ligand": record.ligand,
            "composition": record.composition,
        }
    out = asdict(report)
    out["interval"] = list(report.interval)
    out["nearest_ligands"] = [{"name": n, "similarity": s} for n, s in report.nearest_ligands]
    return {"status": "ok", "error": "", **out}


def warm_up(model: Any) -> None:
    """Run the predict page and its waterfall once (one-time imports and caches)."""
    form = PredictForm("octylamine", "CsPbBr3")
    predict_page(model, form)
    waterfall_svg(model, form)
