"""pqdml: machine learning for perovskite quantum-dot surface ligands.

Data flows one way: records → featurizers → model → predictions → explanations.

- :mod:`pqdml.chem.ligand` — ligand name/SMILES → descriptors, anchors, L/X/Z type.
- :mod:`pqdml.chem.composition` — perovskite formula → site fractions, radii, factors.
- :mod:`pqdml.data` — the canonical record schema, validation, dataset adapters.
- :mod:`pqdml.datasets` — registered public datasets, loaded in the canonical schema.
- :mod:`pqdml.explain` — SHAP values, concepts, per-prediction sentences.
- :mod:`pqdml.report` — the self-contained HTML report with its figures and tables.
"""

import importlib

from pqdml._version import __version__ as __version__

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
        ("LigandTransformer", "featurize_ligand", "featurize_ligands", "resolve_ligand"),
        "pqdml.chem.ligand",
    ),
    **dict.fromkeys(("featurize_file", "featurize_table"), "pqdml.chem.table"),
    **dict.fromkeys(("read_records", "validate"), "pqdml.data"),
    **dict.fromkeys(
        ("concept_importance", "concept_of", "explain_predictions", "shap_values"),
        "pqdml.explain",
    ),
    "write_report": "pqdml.report",
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
