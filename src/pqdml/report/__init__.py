"""The self-contained HTML report: performance against baselines, SHAP by concept, domain, screen.

- :mod:`pqdml.report.html` — :func:`write_report` and the page's assembly.
- :mod:`pqdml.report.sections` — one function per section.
"""

from pqdml.report.html import write_report

__all__ = ["write_report"]
