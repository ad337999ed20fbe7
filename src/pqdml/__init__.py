"""pqdml: machine learning for perovskite quantum-dot surface ligands.

Data flows one way: records → featurizers → model → predictions → explanations.

- :mod:`pqdml.chem.ligand` — ligand name/SMILES → descriptors, anchors, L/X/Z type.
- :mod:`pqdml.chem.composition` — perovskite formula → site fractions, radii, factors.
- :mod:`pqdml.data` — the canonical record schema, validation, dataset adapters.
- :mod:`pqdml.datasets` — registered public datasets, loaded in the canonical schema.
- :mod:`pqdml.explain` — SHAP values, concepts, per-prediction sentences.
- :mod:`pqdml.report` — the self-contained HTML report with its figures and tables.
"""

from pqdml._version import __version__

__all__ = [
    "Composition",
    "CompositionTransformer",
    "LigandTransformer",
    "PredictionReport",
    "ScreenSummary",
    "TrainedModel",
    "__version__",
    "concept_importance",
    "concept_of",
    "default_model",
    "evaluate",
    "explain_predictions",
    "featurize_composition",
    "featurize_compositions",
    "featurize_ligand",
    "featurize_ligands",
    "featurize_table",
    "generate_library",
    "load_model",
    "parse_composition",
    "predict_one",
    "read_records",
    "real_library",
    "resolve_ligand",
    "shap_values",
    "train",
    "validate",
    "write_report",
]

_MODEL_EXPORTS = ("TrainedModel", "default_model", "evaluate", "load_model", "train")
_COMPOSITION_EXPORTS = (
    "Composition",
    "CompositionTransformer",
    "featurize_composition",
    "featurize_compositions",
    "parse_composition",
)
_LIGAND_EXPORTS = ("LigandTransformer", "featurize_ligand", "featurize_ligands", "resolve_ligand")
_DATA_EXPORTS = ("read_records", "validate")
# `screen` itself stays in pqdml.screen: a package attribute of that name would clash with
# the submodule.
_SCREEN_EXPORTS = {
    "ScreenSummary": "pqdml.screen",
    "predict_one": "pqdml.predict",
    "PredictionReport": "pqdml.predict",
    "generate_library": "pqdml.library",
    "real_library": "pqdml.library",
}
_EXPLAIN_EXPORTS = ("concept_importance", "concept_of", "explain_predictions", "shap_values")


def __getattr__(name: str) -> object:
    # pqdml.model imports xgboost/scikit-learn: load it on first use, keep `import pqdml` light.
    if name in _MODEL_EXPORTS:
        from pqdml import model

        return getattr(model, name)
    if name in _COMPOSITION_EXPORTS:
        from pqdml.chem import composition

        return getattr(composition, name)
    if name in _LIGAND_EXPORTS:
        from pqdml.chem import ligand

        return getattr(ligand, name)
    if name == "featurize_table":
        from pqdml.chem.table import featurize_table

        return featurize_table
    if name in _DATA_EXPORTS:
        from pqdml import data

        return getattr(data, name)
    if name in _EXPLAIN_EXPORTS:
        from pqdml import explain

        return getattr(explain, name)
    if name == "write_report":
        from pqdml.report import write_report

        return write_report
    if name in _SCREEN_EXPORTS:
        import importlib

        return getattr(importlib.import_module(_SCREEN_EXPORTS[name]), name)
    raise AttributeError(f"module 'pqdml' has no attribute {name!r}")
