"""The way a customer meets a plate, with real clients: the demo member's plate rendered by a
real server, its QR read by zxing-cpp, the URL it holds opened in Debian's Chromium (driven by
Playwright, JavaScript off as on the plainest phone browser), a screenshot, and a rating
given through the form."""
from __future__ import annotations

import io
import os
import shutil

import httpx
import pytest
import zxingcpp
from PIL import Image

from server.demo import DEMO_PLATE_CODE
from tests.conftest import REQUIRE_SERVICES
from tests.serverproc import ServerProcess

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags the machine notes ask for: no sandbox as root, and no background calls to Google's
# hosts, which this closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_or_skip() -> str:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if REQUIRE_SERVICES:
        pytest.fail("Chromium is missing: `make test` installs it as root (scripts/system-packages)")
    pytest.skip("Chromium is not installed (sudo apt-get install chromium): the browser test was skipped")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    process = ServerProcess({"DANGJIAN_DATABASE_URL": f"sqlite://{tmp / 'browser.sqlite3'}",
                             "DANGJIAN_UPLOAD_DIR": str(tmp / "uploads")})
    process.env["DANGJIAN_PUBLIC_BASE_URL"] = process.base
    with process:
        yield process


def test_demo_plate_scans_to_a_page_a_browser_shows_and_rates(server, tmp_path):
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    token = httpx.post(server.base + "/api/v1/auth/wechat", json={"code": "dev:vendor1"}).json()["token"]
    me = httpx.get(server.base + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    png = httpx.get(f"{server.base}/api/v1/members/{me['member']['id']}/plate.png",
                    headers={"Authorization": f"Bearer {token}"}, timeout=30)
    plate = Image.open(io.BytesIO(png.content))
    phone_copy = plate.resize((plate.width // 4, plate.height // 4))
    [url] = [r.text for r in zxingcpp.read_barcodes(phone_copy)]
    assert url == f"{server.base}/p/{DEMO_PLATE_CODE}"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844},
                                       locale="zh-CN").new_page()
            response = page.goto(url)
            assert response.status == 200
            assert page.locator("h2").inner_text() == "王建国"
            assert "诚信经营" in page.locator(".pledge").inner_text()
            body = page.content()
            assert "13900000001" not in body and "上城区市场监管局机关党委" not in body
            shot = tmp_path / "profile.png"
            page.screenshot(path=str(shot), full_page=True)
            assert Image.open(shot).width == 390  # a phone-width page, really drawn
            if os.environ.get("DANGJIAN_TEST_SCREENSHOT"):  # keep a copy to look at
                shutil.copy(shot, os.environ["DANGJIAN_TEST_SCREENSHOT"])

            page.locator("label[for=s4]").click()
            page.fill("#comment", "<b>老板实在</b>，秤准")
            page.locator("button[type=submit]").click()
            page.wait_for_load_state()
            assert page.url.startswith(f"{url}?rated=comment_held")
            assert "感谢您的评价" in page.locator(".notice").inner_text()
            assert "老板实在" not in page.content()  # typed on the web: waits for the secretary
            assert "4.0 分 · 1 条评价" in page.locator(".score").first.inner_text()  # the score counts at once
            secretary = httpx.post(server.base + "/api/v1/auth/wechat", json={"code": "dev:secretary1"}).json()["token"]
            held = httpx.get(server.base + "/api/v1/ratings", params={"status": "flagged"},
                             headers={"Authorization": f"Bearer {secretary}"}).json()["items"][0]
            assert held["flag_reason"] == "unchecked_comment"
            assert httpx.post(f"{server.base}/api/v1/ratings/{held['id']}/publish",
                              headers={"Authorization": f"Bearer {secretary}"}).status_code == 200
            page.goto(url)
            assert "<b>老板实在</b>，秤准" in page.locator("ul.ratings").inner_text()  # shown as text, not markup
            assert page.locator("ul.ratings b").count() == 0
            assert "4.0 分 · 1 条评价" in page.locator(".score").first.inner_text()

            page.locator("label[for=s1]").click()  # the same browser again today
            page.locator("button[type=submit]").click()
            page.wait_for_load_state()
            assert "今天已经评价过" in page.locator(".notice.err").inner_text()
        finally:
            browser.close()
    public = httpx.get(f"{server.base}/api/v1/public/plates/{DEMO_PLATE_CODE}").json()
    assert public["rating_count"] == 1 and public["ratings"][0]["score"] == 4


def test_an_unknown_plate_shows_a_chinese_404_page_in_the_browser(server):
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            response = page.goto(f"{server.base}/p/abcdefghjkmn")
            assert response.status == 404 and "找不到这块三亮牌" in page.locator("h3").inner_text()
        finally:
            browser.close()
