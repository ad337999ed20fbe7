"""Execute the notebooks with nbclient so they never rot; committed copies carry no outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.notebook, pytest.mark.slow]

NOTEBOOKS = ["01_quickstart.ipynb", "02_screening.ipynb", "03_campaign.ipynb"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_has_no_outputs(repo_root: Path, name: str) -> None:
    nb = nbformat.read(repo_root / "notebooks" / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, name


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(
    repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    from nbclient import NotebookClient

    monkeypatch.setenv("PQDML_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(repo_root / "notebooks" / name, as_version=4)
    client = NotebookClient(
        nb,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(repo_root / "notebooks")}},
    )
    client.execute()
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.get("output_type") == "error"
    ]
    assert not errors
    if name == "01_quickstart.ipynb":
        assert (tmp_path / "quickstart_report.html").stat().st_size > 100_000
        assert (tmp_path / "quickstart_report_files" / "parity.png").exists()
    elif name == "03_campaign.ipynb":
        assert (tmp_path / "campaign_best_so_far.png").exists()
        assert (tmp_path / "suggestions.csv").exists() and (
            tmp_path / "suggestions.status.csv"
        ).exists()
    else:
        assert (tmp_path / "ranked.csv").exists() and (tmp_path / "ranked_top10.csv").exists()
