"""The HTML report opened in a real headless Chromium: every figure renders, no console error.

Needs Debian's chromium at /usr/bin/chromium (.ci/run installs it). Outside CI the test
skips when it is missing; with ``CI`` set it fails instead, so CI cannot silently pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def report_path(
    tmp_path_factory: pytest.TempPathFactory, repo_root: Path, tiny_model, chromium: dict
) -> Path:
    """The report of the tiny model with a screening; needs chromium (skips early without)."""
    from pqdml.report import write_report
    from pqdml.screen import screen

    folder = tmp_path_factory.mktemp("browser")
    data = repo_root / "data" / "pqd_literature.csv"
    model = tiny_model
    ranked = folder / "ranked.csv"
    screen(repo_root / "data" / "example_candidates.csv", ranked, model=model)
    return write_report(model, data=data, screen=ranked, out=folder / "report.html")


def test_report_renders_in_chromium(report_path: Path, chromium: dict) -> None:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    failed_requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("requestfailed", lambda req: failed_requests.append(req.url))
            page.goto(report_path.as_uri(), wait_until="load")
            images = page.evaluate(
                "Array.from(document.images).map(i => ({alt: i.alt, complete: i.complete,"
                " w: i.naturalWidth, h: i.naturalHeight}))"
            )
            shot = report_path.with_name("report_screenshot.png")
            page.screenshot(path=str(shot), full_page=True)
            title = page.title()
        finally:
            browser.close()
    assert title.startswith("pqdml report")
    assert len(images) >= 10, images
    broken = [img["alt"] for img in images if not img["complete"] or img["w"] == 0]
    assert not broken, f"images that did not render: {broken}"
    assert {"parity", "beeswarm", "concept_importance", "waterfall_1"} <= {i["alt"] for i in images}
    assert not errors, f"console errors: {errors}"
    assert not failed_requests, f"failed requests: {failed_requests}"
    assert shot.stat().st_size > 50_000
