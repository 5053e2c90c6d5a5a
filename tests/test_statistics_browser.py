"""Markets, 六化 and the half-year statistics at the desk, in Chromium against a real server on the
demo data: 湖滨分会's secretary opens 河坊街商品市场's checklist (not met, with what is missing in
words), uploads a photo as evidence and attests an item, fills the market's 公开栏 and funds and
sees the support area met; the district (the city's admin, switched to it) sees 湖滨分会's June
figures submitted, returns them with a reason; the secretary retakes them (the worker finds
nothing changed) and resubmits; the district takes its own figures of yesterday and accepts and downloads the market table, opened with openpyxl. Screenshots looked at."""
from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path

from openpyxl import load_workbook

from server.clock import today

from tests.plate_helpers import photo_jpeg
from tests.test_console_browser import SHOTS, api, browser, dev_login, page, server, shot  # noqa: F401 (fixtures)


YESTERDAY = (today() - dt.timedelta(days=1)).isoformat()


def test_markets_and_half_year_statistics_at_the_desk(page, server, tmp_path):  # noqa: F811
    dev_login(page, server, "secretary1")
    page.get_by_role("menuitem", name="市场与六化").click()
    table = page.locator("[data-test=markets-table]")
    table.get_by_text("河坊街商品市场").wait_for()
    assert "清波农贸市场" not in table.inner_text()  # another branch's market
    shot(page, "22-markets")
    market_id = int(table.locator("[data-test^=open-market-]").first.get_attribute("data-test").rsplit("-", 1)[1])
    page.locator(f"[data-test=open-market-{market_id}]").click()
    verdict = page.locator("[data-test=checklist-verdict]")
    verdict.get_by_text("未达标").wait_for()
    assert "党建保障常态化未达标" in verdict.inner_text()
    support = page.locator("[data-test=item-support]")
    assert "缺少党务公开栏、党建经费" in support.inner_text()

    photo = tmp_path / "制度上墙.jpg"
    photo.write_bytes(photo_jpeg((180, 40, 40)))
    with page.expect_file_chooser() as chooser:
        page.locator("[data-test=upload-democratic_council]").click()
    chooser.value.set_files(str(photo))
    page.locator("[data-test=item-democratic_council]").get_by_text("材料1（照片）").wait_for()
    page.locator("[data-test=attest-democratic_council]").click()
    page.locator("[data-test=inspector]").fill("区局 王检查")
    page.locator("[data-test=save-attest]").click()
    page.locator("[data-test=item-democratic_council]").get_by_text("区局 王检查").wait_for()
    assert "✓" in page.locator("[data-test=item-democratic_council]").inner_text()

    page.get_by_role("tab", name="市场信息").click()
    page.locator("[data-test=has-board]").click()
    page.locator("[data-test=funds] input").fill("3000")
    page.locator("[data-test=save-market]").click()
    page.locator("[data-test=area-support]").get_by_text("达标", exact=True).wait_for()
    assert "四项保障已具备 4 项" in page.locator("[data-test=item-support]").inner_text()
    shot(page, "23-market-checklist")
    page.get_by_role("tab", name="三亮牌抽查").click()
    page.locator("[data-test=stalls]").get_by_text("本年度未抽查").first.wait_for()
    page.keyboard.press("Escape")

    # 湖滨分会's June figures, submitted; the district returns them.
    with api(server, "admin") as c:
        district = next(o for o in c.get("/api/v1/orgs").json()["items"] if o["name"] == "上城区个体劳动者私营企业协会")
    admin = page.context.new_page()
    dev_login(admin, server, "admin")
    admin.locator(".header .el-select").first.click()
    admin.locator(".el-select-dropdown__item:visible, .el-tree-node__content:visible",
                  has_text="上城区个体劳动者私营企业协会").first.click()
    admin.get_by_role("menuitem", name="半年统计").click()
    admin.locator("[data-test=overview]").wait_for()
    snapshots = admin.locator("[data-test=snapshots]")
    row = snapshots.locator("tr", has_text="湖滨分会")
    row.get_by_text("已上报").wait_for()
    shot(admin, "24-statistics")
    row.locator("[data-test^=return-]").click()
    admin.locator(".el-message-box input").fill("市场党员数与摊位登记不一致，请核对")
    admin.get_by_role("button", name="确定").click()
    row.get_by_text("已退回").wait_for()

    page.get_by_role("menuitem", name="半年统计").click()
    mine = page.locator("[data-test=snapshots] tr", has_text="湖滨分会")
    mine.get_by_text("市场党员数与摊位登记不一致").wait_for()
    # The retake is made by the worker; the drawer opens with the day's figures when it is done.
    mine.locator("[data-test^=retake-]").click()
    page.locator(".el-message-box input").fill("已核对摊位登记")
    page.get_by_role("button", name="确定").click()
    page.locator("[data-test=snapshot-detail]").get_by_text("河坊街商品市场").wait_for()
    page.get_by_text("与原统计相比没有变化，原统计保持不变").wait_for()
    page.keyboard.press("Escape")
    mine.locator("[data-test^=submit-]").click()
    mine.get_by_text("已上报").wait_for()

    admin.get_by_role("menuitem", name="首页").click()
    admin.get_by_role("menuitem", name="半年统计").click()
    # The district takes its own figures of another day: asked for, made by the worker, opened.
    day = admin.locator(".toolbar .el-date-editor input")
    day.fill(YESTERDAY)
    day.press("Enter")
    admin.locator("[data-test=take-snapshot]").click()
    admin.locator(".el-drawer__title", has_text=f"上城区个体劳动者私营企业协会 {YESTERDAY} 统计").wait_for()
    admin.get_by_text(f"已生成 {YESTERDAY} 的统计").wait_for()
    shot(admin, "24b-snapshot-taken")
    admin.keyboard.press("Escape")
    admin.locator("[data-test=snapshots] tr", has_text=YESTERDAY).first.wait_for()
    row = admin.locator("[data-test=snapshots] tr", has_text="湖滨分会")
    row.locator("[data-test^=accept-]").click()
    row.get_by_text("已接收").wait_for()
    row.locator("[data-test^=view-]").click()
    admin.locator("[data-test=snapshot-detail]").get_by_text("河坊街商品市场").wait_for()
    with admin.expect_download() as waiting:
        admin.locator("[data-test=dl-markets]").click()
    book = load_workbook(io.BytesIO(Path(waiting.value.path()).read_bytes())).active
    assert book["A1"].value == "商品交易市场（含农贸市场）党建情况统计表"
    assert book.cell(5, 2).value == "河坊街商品市场" and book.cell(book.max_row - 1, 1).value == "合计"
    shot(admin, "25-snapshot-detail")
    # The roster is made by the worker and downloaded when it is done.
    with admin.expect_download() as waiting:
        admin.locator("[data-test=dl-roster]").click()
    roster = load_workbook(io.BytesIO(Path(waiting.value.path()).read_bytes())).active
    assert roster["A1"].value == "个体工商户党建信息登记表（汇总）"
    names = [roster.cell(r, 3).value for r in range(4, roster.max_row + 1)]
    assert names and all(isinstance(n, str) for n in names if n is not None)
    with sqlite3.connect(server.env["DANGJIAN_DATABASE_URL"].removeprefix("sqlite://")) as db:
        assert db.execute("SELECT state FROM roster_exports ORDER BY id DESC").fetchone() == ("done",)
    assert district["id"]
    admin.close()
