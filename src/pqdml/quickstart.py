"""The main job on the bundled data: train → screen the example candidates → report.

This is what the README's first Quickstart command runs (``pqdml quickstart``). Every step
is an ordinary library call a user can run on their own data instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pqdml.config import bundled_data_dir
from pqdml.model import train
from pqdml.model.metrics import format_pooled_table
from pqdml.report import write_report
from pqdml.screen import screen


@dataclass(frozen=True)
class QuickstartResult:
    """What :func:`run_quickstart` wrote.

    Attributes
    ----------
    model_dir
        The trained model directory (native XGBoost JSON + metadata).
    ranked
        The screened, ranked example candidates (CSV, every input row once).
    top
        The best candidates with their explanations in words (CSV).
    report
        The self-contained HTML report.
    cv_table
        The cross-validation table (model vs baselines) as printed text.
    top_candidates
        The best ``n_top`` rows of the ranked output.
    """

    model_dir: Path
    ranked: Path
    top: Path | None
    report: Path
    cv_table: str
    top_candidates: pd.DataFrame


def run_quickstart(
    out: str | os.PathLike[str] = "pqdml-quickstart",
    *,
    target: str = "plqy",
    data: str | os.PathLike[str] | None = None,
    candidates: str | os.PathLike[str] | None = None,
    n_trials: int = 0,
    seed: int = 0,
    n_top: int = 5,
) -> QuickstartResult:
    """Train on the curated literature data, screen example ligands, write the report.

    Parameters
    ----------
    out
        Output folder: ``model/``, ``ranked.csv``, ``ranked_top<N>.csv``, ``report.html``
        and ``report_files/``.
    target
        ``plqy`` or ``pce``.
    data
        Canonical records to train on (default: the bundled ``pqd_literature.csv``).
    candidates
        Candidate ligands to screen (default: the bundled ``example_candidates.csv``:
        twenty ligands on CsPbI3, one of them a deliberately broken SMILES).
    n_trials
        Optuna trials of a per-fold search (0, the default: nested selection among the
        fixed presets and the baselines, as the shipped models are built).
    seed
        Random seed; the same seed gives the same model and predictions.
    n_top
        How many top candidates to explain.

    Returns
    -------
    QuickstartResult
        Paths of everything written, the CV table and the top candidates.

    Examples
    --------
    >>> result = run_quickstart("qs", n_trials=0)  # doctest: +SKIP
    >>> result.report.name  # doctest: +SKIP
    'report.html'
    """
    out_dir = Path(out)
    data_path = Path(data) if data is not None else bundled_data_dir() / "pqd_literature.csv"
    cand_path = (
        Path(candidates)
        if candidates is not None
        else bundled_data_dir() / "example_candidates.csv"
    )
    model = train(data_path, target, seed=seed, n_trials=n_trials, select=n_trials == 0)
    model_dir = model.save(out_dir / "model")
    summary = screen(cand_path, out_dir / "ranked.csv", model=model, top=n_top, resume=False)
    ranked = pd.read_csv(summary.out)
    best = ranked[ranked["status"] == "ok"].sort_values("rank").head(n_top)
    report = write_report(
        model, data=data_path, screen=summary.out, out=out_dir / "report.html", top=n_top
    )
    return QuickstartResult(
        model_dir=Path(model_dir),
        ranked=Path(summary.out),
        top=summary.top_path,
        report=Path(report),
        cv_table=format_pooled_table(model.metrics),
        top_candidates=best,
    )
