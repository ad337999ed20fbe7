"""``pqdml serve``: a local web app over pqdml's public API (needs ``pip install pqdml[web]``).

- :func:`create_app` — the FastAPI app: predict one ligand, screen a file, the model
  page and a JSON API (``POST /api/predict``, ``GET /api/model``).

Pages are autoescaped Jinja2 templates; styles and script are package files, so the
app works offline. No chemistry or model logic lives here (see :mod:`pqdml.web.views`).
"""

from pqdml.web.app import create_app

__all__ = ["create_app"]
