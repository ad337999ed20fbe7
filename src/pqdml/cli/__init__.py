"""The ``pqdml`` command line: a thin click shell over the library.

Each command parses its arguments and calls one library function; no science lives
here. Commands are grouped in modules of this package by concept and attach
themselves to :data:`main`.
"""

from __future__ import annotations

import click

from pqdml import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="pqdml")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
def main(debug: bool) -> None:
    """pqdml: choose perovskite quantum-dot surface ligands with machine learning.

    Train gradient-boosted models on literature records (ligand + composition +
    process → PLQY, PCE, ...), predict and screen new ligands with intervals and an
    applicability-domain check, and explain the models with SHAP reports.
    """


# Command modules register themselves on `main` when imported (one import line each, below).
from pqdml.cli import data as _data  # noqa: E402,F401
from pqdml.cli import featurize as _featurize  # noqa: E402,F401
from pqdml.cli import library as _library  # noqa: E402,F401
from pqdml.cli import model as _model  # noqa: E402,F401
from pqdml.cli import predict as _predict  # noqa: E402,F401
from pqdml.cli import quickstart as _quickstart  # noqa: E402,F401
from pqdml.cli import report as _report  # noqa: E402,F401
from pqdml.cli import screen as _screen  # noqa: E402,F401
from pqdml.cli import serve as _serve  # noqa: E402,F401
from pqdml.cli import suggest as _suggest  # noqa: E402,F401
