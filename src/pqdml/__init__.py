"""pqdml: machine learning for perovskite quantum-dot surface ligands.

Data flows one way: records → featurizers → model → predictions → explanations.

- :mod:`pqdml.chem.ligand` — ligand name/SMILES → descriptors, anchors, L/X/Z type.
- :mod:`pqdml.chem.composition` — perovskite formula → site fractions, radii, factors.
- :mod:`pqdml.data` — the target table, record rules, schema, validation, dataset adapters,
  and the registered public datasets (:mod:`pqdml.data.datasets`).
- :mod:`pqdml.features` — records → feature matrix; whole tables (``pqdml featurize``).
- :mod:`pqdml.model` — training with grouped CV, baselines, intervals, domain, artifacts.
- :mod:`pqdml.explain` — SHAP values, concepts, per-prediction sentences, plots.
- :mod:`pqdml.predict` — one candidate, with everything a chemist needs to judge it.
- :mod:`pqdml.screen` — streaming, resumable screening of candidate files.
- :mod:`pqdml.report` — the self-contained HTML report with its figures and tables.
"""

import importlib

#: The package version, in one place (read by setuptools at build time).
__version__ = "0.1.0"

# Public names → the module that defines them, imported on first use so that `import pqdml`
# stays light (pqdml.model pulls in xgboost and scikit-learn). `screen` itself stays in
# pqdml.screen: a package attribute of that name would clash with the submodule.
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(
        ("TrainedModel", "default_model", "evaluate", "load_model", "train"), "pqdml.model"
    ),
    **dict.fromkeys(
        (
            "Composition",
            "CompositionTransformer",
            "featurize_composition",
            "featurize_compositions",
            "parse_composition",
        ),
        "pqdml.chem.composition",
    ),
    **dict.fromkeys(
        ("featurize_ligand", "featurize_ligands", "resolve_ligand"), "pqdml.chem.ligand"
    ),
    "LigandTransformer": "pqdml.chem.transformers",
    **dict.fromkeys(("featurize_file", "featurize_table"), "pqdml.features"),
    **dict.fromkeys(("read_records", "validate"), "pqdml.data"),
    **dict.fromkeys(
        ("concept_importance", "concept_of", "explain_predictions", "shap_values"),
        "pqdml.explain",
    ),
    "write_report": "pqdml.report",
    **dict.fromkeys(("Predictor", "resolve_model"), "pqdml.model"),
    **dict.fromkeys(("suggest", "Suggestions"), "pqdml.campaign"),
    "ScreenSummary": "pqdml.screen",
    **dict.fromkeys(("PredictionReport", "predict_one"), "pqdml.predict"),
    **dict.fromkeys(("generate_library", "real_library"), "pqdml.library"),
}

__all__ = sorted(["__version__", *_EXPORTS])


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pqdml' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
