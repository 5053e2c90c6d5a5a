"""Swagger UI and Redoc open in Chromium with every request outside this machine refused, as on
a government intranet: their scripts come from the app, and they show the API's own title."""
from __future__ import annotations

import pytest

from tests.serverproc import ServerProcess
from tests.test_plates_browser import CHROMIUM_ARGS, chromium_or_skip

pytestmark = pytest.mark.e2e
TITLE = "非公党建 · 三亮 服务接口"


@pytest.mark.parametrize("page, shown", [("/docs/swagger", ".swagger-ui .info .title"), ("/docs/redoc", "h1")])
def test_api_docs_load_without_any_public_cdn(tmp_path, page, shown):
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    with ServerProcess({"DANGJIAN_DATABASE_URL": f"sqlite://{tmp_path / 'docs.sqlite3'}",
                        "DANGJIAN_UPLOAD_DIR": str(tmp_path / "uploads")}) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context()
        outside: list[str] = []

        def only_loopback(route):
            if route.request.url.startswith(server.base):
                return route.continue_()
            outside.append(route.request.url)
            return route.abort()

        context.route("**/*", only_loopback)
        tab = context.new_page()
        tab.goto(server.base + page)
        tab.wait_for_selector(shown, timeout=20_000)
        assert TITLE in tab.inner_text(shown)
        tab.screenshot(path=str(tmp_path / "docs.png"))
        browser.close()
    assert outside == []
