"""Explanations: SHAP values of a trained model, rolled up into a chemist's concepts, in words.

- :mod:`pqdml.explain.shapley` — :func:`shap_values` (exactly additive in the model's
  margin space), :func:`concept_of`, :func:`concept_importance`, :func:`explain_predictions`.
- :mod:`pqdml.explain.words` — one concept's contribution as a phrase.
- :mod:`pqdml.explain.plots` — parity, residual, learning-curve, SHAP and AD plots
  (each takes ``ax=None`` and returns the Axes).
"""

from pqdml.explain.shapley import (
    CONCEPTS,
    ShapResult,
    concept_importance,
    concept_of,
    concept_values,
    explain_predictions,
    shap_values,
    subset,
    target_effects,
    target_unit,
)

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
