"""The roster in Excel: the template, a dry run that writes nothing, a commit that is all or
nothing and creates nobody twice, hostile files refused, and the export."""
import asyncio
import datetime as dt
import io
import zipfile

from openpyxl import Workbook, load_workbook

from server.audit import AuditEntry
from server.members.models import Member, MemberEvent, RosterImport
from server.members.roster import HEADERS, MAX_ROWS, TEMPLATE_VERSION
from tests.factories import make_member, make_org, unique
from tests.roster_helpers import XLSX, row, workbook


def mobile(n: int) -> str:
    return f"1377{n:07d}"


async def upload(c, org_id: int, data: bytes, name: str = "名册.xlsx"):
    return await c.post("/api/v1/imports/members", params={"org_id": org_id}, files={"file": (name, data, XLSX)})


async def test_the_template_has_the_columns_drop_downs_instructions_and_version(world):
    async with world.client("sec_a") as c:
        answer = await c.get("/api/v1/imports/members/template.xlsx")
    assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(answer.content))
    sheet = book["名册"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.data_type == "s" for cell in sheet[1])
    rules = {str(rule.sqref).split(":")[0]: rule.formula1 for rule in sheet.data_validations.dataValidation}
    assert rules["I2"] == '"隶属党员,属地党员,流动党员"' and rules["E2"] == '"是,否"'
    org_names = [cell.value for (cell,) in book["选项"].iter_rows(min_col=1, max_col=1) if cell.value]
    assert world.party_a.name in org_names and world.party_b.name not in org_names  # sec_a's subtree only
    assert book["选项"].sheet_state == "hidden" and book["_meta"]["A1"].value == TEMPLATE_VERSION
    assert "按手机号识别同一党员" in "".join(str(c.value) for (c, *_rest) in book["填写说明"].iter_rows())


async def test_a_dry_run_reports_every_row_and_writes_nothing(world):
    org = world.party_a.name
    base = mobile(int(unique("1").split("-")[-1][-5:], 16) % 900000)
    rows = [
        row(党员姓名="新党员", 手机号码=base, 组织生活所在党组织=org, 入党日期=38718),  # an Excel serial: 2006-01-01
        row(党员姓名="重复", 手机号码=base, 组织生活所在党组织=org),
        row(党员姓名="外组织", 手机号码=mobile(1), 组织生活所在党组织=world.party_b.name),
        row(党员姓名="未来", 手机号码=mobile(2), 组织生活所在党组织=org, 入党日期="2999/1/5", 转正日期=None),
        row(党员姓名="外出早", 手机号码=mobile(3), 组织生活所在党组织=org, 入党日期="2010年7月1日", 转正日期=None,
            外出经营开始日期="2009-03-01"),
        row(党员姓名="日期乱", 手机号码=mobile(4), 组织生活所在党组织=org, 转正日期="去年"),
        row(党员姓名='=HYPERLINK("http://evil.example","点我")', 手机号码=mobile(5), 组织生活所在党组织=org,
            入党日期="2010/1/5", 转正日期="2011年1月5日"),
        row(党员姓名="市场内", 手机号码=mobile(6), 组织生活所在党组织=org, 党员分布="市场内个体工商户"),
    ]
    members_before, events_before = await Member.all().count(), await MemberEvent.all().count()
    async with world.client("sec_a") as c:
        checked = await upload(c, world.party_a.id, workbook(rows))
        refused = await c.post(f"/api/v1/imports/{checked.json()['id']}/commit")
    assert checked.status_code == 201, checked.text
    report = {r["row"]: r for r in checked.json()["rows"]}
    errors = {number: {(e["column"], e["message"][:6]) for e in r["errors"]} for number, r in report.items()}
    assert report[2]["outcome"] == "created" and report[8]["outcome"] == "created"  # the formula is only text
    assert errors[3] == {("手机号码", "与第 2 行")}
    assert {column for column, _ in errors[4]} == {"组织生活所在党组织"}
    assert errors[5] == {("入党日期", "日期不能晚于")}
    assert errors[6] == {("外出经营开始日期", "外出经营开始"[:6])}
    assert {column for column, _ in errors[7]} == {"转正日期"}
    assert {column for column, _ in errors[9]} == {"所属市场"}
    assert checked.json()["errors"] == 6 and checked.json()["state"] == "checked"
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "import_has_errors"
    assert (await Member.all().count(), await MemberEvent.all().count()) == (members_before, events_before)


async def test_a_commit_creates_updates_and_never_creates_twice(world):
    org = world.party_a.name
    first, second = mobile(70001), mobile(70002)
    existing = await make_member(None, world.party_a, name="老党员", mobile=first, category="local")
    rows = [row(党员姓名="老党员", 手机号码=first, 组织生活所在党组织=org, 党员类别="流动党员", 组织关系所在地党组织="上城区市场监管局机关党委"),
            row(党员姓名="新来的", 手机号码=second, 组织生活所在党组织=org, 列入名册日期="2026/3/1",
                经营状态="停业")]
    data = workbook(rows)
    async with world.client("sec_a") as c:
        checked = (await upload(c, world.party_a.id, data)).json()
        committed = await c.post(f"/api/v1/imports/{checked['id']}/commit")
        again = await c.post(f"/api/v1/imports/{checked['id']}/commit")
        second_upload = (await upload(c, world.party_a.id, data)).json()
        second_commit = await c.post(f"/api/v1/imports/{second_upload['id']}/commit")
        june = (await c.get("/api/v1/members", params={"org_id": world.party_a.id, "as_of": "2026-02-28",
                                                       "q": "新来的"})).json()
    assert [r["outcome"] for r in checked["rows"]] == ["updated", "created"]
    assert "党员类别" in checked["rows"][0]["changes"]
    assert committed.status_code == 200 and committed.json()["state"] == "committed"
    assert again.status_code == 200 and again.json()["committed_at"] == committed.json()["committed_at"]
    assert [r["outcome"] for r in second_upload["rows"]] == ["unchanged", "unchanged"]
    assert second_commit.status_code == 200
    assert await Member.filter(mobile=second).count() == 1 and await Member.filter(mobile=first).count() == 1
    created = await Member.get(mobile=second)
    assert (created.on_roster_since, created.business_status, created.joined_party_on) == (
        dt.date(2026, 3, 1), "suspended", dt.date(2005, 7, 1))
    assert june["total"] == 0  # not on the roster before 1 March
    assert (await Member.get(id=existing.id)).category == "floating"
    assert await MemberEvent.filter(member_id=existing.id, field="category", reason__startswith="名册导入").exists()
    # The imported member logs in with WeChat and finds their record.
    async with world.client("vendor") as vendor:
        await vendor.post("/api/v1/me/phone", json={"code": f"dev-phone:{second}"})
        me = (await vendor.get("/api/v1/me")).json()
    assert me["member"]["id"] == created.id


async def test_a_large_import_commits_in_the_background_all_at_once(world):
    org = world.party_a.name
    start = 800000 + int(unique("n").split("-")[-1][-4:], 16) % 90000
    rows = [row(党员姓名=f"批量{i}", 手机号码=mobile(start + i), 组织生活所在党组织=org) for i in range(520)]
    async with world.client("sec_a") as c:
        checked = (await upload(c, world.party_a.id, workbook(rows))).json()
        started = await c.post(f"/api/v1/imports/{checked['id']}/commit")
        for _ in range(300):
            state = (await c.get(f"/api/v1/imports/{checked['id']}")).json()
            if state["state"] != "committing":
                break
            await asyncio.sleep(0.1)
    assert checked["created"] == 520 and started.status_code == 202 and started.json()["state"] == "committing"
    assert state["state"] == "committed", state
    assert await Member.filter(mobile__in=[mobile(start + i) for i in range(520)]).count() == 520


async def test_hostile_files_are_refused_and_nothing_is_stored(world):
    before = await RosterImport.all().count()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/workbook.xml", b"<workbook/>")
        package.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 1024 * 1024))  # 300 MB of zeros, ~300 KB packed
    wide = Workbook()
    wide.active.cell(row=1, column=16384, value="x")
    wide.active.append(["a"] * 10)
    wide_bytes = io.BytesIO()
    wide.save(wide_bytes)
    other_version = Workbook()
    other_version.active.append(HEADERS)
    other_version.create_sheet("_meta").append(["dangjian-roster-v0"])
    other_bytes = io.BytesIO()
    other_version.save(other_bytes)
    big = Workbook(write_only=True)
    sheet = big.create_sheet()
    sheet.append(HEADERS)
    for i in range(MAX_ROWS + 1):
        sheet.append(["某", mobile(i)])
    big_bytes = io.BytesIO()
    big.save(big_bytes)
    async with world.client("sec_a") as c:
        answers = {
            "not_xlsx": await upload(c, world.party_a.id, b"%PDF-1.4 not a workbook"),
            "bomb": await upload(c, world.party_a.id, bomb.getvalue()),
            "wide": await upload(c, world.party_a.id, wide_bytes.getvalue()),
            "old_template": await upload(c, world.party_a.id, workbook([row()], headers=HEADERS[:-2])),
            "other_version": await upload(c, world.party_a.id, other_bytes.getvalue()),
            "too_many": await upload(c, world.party_a.id, big_bytes.getvalue()),
            "no_file": await c.post("/api/v1/imports/members", params={"org_id": world.party_a.id}),
        }
    async with world.client("sec_b") as other:
        answers["outside"] = await upload(other, world.party_a.id, workbook([row()]))
    codes = {name: (a.status_code, a.json()["error"]["code"]) for name, a in answers.items()}
    assert codes == {"not_xlsx": (415, "not_xlsx"), "bomb": (413, "import_too_large"),
                     "wide": (422, "template_mismatch"), "old_template": (422, "template_mismatch"),
                     "other_version": (422, "template_version"), "too_many": (422, "too_many_rows"),
                     "no_file": (422, "validation_failed"), "outside": (403, "not_org_staff")}, codes
    assert answers["old_template"].json()["error"]["missing"] == HEADERS[-2:]
    assert all("message" in a.json()["error"] for a in answers.values())
    assert await RosterImport.all().count() == before


async def test_the_export_masks_mobiles_unless_asked_and_is_audited(world):
    await make_member(None, world.party_a, name='=HYPERLINK("http://evil.example")', mobile="13912345678")
    async with world.client("sec_a") as c:
        masked = await c.get("/api/v1/members/export.xlsx", params={"org_id": world.party_a.id})
        full = await c.get("/api/v1/members/export.xlsx", params={"org_id": world.party_a.id, "full_mobile": 1,
                                                                   "as_of": "2026-06-30"})
    assert masked.status_code == full.status_code == 200
    rows = list(load_workbook(io.BytesIO(masked.content))["名册"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name['=HYPERLINK("http://evil.example")'][1] == "139****5678"
    sheet = load_workbook(io.BytesIO(full.content))["名册"]
    cells = {c.value: c for (c, *_rest) in sheet.iter_rows(min_row=2)}
    assert cells['=HYPERLINK("http://evil.example")'].data_type == "s"  # text, never a formula
    assert any(r[1] == "13912345678" for r in sheet.iter_rows(min_row=2, values_only=True))
    actions = await AuditEntry.filter(actor=world.users["sec_a"], action__startswith="members.exported") \
        .values_list("action", flat=True)
    assert sorted(actions)[-3:] == ["members.exported", "members.exported", "members.exported.full_mobile"]


async def test_an_export_with_full_mobiles_imports_back_unchanged_its_dates_dates(world):
    """The export's rows are written as sheet XML (xlsx.RowSpool): a date must still be a date
    cell Excel shows as one, and the file must be the template the import reads."""
    party = await make_org("定安路党支部", "party_branch", world.branch_a)
    joined = await make_member(None, party, name="有日期", mobile=mobile(80001), joined_party_on=dt.date(2010, 7, 1),
                               full_member_on=dt.date(2011, 7, 1))
    await make_member(None, party, name="无日期", mobile=mobile(80002), unit_name="=1+1")
    async with world.client("sec_a") as c:
        full = await c.get("/api/v1/members/export.xlsx", params={"org_id": party.id, "full_mobile": 1})
        checked = await upload(c, party.id, full.content, "导出.xlsx")
    sheet = load_workbook(io.BytesIO(full.content))["名册"]
    dated = {r[0].value: r for r in sheet.iter_rows(min_row=2)}[joined.name]
    day = dated[HEADERS.index("入党日期")]
    assert day.value == dt.datetime(2010, 7, 1) and day.is_date and day.number_format == "yyyy-mm-dd"
    assert dated[HEADERS.index("转正日期")].value == dt.datetime(2011, 7, 1)
    assert dated[HEADERS.index("手机号码")].data_type == "s" and dated[HEADERS.index("摊位号")].value is None
    assert checked.status_code == 201, checked.text
    report = checked.json()
    assert report["errors"] == 0, [r for r in report["rows"] if r["errors"]]
    assert len(report["rows"]) == sheet.max_row - 1 == 2
    assert {r["outcome"] for r in report["rows"]} == {"unchanged"}, report["rows"]


async def test_the_export_reads_the_roster_in_chunks_that_add_up_to_the_list_ties_and_all(world, monkeypatch):
    """The export reads a thousand members at a time, each read starting after the last one's
    (name, id). Members sharing a name across a chunk's edge must be neither lost nor doubled,
    today and as of a past day; over the limit, 409 before anything is read."""
    from server.auth import load_principal
    from server.members import export, roster, service

    party = await make_org("同名党支部", "party_branch", world.branch_a)
    for n, name in enumerate(["张伟", "张伟", "张伟", "李娜", "李娜", "王芳", "张伟", "阿强", "李娜"]):
        await make_member(None, party, name=name, mobile=mobile(81000 + n), joined_party_on=dt.date(2001, 1, 1))
    principal = await load_principal(world.users["sec_a"])
    for as_of in (None, dt.date.today()):
        for q, count in ((None, 9), ("张", 4)):
            whole, total = await service.list_members(principal, org_id=party.id, as_of=as_of, q=q, limit=100)
            assert total == len(whole) == count
            names = [m["name"] for m in whole]
            assert names == sorted(names) and len({m["id"] for m in whole}) == count
            for chunk in (1, 2, 3, 4, 9, 10):
                pages = [(await service.list_members(principal, org_id=party.id, as_of=as_of, q=q, limit=chunk,
                                                      offset=offset))[0] for offset in range(0, count + chunk, chunk)]
                chunks = service.members_in_chunks(principal, org_id=party.id, as_of=as_of, q=q, most=9, chunk=chunk)
                assert await anext(chunks) == count
                read = [chunk async for chunk in chunks]
                assert all(0 < len(part) <= chunk for part in read)
                assert [m for part in read for m in part] == [m for page in pages for m in page] == whole, \
                    (as_of, q, chunk)
    over_most = service.members_in_chunks(principal, org_id=party.id, most=8)
    assert await anext(over_most) == 9 and [chunk async for chunk in over_most] == []  # the count, no rows
    monkeypatch.setattr(roster, "MAX_ROWS", 8)
    read = []
    monkeypatch.setattr(export, "_book", lambda items, *rest: read.append(items))
    async with world.client("sec_a") as c:
        over = await c.get("/api/v1/members/export.xlsx", params={"org_id": party.id})
    assert over.status_code == 409 and over.json()["error"]["code"] == "export_too_large" and not read
