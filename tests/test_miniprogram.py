"""The mini-program's own tests (jest + miniprogram-simulate, in miniprogram/tests), run here so
that `make test` runs everything. The contract test among them gets this server's OpenAPI
document, fetched from the app itself, and fails when the endpoint map names a route or field
the server does not have."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.asgi import client
from tests.conftest import REQUIRE_SERVICES

MINIPROGRAM = Path(__file__).resolve().parent.parent / "miniprogram"


def jest_or_skip() -> Path:
    jest = MINIPROGRAM / "node_modules" / ".bin" / "jest"
    if shutil.which("node") and jest.exists():
        return jest
    if REQUIRE_SERVICES:
        pytest.fail("node or the mini-program's packages are missing: `make test` installs them with npm ci")
    pytest.skip("node/npm or miniprogram/node_modules missing (make test runs `npm ci`): the mini-program tests were skipped")


async def openapi_document(app, tmp_path: Path) -> Path:
    async with client(app) as c:
        document = (await c.get("/docs/openapi.json")).json()
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document, ensure_ascii=False))
    return path


# The document does not depend on the database: one run is enough.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_miniprogram_jest_suite_passes_against_this_servers_api(backend, tmp_path):
    jest = jest_or_skip()
    document = await openapi_document(backend.app, tmp_path)
    result = subprocess.run([str(jest), "--ci", "--silent"], cwd=MINIPROGRAM, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "OPENAPI_FILE": str(document),
                                              "CI": "true"})
    assert result.returncode == 0, (result.stdout + result.stderr)[-8000:]
    summary = [line for line in result.stderr.splitlines() if line.startswith("Tests:")]
    assert summary and "failed" not in summary[0], summary
