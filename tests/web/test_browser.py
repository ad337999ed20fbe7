"""The web app in a real headless Chromium (Playwright), served by uvicorn on a loopback port.

Needs Debian's chromium at /usr/bin/chromium (.ci/run installs it); Playwright's own
browser download is not used. Outside CI the tests skip when it is missing; with ``CI``
set they fail instead. Every test fails on a console error, an uncaught page error or
a failed network request, and leaves a screenshot of each page in its tmp_path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

BAD_SMILES = "C1CC"  # row 7 of the `candidates` fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def browser(chromium: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(**chromium)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh page; the test fails on any console error or failed request."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    p = context.new_page()
    p.set_default_timeout(30_000)
    errors: list[str] = []
    failed: list[str] = []
    p.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.on("requestfailed", lambda req: failed.append(f"{req.url}: {req.failure}"))
    p.on(
        "response",
        lambda resp: (
            failed.append(f"{resp.url}: HTTP {resp.status}") if resp.status >= 400 else None
        ),
    )
    p.base = live_server
    yield p
    context.close()
    assert not errors, f"console errors: {errors}"
    assert not failed, f"failed requests: {failed}"


def _loaded(page: Any, selector: str) -> dict[str, Any]:
    """Natural size and source of an <img> once it has finished loading."""
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0; }",
        arg=selector,
    )
    return page.eval_on_selector(
        selector, "i => ({w: i.naturalWidth, h: i.naturalHeight, src: i.src.slice(0, 30)})"
    )


def test_predict_a_ligand_by_name(page: Any, tmp_path: Path, model: Any) -> None:
    page.goto(page.base + "/")
    page.screenshot(path=str(tmp_path / "predict_empty.png"), full_page=True)
    page.locator("#ligand").press_sequentially("oleyl")
    options = page.eval_on_selector_all("#ligand-names option", "os => os.map(o => o.value)")
    assert "oleylamine" in options  # the dictionary's names are offered as you type
    page.locator("#ligand").fill("oleylamine")
    page.locator("#composition").fill("CsPbBr3")
    page.select_option("#stage", "synthesis")
    page.click("button[type=submit]")
    page.wait_for_selector("#prediction-value")
    structure = _loaded(page, "#structure")
    assert structure["src"].startswith("data:image/svg+xml") and structure["w"] > 100
    waterfall = _loaded(page, "#waterfall")
    assert waterfall["w"] > 100
    import pqdml

    expected = pqdml.predict_one("oleylamine", "CsPbBr3", model=model, stage="synthesis", top=0)
    assert page.inner_text("#prediction-value") == f"{expected.prediction:.1f}"
    interval = page.inner_text("#interval")
    assert f"{expected.interval[0]:.1f} – {expected.interval[1]:.1f}" in interval
    assert page.is_visible("#interval-bar")
    assert "L — L: primary amine (1)" in page.inner_text("#binding-type")
    assert page.inner_text("#domain-verdict") in ("IN domain", "OUT of domain")
    assert page.locator(".neighbours img").count() >= 1
    page.screenshot(path=str(tmp_path / "predict.png"), full_page=True)


def test_bad_smiles_shows_the_message_by_the_field(page: Any, tmp_path: Path, cli_error) -> None:
    page.goto(page.base + "/")
    page.locator("#ligand").fill(BAD_SMILES)
    page.locator("#composition").fill("CsPbBr3")
    page.click("button[type=submit]")
    error = page.wait_for_selector("#ligand-error")
    assert error.inner_text() == cli_error("--ligand", BAD_SMILES, "--composition", "CsPbBr3")
    assert page.get_attribute("#ligand", "aria-invalid") == "true"
    assert page.input_value("#ligand") == BAD_SMILES  # the input is kept for correction
    assert page.locator("#prediction-value").count() == 0
    page.screenshot(path=str(tmp_path / "predict_bad_smiles.png"), full_page=True)


def test_screen_a_file_and_download_the_ranked_result(
    page: Any, tmp_path: Path, candidates
) -> None:
    table = candidates
    upload = tmp_path / "candidates.csv"
    table.to_csv(upload, index=False)
    page.goto(page.base + "/screen")
    page.screenshot(path=str(tmp_path / "screen_form.png"), full_page=True)
    page.set_input_files("#candidates", str(upload))
    page.click("#screen-submit")
    page.wait_for_selector("#download", timeout=60_000)
    assert page.locator("#ranked tbody tr").count() == 20
    page.screenshot(path=str(tmp_path / "screen_result.png"), full_page=True)
    # sort by status: the one bad row goes to one end
    page.click("#ranked th[data-col=status]")
    statuses = page.eval_on_selector_all(
        "#ranked tbody tr", "rows => rows.map(r => r.classList.contains('bad'))"
    )
    assert statuses.count(True) == 1 and (statuses[0] or statuses[-1])
    with page.expect_download() as info:
        page.click("#download")
    saved = tmp_path / "ranked.csv"
    info.value.save_as(saved)
    ranked = pd.read_csv(saved)
    assert len(ranked) == 20 and sorted(ranked["row_id"]) == list(range(20))
    for row in ranked.itertuples():
        source = table.iloc[row.row_id]
        assert row.ligand_name == source["ligand_name"]
        if row.row_id == 7:
            assert row.status == "invalid_smiles" and BAD_SMILES in row.message
            assert pd.isna(row.prediction) and pd.isna(row.rank)
        else:
            assert row.status == "ok", row
            assert 0 <= row.pi_low <= row.prediction <= row.pi_high <= 100
            assert 1 <= row.rank <= 19
    ok = ranked[ranked["status"] == "ok"].sort_values("rank")
    assert ok["prediction"].is_monotonic_decreasing


def test_model_page_and_api_page(page: Any, tmp_path: Path) -> None:
    page.goto(page.base + "/model")
    rows = page.locator("#metrics tbody tr")
    assert rows.count() >= 2
    assert "— this model" in page.inner_text("#metrics")
    assert "mean of training targets (baseline)" in page.inner_text("#metrics")
    page.screenshot(path=str(tmp_path / "model.png"), full_page=True)
    page.goto(page.base + "/api")
    assert "/api/predict" in page.inner_text("main")
    page.screenshot(path=str(tmp_path / "api.png"), full_page=True)


def test_a_refused_upload_shows_the_reason_by_the_field(page: Any, tmp_path: Path) -> None:
    bad = tmp_path / "notes.exe"
    bad.write_bytes(b"MZ")
    page.goto(page.base + "/screen")
    page.set_input_files("#candidates", str(bad))
    page.click("#screen-submit")
    error = page.wait_for_selector("#candidates-error")
    assert "file 'notes.exe': expected a candidate table" in error.inner_text()
    page.screenshot(path=str(tmp_path / "screen_refused.png"), full_page=True)
