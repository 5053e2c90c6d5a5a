"""Half-year statistics as a new user would meet them: a snapshot of 30 June taken, a member moved
afterwards and the June tables unchanged; a change recorded later with an earlier date moves the
figures only through a retake with its reason (kept, audited); a branch's submission returned
and resubmitted, then accepted and closed; the parent's sums; the three tables opened and every
cell read (text is text, totals are the sums of their rows, each figure against the records);
the 登记表 PDF rendered and read; the half-year task's schedule and run."""
import datetime as dt
import io
import subprocess

from croniter import croniter
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from pypdf import PdfReader

from server.audit import AuditEntry
from server.clock import today
from server.jobs import engine
from server.config import Settings
from server.markets.models import Market
from server.statistics import snapshots
from server.statistics.models import Snapshot, SnapshotCorrection
from tests.factories import make_member, make_org
from tests.job_helpers import wait_done

JUNE = dt.date(today().year if today() > dt.date(today().year, 6, 30) else today().year - 1, 6, 30)


async def populate(world):
    """Branch A: member_a (standalone, 隶属) and three in its market; a farmers' market of branch B."""
    await Market.filter(id=world.market.id).update(org_form="single", org_level="branch", vendor_count=80, stars=4,
                                                   scope=["regional_key"], district="上城区")
    people = [await make_member(None, world.party_a, name=name, placement="in_market", market=world.market,
                                stall_no=f"A-{i:03d}", category=category, standing=standing, is_owner=owner,
                                mobile=f"1380000{i:04d}")
              for i, (name, category, standing, owner) in enumerate(
                  [("甲摊主", "affiliated", "full", True), ("乙伙计", "local", "probationary", False),
                   ("丙流动", "floating", "full", True)], 1)]
    await Market.create(name="清波农贸市场", kind="farmers", district="西湖区", org=world.branch_b, vendor_count=40)
    return people


async def take(c, org_id: int, day: dt.date) -> dict:
    """The snapshot a take job made, as the desk opens it once the job is done."""
    asked = await c.post("/api/v1/statistics/snapshots", json={"org_id": org_id, "as_of": day.isoformat()})
    assert asked.status_code == 202, asked.text
    job = await wait_done(c, f"/api/v1/statistics/snapshot-jobs/{asked.json()['id']}")
    assert job["state"] == "done" and job["kind"] == "take", job
    return (await c.get(f"/api/v1/statistics/snapshots/{job['snapshot_id']}")).json()


async def retake(c, snapshot_id: int, reason: str) -> dict:
    """The retake job once done (its correction, if anything changed)."""
    asked = await c.post(f"/api/v1/statistics/snapshots/{snapshot_id}/retake", json={"reason": reason})
    assert asked.status_code == 202, asked.text
    job = await wait_done(c, f"/api/v1/statistics/snapshot-jobs/{asked.json()['id']}")
    assert job["state"] == "done" and job["snapshot_id"] == snapshot_id and job["reason"] == reason, job
    return job


def cells(book):
    return [[c for c in row] for row in book.active.iter_rows()]


async def test_june_snapshot_is_frozen_corrected_only_with_a_reason_and_goes_up_the_tree(world):
    people = await populate(world)
    async with world.client("sec_a") as sec_a, world.client("admin") as admin, world.client("sec_b") as sec_b:
        future = await sec_a.post("/api/v1/statistics/snapshots", json={"org_id": world.branch_a.id,
                                                                         "as_of": (today() + dt.timedelta(days=1)).isoformat()})
        assert future.status_code == 409 and future.json()["error"]["code"] == "as_of_in_future"
        assert (await sec_b.post("/api/v1/statistics/snapshots", json={"org_id": world.branch_a.id,
                                                                        "as_of": JUNE.isoformat()})).status_code == 404
        assert not await Snapshot.filter(org_id=world.branch_a.id).exists()
        june = await take(sec_a, world.branch_a.id, JUNE)
        sid = june["id"]
        totals = june["totals"]
        assert (totals["members"], totals["association"], totals["local"], totals["floating"]) == (4, 2, 1, 1)
        assert (totals["full"], totals["probationary"], totals["owners"], totals["employees"]) == (3, 1, 3, 1)
        assert (totals["in_market"], totals["markets"], totals["markets_with_org"], totals["vendors"]) == (3, 1, 1, 80)
        [row] = june["markets"]
        assert (row["members"], row["association"], row["local"], row["floating"], row["full"]) == (3, 1, 1, 1, 2)
        again = await sec_a.post("/api/v1/statistics/snapshots", json={"org_id": world.branch_a.id, "as_of": JUNE.isoformat()})
        assert again.json()["error"]["code"] == "snapshot_exists"

        # Moved in July: June's figures do not move, and a retake finds nothing to correct.
        moved = await admin.patch(f"/api/v1/members/{people[0].id}", json={
            "life_org_id": world.party_b.id, "placement": "standalone", "effective_on": JUNE.replace(month=7, day=15).isoformat()})
        assert moved.status_code == 200, moved.text
        assert (await retake(sec_a, sid, "核对"))["correction"] is None
        assert (await sec_a.get(f"/api/v1/statistics/snapshots/{sid}")).json()["totals"] == totals
        before_book = (await sec_a.get(f"/api/v1/statistics/snapshots/{sid}/markets.xlsx")).content

        # Up the tree: sec_b cannot see it; the root's admin returns it with a reason.
        assert (await sec_a.post(f"/api/v1/statistics/snapshots/{sid}/accept")).status_code == 404
        submitted = await sec_a.post(f"/api/v1/statistics/snapshots/{sid}/submit")
        assert submitted.json()["state"] == "submitted"
        assert (await sec_a.post(f"/api/v1/statistics/snapshots/{sid}/submit")).json()["error"]["code"] == "snapshot_submitted"
        assert (await sec_a.post(f"/api/v1/statistics/snapshots/{sid}/retake", json={"reason": "x"})).status_code == 409
        assert (await sec_b.post(f"/api/v1/statistics/snapshots/{sid}/return", json={"reason": "x"})).status_code == 404
        returned = await admin.post(f"/api/v1/statistics/snapshots/{sid}/return", json={"reason": "乙伙计6月已转正，请核实"})
        assert returned.json()["state"] == "returned" and returned.json()["return_reason"] == "乙伙计6月已转正，请核实"

        # A change recorded now with an earlier day: the retake shows it, with the reason, audited.
        fixed = await admin.patch(f"/api/v1/members/{people[1].id}", json={
            "standing": "full", "effective_on": JUNE.replace(day=1).isoformat(), "reason": "6月1日转正，补录"})
        assert fixed.status_code == 200, fixed.text
        changes = (await retake(sec_a, sid, "按上级意见补录转正"))["correction"]["changes"]
        assert {"what": "正式党员", "before": 3, "after": 4} in changes
        assert {"what": "预备党员", "before": 1, "after": 0} in changes
        assert any(c["what"] == "党员 乙伙计：standing" for c in changes)
        assert await SnapshotCorrection.filter(snapshot_id=sid, reason="按上级意见补录转正").count() == 1
        assert await AuditEntry.filter(action="statistics.snapshot.retaken", target_id=sid).count() == 1
        assert (await sec_a.post(f"/api/v1/statistics/snapshots/{sid}/submit")).json()["state"] == "submitted"

        # The root sees its children's state and the sums of what was submitted, then accepts.
        root = await take(admin, world.root.id, JUNE)
        children = {c["org_name"]: c for c in root["children"]}
        assert children[world.branch_a.name]["state"] == "submitted" and children[world.branch_b.name]["state"] == "missing"
        assert root["sums"]["members"] == 4 and root["sums"]["full"] == 4
        assert root["totals"]["markets"] == 2
        assert (await admin.post(f"/api/v1/statistics/snapshots/{root['id']}/submit")).json()["error"]["code"] == "no_parent_org"
        assert (await admin.post(f"/api/v1/statistics/snapshots/{sid}/accept")).json()["state"] == "accepted"
        for verb, body in (("submit", None), ("accept", None), ("return", {"reason": "x"}), ("retake", {"reason": "x"})):
            late = await (admin if verb in ("accept", "return") else sec_a).post(
                f"/api/v1/statistics/snapshots/{sid}/{verb}", **({"json": body} if body else {}))
            assert late.json()["error"]["code"] == "snapshot_accepted", (verb, late.text)
        listed = (await admin.get("/api/v1/statistics/snapshots", params={"org_id": world.root.id})).json()["items"]
        assert {(s["org_name"], s["state"]) for s in listed} == {(world.branch_a.name, "accepted"), (world.root.name, "draft")}
        after_book = (await sec_a.get(f"/api/v1/statistics/snapshots/{sid}/markets.xlsx")).content
    first = load_workbook(io.BytesIO(before_book)).active
    last = load_workbook(io.BytesIO(after_book)).active
    assert first.cell(5, 2).value == last.cell(5, 2).value == world.market.name
    assert (first.cell(5, 17).value, last.cell(5, 17).value) == (2, 3)  # 正式: corrected, with its reason


async def test_the_three_tables_read_back_cell_by_cell(world, tmp_path):
    await populate(world)
    await Market.create(name="=HYPERLINK(\"http://evil\")", kind="specialized", district="上城区", org=world.party_a,
                        stars=2, org_form="joint", org_level="general_branch", vendor_count=5)
    async with world.client("admin") as admin:
        snap = await take(admin, world.root.id, today())
        sid = snap["id"]
        books = {name: (await admin.get(f"/api/v1/statistics/snapshots/{sid}/{name}.xlsx"))
                 for name in ("markets", "market-counts", "roster")}
        pdf = await admin.get(f"/api/v1/statistics/snapshots/{sid}/forms.pdf")
        one = await admin.get(f"/api/v1/statistics/snapshots/{sid}/forms.pdf", params={"member_id": world.member_a.id})
        missing = await admin.get(f"/api/v1/statistics/snapshots/{sid}/forms.pdf", params={"member_id": 999999})
    assert missing.status_code == 404
    for name, answer in books.items():
        assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"], name
    markets = load_workbook(io.BytesIO(books["markets"].content)).active
    assert markets["A1"].value == "商品交易市场（含农贸市场）党建情况统计表"
    assert markets["A2"].value.startswith(f"填报单位：{world.root.name}    统计日期：")
    assert markets.cell(3, 11).value == "组织关系所在" and markets.cell(4, 11).value == "协会隶属"
    assert "K3:N3" in {str(r) for r in markets.merged_cells.ranges} and "A3:A4" in {str(r) for r in markets.merged_cells.ranges}
    body = [[c.value for c in row] for row in markets.iter_rows(min_row=5, max_row=markets.max_row - 2)]
    total = [c.value for c in markets[markets.max_row - 1]]
    assert total[0] == "合计" and len(body) == 3
    for column in range(8, 18):  # every summed column is the sum of its rows
        assert total[column] == sum(row[column] for row in body), column
    by_name = {row[1]: row for row in body}
    assert by_name[world.market.name][9:14] == [3, 1, 0, 1, 1]  # 3 members: 协会隶属 1, 市场 0, 属地 1, 流动 1
    assert by_name["=HYPERLINK(\"http://evil\")"][18:20] == ["联合组建", "党总支"]
    for row in markets.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                assert cell.data_type == "s", (cell.coordinate, cell.value)
    assert markets.page_setup.orientation == "landscape" and markets.sheet_properties.pageSetUpPr.fitToPage
    last = markets.max_row  # the rows are written as sheet XML (xlsx.RowSpool): each keeps the form's look
    for row in markets.iter_rows(min_row=5, max_row=last - 1):
        for cell in row:
            if not isinstance(cell, MergedCell):
                numeric = isinstance(cell.value, (int, float))
                assert cell.border.left.style == cell.border.bottom.style == "thin", cell.coordinate
                assert cell.alignment.horizontal == ("center" if numeric else "left") and cell.alignment.wrap_text
                assert cell.font.b == (cell.row == last - 1), cell.coordinate
    assert f"A{last - 1}:B{last - 1}" in {str(r) for r in markets.merged_cells.ranges}
    footer = markets.cell(last, 1)
    assert footer.value.startswith("填表人：") and footer.border.left.style is None and not footer.font.b
    # The signature line spans the table (one narrow column wrapped it into pieces); the header
    # rows are tall enough for their labels' second line.
    assert f"A{last}:AD{last}" in {str(r) for r in markets.merged_cells.ranges}
    assert markets.row_dimensions[3].height == markets.row_dimensions[4].height == 30

    counts = load_workbook(io.BytesIO(books["market-counts"].content)).active
    header = [c.value for c in counts[3]]
    assert header[:4] == ["序号", "区县", "市场总数", "按类型"] and counts.cell(4, 4).value == "专业市场"
    rows = {row[1]: row for row in ([c.value for c in r] for r in counts.iter_rows(min_row=5, max_row=counts.max_row - 2))}
    assert set(rows) == {"上城区", "西湖区"}
    assert rows["上城区"][2:7] == [2, 1, 0, 1, 0]  # two markets: one specialized, one comprehensive
    assert rows["西湖区"][2] == 1 and rows["西湖区"][-4] == 1 and rows["西湖区"][-1] == 0.0  # no members, no org
    total = [c.value for c in counts[counts.max_row - 1]]
    assert total[0] == "合计" and total[2] == 3 and total[-1] == round(100 * 2 / 3, 1)

    roster = load_workbook(io.BytesIO(books["roster"].content)).active
    names = [roster.cell(r, 3).value for r in range(4, roster.max_row)]
    assert sorted(names) == sorted(["甲摊主", "乙伙计", "丙流动", world.member_a.name])
    mobiles = {roster.cell(r, 3).value: roster.cell(r, 4) for r in range(4, roster.max_row)}
    assert mobiles["甲摊主"].value == "13800000001" and mobiles["甲摊主"].data_type == "s"

    assert pdf.headers["content-type"] == "application/pdf", pdf.text
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 4 and len(PdfReader(io.BytesIO(one.content)).pages) == 1
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=one.content, capture_output=True, check=True).stdout.decode()
    for label in ("个体工商户党建信息登记表", "单位名称", "组织关系所在地党组织", "党员分布", "填表人姓名", world.member_a.name):
        assert label in text, label
    (tmp_path / "form.pdf").write_bytes(one.content)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(tmp_path / "form.pdf"), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5000


async def test_half_year_task_fires_at_2359_in_shanghai_and_takes_each_filing_org_once(world):
    app = engine.build(Settings())
    [cron] = [p.cron for p in app.periodic_registry.periodic_tasks.values() if p.task.name == "statistics:half_year"]
    times = croniter(cron, dt.datetime(2026, 1, 1))
    fires = [times.get_next(dt.datetime) for _ in range(4)]
    assert fires == [dt.datetime(2026, 6, 30, 15, 59), dt.datetime(2026, 12, 31, 15, 59),
                     dt.datetime(2027, 6, 30, 15, 59), dt.datetime(2027, 12, 31, 15, 59)]  # UTC = 23:59 in Shanghai
    await populate(world)
    await snapshots.take_all(JUNE)
    mine = [world.root.id, world.branch_a.id, world.branch_b.id, world.party_a.id, world.party_b.id]
    taken = await Snapshot.filter(org_id__in=mine).values_list("org_id", "source", "as_of")
    # the association and its two branches, once each; party branches do not file
    assert sorted(taken) == sorted((org_id, "scheduled", JUNE) for org_id in mine[:3])
    assert await snapshots.take_all(JUNE) == 0


async def test_overview_sets_todays_figures_beside_the_last_snapshot(world):
    people = await populate(world)
    async with world.client("sec_a") as c:
        await take(c, world.branch_a.id, JUNE)
        await make_member(None, world.party_a, name="新党员", mobile="13800009999")
        view = (await c.get("/api/v1/statistics/overview", params={"org_id": world.branch_a.id})).json()
        figures = {f["key"]: (f["value"], f["last"]) for f in view["figures"]}
        assert figures["members"] == (5, 4) and figures["markets"] == (1, 1)
        assert view["last_snapshot"]["as_of"] == JUNE.isoformat()
        assert [t["category"] for t in view["training"]] == ["affiliated", "local", "floating"]
        assert view["markets"][0]["members"] == 3 and len(people) == 3
        assert (await c.get("/api/v1/statistics/overview", params={"org_id": world.branch_b.id})).status_code == 404


async def test_markets_counted_a_few_at_a_time_give_what_all_at_once_gives(world, monkeypatch):
    """A city's markets are read a hundred at a time (figures.MARKETS_A_READ); one at a time must
    count every market, member, plate and spot check exactly as all at once does."""
    people = await populate(world)
    from server.markets.models import SpotCheck
    from server.plates.models import Plate
    from server.statistics import figures

    other = await Market.create(name="定安路市场", kind="specialized", district="上城区", org=world.branch_a, org_form="joint",
                                org_level="branch", vendor_count=20)
    market_org = await make_org("定安路市场党支部", "market_org", world.branch_a)
    await make_member(None, market_org, name="丁摊主", placement="in_market", market=other, stall_no="D-001")
    for i, member in enumerate(people[:2]):
        await Plate.create(member=member, code=f"T{member.id:07d}{i}", active_key=member.id)
    await SpotCheck.create(market=world.market, member=people[0], stall_no="A-001", hung=True, readable=True, photo_key="x.jpg")
    await SpotCheck.create(market=world.market, member=people[1], stall_no="A-002", hung=True, readable=False, photo_key="x.jpg")
    all_at_once = await figures.markets_of(world.root, today())
    monkeypatch.setattr(figures, "MARKETS_A_READ", 1)
    assert await figures.markets_of(world.root, today()) == all_at_once
    rows = {row["name"]: row for row in all_at_once}
    assert len(rows) == 3 and rows[world.market.name]["members"] == 3 and rows["定安路市场"]["market"] == 1
    assert rows[world.market.name]["plates_issued"] == 2 and rows[world.market.name]["plates_hung"] == 1
    assert rows["定安路市场"]["plates_issued"] == 0 and rows["清波农贸市场"]["members"] == 0


async def test_the_forms_of_more_members_than_anyone_prints_are_refused_one_still_prints(world, monkeypatch):
    from server.statistics import forms

    await populate(world)
    monkeypatch.setattr(forms, "PAGES_LIMIT", 3)
    async with world.client("admin") as admin:
        snap = await take(admin, world.root.id, JUNE)
        refused = await admin.get(f"/api/v1/statistics/snapshots/{snap['id']}/forms.pdf")
        one = await admin.get(f"/api/v1/statistics/snapshots/{snap['id']}/forms.pdf", params={"member_id": world.member_a.id})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "forms_too_large"
    assert refused.json()["error"]["fields"] == {"snapshot_id": "这份统计有 4 名党员"}
    assert one.status_code == 200 and len(PdfReader(io.BytesIO(one.content)).pages) == 1
    assert await AuditEntry.filter(action="statistics.tables.downloaded", target_id=snap["id"]).count() == 1  # the one
