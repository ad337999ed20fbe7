"""The web app through FastAPI's TestClient: pages, JSON API, validation, uploads, escaping."""

from __future__ import annotations

import re
import tempfile
import time
from html import unescape
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import pqdml

XSS = "<script>alert(1)</script>"
BAD_SMILES = "C1CC"  # the bad row of the `candidates` fixture is row 7 with this SMILES


def _field_error(html: str, field: str) -> str | None:
    m = re.search(rf'<p class="error" id="{field}-error" role="alert">(.*?)</p>', html, re.S)
    return unescape(m.group(1)) if m else None


def _wait(client: Any, url: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(url)
        assert page.status_code == 200
        state = re.search(r'data-state="(\w+)"', page.text).group(1)
        if state not in ("queued", "running"):
            return page.text
        assert time.monotonic() < deadline, "screening did not finish"
        time.sleep(0.2)


# ---------------------------------------------------------------- JSON API


def test_api_model_describes_the_loaded_model(client, model) -> None:
    body = client.get("/api/model").json()
    assert body["target"] == "plqy" and body["target_column"] == "plqy_percent"
    assert body["n_used"] == model.metadata["rows"]["n_used"]
    keys = [m["key"] for m in body["metrics"]]
    mine = model.metrics["selection"]["predictor"]
    assert {mine, "mean", "ridge", "random_forest"} <= set(keys)  # the model beside its baselines
    assert 0 < body["coverage_mean"] <= 1
    assert body["feature_names"] == model.feature_names


def test_api_predict_one_record_matches_predict_one(client, model) -> None:
    r = client.post("/api/predict", json={"ligand": "oleylamine", "composition": "CsPbBr3"})
    assert r.status_code == 200
    body = r.json()
    expected = pqdml.predict_one("oleylamine", "CsPbBr3", model=model)
    assert body["status"] == "ok"
    assert body["prediction"] == pytest.approx(expected.prediction)
    assert body["interval"] == pytest.approx(list(expected.interval))
    assert 0 <= body["interval"][0] <= body["prediction"] <= body["interval"][1] <= 100
    assert body["in_domain"] == expected.in_domain
    assert body["binding_type"] == "L" and body["canonical_smiles"] == expected.canonical_smiles
    assert [n["name"] for n in body["nearest_ligands"]] == [n for n, _ in expected.nearest_ligands]


def test_api_predict_list_keeps_every_record_with_its_status(client, cli_error) -> None:
    records = [
        {"ligand": "OAm", "composition": "CsPbI3", "stage": "synthesis"},
        {"ligand": BAD_SMILES, "composition": "CsPbI3"},
        {"ligand": "octylamine", "composition": "CsPb2Br3"},
        {"ligand": "octanoic acid", "composition": "CsPbBr3", "process": {"proc_v_total_ul": 500}},
    ]
    r = client.post("/api/predict?top=0", json=records)
    assert r.status_code == 200
    out = r.json()
    assert [o["status"] for o in out] == ["ok", "invalid_smiles", "stoichiometry", "ok"]
    assert out[1]["error"] == cli_error("--ligand", BAD_SMILES, "--composition", "CsPbI3")
    assert out[1]["field"] == "ligand" and out[2]["field"] == "composition"
    assert "CsPb2Br3" in out[2]["error"]
    assert out[0]["contributions"] == [] and out[0]["stage"] == "synthesis"


def test_api_predict_one_bad_record_is_422_with_the_cli_message(client, cli_error) -> None:
    r = client.post("/api/predict", json={"ligand": "nosuchligandxyz", "composition": "CsPbBr3"})
    assert r.status_code == 422
    assert r.json()["status"] == "unknown_ligand"
    assert r.json()["error"] == cli_error("--ligand", "nosuchligandxyz", "--composition", "CsPbBr3")


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        ({"ligand": "OAm"}, "composition"),
        ({"ligand": "", "composition": "CsPbBr3"}, "ligand"),
        ({"ligand": "OAm", "composition": "CsPbBr3", "stage": "boiling"}, "stage"),
        ({"ligand": "OAm", "composition": "CsPbBr3", "process": {"proc_t_c": "hot"}}, "process"),
    ],
)
def test_api_predict_schema_errors_are_422(client, payload, where) -> None:
    r = client.post("/api/predict", json=payload)
    assert r.status_code == 422
    assert where in str(r.json()["detail"])


def test_api_predict_refuses_too_many_records(client) -> None:
    records = [{"ligand": "OAm", "composition": "CsPbBr3"}] * 1001
    r = client.post("/api/predict", json=records)
    assert r.status_code == 413
    assert "at most 1000 records" in r.json()["detail"]


def test_openapi_documents_the_api_and_no_cdn_docs(client) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/predict", "/api/model"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 404  # Swagger UI would load a CDN script
    page = client.get("/api")
    assert page.status_code == 200 and "/api/predict" in page.text and "PredictRecord" in page.text


# ---------------------------------------------------------------- pages


def test_predict_page_shows_structure_prediction_interval_and_skill(client, model) -> None:
    r = client.get("/", params={"ligand": "oleic acid", "composition": "CsPbBr3"})
    assert r.status_code == 200
    html = r.text
    expected = pqdml.predict_one("oleic acid", "CsPbBr3", model=model)
    assert f'<span id="prediction-value">{expected.prediction:.1f}</span>' in html
    assert f"{expected.interval[0]:.1f} – {expected.interval[1]:.1f}" in html
    assert 'id="structure" src="data:image/svg+xml;base64,' in html
    assert "X: carboxylic acid (1)" in html  # the binding reason string
    assert "carboxylic acid (X, atom" in html  # the anchor atom and its class
    assert 'id="interval-bar"' in html and 'id="waterfall"' in html
    assert "inside the stable window 0.813–1.107" in html  # CsPbBr3's tolerance factor
    mine = model.metrics["selection"]["predictor"]
    assert f"{model.metrics['models'][mine]['pooled']['mae']:.3g}" in html  # the headline MAE
    assert "Spearman" in html and "mean predictor" in html
    assert model.metrics["ranking_verdict"] in html  # the measured ranking skill
    assert "IN domain" in html or "OUT of domain" in html


@pytest.mark.parametrize(
    ("ligand", "composition", "field"),
    [
        (BAD_SMILES, "CsPbBr3", "ligand"),
        ("nosuchligandxyz", "CsPbBr3", "ligand"),
        ("oleylamine", "CsPb2Br3", "composition"),
        ("oleylamine", "CsPbXx3", "composition"),
    ],
)
def test_predict_page_bad_input_shows_the_cli_message_by_its_field(
    client, ligand, composition, field, cli_error
) -> None:
    r = client.get("/", params={"ligand": ligand, "composition": composition})
    assert r.status_code == 200
    assert _field_error(r.text, field) == cli_error(
        "--ligand", ligand, "--composition", composition
    )
    other = "composition" if field == "ligand" else "ligand"
    assert _field_error(r.text, other) is None
    assert 'id="prediction-value"' not in r.text
    assert "Traceback" not in r.text


def test_predict_page_bad_process_line_is_shown_by_the_process_field(client, cli_error) -> None:
    r = client.get(
        "/", params={"ligand": "OAm", "composition": "CsPbBr3", "process": "temperature 25"}
    )
    assert _field_error(r.text, "process") == (
        "process line 'temperature 25' is not proc_<name>_<unit>=value"
    )
    r = client.get("/", params={"ligand": "OAm", "composition": "CsPbBr3", "process": "t_c=25"})
    assert _field_error(r.text, "process") == cli_error(
        "--ligand", "OAm", "--composition", "CsPbBr3", "--process", "t_c=25"
    )


def test_user_strings_are_escaped(client) -> None:
    for params, field in (
        ({"ligand": XSS, "composition": "CsPbBr3"}, "ligand"),
        ({"ligand": "OAm", "composition": XSS}, "composition"),
        ({"ligand": "OAm", "composition": "CsPbBr3", "process": XSS}, "process"),
    ):
        r = client.get("/", params=params)
        assert r.status_code == 200
        assert XSS not in r.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
        assert XSS in (_field_error(r.text, field) or "")  # shown as text in the message
    data = client.post(
        "/screen",
        files={"candidates": (f"{XSS}.csv", b"ligand_smiles\nCCN\n", "text/csv")},
        data={"composition": XSS},
    )
    assert XSS not in data.text


def test_waterfall_is_an_svg_and_bad_input_is_422(client) -> None:
    r = client.get("/predict/waterfall.svg", params={"ligand": "OAm", "composition": "CsPbBr3"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in r.text and "this prediction" in r.text
    bad = client.get("/predict/waterfall.svg", params={"ligand": "OAm", "composition": "CsPb2Br3"})
    assert bad.status_code == 422 and "site sums" in bad.json()["detail"]


def test_model_page_shows_metrics_against_baselines(client, model) -> None:
    html = client.get("/model").text
    models = model.metrics["models"]
    mine = model.metrics["selection"]["predictor"]
    assert f"{models[mine]['pooled']['mae']:.3g}" in html
    assert f"{models['mean']['pooled']['mae']:.3g}" in html
    assert f"{models[mine]['summary']['mae']['mean']:.3g}" in html  # fold mean beside it
    assert "— this model" in html and model.metrics["ranking_verdict"] in html
    assert "mean of training targets (baseline)" in html
    assert 'href="/model/report"' in html


def test_pages_load_nothing_from_elsewhere(client) -> None:
    for url in ("/", "/?ligand=OAm&composition=CsPbBr3", "/screen", "/model", "/api"):
        html = client.get(url).text
        refs = re.findall(r'(?:src|href)="([^"]*)"', html)
        assert refs
        outside = [u for u in refs if not (u.startswith(("/", "data:", "#")))]
        assert not outside, (url, outside)
    assert "fetch(" not in client.get("/static/app.js").text  # the script calls no service


# ---------------------------------------------------------------- screening uploads


def test_screen_upload_ranks_every_row_and_deletes_the_upload(
    client, tmp_path, monkeypatch, candidates
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    table = candidates
    r = client.post(
        "/screen",
        files={"candidates": ("cands.csv", table.to_csv(index=False).encode(), "text/csv")},
    )
    assert r.status_code == 200 and "/screen/jobs/" in str(r.url)
    html = _wait(client, str(r.url))
    assert 'data-state="done"' in html
    assert html.count("<tr class=") == 20
    m = re.search(r'href="(/screen/jobs/\w+/ranked\.csv)"', html)
    download = client.get(m.group(1))
    assert download.status_code == 200
    assert 'filename="cands_ranked.csv"' in download.headers["content-disposition"]
    out = pd.read_csv(pd.io.common.BytesIO(download.content))
    assert len(out) == 20 and sorted(out["row_id"]) == list(range(20))
    by_row = out.set_index("row_id")
    assert by_row.loc[7, "status"] == "invalid_smiles" and BAD_SMILES in by_row.loc[7, "message"]
    assert (by_row.drop(index=7)["status"] == "ok").all()
    assert by_row["prediction"].notna().sum() == 19
    assert list(tmp_path.iterdir()) == []  # the upload's temporary folder is gone


def test_screen_upload_of_a_smi_file(client) -> None:
    smi = b"CCCCCCCCN octylamine\nCCCCCCCC(=O)O octanoic acid\n"
    r = client.post(
        "/screen",
        files={"candidates": ("c.smi", smi, "text/plain")},
        data={"composition": "CsPbI3", "stage": "synthesis"},
    )
    html = _wait(client, str(r.url))
    assert "ok 2" in html


def test_screen_upload_without_composition_says_so(client) -> None:
    r = client.post("/screen", files={"candidates": ("c.csv", b"ligand_smiles\nCCN\n", "text/csv")})
    html = _wait(client, str(r.url))
    assert 'data-state="failed"' in html and "no &#39;composition&#39; column" in html
    assert "&#39;c.csv&#39; has no" in html and tempfile.gettempdir() not in html  # no server path


def test_screen_upload_over_the_row_limit_is_refused(client) -> None:
    rows = "ligand_smiles,composition\n" + "CCCCN,CsPbBr3\n" * 101  # the fixture allows 100
    r = client.post("/screen", files={"candidates": ("big.csv", rows.encode(), "text/csv")})
    assert r.status_code == 200 and "/screen/jobs/" not in str(r.url)
    assert "the file has 101 rows; this server screens at most 100 rows" in unescape(r.text)


def test_screen_upload_of_another_file_type_is_refused(client) -> None:
    r = client.post(
        "/screen", files={"candidates": ("notes.exe", b"MZ", "application/octet-stream")}
    )
    assert "expected a candidate table" in unescape(r.text)


def test_oversized_request_bodies_are_refused(client) -> None:
    body = b"ligand_smiles\n" + b"C" * 300_000  # the fixture allows 200 kB
    r = client.post("/screen", files={"candidates": ("c.csv", body, "text/csv")})
    assert r.status_code == 413
    assert "request too large" in r.text and "at most 0.2 MB" in r.text
    api = client.post(
        "/api/predict",
        content=b"[" + b" " * 300_000 + b"]",
        headers={"content-type": "application/json"},
    )
    assert api.status_code == 413 and "request too large" in api.json()["detail"]


def test_chunked_bodies_are_counted_against_the_limit(client) -> None:
    def chunks(n: int):  # no Content-Length: sent with Transfer-Encoding: chunked
        yield b"["
        for _ in range(n):
            yield b" " * 1000
        yield b"]"

    too_big = client.post(
        "/api/predict", content=chunks(300), headers={"content-type": "application/json"}
    )
    assert too_big.status_code == 413 and "request too large" in too_big.json()["detail"]
    record = b'{"ligand": "OAm", "composition": "CsPbBr3"}'
    fits = client.post(
        "/api/predict?top=0",
        content=iter([record[:10], record[10:]]),
        headers={"content-type": "application/json"},
    )
    assert fits.status_code == 200 and fits.json()["status"] == "ok"


def test_download_name_keeps_only_safe_characters(client) -> None:
    name = 'my "best"\r\nSet-Cookie: x=1; ligands.csv'
    r = client.post(
        "/screen",
        files={"candidates": (name, b"ligand_smiles\nCCCCN\n", "text/csv")},
        data={"composition": "CsPbBr3"},
    )
    html = _wait(client, str(r.url))
    url = re.search(r'href="(/screen/jobs/\w+/ranked\.csv)"', html).group(1)
    download = client.get(url)
    assert "set-cookie" not in download.headers
    disposition = download.headers["content-disposition"]
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+_ranked\.csv"', disposition)


def test_unknown_job_is_404(client) -> None:
    assert client.get("/screen/jobs/0123456789abcdef01234567").status_code == 404
    assert client.get("/screen/jobs/../../etc/passwd/ranked.csv").status_code == 404


def test_templates_and_static_files_are_package_data() -> None:
    from importlib import resources

    web = resources.files("pqdml.web")
    assert (web / "templates" / "predict.html").is_file()
    assert (web / "static" / "app.js").is_file()
    root = Path(__file__).resolve().parents[2]
    assert '"web/templates/*.html", "web/static/*"' in (root / "pyproject.toml").read_text()


def test_model_report_is_built_once_on_request(client) -> None:
    first = client.get("/model/report")
    assert first.status_code == 200
    assert first.text.startswith("<!DOCTYPE html>") and "pqdml report — plqy model" in first.text
    assert 'alt="parity"' in first.text
    assert client.get("/model/report").text == first.text  # cached, not rebuilt
