"""Headers every response carries, and the same-site check for the forms a stranger's page
could otherwise post to.

- Every response: `X-Content-Type-Options: nosniff`.
- Every HTML page: not framed by another site (`X-Frame-Options: DENY` and CSP
  `frame-ancestors 'none'`) and a Content-Security-Policy that allows only this origin: no script
  at all on the plate page, the app's own scripts on the API docs. (Redoc's footer asks for a
  logo on its own CDN; the policy keeps the browser from even trying.)
- `same_site(request)`: a POST whose Origin (or, without one, Referer) names another site is
  refused. No Origin and no Referer at all is a client that is not a browser, which a forged
  cross-site form cannot be. The mini-program's requests come from servicewechat.com.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from server.errors import Forbidden

# The API docs run Swagger UI's and Redoc's own scripts (served by the app, server/docs).
DOCS_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; worker-src 'self' blob:; frame-ancestors 'self'")
PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'none'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
# The desk (console/): its own bundled scripts and styles; the API on the same origin.
CONSOLE_CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
               "connect-src 'self'; font-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
               "base-uri 'none'; object-src 'none'")
MINIPROGRAM_ORIGIN = "https://servicewechat.com"


class CrossSite(Forbidden):
    code, message = "cross_site_request", "请在三亮牌页面上提交评价"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def same_site(request) -> None:
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed:
        return
    origin = _origin(claimed)
    ours = {_origin(request.app.ctx.settings.public_base_url), f"{request.scheme}://{request.host}".lower(),
            MINIPROGRAM_ORIGIN}
    if origin not in ours:
        raise CrossSite()


def headers(request, response) -> None:
    """On every answer (server/app.py's one response middleware)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if (response.content_type or "").startswith("text/html"):
        path = request.path
        csp = DOCS_CSP if path.startswith("/docs") else CONSOLE_CSP if path.startswith("/console") else PAGE_CSP
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Frame-Options", "DENY")
