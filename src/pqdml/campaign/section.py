"""The "next experiments" section of a report, from a suggestions file."""

from __future__ import annotations

import html
import os
from typing import Any

import pandas as pd

from pqdml.io import read_table

#: Columns shown in the section, when present.
SECTION_COLUMNS = (
    "rank",
    "record_id",
    "ligand_name",
    "ligand_smiles",
    "composition",
    "prediction",
    "pi_low",
    "pi_high",
    "p_improve",
    "p_within",
    "acquisition",
    "in_domain",
    "nearest_measured",
    "why",
)


def suggestions_section(
    suggestions: pd.DataFrame | str | os.PathLike[str], *, title: str = "Next experiments"
) -> dict[str, Any]:
    """Render the "next experiments" report section from a suggestions table or file.

    Parameters
    ----------
    suggestions
        The output of :func:`pqdml.campaign.suggest` (``.table``) or the file it wrote.
    title
        Section heading.

    Returns
    -------
    dict
        ``title``, ``records`` (one dict per suggestion, the shown columns) and ``html``
        (a ``<section>`` with a table: the chosen rows, their predictive interval, the
        probability of improvement and why each was chosen).

    Examples
    --------
    >>> table = pd.DataFrame({"rank": [1], "ligand_name": ["oleylamine"], "prediction": [61.2],
    ...                       "pi_low": [40.0], "pi_high": [80.5], "p_improve": [0.42],
    ...                       "why": ["explore (upside)"]})
    >>> section = suggestions_section(table)
    >>> section["records"][0]["ligand_name"], "<table" in section["html"]
    ('oleylamine', True)
    """
    table = suggestions if isinstance(suggestions, pd.DataFrame) else read_table(suggestions)
    if "rank" not in table:
        raise ValueError("not a suggestions table: it has no 'rank' column")
    shown = [c for c in SECTION_COLUMNS if c in table]
    view = table.sort_values("rank")[shown]
    records = view.to_dict(orient="records")

    def cell(value: object) -> str:
        if isinstance(value, float):
            return "" if value != value else f"{value:.3g}"
        return html.escape(str(value))

    head = "".join(f"<th>{html.escape(c)}</th>" for c in shown)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(r[c])}</td>" for c in shown) + "</tr>" for r in records
    )
    note = (
        "<p>Chosen by the acquisition strategy from the candidate pool; the interval is the "
        "conformal predictive distribution's central range, <code>p_improve</code> the "
        "probability of beating the best measured value (or the reference), "
        "<code>why</code> the model's largest SHAP concepts.</p>"
    )
    page = (
        f'<section id="next-experiments"><h2>{html.escape(title)}</h2>{note}'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>"
    )
    return {"title": title, "records": records, "html": page}
