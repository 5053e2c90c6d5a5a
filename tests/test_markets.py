"""Markets and their 六化 standard, tried as a new user would: a market brought from not met to
met item by item (its record, its members' files, plates issued and found hung at spot checks,
two trainings, evidence and attestations), with every refusal on the way storing nothing."""
import datetime as dt

from server.audit import AuditEntry
from server.clock import today
from server.markets.models import Attestation, Evidence, Market, SpotCheck
from server.members.models import Member
from tests.factories import make_activity, make_member
from tests.plate_helpers import photo_jpeg

ATTESTED = ("floating_files", "democratic_council", "supervision", "development")


async def stallholders(world, count=3):
    out = []
    for i in range(count):
        out.append(await make_member(None, world.party_a, name=f"摊主{i}", placement="in_market", market=world.market,
                                     stall_no=f"A-{i + 1:03d}", gender="male" if i else None,
                                     joined_party_on=dt.date(2001, 7, 1), mobile=f"1390000100{i}"))
    return out


def items(checklist) -> dict:
    return {item["key"]: item for area in checklist["areas"] for item in area["items"]}


async def spot(c, market_id, stall, hung=True, readable=True, photo=True):
    params = {"stall_no": stall, "hung": str(hung).lower(), "readable": str(readable).lower()}
    files = {"photo": ("p.jpg", photo_jpeg(), "image/jpeg")} if photo else None
    return await c.post(f"/api/v1/markets/{market_id}/spot-checks", params=params, files=files)


async def test_market_brought_from_not_met_to_met_item_by_item(world):
    members = await stallholders(world)
    m = world.market.id
    year = today().year
    url = f"/api/v1/markets/{m}/standardisation"
    async with world.client("sec_a") as c:
        first = (await c.get(url)).json()
        assert first["met"] is False and len(first["areas"]) == 6 and len(first["missing"]) == 6
        got = items(first)
        assert got["records_complete"]["figure"].startswith("2/3") and not got["records_complete"]["met"]
        assert got["org_coverage"]["missing"] == "尚未建立或纳入党组织"
        assert got["plates_hung"]["missing"] == "3 名党员未发牌，3 个摊位本年未抽查"
        assert got["trainings"]["figure"] == "本年已开展教育培训 0 次"
        assert got["support"]["missing"] == "缺少党务工作者、党员活动室、党务公开栏、党建经费"

        # The record: refusals first, each a code, nothing stored.
        assert (await c.patch(f"/api/v1/markets/{m}", json={"stars": 6})).status_code == 422
        bad = await c.patch(f"/api/v1/markets/{m}", json={"vendor_count": 2})
        assert bad.status_code == 409 and bad.json()["error"]["code"] == "vendor_count_too_low" and "3人" in bad.json()["error"]["message"]
        bad = await c.patch(f"/api/v1/markets/{m}", json={"scope": ["five_star"], "stars": 4})
        assert bad.status_code == 409 and bad.json()["error"]["code"] == "market_invalid" and "scope" in bad.json()["error"]["fields"]
        bad = await c.patch(f"/api/v1/markets/{m}", json={"org_form": "single"})
        assert bad.status_code == 409 and "org_level" in bad.json()["error"]["fields"]
        assert (await Market.get(id=m)).stars is None and (await Market.get(id=m)).vendor_count == 0
        joint = await c.patch(f"/api/v1/markets/{m}", json={"org_form": "joint", "org_level": "branch", "vendor_count": 120})
        assert joint.status_code == 200 and joint.json()["party_members"] == 3
        assert items((await c.get(url)).json())["org_coverage"]["missing"] == "正式党员已有 3 名，应单独组建党组织"
        ok = await c.patch(f"/api/v1/markets/{m}", json={
            "org_form": "single", "stars": 5, "scope": ["five_star", "provincial_key", "five_star"],
            "workers": ["周红", "陈立"], "has_room": True, "has_board": True, "funds_yuan": 5000,
            "operator_name": "河坊街市场管理有限公司", "address": "上城区河坊街 88 号"})
        assert ok.status_code == 200, ok.text
        assert ok.json()["scope"] == ["five_star", "provincial_key"] and ok.json()["workers"] == ["周红", "陈立"]

        # Members' files, plates, spot checks, trainings.
        await Member.filter(id=members[0].id).update(gender="female")
        for member in members:
            assert (await c.post(f"/api/v1/members/{member.id}/plate")).status_code in (200, 201)
        assert (await spot(c, m, "Z-999")).json()["error"]["code"] == "stall_not_found"
        assert (await spot(c, m, "A-001", photo=False)).status_code == 422
        assert (await spot(c, m, "A-001")).status_code == 201
        assert (await spot(c, m, "A-002")).status_code == 201
        assert (await spot(c, m, "A-003", hung=False)).status_code == 201
        stalls = (await c.get(f"/api/v1/markets/{m}/spot-checks")).json()
        assert [(s["stall_no"], s["to_fix"], s["reason"]) for s in stalls["items"]] == [
            ("A-001", False, ""), ("A-002", False, ""), ("A-003", True, "未悬挂")]
        assert items((await c.get(url)).json())["plates_hung"]["missing"] == "1 个摊位未悬挂或看不清"
        assert (await spot(c, m, "A-003")).status_code == 201  # hung after the first check: the latest counts
        for days in (30, 60):
            await make_activity(world, org=world.branch_a, kind="training", starts_in_minutes=-days * 24 * 60 if
                                today() - dt.timedelta(days=days) >= dt.date(year, 1, 1) else -60)

        # Attested items: evidence first, the inspector and a day not in the future.
        put = f"/api/v1/markets/{m}/standardisation/{year}/items"
        attest = {"met": True, "inspector": "省局 李检查", "checked_on": today().isoformat(), "note": "制度上墙"}
        assert (await c.put(f"{put}/floating_files", json=attest)).json()["error"]["code"] == "evidence_missing"
        assert (await c.put(f"{put}/records_complete", json=attest)).json()["error"]["code"] == "item_computed"
        assert (await c.put(f"{put}/no_such_item", json=attest)).json()["error"]["code"] == "item_not_found"
        future = {**attest, "checked_on": (today() + dt.timedelta(days=1)).isoformat()}
        text = await c.post(f"{put}/supervision/evidence", files={"file": ("a.txt", b"just words", "text/plain")})
        assert text.status_code == 415 and text.json()["error"]["code"] == "evidence_type"
        assert (await c.post(f"/api/v1/markets/{m}/standardisation/{year + 1}/items/supervision/evidence",
                             files={"file": ("a.jpg", photo_jpeg(), "image/jpeg")})).json()["error"]["code"] == "year_in_future"
        assert not await Attestation.filter(market_id=m).exists() and not await Evidence.filter(market_id=m).exists()
        for key in ATTESTED:
            up = await c.post(f"{put}/{key}/evidence", files={"file": ("a.jpg", photo_jpeg(), "image/jpeg")})
            assert up.status_code == 201 and up.json()["content_type"] == "image/jpeg"
            assert (await c.put(f"{put}/{key}", json=future)).json()["error"]["code"] == "checked_on_in_future"
            answer = await c.put(f"{put}/{key}", json=attest)
            assert answer.status_code == 200
        final = answer.json()
        assert final["met"] is True and final["missing"] == [], [a["missing"] for a in final["areas"]]
        got = items(final)
        assert got["records_complete"]["figure"] == "3/3 名党员档案完整（100%）"
        assert got["plates_hung"]["figure"] == "已发牌 3/3，抽查 3 个摊位，悬挂清晰 3"
        assert got["supervision"]["inspector"] == "省局 李检查" and len(got["supervision"]["evidence"]) == 1
        evidence = got["supervision"]["evidence"][0]["id"]
        photo = await c.get(f"/api/v1/markets/{m}/evidence/{evidence}")
        assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    # A member leaving the market undoes what it depended on only through the records.
    assert await SpotCheck.filter(market_id=m).count() == 4
    actions = set(await AuditEntry.filter(action__startswith="market.", target_id=m).values_list("action", flat=True))
    assert {"market.updated", "market.item.attested", "market.evidence.added", "market.spot_check.added"} <= actions


async def test_outsiders_see_no_market_of_another_branch(world):
    async with world.client("sec_b") as c:
        for path in ("", "/standardisation", "/spot-checks"):
            answer = await c.get(f"/api/v1/markets/{world.market.id}{path}")
            assert answer.status_code == 404 and answer.json()["error"]["code"] == "market_not_found"
        assert (await c.patch(f"/api/v1/markets/{world.market.id}", json={"stars": 3})).status_code == 404
    assert (await Market.get(id=world.market.id)).stars is None
