"""Schemathesis against the served OpenAPI document of a real server process, with its default
checks, as an admin, a branch secretary and a vendor member: generated and mutated requests to
every route, checked for server errors, undocumented statuses, bodies that break their own
schema, schema-invalid requests the server accepts and schema-valid ones it refuses. The one
configured exception (schemathesis.toml: a photo must be a decodable image, which no schema can
say) is explained there. Run it longer by hand with DANGJIAN_FUZZ_EXAMPLES=200."""
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.serverproc import ServerProcess

pytestmark = pytest.mark.e2e
EXAMPLES = os.environ.get("DANGJIAN_FUZZ_EXAMPLES", "30")
ROOT = Path(__file__).resolve().parent.parent
ROLES = ("admin", "secretary1", "vendor1")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    with ServerProcess({"DANGJIAN_DATABASE_URL": f"sqlite://{tmp / 'fuzz.sqlite3'}",
                        "DANGJIAN_UPLOAD_DIR": str(tmp / "uploads")}) as process:
        # Every role logs in before any run: the runs send invalid login codes, and those are
        # limited per address.
        process.tokens = {role: httpx.post(process.base + "/api/v1/auth/wechat", json={"code": f"dev:{role}"}).json()["token"]
                          for role in ROLES}
        yield process


# Routes that build a PDF or a workbook take about a second each (a PDF subsets the CJK font) and
# take only ids and a few query parameters: fewer examples for them keep the run in minutes.
FILE_ROUTES = """
[[operations]]
include-path-regex = "\\\\.(pdf|xlsx)$"
generation.max-examples = 8
"""


# The admin reaches every route's whole validation; the secretary's and the vendor's runs are for
# what their roles are answered (403s, their own records), which half the examples find as well:
# the three runs were a third of `make test`.
def examples(role: str) -> int:
    return int(EXAMPLES) if role == "admin" else max(1, int(EXAMPLES) // 2)


def config(tmp_path: Path, role: str) -> Path:
    """schemathesis.toml with the examples per operation as a setting (a --max-examples on the
    command line would override every per-operation one)."""
    path = tmp_path / "schemathesis.toml"
    path.write_text(f"generation.max-examples = {examples(role)}\n" + (ROOT / "schemathesis.toml").read_text() + FILE_ROUTES)
    return path


@pytest.mark.parametrize("role", ROLES)
def test_openapi_document_holds_under_schemathesis_default_checks(server, role, tmp_path):
    result = subprocess.run(
        [str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(config(tmp_path, role)),
         "run", server.base + "/docs/openapi.json", "-H", f"Authorization: Bearer {server.tokens[role]}",
         "--seed", "20261127",
         # logging out would revoke the token every later request uses
         "--exclude-path", "/api/v1/auth/logout"],
        capture_output=True, text=True, timeout=900, cwd=tmp_path,  # its cache stays out of the repo
    )
    failures = result.stdout.find("FAILURES")
    assert result.returncode == 0, result.stdout[failures:failures + 6000] if failures >= 0 else result.stdout[-8000:]
    tested = re.search(r"Tested: (\d+)", result.stdout)
    assert tested and int(tested.group(1)) >= 60, result.stdout[-3000:]  # every operation, not a handful
