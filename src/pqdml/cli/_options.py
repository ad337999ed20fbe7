"""Reusable click options shared by the data-taking commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from pqdml.data.formats import FORMATS

F = TypeVar("F", bound=Callable[..., object])


def format_option(func: F) -> F:
    """Add ``--format canonical|synthesizer|buried-interface|perovskite-database`` as ``fmt``.

    The value is ``None`` when not given: pass it on to :func:`pqdml.data.read_records`,
    which guesses the format and returns the one it used, so the command can report it.

    Examples
    --------
    >>> @click.command()
    ... @click.argument("path")
    ... @format_option
    ... def show(path: str, fmt: str | None) -> None:
    ...     click.echo(fmt)
    """
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=None,
        help="Input format (default: guessed from the file name and columns, and reported).",
    )(func)


def shipped_model_options(func: F) -> F:
    """Add ``--model DIR`` (as ``model_dir``, default ``None``) and ``--target plqy|pce``.

    Without ``--model`` the command uses the shipped default model for ``--target``
    (:func:`pqdml.model.default_model`).
    """
    func = click.option(
        "--target", type=click.Choice(["plqy", "pce"]), default="plqy", show_default=True
    )(func)
    return click.option(
        "--model",
        "model_dir",
        type=click.Path(exists=True, file_okay=False),
        default=None,
        help="Model directory (default: the shipped model for --target).",
    )(func)
