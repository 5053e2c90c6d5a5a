"""The desk (console/): its own tests (Vitest), its typed API module against this server's
document, its type check, the size of what a first visit downloads, and how the app serves it."""
from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sanic import Sanic

from server.desk import static
from tests.asgi import Lifespan, client
from tests.conftest import REQUIRE_SERVICES

CONSOLE = Path(__file__).resolve().parent.parent / "console"
DIST = CONSOLE / "dist"
INITIAL_JS_LIMIT = 400 * 1024  # gzipped, the budget


def npx_or_skip() -> str:
    if shutil.which("npx") and (CONSOLE / "node_modules" / ".bin" / "vite").exists():
        return shutil.which("npx")
    if REQUIRE_SERVICES:
        pytest.fail("node or the console's packages are missing: `make test` installs them (npm ci)")
    pytest.skip("node/npm or console/node_modules missing (make test runs `npm ci`): the console tests were skipped")


def built_or_skip() -> Path:
    if (DIST / "index.html").exists():
        return DIST
    if REQUIRE_SERVICES:
        pytest.fail("console/dist is missing: `make test` builds it (make console)")
    pytest.skip("console/dist is missing (make console builds it)")


def run(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([npx_or_skip(), *args], cwd=CONSOLE, capture_output=True, text=True, timeout=timeout)


def test_vitest_suite_passes():
    result = run("vitest", "run")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"Tests\s+\S*\d+ passed", re.sub(r"\x1b\[[0-9;]*m", "", result.stdout))


# The document does not depend on the database: one run is enough.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_the_typed_api_module_is_this_servers_document_and_the_console_type_checks(backend, tmp_path):
    npx_or_skip()
    async with client(backend.app) as c:
        document = (await c.get("/docs/openapi.json")).json()
    (tmp_path / "openapi.json").write_text(json.dumps(document, ensure_ascii=False))
    generated = run("openapi-typescript", "--default-non-nullable", "false", str(tmp_path / "openapi.json"),
                    "-o", str(tmp_path / "schema.d.ts"))
    assert generated.returncode == 0, generated.stderr[-2000:]
    committed = (CONSOLE / "src" / "api" / "schema.d.ts").read_text()
    assert (tmp_path / "schema.d.ts").read_text() == committed, (
        "console/src/api/schema.d.ts is stale: run `make console-api-types` and fix what vue-tsc then reports")
    # Every call the console makes names a path, parameters and body fields this document has.
    checked = run("vue-tsc", "--noEmit")
    assert checked.returncode == 0, checked.stdout[-4000:]


def test_a_first_visit_downloads_under_400_kb_of_script_and_nothing_from_another_host():
    dist = built_or_skip()
    index = (dist / "index.html").read_text()
    assert not re.search(r'(src|href)="(https?:)?//', index), "the console must not load anything from a CDN"
    initial = re.findall(r'(?:src|href)="/console/(assets/[^"]+\.js)"', index)
    assert initial, index
    sizes = {name: len(gzip.compress((dist / name).read_bytes(), 9)) for name in initial}
    assert sum(sizes.values()) < INITIAL_JS_LIMIT, sizes
    # ECharts (the biggest part) comes only with the page that draws charts.
    assert not any("echarts" in (dist / name).read_text() and "BarChart" in (dist / name).read_text() for name in initial)


class static_app:
    """A bare app serving `dist` as the console, started and stopped around a test."""

    def __init__(self, dist: Path) -> None:
        self.app = Sanic(f"console_static_{abs(hash(dist))}")
        self.app.config.TOUCHUP = False
        static.serve(self.app, dist)

    async def __aenter__(self):
        self.lifespan = Lifespan(self.app)
        await self.lifespan.startup()
        self.client = client(self.app)
        return await self.client.__aenter__()

    async def __aexit__(self, *exc):
        await self.client.__aexit__(*exc)
        await self.lifespan.shutdown()


async def test_the_app_serves_the_single_page_with_history_fallback_and_cached_assets(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>desk</title>")
    (tmp_path / "assets" / "index-AbC123.js").write_text("console.log(1)")
    (tmp_path.parent / "secret.txt").write_text("not for you")
    async with static_app(tmp_path) as c:
        root = await c.get("/console", follow_redirects=False)
        page = await c.get("/console/")
        deep = await c.get("/console/members/12?category=floating")
        asset = await c.get("/console/assets/index-AbC123.js")
        missing = await c.get("/console/assets/index-gone.js")
        escape = await c.get("/console/..%2Fsecret.txt")
    assert root.status_code == 301 and root.headers["location"] == "/console/"
    assert page.status_code == deep.status_code == 200 and "desk" in deep.text
    assert deep.headers["cache-control"] == "no-cache"
    assert asset.headers["cache-control"] == static.IMMUTABLE and "javascript" in asset.headers["content-type"]
    assert missing.status_code == 404
    assert "not for you" not in escape.text


async def test_without_a_build_the_console_says_how_to_make_one(tmp_path):
    async with static_app(tmp_path / "nothing") as c:
        page = await c.get("/console/")
    assert page.status_code == 503 and "make run" in page.text


async def test_console_pages_carry_a_policy_allowing_only_their_own_scripts(backend):
    async with client(backend.app) as c:
        page = await c.get("/console/")
    policy = page.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "connect-src 'self'" in policy
