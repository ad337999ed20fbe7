"""Explanations: SHAP values of a trained model, rolled up into a chemist's concepts, in words.

- :mod:`pqdml.explain.shapley` — :func:`shap_values` (exactly additive in the model's
  margin space), :func:`concept_of`, :func:`concept_importance`, :func:`explain_predictions`.
- :mod:`pqdml.explain.words` — one concept's contribution as a phrase.
- :mod:`pqdml.explain.plots` — parity, residual, learning-curve, SHAP and AD plots
  (each takes ``ax=None`` and returns the Axes).
"""

from pqdml.explain.shapley import *  # noqa: F403  (the public names, listed once there)
from pqdml.explain.shapley import __all__ as __all__
