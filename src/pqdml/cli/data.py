"""``pqdml validate`` and ``pqdml datasets list|info``: thin shells over :mod:`pqdml.data`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pqdml.cli import main
from pqdml.cli._options import format_option, handle_errors
from pqdml.data.datasets import DATASETS, list_datasets
from pqdml.data.datasets import info as dataset_info
from pqdml.data.formats import read_records
from pqdml.data.schema import validate


@main.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@format_option
@click.option(
    "--max-issues", type=int, default=None, help="List at most this many issues per severity."
)
@handle_errors
def validate_cmd(file: Path, fmt: str | None, max_issues: int | None) -> None:
    """Check FILE against the canonical record schema and list every bad row.

    Exits 1 when there is any error; warnings (ambiguous halide families, '*' in SMILES,
    unknown morphology words) are listed but do not fail.
    """
    df, used = read_records(file, fmt)
    click.echo(f"format: {used}{'' if fmt else ' (guessed)'}")
    report = df.attrs.get("adapter_report")
    if report is not None:
        click.echo(report.format())
    result = validate(df, source=str(file))
    click.echo(result.format(max_issues=max_issues))
    if not result.ok:
        raise SystemExit(1)


@main.group("datasets")
def datasets_group() -> None:
    """List and describe the registered public datasets (source, licence, citation, sha256)."""


@datasets_group.command("list")
def datasets_list() -> None:
    """List the registered public datasets."""
    for name in list_datasets():
        click.echo(f"{name:22s} {DATASETS[name].title}")


@datasets_group.command("info")
@click.argument("name")
@click.option(
    "--path",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Local copy to describe (default: $PQDML_DATASETS or ../shared/datasets).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def datasets_info(name: str, path: Path | None, as_json: bool) -> None:
    """Describe dataset NAME: source, licence, citation, files and sha256, adapter report."""
    if name not in DATASETS:
        raise click.BadParameter(f"unknown dataset {name!r}; known: {', '.join(sorted(DATASETS))}")
    out = dataset_info(name, path=path)
    if as_json:
        out = {k: v for k, v in out.items() if k != "adapter_report_text"}
        click.echo(json.dumps(out, indent=2))
        return
    click.echo(f"{out['name']}: {out['title']}")
    for key in ("description", "homepage", "licence", "citation"):
        click.echo(f"{key}: {out[key]}")
    click.echo("files:")
    hashes = out.get("file_hashes") or {}
    for f in out["files"]:  # type: ignore[attr-defined]
        state = hashes.get(f["path"], "not checked")  # type: ignore[attr-defined]
        click.echo(f"  {f['path']}  sha256 {f['sha256']}  [{state}]")
        click.echo(f"    url: {f['url'] or 'none (download from the homepage)'}")
    click.echo(f"local copy: {out['local_folder'] or 'none (load() will download with pooch)'}")
    if "adapter_report_text" in out:
        click.echo(str(out["adapter_report_text"]))
