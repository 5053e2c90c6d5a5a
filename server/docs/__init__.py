"""Swagger UI and Redoc served from the app itself (openapi-ui-bundles, pinned), so the API
documentation opens on a government intranet with no way out to a public CDN."""
from __future__ import annotations

import json
from pathlib import Path

import openapi_ui_bundles

from server.apidoc import finish

HERE = Path(__file__).parent
ASSETS = "/docs/assets"


def serve_offline(app) -> None:
    app.config.OAS_PATH_TO_SWAGGER_HTML = str(HERE / "swagger.html")
    app.config.OAS_PATH_TO_REDOC_HTML = str(HERE / "redoc.html")
    app.config.OAS_UI_SWAGGER_CDN_URL = ASSETS
    app.config.OAS_UI_REDOC_CDN_URL = ASSETS
    app.static(f"{ASSETS}/swagger-ui", openapi_ui_bundles.swagger_ui.static_path, name="docs_swagger_ui")
    app.static(f"{ASSETS}/redoc", openapi_ui_bundles.redoc.static_path, name="docs_redoc")
    app.static(f"{ASSETS}/start-swagger.js", HERE / "start-swagger.js", name="docs_start_swagger")


def finish_document(request, response) -> None:
    """The OpenAPI document as served, completed (server/app.py's response middleware calls it;
    page headers: server/security.py)."""
    if request.path == "/docs/openapi.json" and response.status == 200:
        response.body = json.dumps(finish(json.loads(response.body)), ensure_ascii=False).encode()
        response.headers["content-length"] = str(len(response.body))
