"""One self-contained HTML report of a model, plus a folder of its figures and tables.

:func:`write_report` writes ``report.html`` (figures embedded as base64 PNG, CSS
inline, no external URL: it opens offline) and ``report_files/`` beside it with every
figure as PNG and SVG and every table as CSV, for papers. Every file is written
atomically; the HTML last, so a complete-looking report always has its folder.

Numbers in captions are computed from the model and the data when the report is
written, never typed in: e.g. the contribution of chain length to the prediction is
read from the SHAP values of the records given with ``data``.
"""

from __future__ import annotations

import base64
import html
import io
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pqdml import explain
from pqdml.campaign import suggestions_section
from pqdml.data.formats import read_records
from pqdml.data.targets import target_spec
from pqdml.io import atomic_open, atomic_path, read_table, table_kind, write_table
from pqdml.model import load_model
from pqdml.report import sections

__all__ = ["write_report"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;
margin:0 auto;padding:1.5em;color:#222;line-height:1.45}
h1{margin-bottom:.1em}h2{border-bottom:2px solid #1f77b4;padding-bottom:.2em;margin-top:2em}
.meta{color:#666;font-size:.9em}nav a{margin-right:1em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top;
overflow-wrap:anywhere}.wide{overflow-x:auto;max-width:100%}
th{background:#eef3f8;white-space:nowrap;overflow-wrap:normal}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1.2em 0;display:inline-block;vertical-align:top;max-width:100%}
figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9em;color:#333;max-width:680px}
.note{background:#fff8e1;border-left:4px solid #ffb300;padding:.5em .8em}
.sentences{margin:.2em 0 .2em 1.2em;font-size:.9em}
"""


@dataclass
class _Doc:
    """HTML body parts, figures and tables collected while the report is built."""

    folder: Path
    parts: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.parts.append(text)

    def note(self, text: str) -> None:
        self.add(f'<p class="note">{html.escape(text)}</p>')

    def figure(self, name: str, ax: Any, caption: str) -> None:
        fig = ax.figure
        fig.tight_layout()
        for fmt in ("png", "svg"):
            with atomic_path(self.folder / f"{name}.{fmt}") as tmp:
                fig.savefig(tmp, format=fmt, dpi=110)
            self.files.append(self.folder / f"{name}.{fmt}")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        self.add(
            f'<figure id="fig-{name}"><img alt="{html.escape(name)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{html.escape(caption)}'
            "</figcaption></figure>"
        )

    def csv(self, name: str, frame: pd.DataFrame) -> None:
        """Write a table to the folder only."""
        self.files.append(write_table(frame, self.folder / f"{name}.csv"))

    def table(self, name: str, frame: pd.DataFrame) -> None:
        """Write a table to the folder and show it in the page."""
        self.csv(name, frame)
        self.add(_html_table(frame))

    def show(self, frame: pd.DataFrame) -> None:
        """Show a table in the page only."""
        self.add(_html_table(frame))


def _html_table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for value in row:
            if isinstance(value, float | np.floating):
                cells.append(f'<td class="num">{"" if np.isnan(value) else f"{value:.3g}"}</td>')
            else:
                cells.append(f"<td>{html.escape('' if value is None else str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="wide"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _load_data(data: pd.DataFrame | str | os.PathLike[str] | None, fmt: str | None) -> Any:
    if data is None or isinstance(data, pd.DataFrame):
        return data
    frame, _ = read_records(data, fmt)
    return frame


def write_report(
    model: Any,
    *,
    data: pd.DataFrame | str | os.PathLike[str] | None = None,
    screen: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] = "report.html",
    level: float | None = None,
    fmt: str | None = None,
    composition: str | None = None,
    top: int = 5,
    suggestions: pd.DataFrame | str | os.PathLike[str] | None = None,
) -> Path:
    """Write the self-contained HTML report of ``model`` and its figures/tables folder.

    Parameters
    ----------
    model
        A :class:`pqdml.model.TrainedModel` or the path of a saved model directory.
    data
        Canonical records (DataFrame or file) — normally the training data. Needed for
        the SHAP sections, the learning curve and, when the model does not store them,
        the out-of-fold predictions (recomputed with grouped CV, never in-sample).
    screen
        A ranked screening output (``pqdml screen -o RANKED``); adds the top candidates
        with their waterfalls and places them on the applicability-domain map.
    out
        Path of the HTML file; figures and tables go to ``<stem>_files/`` beside it.
    level
        Interval level (default: the model's).
    fmt
        Format of ``data`` when it is a file (see :func:`pqdml.data.read_records`).
    composition
        Composition of screened candidates whose rows carry none (as given to
        ``pqdml screen --composition``).
    top
        Number of screened candidates shown with a waterfall.
    suggestions
        A suggestions table or file (``pqdml suggest -o SUGGESTIONS``); adds the "next
        experiments" section (:func:`pqdml.campaign.suggestions_section`).

    Returns
    -------
    pathlib.Path
        The HTML file written.

    Examples
    --------
    >>> from pqdml.model import default_model  # doctest: +SKIP
    >>> write_report(default_model("plqy"), data="data/pqd_literature.csv")  # doctest: +SKIP
    PosixPath('report.html')
    """
    if isinstance(model, str | os.PathLike):
        model = load_model(model)
    out = Path(out)
    doc = _Doc(folder=out.parent / f"{out.stem}_files")
    doc.folder.mkdir(parents=True, exist_ok=True)
    records = _load_data(data, fmt)
    level = model.level if level is None else float(level)
    unit = explain.target_unit(model)
    label = _target_label(model)

    doc.add(sections.summary(model, records, level))
    doc.table("metrics", sections.metrics_table(model))
    doc.add('<h2 id="performance">Cross-validated performance</h2>')
    sections.performance(doc, model, records, level=level, label=label)
    doc.add('<h2 id="shap">What drives the predictions (SHAP)</h2>')
    if records is None:
        doc.note("No data given (--data): SHAP sections need records to explain.")
    else:
        sections.shap_sections(doc, model, records, unit=unit)
    doc.add('<h2 id="domain">Applicability domain and screened candidates</h2>')
    sections.domain_and_screen(
        doc,
        model,
        screen=_top_ranked(screen) if screen is not None else None,
        composition=composition,
        top=top,
        unit=unit,
    )
    nav_next = ""
    if suggestions is not None:
        doc.add(suggestions_section(suggestions)["html"])
        nav_next = '<a href="#next-experiments">Next experiments</a>'
    body = "\n".join(doc.parts)
    title = f"pqdml report — {model.target} model"
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{html.escape(title)}</title>'
        f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"
        f'<p class="meta">written {stamp} by pqdml '
        f"{html.escape(str(model.metadata.get('pqdml_version', '')))}; figures and tables "
        f"as files in <code>{html.escape(doc.folder.name)}/</code></p>"
        '<nav><a href="#summary">Summary</a><a href="#performance">Performance</a>'
        '<a href="#shap">SHAP</a><a href="#domain">Domain &amp; candidates</a>'
        f"{nav_next}</nav>"
        f"{body}</body></html>"
    )
    for path in doc.files:
        _readable(path)
    with atomic_open(out, "w", encoding="utf-8") as fh:
        fh.write(page)
    _readable(out)
    return out


def _readable(path: Path) -> None:
    """Give a written file the usual ``rw-r--r--`` (temporary files start as ``rw-------``)."""
    path.chmod(0o644)


def _top_ranked(path: str | os.PathLike[str], n: int = 500) -> pd.DataFrame:
    """Read the ``n`` best-ranked ok rows of a screening output in chunks (any file size)."""
    kind = table_kind(path)
    if kind not in ("csv", "tsv"):
        return _best(read_table(path), n)
    best = pd.DataFrame()
    sep = "," if kind == "csv" else "\t"
    for chunk in pd.read_csv(path, sep=sep, chunksize=200_000):
        best = _best(pd.concat([best, _best(chunk, n)], ignore_index=True), n)
    return best


def _best(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    if "status" in frame:
        frame = frame[frame["status"].astype(str) == "ok"]
    if "rank" in frame:
        frame = frame.sort_values("rank", kind="stable")
    return frame.head(n)


def _target_label(model: Any) -> str:
    """Axis label of the target, e.g. ``"PLQY (%)"`` or ``"PCE gain over control (%)"``."""
    spec = target_spec(str(model.target))
    label = spec.label if spec is not None else str(model.target_column)
    if model.metadata.get("relative_to_control", False):
        name, _, unit = label.partition(" (")
        return f"{name} gain over control ({unit}"
    return label
