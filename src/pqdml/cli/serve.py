"""``pqdml serve``: the local web app (predict one, screen a file, the model, a JSON API)."""

from __future__ import annotations

import click

from pqdml.cli import main
from pqdml.cli._options import shipped_model_options


@main.command("serve")
@shipped_model_options
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (127.0.0.1: this machine only).",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--max-upload-rows",
    type=click.IntRange(1),
    default=50_000,
    show_default=True,
    help="Rows one uploaded candidate file may hold.",
)
@click.option(
    "--max-upload-mb",
    type=click.FloatRange(0.01),
    default=20.0,
    show_default=True,
    help="Largest request body (uploads included), in MB.",
)
@click.option(
    "--data",
    "report_data",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Training records for the model report's SHAP sections (e.g. data/pqd_literature.csv).",
)
def serve_command(
    model_dir: str | None,
    target: str,
    host: str,
    port: int,
    max_upload_rows: int,
    max_upload_mb: float,
    report_data: str | None,
) -> None:
    """Start the web app; then open http://127.0.0.1:8000 in a browser (Ctrl+C stops it)."""
    try:  # optional dependencies (pip install "pqdml[web]"), imported only for this command
        import uvicorn

        from pqdml.web import create_app
    except ImportError as err:
        raise click.ClickException(
            f'`pqdml serve` needs the web extra ({err.name} is missing): pip install "pqdml[web]"'
        ) from err
    from pqdml.exceptions import PQDMLError

    try:
        app = create_app(
            model_dir,
            target=target,
            max_upload_rows=max_upload_rows,
            max_body_bytes=int(max_upload_mb * 1024 * 1024),
            warm_up=True,
            report_data=report_data,
        )
    except PQDMLError as err:
        raise click.ClickException(str(err)) from err
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: listening on {host}: other machines can reach this app", err=True)
    click.echo(f"pqdml serve: open http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}")
    uvicorn.run(app, host=host, port=port, log_level="warning")
