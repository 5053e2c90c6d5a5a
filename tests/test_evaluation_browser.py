"""先锋指数 at the desk, in Chromium against a real server on the demo data: the district's cycle
(made by the demo) with its progress board, a member's self-evaluation and peer grades from the
phone's API, the branch secretary's review in the dialog with every input beside it, the
association's announcement and its public page, an objection answered, the result finalized
once the announcement has run (its end moved into the past in the database, as days passing),
a follow-up with a 5★ mentor, the summary workbook read back, and the stars on the public page."""
from __future__ import annotations

import datetime as dt
import io
import re
import sqlite3
from pathlib import Path

from openpyxl import load_workbook

from server.clock import today
from server.demo import DEMO_PLATE_CODE
from tests.test_console_browser import api, browser, dev_login, page, server, shot  # noqa: F401 (fixtures)


def _items(political, integrity, org_life, service, study):
    return {"political": political, "integrity": integrity, "org_life": org_life, "service": service, "study": study}


def test_a_years_evaluation_at_the_desk(page, server):  # noqa: F811
    with api(server, "vendor1") as phone:
        [task] = phone.get("/api/v1/me/evaluation").json()["items"]
        mine = task["evaluation_id"]
        assert task["cycle"]["stage"] == "collecting" and {p["name"] for p in task["peers"]} == {"李秀英", "张伟"}
        assert phone.put(f"/api/v1/evaluations/{mine}/self", json={"items": _items(20, 30, 20, 20, 10), "summary": "守法经营"}).status_code == 200
        peers = {p["name"]: p["peer_evaluation_id"] for p in task["peers"]}
        assert phone.put(f"/api/v1/evaluations/{mine}/peers/{peers['李秀英']}", json={"grade": "fair"}).status_code == 200
        assert phone.put(f"/api/v1/evaluations/{mine}/peers/{peers['张伟']}", json={"grade": "good"}).status_code == 200

    dev_login(page, server, "admin")
    page.get_by_role("menuitem", name="先锋指数").click()
    board = page.locator("[data-test=progress]")
    board.wait_for()
    assert "4在考评范围" in board.inner_text().replace("\n", "") and "3参评" in board.inner_text().replace("\n", "")
    page.get_by_text("预备党员 1 人").wait_for()
    shot(page, "14-evaluation")

    # The branch's secretary reviews 王建国 at the desk, the inputs beside the form.
    dev_login(page, server, "secretary1")
    page.goto(server.base + "/console/evaluation")
    table = page.locator("[data-test=review-table]")
    table.get_by_text("王建国").wait_for()
    page.locator(f"[data-test=review-{mine}]").click()
    dialog = page.locator("[data-test=review-dialog]")
    dialog.get_by_text("政治素质：20 / 20").wait_for()
    for key, value in _items(20, 30, 18, 20, 10).items():
        field = page.locator(f"[data-test=points-{key}] input")
        field.fill(str(value))
        field.blur()
    page.locator("[data-test=add-adjustment]").click()
    page.locator("[data-test=adjust-points-0] input").fill("3")
    page.locator("[data-test=adjust-points-0] input").blur()
    page.locator("input[data-test=adjust-reason-0]").fill("获区级诚信经营示范户")
    shot(page, "15-review")
    page.locator("[data-test=save-review]").click()
    page.get_by_text("已保存审定").wait_for()
    # self 100, no peer grades for him (his peers have no login), no ratings, org 98 → (20×100 + 40×98)/60 = 98.7, +3 → 100
    page.locator("[data-test=review-score]", has_text="100").wait_for()
    with api(server, "secretary1") as c:
        cycle_id = c.get("/api/v1/evaluations/cycles").json()["items"][0]["id"]
        rows = {r["name"]: r["id"] for r in c.get(f"/api/v1/evaluations/cycles/{cycle_id}/evaluations").json()["items"]}
        assert c.put(f"/api/v1/evaluations/{rows['李秀英']}/review", json={"items": _items(10, 10, 10, 10, 5)}).json()["stars"] == 1
        assert c.put(f"/api/v1/evaluations/{rows['张伟']}/review", json={"items": _items(16, 24, 16, 16, 8)}).json()["stars"] == 3
        assert c.post(f"/api/v1/evaluations/cycles/{cycle_id}/announce", json={}).status_code == 403  # the association announces

    dev_login(page, server, "admin")
    page.goto(server.base + "/console/evaluation")
    page.get_by_role("tab", name="公示与异议").click()
    page.locator("[data-test=announce]").click()
    page.get_by_text("已公示").first.wait_for()
    href = page.locator("[data-test=public-link]").get_attribute("href")
    code = href.rsplit("/", 1)[-1]
    with api(server, "vendor2") as someone:
        objected = someone.post(f"/api/v1/evaluations/cycles/{cycle_id}/objections",
                                json={"evaluation_id": rows["张伟"], "reason": "该摊位曾被投诉缺斤少两"})
        assert objected.status_code == 201, objected.text
    page.locator("[data-test=finalize]").click()
    page.get_by_text("公示期还没有结束").wait_for()
    page.reload()
    page.get_by_role("tab", name="公示与异议").click()
    page.locator("[data-test=objections]").get_by_text("缺斤少两").wait_for()
    shot(page, "16-objections")
    page.locator(f"[data-test=answer-{objected.json()['id']}]").click()
    page.locator(".el-message-box textarea").fill("经核实已整改，维持三星")
    page.get_by_role("dialog", name="答复异议").get_by_role("button", name="答复").click()
    page.get_by_text("已答复").first.wait_for()

    public = page.context.new_page()
    public.goto(f"{server.base}/gs/{code}")
    assert "王建国" in public.content() and "★★★★★" in public.content() and "98" not in public.inner_text("main")
    public.screenshot(path=str(Path(shot.__globals__["SHOTS"]) / "17-announcement-page.png"), full_page=True)
    public.close()

    # Seven days later (moved in the database): the result is final, the stars public.
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    database = server.env["DANGJIAN_DATABASE_URL"].removeprefix("sqlite://")
    with sqlite3.connect(database) as db:
        db.execute("UPDATE evaluation_cycles SET announce_until = ? WHERE id = ?", (yesterday, cycle_id))
    page.reload()
    page.get_by_role("tab", name="公示与异议").click()
    page.locator("[data-test=finalize]").click()
    page.get_by_text("考评结果已确定").wait_for()
    page.get_by_role("tab", name="谈心谈话与结对帮扶").click()
    page.locator("[data-test=follow-ups]").get_by_text("李秀英").wait_for()
    page.locator(f"[data-test=follow-{rows['李秀英']}]").click()
    form = page.locator("[data-test=follow-form]")
    form.locator("input[placeholder]").first.fill(today().isoformat())
    form.locator("input[placeholder]").first.press("Enter")
    page.locator("[data-test=mentor]").click()
    page.locator(".el-select-dropdown__item:visible", has_text="王建国").click()
    page.locator("[data-test=save-follow]").click()
    page.get_by_text("已保存").first.wait_for()
    page.locator("[data-test=follow-ups]").get_by_text("已落实").wait_for()
    shot(page, "18-follow-ups")

    with page.expect_download() as waiting:
        page.locator("[data-test=summary-xlsx]").click()
    book = load_workbook(io.BytesIO(Path(waiting.value.path()).read_bytes()))
    sheet = book["按党组织"]
    header = [c.value for c in sheet[3]]
    figures = {r[0]: dict(zip(header[1:], r[1:])) for r in sheet.iter_rows(min_row=4, values_only=True)}
    market = figures["河坊街市场党支部"]
    assert (market["在考评范围"], market["★★★★★"], market["★★★"], market["★"], market["已谈心并结对"]) == (3, 1, 1, 1, 1)
    assert figures["湖滨分会第一党支部"]["不参评：预备党员"] == 1
    with api(server, "admin") as c:
        assert c.get(f"/api/v1/public/plates/{DEMO_PLATE_CODE}").json()["stars"] == 5
    assert re.search(r"先锋指数 ★★★★★", page.context.request.get(f"{server.base}/p/{DEMO_PLATE_CODE}").text())
