"""The FastAPI application of ``pqdml serve``: predict one, screen a file, the model, a JSON API.

Build it with :func:`create_app`; ``pqdml serve`` runs it with uvicorn on 127.0.0.1.
Pages are Jinja2 templates (autoescaped: every user string is shown as text); the
styles and the few lines of script are package files served from ``/static``, so the
app works offline and loads nothing from elsewhere.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pqdml import __version__
from pqdml.chem.ligand import dictionary_records
from pqdml.data.schema import STAGES
from pqdml.exceptions import InvalidInputError, PQDMLError
from pqdml.model import default_model, load_model
from pqdml.report import write_report
from pqdml.web import views
from pqdml.web.jobs import UPLOAD_SUFFIXES, JobStore, UploadError

__all__ = ["DEFAULT_MAX_BODY_BYTES", "DEFAULT_MAX_UPLOAD_ROWS", "create_app"]

#: Rows one uploaded candidate file may have.
DEFAULT_MAX_UPLOAD_ROWS = 50_000
#: Largest request body accepted (bytes); an upload counts in full.
DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024
#: Records one ``POST /api/predict`` may hold.
MAX_API_RECORDS = 1000
#: Compositions offered as you type (any formula may be typed).
COMPOSITIONS = (
    "CsPbBr3",
    "CsPbI3",
    "CsPbCl3",
    "CsPbBr1.5I1.5",
    "CsPbCl1.5Br1.5",
    "FAPbBr3",
    "FAPbI3",
    "MAPbBr3",
    "MAPbI3",
    "Cs0.05FA0.95PbI3",
)


class BodyLimit:
    """ASGI middleware: answer 413 to a request body larger than ``max_bytes``.

    A declared ``Content-Length`` is checked before anything is read (the server never
    delivers more than it declares). A body sent without one (chunked) is read here, up
    to the limit, and handed on to the app only when it fits.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = int(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > self.max_bytes:
                await self._refuse(scope, send, int(declared) if declared.isdigit() else -1)
                return
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        seen = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            more = bool(message.get("more_body", False))
            if seen > self.max_bytes:
                await self._refuse(scope, send, seen)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send, size: int) -> None:
        limit = self.max_bytes / 1024 / 1024
        told = f"{size / 1024 / 1024:.1f} MB or more" if size >= 0 else "an invalid size"
        text = (
            f"request too large: {told}; this server accepts at most {limit:.1f} MB per "
            "request (use `pqdml screen` for larger files)"
        )
        response: Response
        if scope.get("path", "").startswith("/api/"):
            response = JSONResponse({"detail": text}, status_code=413)
        else:
            response = HTMLResponse(f"<!DOCTYPE html><p>{text}</p>", status_code=413)
        await response(scope, _empty_receive, send)


async def _empty_receive() -> Message:
    return {"type": "http.disconnect"}


class PredictRecord(BaseModel):
    """One candidate for ``POST /api/predict``."""

    ligand: str = Field(min_length=1, max_length=2000, description="Ligand name or SMILES.")
    composition: str = Field(min_length=1, max_length=300, description="Perovskite formula.")
    stage: Literal[STAGES] | None = Field(  # type: ignore[valid-type]
        default=None, description="Process stage."
    )
    process: dict[str, float] = Field(
        default_factory=dict, description="Process values as {proc_<name>_<unit>: value}."
    )


class PredictResult(BaseModel):
    """One prediction (status ``ok``) or the reason there is none (an error code)."""

    model_config = {"extra": "allow"}
    status: str
    error: str


def _resolve(model: Any, target: str) -> Any:
    """Return the model to serve: as given, loaded from its directory, or the shipped default."""
    if model is None:
        return default_model(target)
    if isinstance(model, str | os.PathLike):
        return load_model(model)
    return model


def create_app(
    model: Any = None,
    *,
    target: str = "plqy",
    max_upload_rows: int = DEFAULT_MAX_UPLOAD_ROWS,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    warm_up: bool = False,
    report_data: str | os.PathLike[str] | None = None,
) -> FastAPI:
    """Build the web app around one loaded model.

    Parameters
    ----------
    model
        A :class:`pqdml.model.TrainedModel`, a model directory, or None for the shipped
        default model of ``target``.
    target
        Target of the default model (``plqy`` or ``pce``).
    max_upload_rows
        Rows one uploaded candidate file may hold.
    max_body_bytes
        Largest request body accepted (uploads included); larger requests get HTTP 413.
    warm_up
        Predict and explain one example before serving, so that the first user request
        does not pay for the one-time imports and caches (a few seconds).
    report_data
        Records (a file on the server, e.g. the training data) given to
        :func:`pqdml.write_report` for the model report's SHAP sections and learning
        curve. Without it the report has the metrics, parity plot and domain only.

    Returns
    -------
    fastapi.FastAPI
        Serve it with ``uvicorn.run(app, host="127.0.0.1", port=8000)``.

    Examples
    --------
    >>> from fastapi.testclient import TestClient  # doctest: +SKIP
    >>> client = TestClient(create_app())  # doctest: +SKIP
    >>> client.get("/api/model").json()["target"]  # doctest: +SKIP
    'plqy'
    """
    model = _resolve(model, target)
    if warm_up:
        views.warm_up(model)
    package = resources.files("pqdml.web")
    templates = Jinja2Templates(directory=str(package / "templates"))
    app = FastAPI(
        title="pqdml",
        version=__version__,
        description="Predict perovskite quantum-dot ligand outcomes with intervals, "
        "an applicability-domain verdict and SHAP reasons.",
        # FastAPI's Swagger/ReDoc pages load their scripts from a CDN; the app lists its
        # OpenAPI document itself at /api (offline), and serves it at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.mount("/static", StaticFiles(directory=str(package / "static")), name="static")
    jobs = JobStore(model, lock=views.LOCK)
    summary = views.model_summary(model)
    ligand_names = sorted({str(r.name) for r in dictionary_records() if r.name}, key=str.lower)
    report_cache: dict[str, str] = {}
    report_lock = threading.Lock()

    def page(request: Request, name: str, **context: Any) -> HTMLResponse:
        base = {"model": summary, "version": __version__, "stages": STAGES}
        return templates.TemplateResponse(request, name, {**base, **context})

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def predict_page(
        request: Request,
        ligand: str = "",
        composition: str = "",
        stage: str = "",
        process: str = "",
    ) -> HTMLResponse:
        form = views.PredictForm(ligand, composition, stage, process)
        result = None
        if ligand.strip() or composition.strip():
            # bad input is answered 200 with the message by its field: a page, not a failed load
            result = views.predict_page(model, form)
        query = {"ligand": ligand, "composition": composition, "stage": stage, "process": process}
        return page(
            request,
            "predict.html",
            form=form,
            result=result,
            ligand_names=ligand_names,
            compositions=COMPOSITIONS,
            waterfall_url="/predict/waterfall.svg?" + urlencode(query),
        )

    @app.get("/predict/waterfall.svg", include_in_schema=False)
    def waterfall(ligand: str, composition: str, stage: str = "", process: str = "") -> Response:
        form = views.PredictForm(ligand, composition, stage, process)
        try:
            svg = views.waterfall_svg(model, form)
        except InvalidInputError as err:
            raise HTTPException(status_code=422, detail=str(err)) from err
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})

    def screen_page(
        request: Request, errors: dict[str, str], values: dict[str, str]
    ) -> HTMLResponse:
        return page(
            request,
            "screen.html",
            max_rows=max_upload_rows,
            max_mb=max_body_bytes / 2**20,
            suffixes=UPLOAD_SUFFIXES,
            compositions=COMPOSITIONS,
            errors=errors,
            values=values,
        )

    @app.get("/screen", response_class=HTMLResponse, include_in_schema=False)
    def screen_form(request: Request) -> HTMLResponse:
        return screen_page(request, {}, {})

    @app.post("/screen", include_in_schema=False, response_model=None)
    def screen_upload(
        request: Request,
        candidates: Annotated[UploadFile, File()],
        composition: Annotated[str, Form()] = "",
        stage: Annotated[str, Form()] = "",
    ) -> Response:
        values = {"composition": composition, "stage": stage}
        errors: dict[str, str] = {}
        if stage and stage not in STAGES:
            errors["stage"] = f"stage {stage!r} is not one of {', '.join(STAGES)}"
        else:
            try:
                job = jobs.submit(
                    candidates.file.read(),
                    candidates.filename or "",
                    max_rows=max_upload_rows,
                    composition=composition.strip() or None,
                    stage=stage or None,
                )
            except UploadError as err:
                errors["candidates"] = str(err)
            else:
                return RedirectResponse(f"/screen/jobs/{job.id}", status_code=303)
        return screen_page(request, errors, values)

    @app.get("/screen/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def screen_job(request: Request, job_id: str) -> HTMLResponse:
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(
                status_code=404, detail="no such screening job (it may have expired)"
            )
        return page(request, "job.html", job=job)

    @app.get("/screen/jobs/{job_id}/ranked.csv", include_in_schema=False)
    def screen_download(job_id: str) -> Response:
        job = jobs.get(job_id)
        if job is None or job.state != "done":
            raise HTTPException(status_code=404, detail="no finished screening job of that id")
        # the client's file name, reduced to safe characters, only names the download
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(job.filename).stem)[:80] or "candidates"
        return Response(
            job.result_csv,
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{stem}_ranked.csv"'},
        )

    @app.get("/model", response_class=HTMLResponse, include_in_schema=False)
    def model_page(request: Request) -> HTMLResponse:
        return page(request, "model.html")

    @app.get("/model/report", response_class=HTMLResponse, include_in_schema=False)
    def model_report() -> HTMLResponse:
        with report_lock:
            if "html" not in report_cache:
                folder = Path(tempfile.mkdtemp(prefix="pqdml-report-"))
                try:
                    with views.LOCK:
                        path = write_report(model, data=report_data, out=folder / "report.html")
                    report_cache["html"] = path.read_text(encoding="utf-8")
                except PQDMLError as err:  # e.g. a --data file that cannot be read
                    raise HTTPException(status_code=500, detail=f"no report: {err}") from err
                finally:
                    shutil.rmtree(folder, ignore_errors=True)
        return HTMLResponse(report_cache["html"])

    @app.get("/api", response_class=HTMLResponse, include_in_schema=False)
    def api_page(request: Request) -> HTMLResponse:
        spec = app.openapi()
        endpoints = [
            {
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [
                    {"name": prm["name"], "schema": json.dumps(prm.get("schema", {}))}
                    for prm in op.get("parameters", [])
                ],
            }
            for path, ops in spec.get("paths", {}).items()
            for method, op in ops.items()
        ]
        schemas = {
            name: json.dumps(schema, indent=2)
            for name, schema in spec.get("components", {}).get("schemas", {}).items()
        }
        host = request.headers.get("host", "127.0.0.1:8000")
        return page(request, "api.html", endpoints=endpoints, schemas=schemas, host=host)

    @app.get("/api/model", tags=["api"])
    def api_model() -> dict[str, Any]:
        """Describe the loaded model: target, training data, CV metrics vs baselines, coverage."""
        out = dict(summary)
        out["feature_names"] = list(model.feature_names)
        return _clean(out)

    @app.post("/api/predict", tags=["api"], response_model=PredictResult | list[PredictResult])
    def api_predict(
        records: PredictRecord | list[PredictRecord],
        level: Annotated[float | None, Query(ge=0.5, le=0.999)] = None,
        top: Annotated[int, Query(ge=0, le=20)] = 5,
    ) -> Any:
        """Predict one record (an object) or several (a list, at most 1000).

        One record with bad input answers 422 with the reason; in a list, each bad record
        keeps its place with its error code as ``status`` and the message as ``error``.
        """
        single = isinstance(records, PredictRecord)
        batch: list[PredictRecord] = [records] if isinstance(records, PredictRecord) else records
        if len(batch) > MAX_API_RECORDS:
            raise HTTPException(
                status_code=413, detail=f"at most {MAX_API_RECORDS} records per request"
            )
        out = [
            views.api_predict(
                model,
                views.ApiRecord(r.ligand, r.composition, r.stage, r.process),
                level=level,
                top=top,
            )
            for r in batch
        ]
        if single:
            if out[0]["status"] != "ok":
                return JSONResponse(_clean(out[0]), status_code=422)
            return _clean(out[0])
        return [_clean(o) for o in out]

    return app


def _clean(obj: Any) -> Any:
    """JSON-safe copy: NaN and infinities become null."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float) and (obj != obj or obj in (float("inf"), float("-inf"))):
        return None
    return obj
