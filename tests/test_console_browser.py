"""The desk in Debian's Chromium (Playwright) against a real server started as `make run` starts
it: a week of a secretary's desk work on the demo data, the audit trail for an admin, the
scan-to-login flow end to end, and a member without a staff role refused. Each main screen is
saved as a screenshot (var/screenshots/console/, or DANGJIAN_SCREENSHOTS)."""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
import zxingcpp
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from server.clock import today
from server.config import PROJECT_ROOT
from server.demo import DEMO_PLATE_CODE
from tests.roster_helpers import row, workbook
from tests.serverproc import ServerProcess
from tests.test_console import built_or_skip
from tests.test_plates_browser import CHROMIUM_ARGS, chromium_or_skip

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("DANGJIAN_SCREENSHOTS", PROJECT_ROOT / "var" / "screenshots" / "console"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    built_or_skip()
    tmp = tmp_path_factory.mktemp("console")
    process = ServerProcess({"DANGJIAN_DATABASE_URL": f"sqlite://{tmp / 'desk.sqlite3'}",
                             "DANGJIAN_UPLOAD_DIR": str(tmp / "uploads")})
    process.env["DANGJIAN_PUBLIC_BASE_URL"] = process.base
    with process:
        yield process


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server, request):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True,
                                  timezone_id="Europe/Berlin")  # dates must still show Beijing time
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"last-{request.node.name}.png"), full_page=True)  # where a failure stood
    context.close()
    assert not errors, errors  # no uncaught script error on any screen


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # charts and dialogs finish their short animations
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def dev_login(page, server, key: str) -> None:
    page.goto(server.base + "/console/login")
    page.locator(f"[data-test=dev-{key}]").click()
    page.wait_for_url(re.compile(r"/console/(?!login)"))


def choose(page, within, option: str) -> None:
    """Pick an Element Plus select's option by its visible text."""
    within.locator(".el-select").first.click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


def api(server, who: str) -> httpx.Client:
    token = httpx.post(server.base + "/api/v1/auth/wechat", json={"code": f"dev:{who}"}).json()["token"]
    return httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_a_secretarys_week_at_the_desk(page, server):
    page.goto(server.base + "/console/")
    page.wait_for_url(re.compile(r"/console/login"))
    shot(page, "01-login")
    dev_login(page, server, "secretary1")
    page.get_by_text("湖滨分会书记").first.wait_for()
    page.locator("[data-test=stat-pending]", has_text="1").wait_for()
    shot(page, "02-home")

    # Approve the demo's pending registration (周敏), with the category the server suggests.
    page.get_by_role("menuitem", name="登记审核").click()
    page.get_by_text("周记布艺").wait_for()
    shot(page, "03-registrations")
    page.locator("[data-test^=approve-]").first.click()
    dialog = page.locator(".el-dialog:visible")
    dialog.locator("[data-test=approve-confirm]").click()  # no category chosen yet: refused before asking
    page.get_by_text("请选择党员类别").wait_for()
    choose(page, dialog, "属地党员")
    dialog.locator("[data-test=approve-confirm]").click()
    page.get_by_text("已通过：周敏").wait_for()
    with api(server, "secretary1") as c:
        assert c.get("/api/v1/registrations", params={"status": "approved"}).json()["items"][0]["name"] == "周敏"

    # The roster, filtered in the URL, and one member's page.
    page.get_by_role("menuitem", name="党员名册").click()
    page.get_by_text("周记布艺").wait_for()
    page.goto(server.base + "/console/members?category=floating")
    page.get_by_text("伟业五金").wait_for()
    assert page.get_by_text("建国南北货商行").count() == 0
    shot(page, "04-members")
    page.get_by_text("伟业五金").click()
    page.wait_for_url(re.compile(r"/console/members/\d+"))
    page.get_by_role("tab", name="变更记录").click()
    shot(page, "05-member")
    with page.expect_download() as waiting:  # the member's sign-in card, its QR read back
        page.locator("[data-test=member-card]").click()
    card = Path(waiting.value.path()).read_bytes()
    assert card[:5] == b"%PDF-" and len(PdfReader(io.BytesIO(card)).pages) == 1
    image = PdfReader(io.BytesIO(card)).pages[0].images[0].image
    assert "/m/" in zxingcpp.read_barcodes(image.resize((image.width // 2, image.height // 2)))[0].text

    # The roster of a past day, and an import: checked first, written only when every row is right.
    page.goto(server.base + "/console/members?as_of=2026-06-30")
    page.get_by_text("正在查看 2026-06-30 的名册").wait_for()
    page.goto(server.base + "/console/members/import")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    bad = workbook([row(组织生活所在党组织="湖滨分会第一党支部", 手机号码="13900002001", 党员姓名="钱二"),
                    row(组织生活所在党组织="湖滨分会第一党支部", 手机号码="13900002002", 党员姓名="孙三", 入党日期="2099-01-01")])
    page.locator("input[type=file]").set_input_files(files=[{"name": "名册.xlsx", "mimeType": xlsx, "buffer": bad}])
    page.get_by_text("共 2 行").wait_for()
    assert page.locator("[data-test=commit]").is_disabled()
    page.get_by_text("【入党日期】").wait_for()
    shot(page, "05b-import-errors")
    good = workbook([row(组织生活所在党组织="湖滨分会第一党支部", 手机号码="13900002001", 党员姓名="钱二")])
    page.locator("input[type=file]").set_input_files(files=[{"name": "名册.xlsx", "mimeType": xlsx, "buffer": good}])
    page.get_by_text("共 1 行").wait_for()
    page.locator("[data-test=commit]").click()
    page.get_by_text("已写入：新建 1 人").wait_for()
    with api(server, "secretary1") as c:
        assert c.get("/api/v1/members", params={"q": "钱二"}).json()["total"] == 1

    # A new meeting, its record, then the year's ledger.
    page.get_by_role("menuitem", name="三会一课").click()
    page.locator("[data-test=new-activity]").click()
    dialog = page.locator(".el-dialog:visible")
    choose(page, dialog.locator(".el-form-item", has_text="类型"), "党课")
    dialog.locator("input[data-test=activity-title], [data-test=activity-title] input").first.fill("十二月党课：诚信经营")
    start = dialog.get_by_placeholder("选择日期时间")
    start.fill("2026-12-10 19:00")
    start.press("Enter")
    if page.locator(".el-picker-panel:visible").count():
        try:  # the picker may stay open after Enter and want its 确定, or be closing already
            page.locator(".el-picker-panel:visible .el-picker-panel__footer .el-button--primary, "
                         ".el-picker-panel:visible button:has-text('确定')").first.click(timeout=2000)
        except PlaywrightTimeout:
            pass
    dialog.locator("[data-test=create-activity]").click()
    page.wait_for_url(re.compile(r"/console/activities/\d+"))
    page.get_by_text("十二月党课：诚信经营").first.wait_for()
    assert page.get_by_text("2026-12-10 19:00").count() >= 1  # Beijing time in a Berlin browser
    shot(page, "06-activity")
    page.get_by_role("tab", name="会议记录").click()
    page.locator("input[data-test=topic-0], [data-test=topic-0] input").first.fill("学习诚信经营公约")
    page.locator("textarea[data-test=minutes], [data-test=minutes] textarea").first.fill("一、学习诚信经营公约\n二、讨论明码标价")
    page.locator("input[data-test=speaker-name], [data-test=speaker-name] input").first.fill("区市场监管局 林老师")
    page.locator("[data-test=save-record]").click()
    page.get_by_text("会议记录已保存").wait_for()
    with api(server, "secretary1") as c:
        activity_id = int(page.url.rsplit("/", 1)[1])
        record = c.get(f"/api/v1/activities/{activity_id}/record").json()
    assert record["minutes"] == "一、学习诚信经营公约\n二、讨论明码标价" and record["topics"] == ["学习诚信经营公约"]
    assert record["speaker"] == {"member_id": None, "name": "区市场监管局 林老师"}
    page.get_by_role("menuitem", name="三会一课").click()
    shot(page, "07-activities")

    # The members' sign-in cards for the org, one wallet card a page, their QR readable.
    page.get_by_role("menuitem", name="党员名册").click()
    with page.expect_download() as waiting:
        page.locator("[data-test=member-cards]").click()
    cards = Path(waiting.value.path()).read_bytes()
    assert cards[:5] == b"%PDF-" and len(PdfReader(io.BytesIO(cards)).pages) >= 2

    # A batch of plates for the branch, followed to the end, downloaded.
    page.get_by_role("menuitem", name="三亮牌").click()
    page.locator("[data-test=start-batch]").click()
    page.locator("[data-test^=download-job-]").first.wait_for(timeout=60_000)
    shot(page, "08-plates")
    with page.expect_download() as waiting:
        page.locator("[data-test^=download-job-]").first.click()
    assert Path(waiting.value.path()).read_bytes()[:5] == b"%PDF-"

    # A customer's complaint reaches the queue with the stall's name; the secretary replies, then hides it.
    customer = httpx.post(f"{server.base}/api/v1/public/plates/{DEMO_PLATE_CODE}/ratings",
                          json={"score": 1, "comment": "秤不准", "complaint": True, "nonce": "desk-test-1"})
    assert customer.status_code == 201, customer.text
    page.get_by_role("menuitem", name="群众评价").click()
    page.get_by_text("秤不准").wait_for()
    assert page.get_by_text("王建国").count() >= 1 and page.get_by_text("顾客投诉").count() >= 1
    shot(page, "09-ratings")
    page.locator("[data-test^=hide-]").first.click()
    page.locator(".el-message-box input").fill("已核实：秤已校准")
    page.locator(".el-message-box .el-button--primary").click()
    page.get_by_text("已隐藏").first.wait_for()
    with api(server, "secretary1") as c:
        hidden = c.get("/api/v1/ratings", params={"status": "hidden"}).json()["items"]
    assert hidden[0]["hidden_reason"] == "已核实：秤已校准"

    page.get_by_role("menuitem", name="组织与市场").click()
    page.get_by_text("河坊街市场党支部").first.wait_for()
    shot(page, "10-orgs")


def test_the_years_plan_as_a_grid_and_the_ledger_downloads(page, server, tmp_path):
    """The market branch of the demo kept its first half year and missed the third quarter's
    lecture and congress: the grid says so, a frequency is changed, and both ledgers download
    with the demo congress's record inside."""
    dev_login(page, server, "secretary1")
    with api(server, "secretary1") as c:
        market_org = next(o for o in c.get("/api/v1/orgs").json()["items"] if o["name"] == "河坊街市场党支部")
        year = c.get("/api/v1/reports/meeting-plan", params={"org_id": market_org["id"]}).json()["year"]
    page.goto(f"{server.base}/console/plan?org_id={market_org['id']}")
    grid = page.locator("[data-test=plan-grid]")
    grid.wait_for()
    # The demo's meetings are this year's up to today (server/demo.py): what the grid shows depends on the date.
    if today() >= dt.date(year, 3, 13):
        assert "done" in grid.locator(f"[data-test=cell-lecture-{year}-Q1]").get_attribute("class")
    if today() >= dt.date(year, 10, 1):
        assert "overdue" in grid.locator(f"[data-test=cell-lecture-{year}-Q3]").get_attribute("class")
        page.locator("[data-test=attention] li", has_text="逾期未开").filter(has_text="党课：第三季度").wait_for()
    shot(page, "11-plan")
    grid.scroll_into_view_if_needed()
    shot(page, "11b-plan-grid")

    page.locator("[data-test=plan-settings]").click()
    dialog = page.locator(".el-dialog:visible")
    choose(page, dialog.locator("tr", has_text="支委会"), "不作要求")
    shot(page, "12-plan-settings")
    dialog.locator("[data-test=save-plan]").click()
    page.get_by_text("频次要求已保存").wait_for()
    page.wait_for_function("() => !document.querySelector('[data-test^=cell-committee-]')")
    with api(server, "secretary1") as c:
        items = {i["kind"]: i["every"] for i in c.get(f"/api/v1/orgs/{market_org['id']}/meeting-plan").json()["items"]}
    assert items["committee"] == "none" and items["lecture"] == "quarter"

    with page.expect_download() as waiting:
        page.locator("[data-test=ledger-xlsx]").click()
    book = load_workbook(io.BytesIO(Path(waiting.value.path()).read_bytes()))
    assert book.sheetnames[:3] == ["会议一览", "计划完成情况", "签到明细"] and waiting.value.suggested_filename.endswith(".xlsx")
    congress = next(name for name in book.sheetnames if name.endswith("支部党员大会"))
    cells = [str(v) for row in book[congress].iter_rows(values_only=True) for v in row if v is not None]
    assert "1. 在 A 区设两个党员先锋岗（赞成 2 票，反对 0 票，弃权 0 票）" in cells and any(c.startswith("达到（") for c in cells)
    with page.expect_download() as waiting:
        page.locator("[data-test=ledger-pdf]").click()
    pdf = tmp_path / waiting.value.suggested_filename
    pdf.write_bytes(Path(waiting.value.path()).read_bytes())
    assert pdf.name.endswith(".pdf") and pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "第一季度支部党员大会" in text and "河坊街市场党支部" in text and "主持人签字" in text
    # Both were made by the job engine, not by the request that answers at once.
    with sqlite3.connect(server.env["DANGJIAN_DATABASE_URL"].removeprefix("sqlite://")) as db:
        made = db.execute("SELECT format, state FROM ledger_exports ORDER BY id").fetchall()
    assert made[-2:] == [("xlsx", "done"), ("pdf", "done")]

    # The congress's record at the desk: its quorum and its resolution.
    with api(server, "secretary1") as c:
        meetings = c.get("/api/v1/activities", params={"org_id": market_org["id"], "limit": 200}).json()["items"]
    congress_id = next(a["id"] for a in meetings if a["title"] == "第一季度支部党员大会")
    page.goto(f"{server.base}/console/activities/{congress_id}?tab=record")
    page.locator("[data-test=quorum]", has_text="达到法定人数").wait_for()
    assert page.locator("textarea[data-test=resolution-0], [data-test=resolution-0] textarea").first.input_value() == "在 A 区设两个党员先锋岗"
    shot(page, "13-record")


def test_an_admin_reads_the_audit_trail_in_chinese(page, server):
    dev_login(page, server, "admin")
    page.get_by_role("menuitem", name="操作记录").click()
    page.get_by_text("电脑工作台·登录").first.wait_for()
    shot(page, "11-audit")


def test_scan_with_the_mini_program_to_log_in(page, server):
    page.goto(server.base + "/console/login")
    qr = page.locator("[data-test=login-qr]")
    qr.wait_for()
    url = qr.get_attribute("data-url")
    # What a phone reads off the screen is that same link, through WeChat's ordinary-link rule.
    picture = Image.open(io.BytesIO(qr.screenshot()))
    assert [r.text for r in zxingcpp.read_barcodes(picture)] == [url]
    assert url.startswith(server.base + "/l/")
    code = url.rsplit("/", 1)[1]
    with api(server, "secretary2") as phone:
        assert phone.post(f"/api/v1/console/login-requests/{code}/confirm").status_code == 200
    page.wait_for_url(re.compile(r"/console/$"), timeout=10_000)
    page.get_by_text("清波分会书记").first.wait_for()
    with api(server, "secretary2") as phone:
        [session] = [s for s in phone.get("/api/v1/me/desk-sessions").json()["items"] if "Chrome" in s["agent"]]
        assert phone.delete(f"/api/v1/me/desk-sessions/{session['id']}").status_code == 200
    page.get_by_role("menuitem", name="党员名册").click()  # the next request finds the token gone
    page.wait_for_url(re.compile(r"/console/login"), timeout=10_000)
    page.get_by_text("登录已失效").wait_for()


def test_a_member_without_a_staff_role_is_told_the_desk_is_for_staff(page, server):
    dev_login(page, server, "vendor1")
    page.get_by_text("工作台仅供工作人员使用").wait_for()
    shot(page, "12-not-staff")
    page.goto(server.base + "/console/members")
    page.get_by_text("工作台仅供工作人员使用").wait_for()
