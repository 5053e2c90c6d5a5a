"""The 台账 as an association files it: each meeting's page in the workbook and in the PDF book
checked against the meeting's record; print settings; the PDF rendered to images and read."""
import datetime as dt
import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from server.activities.models import Attendance
from server.clock import SHANGHAI
from tests.factories import make_activity, make_member

MINUTES = "一、学习《中国共产党章程》第三章。\n二、讨论发展对象。\n" + "发言要点：" + "诚信经营，亮明身份。" * 150


def at(month, day, hour=19):
    return dt.datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def photo() -> bytes:
    image = Image.new("RGB", (1600, 1200), (30, 110, 200))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


async def year_of_meetings(world):
    """Party A in 2026: a 党员大会 without quorum (1 of 4 full members present) with a full record
    and a photo, a 党课 by an outside speaker; lectures missing in Q3 and Q4."""
    org = world.party_a
    host = world.member_a
    recorder = await make_member(None, org, name="钱记录", mobile="13900001111")
    absent = await make_member(None, org, name="孙缺席", mobile="13900002222")
    on_leave = await make_member(None, org, name="李请假", mobile="13900003333")
    await make_member(None, org, name="周预备", mobile="13900004444", standing="probationary")
    congress = await make_activity(world, kind="party_congress", title="第一季度党员大会", place="党员活动室",
                                   starts_at=at(3, 20), ends_at=at(3, 20, 21))
    lecture = await make_activity(world, kind="lecture", title="党章学习党课", place="市场会议室",
                                  starts_at=at(5, 8), ends_at=at(5, 8, 21))
    await Attendance.create(activity=congress, member=host, status="present", method="scan", recorded_at=at(3, 20))
    await Attendance.create(activity=congress, member=on_leave, status="leave", method="leave",
                            recorded_at=at(3, 19), note="外出进货")
    await Attendance.create(activity=congress, member=absent, status="absent", method="manual",
                            recorded_at=at(3, 20, 21), note="未请假")
    for member in (host, recorder):
        await Attendance.create(activity=lecture, member=member, status="present", method="scan", recorded_at=at(5, 8))
    async with world.client("sec_a") as c:
        first = await c.put(f"/api/v1/activities/{congress.id}/record", json={
            "host_id": host.id, "recorder_id": recorder.id, "guests": "湖滨分会 赵会长",
            "topics": ["学习党章", "讨论发展对象"], "minutes": MINUTES,
            "resolutions": [{"text": "同意推荐为发展对象", "votes_for": 1, "votes_against": 0, "abstaining": 0}]})
        second = await c.put(f"/api/v1/activities/{lecture.id}/record", json={
            "speaker_name": "区委党校 林老师", "topics": ["党章第三章"], "minutes": "讲授党员的义务和权利。"})
        uploaded = await c.post(f"/api/v1/activities/{congress.id}/photos",
                                files={"photo": ("p.jpg", photo(), "image/jpeg")})
    assert first.status_code == second.status_code == 200 and uploaded.status_code == 201
    return congress, lecture


async def test_each_meeting_has_its_page_in_the_workbook_as_recorded(world):
    congress, lecture = await year_of_meetings(world)
    async with world.client("sec_a") as c:
        response = await c.get("/api/v1/reports/ledger.xlsx", params={"org_id": world.party_a.id, "year": 2026})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["会议一览", "计划完成情况", "签到明细", "001 03-20 支部党员大会", "002 05-08 党课"]
    page = book["001 03-20 支部党员大会"]
    grid = {}
    for row in page.iter_rows(max_col=7):
        values = [cell.value for cell in row]
        for label_at in (0, 3):
            if isinstance(values[label_at], str) and values[label_at + 1] is not None:
                grid.setdefault(values[label_at], values[label_at + 1])
    assert page["A1"].value == f"{world.party_a.name}　支部党员大会记录"
    assert grid["会议名称"] == "第一季度党员大会" and grid["时间"] == "2026-03-20 19:00 至 21:00"
    assert (grid["主持人"], grid["记录人"], grid["列席人员"]) == ("王建国", "钱记录", "湖滨分会 赵会长")
    assert (grid["应到人数"], grid["实到人数"], grid["请假人数"]) == (5, 1, 1)
    assert grid["缺席人数"] == "3（其中未签到 2）"
    assert grid["法定人数"] == "未达到（应到正式党员 4 人，须到 3 人，实到 1 人）"
    quorum_row = next(c.row for r in page.iter_rows(max_col=1) for c in r if c.value == "法定人数")
    assert page.cell(quorum_row, 2).font.color.rgb.endswith("C00000") and page.cell(quorum_row, 2).font.bold
    assert "李请假（请假：外出进货）" in grid["缺席人员及原因"] and "孙缺席（缺席：未请假）" in grid["缺席人员及原因"]
    assert grid["会议议题"] == "1. 学习党章\n2. 讨论发展对象"
    assert grid["会议决议"] == "1. 同意推荐为发展对象（赞成 1 票，反对 0 票，弃权 0 票）"
    # The minutes, every character of them, over as many rows as they need, line breaks kept.
    minutes_rows = [r for r in page.iter_rows(max_col=2) if r[0].value == "会议内容" or
                    (r[0].value is None and r[1].value and "诚信" in r[1].value)]
    assert "".join(r[1].value.replace("\n", "") for r in minutes_rows) == MINUTES.replace("\n", "")
    assert minutes_rows[0][1].value.startswith("一、学习《中国共产党章程》第三章。\n二、")
    assert len(minutes_rows) > 1 and all(r[1].value in MINUTES for r in minutes_rows)  # cut, never re-broken
    assert all(page.row_dimensions[r[0].row].height >= 15 * (r[1].value.count("\n") + 1) for r in minutes_rows)
    assert minutes_rows[0][1].alignment.wrap_text
    # The attendance table: everyone expected, present first, with how and why.
    table_head = next(r[0].row for r in page.iter_rows(max_col=1) if r[0].value == "序号")
    people = [tuple(c.value for c in r) for r in page.iter_rows(min_row=table_head + 1, max_col=7) if r[1].value]
    assert [p[1:4] for p in people] == [("王建国", "隶属党员", "出席"), ("李请假", "隶属党员", "请假"),
                                        ("孙缺席", "隶属党员", "缺席"), ("周预备", "隶属党员", "未签到"),
                                        ("钱记录", "隶属党员", "未签到")]
    assert people[1][6] == "外出进货"
    # Print-ready: A4, one page wide, the title repeated, Chinese fonts named.
    assert page.page_setup.paperSize == 9 and page.page_setup.fitToWidth == 1 and page.page_setup.fitToHeight == 0
    assert page.sheet_properties.pageSetUpPr.fitToPage and page.print_title_rows == "$1:$1"
    assert page["A1"].font.name == "黑体" and page["B3"].font.name == "宋体"
    lecture_grid = {r[3].value: r[4].value for r in book["002 05-08 党课"].iter_rows(max_col=7) if r[3].value}
    assert lecture_grid["列席人员"] == "" or lecture_grid["列席人员"] is None
    assert {r[0].value: r[1].value for r in book["002 05-08 党课"].iter_rows(max_col=2)}["主讲人"] == "区委党校 林老师"
    plan = {(r[1].value): r for r in book["计划完成情况"].iter_rows(min_row=3)}
    assert plan["党课"][8].value == "第三季度、第四季度" or plan["党课"][6].value >= 1
    summary = [c.value for c in book["会议一览"][3]]
    assert summary[15] == "未达到" and book["会议一览"][3][15].font.color.rgb.endswith("C00000")


def pdf_texts(path, pages: int) -> list[str]:
    """Each page's text as poppler reads it back (the font's ToUnicode map, not our input)."""
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"], check=True,
                           capture_output=True, text=True).stdout for n in range(1, pages + 1)]


needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")


@needs_poppler
async def test_the_pdf_book_has_a_cover_contents_and_each_meeting_as_recorded(world, tmp_path):
    congress, lecture = await year_of_meetings(world)
    async with world.client("sec_a") as c:
        response = await c.get("/api/v1/reports/ledger.pdf", params={"org_id": world.party_a.id, "year": 2026})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    (tmp_path / "ledger.pdf").write_bytes(response.content)
    reader = PdfReader(io.BytesIO(response.content))
    texts = pdf_texts(tmp_path / "ledger.pdf", len(reader.pages))
    assert "三会一课台账" in texts[0] and world.party_a.name in texts[0] and "2026 年度" in texts[0]
    assert "目" in texts[1] and "录" in texts[1]
    # The contents name each meeting with the page its section starts on.
    starts = {}
    for number, text in enumerate(texts, start=1):
        if "支部党员大会记录" in text and "congress" not in starts:
            starts["congress"] = number
        if "党课记录" in text and "lecture" not in starts:
            starts["lecture"] = number
    contents = texts[1].replace(" ", "")
    assert f"第一季度党员大会{starts['congress']}" in contents and f"党章学习党课{starts['lecture']}" in contents
    congress_text = "".join(texts[starts["congress"] - 1:starts["lecture"] - 1]).replace(" ", "")
    for expected in ("第一季度党员大会", "王建国", "钱记录", "湖滨分会赵会长", "未达到（应到正式党员4人，须到3人，实到1人）",
                     "李请假（请假：外出进货）", "同意推荐为发展对象（赞成1票，反对0票，弃权0票）", "主持人签字", "会议照片"):
        assert expected in congress_text, expected
    assert "诚信经营，亮明身份。" * 3 in congress_text.replace("\n", "")
    assert "区委党校林老师" in "".join(texts[starts["lecture"] - 1:]).replace(" ", "")
    assert all(f"第{n}页，共{len(texts)}页" in t.replace(" ", "") for n, t in enumerate(texts, start=1) if n > 1)
    # The photo is in the congress's section, reduced to print size.
    images = [image for page in reader.pages[starts["congress"] - 1:starts["lecture"] - 1] for image in page.images]
    assert len(images) == 1 and max(images[0].image.size) == 900
    # Rendered as a printer would: every page has ink, in the CJK font (no tofu boxes: the text
    # above came back out of the PDF as the characters that went in).
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(tmp_path / "ledger.pdf"), str(tmp_path / "page")], check=True)
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == len(reader.pages)
    for path in rendered:
        with Image.open(path) as image:
            assert image.size[0] < image.size[1]  # A4 portrait
            assert image.convert("L").getextrema()[0] < 100, path.name  # something dark is printed
    fonts = {str(f) for page in reader.pages for f in (page["/Resources"].get("/Font") or {}).values()}
    assert fonts


@needs_poppler
async def test_an_empty_year_and_other_branches_pages(world, tmp_path):
    async with world.client("sec_a") as c:
        empty = await c.get("/api/v1/reports/ledger.pdf", params={"org_id": world.party_a.id, "year": 2001})
        workbook = await c.get("/api/v1/reports/ledger.xlsx", params={"org_id": world.party_a.id, "year": 2001})
    async with world.client("sec_b") as c:
        refused = await c.get("/api/v1/reports/ledger.pdf", params={"org_id": world.party_a.id, "year": 2026})
        bad_year = await c.get("/api/v1/reports/ledger.pdf", params={"org_id": world.party_b.id, "year": 1999})
    assert empty.status_code == 200
    (tmp_path / "empty.pdf").write_bytes(empty.content)
    assert "本年度没有会议记录" in "".join(pdf_texts(tmp_path / "empty.pdf", len(PdfReader(io.BytesIO(empty.content)).pages)))
    assert load_workbook(io.BytesIO(workbook.content))["会议一览"]["A3"].value == "本年度没有会议记录"
    assert refused.status_code == 403 and bad_year.status_code == 422


async def test_a_meeting_expecting_a_crowd_counts_those_who_never_came_without_naming_each(world, monkeypatch):
    from server.reports import ledger

    await year_of_meetings(world)
    monkeypatch.setattr(ledger, "UNRECORDED_LISTED", 1)  # the congress has 2 who never signed in
    async with world.client("sec_a") as c:
        response = await c.get("/api/v1/reports/ledger.xlsx", params={"org_id": world.party_a.id, "year": 2026})
    page = load_workbook(io.BytesIO(response.content))["001 03-20 支部党员大会"]
    grid = {r[0].value: r[1].value for r in page.iter_rows(max_col=7) if isinstance(r[0].value, str)}
    assert grid["缺席人员及原因"].endswith("另有 2 人未签到（人数较多，不逐一列出）")
    assert {r[3].value: r[4].value for r in page.iter_rows(max_col=7) if r[3].value}["缺席人数"] == "3（其中未签到 2）"
    table_head = next(r[0].row for r in page.iter_rows(max_col=1) if r[0].value == "序号")
    listed = [r[1].value for r in page.iter_rows(min_row=table_head + 1, max_col=7) if r[1].value]
    assert listed == ["王建国", "李请假", "孙缺席"]  # those recorded, every one


@needs_poppler
@pytest.mark.parametrize("meetings", [34, 35, 69])
def test_the_contents_have_exactly_the_pages_reserved_for_them(meetings, tmp_path):
    """The contents are written last into pages reserved first: across the boundaries where a
    page fills up, every meeting is listed with the page its section starts on."""
    from server.reports.pdfbook import LedgerPdf

    starts = at(3, 1)
    book = LedgerPdf("测试党支部", 2026, [{"status": "scheduled"}] * meetings, [])
    for i in range(meetings):
        book.meeting({"id": i, "number": i + 1, "kind": "lecture", "kind_label": "党课", "title": f"会议{i + 1}", "place": "",
                      "starts_at": starts, "ends_at": starts, "org__name": "测试党支部", "status": "scheduled", "host": "",
                      "recorder": "", "speaker": "", "guests": "", "expected": 0, "present": 0, "leave": 0, "absent": 0,
                      "unrecorded": 0, "quorum": None, "absentees": "", "topics": [], "minutes": "", "resolutions": [],
                      "people": []}, [])
    path = tmp_path / "book.pdf"
    path.write_bytes(book.finish())
    pages = len(PdfReader(str(path)).pages)
    assert pages == 1 + book._toc_pages + meetings  # cover, contents, one page a meeting
    texts = pdf_texts(path, pages)
    contents = "".join(texts[1:1 + book._toc_pages])
    for number in (1, meetings):
        line = next(line for line in contents.splitlines() if f"{number:03d}" in line)
        assert line.split()[-1] == str(1 + book._toc_pages + number)
        assert f"会议{number}" in texts[book._toc_pages + number]


async def test_above_the_page_limit_the_workbook_keeps_the_overview_and_the_pdf_is_refused(world, monkeypatch):
    from server.reports import ledger

    await year_of_meetings(world)
    monkeypatch.setattr(ledger, "PAGES_LIMIT", 1)
    async with world.client("sec_a") as c:
        book = await c.get("/api/v1/reports/ledger.xlsx", params={"org_id": world.party_a.id, "year": 2026})
        pdf = await c.get("/api/v1/reports/ledger.pdf", params={"org_id": world.party_a.id, "year": 2026})
    workbook = load_workbook(io.BytesIO(book.content))
    assert workbook.sheetnames == ["会议一览", "计划完成情况", "签到明细"]
    rows = list(workbook["会议一览"].iter_rows(min_row=3, values_only=True))
    assert [r[4] for r in rows[:2]] == ["第一季度党员大会", "党章学习党课"] and rows[0][17] == "按组织下载"
    assert rows[2][0].startswith("会议超过")
    assert len(list(workbook["签到明细"].iter_rows(min_row=3))) == 5 + 5  # everyone expected, both meetings
    assert (pdf.status_code, pdf.json()["error"]["code"]) == (409, "ledger_too_large")
