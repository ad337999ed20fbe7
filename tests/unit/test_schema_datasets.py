"""The dataset registry: sha256 checks on local copies and a real pooch download path."""

from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import threading

import pytest

from pqdml.data import datasets
from pqdml.exceptions import DatasetNotFoundError
from pqdml.io import sha256_file


def test_registry_lists_every_dataset_with_source_licence_citation_and_hashes():
    assert datasets.list_datasets() == [
        "buried-interface",
        "passivator-screening",
        "perovskite-database",
        "synthesizer",
    ]
    for name in datasets.list_datasets():
        ds = datasets.DATASETS[name]
        assert ds.homepage.startswith("https://")
        assert ds.licence and ds.citation
        assert ds.main_file in [f.path for f in ds.files]
        assert all(len(f.sha256) == 64 for f in ds.files)


def test_unknown_dataset():
    with pytest.raises(DatasetNotFoundError, match="unknown dataset 'nope'; known: buried"):
        datasets.load("nope")


def test_sha256_file(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"pqdml")
    assert sha256_file(path) == hashlib.sha256(b"pqdml").hexdigest()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def served(tmp_path, shared_datasets):
    """A local HTTP server (127.0.0.1) serving a copy of the synthesizer files."""
    root = tmp_path / "www"
    shutil.copytree(shared_datasets / "synthesizer", root)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.shared_data
def test_fetch_downloads_and_checks_hashes(served, tmp_path, monkeypatch):
    root, url = served
    monkeypatch.setenv("PQDML_CACHE", str(tmp_path / "cache"))
    folder = datasets.fetch("synthesizer", base_url=url)
    assert folder == tmp_path / "cache" / "synthesizer"
    assert sha256_file(folder / "dataset_synthesizer.csv") == sha256_file(
        root / "dataset_synthesizer.csv"
    )
    # load() falls back to the download when no local copy is configured
    monkeypatch.setenv("PQDML_DATASETS", str(tmp_path / "nowhere"))
    df = datasets.load("synthesizer", path=folder)
    assert len(df) == df.attrs["adapter_report"].rows_read


@pytest.mark.shared_data
def test_fetch_refuses_a_changed_upstream_file(served, tmp_path, monkeypatch):
    root, url = served
    monkeypatch.setenv("PQDML_CACHE", str(tmp_path / "cache2"))
    with open(root / "dataset_synthesizer.csv", "a", encoding="utf-8") as fh:
        fh.write("999;999;1;1;1;1;EtOH;1;1;1;0.5;P;1;1;1;1;1;1;1;x.txt;Ethanol;[];0.1;500\n")
    with pytest.raises(ValueError, match="SHA256 hash of downloaded file"):
        datasets.fetch("synthesizer", base_url=url)


def test_fetch_without_url_says_where_to_download(tmp_path, monkeypatch):
    monkeypatch.setenv("PQDML_CACHE", str(tmp_path))
    with pytest.raises(DatasetNotFoundError, match=r"perovskitedatabase\.com and pass path="):
        datasets.fetch("perovskite-database")


@pytest.mark.shared_data
def test_local_copy_with_other_hash_warns_but_loads(tmp_path, shared_datasets):
    copy = tmp_path / "synthesizer"
    shutil.copytree(shared_datasets / "synthesizer", copy)
    lines = (copy / "dataset_synthesizer.csv").read_text(encoding="utf-8").splitlines(True)
    (copy / "dataset_synthesizer.csv").write_text("".join(lines[:11]), encoding="utf-8")
    with pytest.warns(datasets.DatasetHashWarning, match="differs from the registered"):
        df = datasets.load("synthesizer", path=copy / "dataset_synthesizer.csv")
    assert len(df) == 10
    assert df.attrs["file_hashes"]["molecule_dictionary.json"] == "ok"


@pytest.mark.shared_data
def test_env_var_overrides_the_path(tmp_path, shared_datasets, monkeypatch):
    (tmp_path / "buried_interface").mkdir()
    shutil.copy(shared_datasets / "buried_interface" / "new.xlsx", tmp_path / "buried_interface")
    monkeypatch.setenv("PQDML_DATASETS", str(tmp_path))
    info = datasets.info("buried-interface")
    assert info["local_folder"] == str(tmp_path / "buried_interface")
    assert info["file_hashes"] == {"new.xlsx": "ok"}
    assert info["adapter_report"]["rows_read"] == 169


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetNotFoundError, match=r"new\.xlsx of dataset 'buried-interface'"):
        datasets.load("buried-interface", path=tmp_path)
