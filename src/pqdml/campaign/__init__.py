"""Campaigns: suggest the next experiments and replay campaigns on measured pools.

- :func:`suggest` — measured records + candidate pool → the next batch of ``n``
  experiments, each with its predictive distribution, acquisition value and why.
- :class:`Suggestions` — the chosen rows, every pool row's status, a summary.
- :func:`suggestions_section` — records / HTML for a report's "next experiments" section.
- :mod:`pqdml.campaign.replay` — replayed campaigns on fully measured pools (benchmarks).

``pqdml.suggest`` is :func:`suggest` (this package is not called ``suggest`` so that the
function name does not clash with a submodule).
"""

from pqdml.campaign.acquisition import STRATEGIES, Objective
from pqdml.campaign.core import SUGGESTION_COLUMNS, Suggestions, parse_grid, suggest
from pqdml.campaign.section import suggestions_section

__all__ = [
    "STRATEGIES",
    "SUGGESTION_COLUMNS",
    "Objective",
    "Suggestions",
    "parse_grid",
    "suggest",
    "suggestions_section",
]
