"""The console's built files (console/dist, made by `make run` / `make console`) at /console/.

Hashed assets (/console/assets/*) are cached for a year; every other path under /console/ is
the single page (history fallback), never cached, so a new build is picked up on the next load.
Without a build the console answers 503 with the command that makes one.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path

from sanic.response import file, html, redirect
from sanic_ext.extensions.openapi import openapi

DIST = Path(__file__).resolve().parents[2] / "console" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
NOT_BUILT = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>工作台尚未构建</title></head>
<body style="font:18px/1.6 system-ui,sans-serif;padding:2em"><h1>工作台尚未构建</h1>
<p>请在项目目录运行 <code>make run</code>（或 <code>make console</code>），它会构建 console/ 并由本服务提供。</p></body></html>"""


def _cached(response, policy: str):
    response.headers["Cache-Control"] = policy  # replaces what file() set, never adds a second
    return response


def serve(app, dist: Path = DIST) -> None:
    root = dist.resolve()

    @openapi.exclude()
    async def console_root(request):
        return redirect("/console/", status=301)

    @openapi.exclude()
    async def console(request, path: str = ""):
        index = root / "index.html"
        if path:
            candidate = (root / path).resolve()
            if candidate.is_relative_to(root) and candidate.is_file() and candidate != index:
                cache = IMMUTABLE if path.startswith("assets/") else "public, max-age=3600"
                kind = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
                return _cached(await file(candidate, mime_type=kind), cache)
            if path.startswith("assets/"):  # a missing hashed file is a 404, not the page
                return html("<h1>404</h1>", status=404)
        if not index.is_file():
            return html(NOT_BUILT, status=503, headers={"Cache-Control": "no-store"})
        return _cached(await file(index, mime_type="text/html; charset=utf-8"), "no-cache")

    app.add_route(console_root, "/console", methods=["GET"], name="console_root", strict_slashes=True)
    app.add_route(console, "/console/", methods=["GET"], name="console_index", strict_slashes=True)
    app.add_route(console, "/console/<path:path>", methods=["GET"], name="console_path")
