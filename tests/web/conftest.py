"""Fixtures of the web tests: the shipped model, the app, and a live uvicorn server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")


@pytest.fixture(scope="session")
def model() -> Any:
    from pqdml.model import default_model

    return default_model("plqy")


@pytest.fixture(scope="session")
def client(model: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from pqdml.web import create_app

    with TestClient(create_app(model, max_upload_rows=100, max_body_bytes=200_000)) as c:
        yield c


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    return _free_port()


@pytest.fixture(scope="session")
def live_server(model: Any) -> Iterator[str]:
    """The app served by uvicorn in a background thread on a free loopback port."""
    import uvicorn

    from pqdml.web import create_app

    app = create_app(model, max_upload_rows=100, warm_up=True)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive(), "uvicorn did not stop"


BAD_SMILES = "C1CC"


@pytest.fixture(scope="session")
def cli_error() -> Any:
    """The message `pqdml predict ARGS` prints for bad input (without click's 'Error: ')."""
    from click.testing import CliRunner

    from pqdml.cli import main

    def run(*args: str) -> str:
        result = CliRunner().invoke(main, ["predict", *args])
        assert result.exit_code == 1, result.output
        return result.output.strip().removeprefix("Error: ")

    return run


@pytest.fixture(scope="session")
def candidates() -> Any:
    """20 candidates on CsPbBr3: 19 dictionary ligands and, at row 7, an unparseable SMILES."""
    import pandas as pd

    import pqdml
    from pqdml.chem.ligand import dictionary_records

    good: list[str] = []
    for record in dictionary_records():  # names whose featurization works on their own
        try:
            pqdml.featurize_ligand(str(record.name))
        except ValueError:
            continue
        good.append(str(record.name))
        if len(good) == 19:
            break
    rows = [{"ligand_name": n, "ligand_smiles": "", "composition": "CsPbBr3"} for n in good]
    rows.insert(7, {"ligand_name": "broken", "ligand_smiles": BAD_SMILES, "composition": "CsPbBr3"})
    return pd.DataFrame(rows)
