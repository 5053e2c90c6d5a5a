"""流动党员 at the desk, in Chromium against a real server on the demo data: 张伟 registered and his
proof uploaded (as the phone would), the secretary confirms it in the drawer, reveals the full
number (audited), writes the comment, prints the letters with the progress bar, downloads the
PDF and reads it (masked number, 函号); the 回执's QR is decoded from the rendered page and opened
in the browser as the home branch's secretary would, receipt confirmed; the desk then shows it."""
from __future__ import annotations

import subprocess
from pathlib import Path

import zxingcpp
from PIL import Image

from tests.plate_helpers import photo_jpeg
from tests.test_console_browser import SHOTS, api, browser, dev_login, page, server, shot  # noqa: F401 (fixtures)
from tests.test_floating import REGISTRATION, id_number


def test_a_floating_members_year_at_the_desk(page, server, tmp_path):  # noqa: F811
    number = id_number("34102119850615321")
    with api(server, "secretary1") as c:
        zhang = next(m for m in c.get("/api/v1/members", params={"category": "floating", "limit": 50}).json()["items"] if m["name"] == "张伟")
        assert c.put(f"/api/v1/members/{zhang['id']}/floating", json={**REGISTRATION, "id_number": number}).status_code == 200
        assert c.post(f"/api/v1/members/{zhang['id']}/floating/proof",
                      files={"file": ("证明.jpg", photo_jpeg((200, 60, 60)), "image/jpeg")}).status_code == 200

    dev_login(page, server, "secretary1")
    page.get_by_role("menuitem", name="流动党员").click()
    table = page.locator("[data-test=floating-table]")
    table.get_by_text("张伟").wait_for()
    assert "刘洋" in table.inner_text()
    shot(page, "19-floating")
    page.locator(f"[data-test=open-{zhang['id']}]").click()
    detail = page.locator("[data-test=floating-detail]")
    detail.get_by_text("待确认").wait_for()
    assert number not in detail.inner_text() and number[:6] + "********" + number[-4:] in detail.inner_text()
    detail.locator("img").wait_for()
    page.locator("[data-test=reveal]").click()
    page.get_by_role("button", name="查看").last.click()
    page.locator("[data-test=id-number]", has_text=number).wait_for()
    shot(page, "20-floating-drawer")
    page.locator("[data-test=confirm-proof]").click()
    page.get_by_text("身份已确认").first.wait_for()

    page.locator(f"[data-test=comment-{zhang['id']}]").click()
    form = page.locator("[data-test=comment-form]")
    form.get_by_text("优秀", exact=True).click()
    form.locator("textarea").fill("积极参加市场党支部的组织生活，诚信经营，带头亮身份。")
    page.locator("[data-test=save-comment]").click()
    page.get_by_text("评语已保存").first.wait_for()

    page.locator("[data-test=print-letters]").click()
    page.locator("[data-test=download-letters]").wait_for(timeout=60_000)
    assert "刘洋（身份证明未确认）" in page.locator("[data-test=letter-batch]").inner_text()
    with page.expect_download() as waiting:
        page.locator("[data-test=download-letters]").click()
    pdf = tmp_path / "letters.pdf"
    pdf.write_bytes(Path(waiting.value.path()).read_bytes())
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "关于张伟同志" in text and "回" in text and "双重管理反馈表" in text and "函〔" in text
    assert number not in text and number[:6] + "********" + number[-4:] in text
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    [url] = [r.text for r in zxingcpp.read_barcodes(Image.open(next(tmp_path.glob("p*.png"))))]
    assert url.startswith(server.base + "/r/")

    home = page.context.new_page()  # the home branch's secretary, on any phone, not logged in
    home.set_viewport_size({"width": 390, "height": 844})
    home.goto(url)
    home.get_by_text("张伟").first.wait_for()
    home.fill("input[name=receiver_name]", "程书记")
    home.fill("input[name=receiver_org]", "歙县徽城镇党委")
    home.click("button[type=submit]")
    home.get_by_text("已确认收到").wait_for()
    home.screenshot(path=str(SHOTS / "21-receipt-page.png"), full_page=True)
    home.close()
    page.reload()
    page.locator("[data-test=floating-totals]", has_text="1已回执").wait_for()
    with api(server, "admin") as c:
        audit = c.get("/api/v1/audit", params={"limit": 100}).json()["items"]
    actions = [entry["action"] for entry in audit]
    assert "floating.id_number.revealed" in actions and "floating.receipt.confirmed" in actions
    assert number not in str(audit)
