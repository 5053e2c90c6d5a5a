"""Every mini-program page the server names (subscribe messages, link rules, anything else in
server/) is a page of the mini-program: WeChat answers 41030 for any other."""
import json
import re
from pathlib import Path

import httpx
import pytest

from server import miniprogram
from server.demo import DEMO_PLATE_CODE
from tests.serverproc import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
PAGE = re.compile(r"pages/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+")


def test_every_page_the_server_names_exists_in_app_json():
    pages = set(json.loads((ROOT / "miniprogram" / "src" / "app.json").read_text(encoding="utf-8"))["pages"])
    named = {(path.relative_to(ROOT), page) for path in (ROOT / "server").rglob("*.py")
             for page in PAGE.findall(path.read_text(encoding="utf-8"))}
    assert len(named) >= 3
    assert {(path, page) for path, page in named if page not in pages} == set()
    assert set(miniprogram.LINK_RULES.values()) <= pages
    assert miniprogram.activity_page(7).split("?")[0] in pages


def test_the_activity_page_reads_the_id_the_reminder_sends():
    source = (ROOT / "miniprogram" / "src" / miniprogram.ACTIVITY_PAGE).with_suffix(".js").read_text(encoding="utf-8")
    assert "options.id" in source and miniprogram.activity_page(7).endswith("?id=7")


@pytest.mark.e2e
def test_the_link_rules_verification_file_is_served_in_each_rules_folder(tmp_path):
    # WeChat checks /c/ and /p/ rules by fetching <file> from the rule's last sub-folder.
    env = {"DANGJIAN_DATABASE_URL": f"sqlite://{tmp_path / 'v.sqlite3'}", "DANGJIAN_UPLOAD_DIR": str(tmp_path / "up"),
           "DANGJIAN_WECHAT_VERIFY_FILE": "Zx81Kq.txt", "DANGJIAN_WECHAT_VERIFY_CONTENT": "8f1e2d3c4b5a"}
    with ServerProcess(env) as server:
        answers = [httpx.get(f"{server.base}/{folder}/Zx81Kq.txt") for folder in ("c", "p")]
        other = httpx.get(f"{server.base}/p/Other1.txt")
        plate = httpx.get(f"{server.base}/p/{DEMO_PLATE_CODE}")
    assert [(a.status_code, a.text, a.headers["content-type"].split(";")[0]) for a in answers] == \
        [(200, "8f1e2d3c4b5a", "text/plain")] * 2
    assert other.status_code == 404 and plate.status_code == 200  # the plate pages are untouched
