"""Reusable click options shared by the commands, and the one error-handling decorator."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

from pqdml.data.formats import FORMATS
from pqdml.data.targets import SHIPPED_TARGETS, TARGETS
from pqdml.exceptions import OutputPathError, PQDMLError

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
    func = target_option(shipped=True)(func)
    return click.option(
        "--model",
        "model_dir",
        type=click.Path(exists=True, file_okay=False),
        default=None,
        help="Model directory (default: the shipped model for --target).",
    )(func)


def target_option(*, shipped: bool = False, required: bool = False) -> Callable[[F], F]:
    """``--target``: any key of the target table, or only those with a shipped model."""
    choices = SHIPPED_TARGETS if shipped else tuple(TARGETS)
    return click.option(
        "--target",
        type=click.Choice(choices),
        required=required,
        default=None if required else "plqy",
        show_default=not required,
        help="Quantity to model.",
    )


class UsageProblem(click.ClickException):
    """A one-line error about how the command was called (exit code 2, no usage text)."""

    exit_code = 2


#: Exit code after Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


def _input_files(ctx: click.Context | None) -> list[str]:
    """Return the command's arguments that name existing input files (for messages)."""
    if ctx is None:
        return []
    outputs = {"out", "output", "json_out"}
    return [
        str(v)
        for k, v in ctx.params.items()
        if k not in outputs and isinstance(v, str | os.PathLike) and os.path.isfile(v)
    ]


def handle_errors(func: F) -> F:
    """Turn an error about the user's input into a one-line CLI error.

    pqdml's own errors, missing or unreadable files, a full disk and bad values name the
    input and the reason, so the message is all a user needs: exit code 2 for an output
    path that is refused (a usage error), 1 for the others. ``pqdml --debug COMMAND``
    shows the traceback instead. Ctrl-C exits with code 130 after one line (a command
    that can resume says how in its own handler first).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KeyboardInterrupt:
            click.echo("\ninterrupted (Ctrl-C)", err=True)
            raise click.exceptions.Exit(INTERRUPTED) from None
        except (PQDMLError, OSError, ValueError, KeyError) as err:
            ctx = click.get_current_context(silent=True)
            if ctx is not None and ctx.find_root().params.get("debug"):
                raise
            text = err.args[0] if isinstance(err, KeyError) and err.args else err
            line = " ".join(str(text).split("\n")[0].split()) or type(err).__name__
            names_file = isinstance(err, PQDMLError) or getattr(err, "filename", None)
            if not names_file:  # a library's message: name the input
                named = [p for p in _input_files(ctx) if p not in line]
                if named and len(named) == len(_input_files(ctx)):
                    line += f" (reading {', '.join(map(repr, named))})"
            if isinstance(err, OutputPathError):
                raise UsageProblem(line) from err
            raise click.ClickException(line) from err

    return wrapper  # type: ignore[return-value]
