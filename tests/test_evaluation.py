"""先锋指数 end to end over HTTP: a roster that explains everyone in scope, self and anonymous peer
evaluation, the org's review, a veto, the announcement with an objection that blocks the result
until answered, stars on the public page and a reprinted plate, outstanding members only from
4–5★, follow-ups with a 4–5★ mentor, and the district's summary workbook read back cell by cell."""
import datetime as dt
import io

import zxingcpp
from openpyxl import load_workbook
from PIL import Image

from server.audit import AuditEntry
from server.clock import today
from server.evaluation import roster as rosters, scheme as schemes
from server.evaluation.models import Evaluation, FollowUp, Objection, PeerGrade
from tests.evaluation_helpers import create_cycle, items, logged_in_member, pass_days
from tests.factories import make_member
from tests.plate_helpers import publish_member


async def _people(world):
    day = today()
    people = {
        "probation": await make_member(None, world.party_a, name="预备党员甲", standing="probationary"),
        "suspended": await make_member(None, world.party_a, name="停业党员乙", business_status="suspended"),
        "away7": await make_member(None, world.party_a, name="外出七月", away_since=day - dt.timedelta(days=215)),
        "away3": await logged_in_member(world, "away3", world.party_a, name="外出三月", away_since=day - dt.timedelta(days=90)),
        "market": await logged_in_member(world, "market", world.party_a, name="市场党员丙", category="local",
                                         placement="in_market", market=world.market, stall_no="B-08"),
        "veto": await make_member(None, world.party_a, name="否决党员丁"),
        # out of scope: a local member trading on their own, and a member of another subtree's year
        "local": await make_member(None, world.party_a, name="属地个体戊", category="local"),
    }
    return people


async def _evaluations(cycle_id: int) -> dict[int, Evaluation]:
    return {e.member_id: e for e in await Evaluation.filter(cycle_id=cycle_id)}


async def test_a_cycle_end_to_end(world, backend):
    p = await _people(world)
    code = await publish_member(world)  # member_a's plate, public before the cycle
    async with world.client() as anyone:
        assert (await anyone.get(f"/api/v1/public/plates/{code}")).json()["stars"] is None
    cycle = await create_cycle(world)
    counts = cycle["counts"]
    assert (counts["in_scope"], counts["eligible"]) == (7, 4)
    assert counts["excluded"] == {"probationary": 1, "suspended": 1, "away_over_6_months": 1}
    assert counts["peer_grades"] == 4 * 3  # four eligible in one small branch: everyone grades everyone else
    cid = cycle["id"]
    e = await _evaluations(cid)
    assert p["local"].id not in e
    ids = {name: e[m.id].id for name, m in p.items() if m.id in e}
    mine = e[world.member_a.id].id

    async with world.client("sec_a") as sec:
        roster = (await sec.get(f"/api/v1/evaluations/cycles/{cid}/roster?limit=200")).json()
        reasons = {row["name"]: row["exclusion"] for row in roster["items"]}
        assert reasons == {"预备党员甲": "probationary", "停业党员乙": "suspended", "外出七月": "away_over_6_months",
                           "外出三月": None, "市场党员丙": None, "否决党员丁": None, world.member_a.name: None}
        # a veto needs a reason; with one it is recorded and audited
        assert (await sec.post(f"/api/v1/evaluations/cycles/{cid}/vetoes", json={"member_id": p["veto"].id, "reason": " "})).status_code == 422
        vetoed = await sec.post(f"/api/v1/evaluations/cycles/{cid}/vetoes", json={"member_id": p["veto"].id, "reason": "受党纪处分"})
        assert vetoed.status_code == 200, vetoed.text
        assert await AuditEntry.filter(action="evaluation.vetoed", target_id=ids["veto"]).count() == 1

    async with world.client("member_a") as me:
        tasks = (await me.get("/api/v1/me/evaluation")).json()["items"]
        assert [t["evaluation_id"] for t in tasks] == [mine]
        assert {peer["name"] for peer in tasks[0]["peers"]} == {"外出三月", "市场党员丙", "否决党员丁"}
        for _ in range(2):  # a retried submission is one
            saved = await me.put(f"/api/v1/evaluations/{mine}/self", json={"items": items(), "summary": "守法经营，按时参加组织生活"})
            assert saved.status_code == 200, saved.text
        assert (await me.put(f"/api/v1/evaluations/{mine}/peers/{mine}", json={"grade": "excellent"})).json()["error"]["code"] == "self_rating"
        not_assigned = await me.put(f"/api/v1/evaluations/{mine}/peers/{ids['probation']}", json={"grade": "good"})
        assert not_assigned.json()["error"]["code"] == "peer_not_assigned"
        assert (await me.put(f"/api/v1/evaluations/{mine}/peers/{ids['away3']}", json={"grade": "best"})).status_code == 422
        assert (await me.put(f"/api/v1/evaluations/{mine}/peers/{ids['away3']}", json={"grade": "excellent"})).status_code == 200
        assert (await me.put(f"/api/v1/evaluations/{mine}/peers/{ids['market']}", json={"grade": "good"})).status_code == 200
    async with world.client("away3") as c:
        assert (await c.put(f"/api/v1/evaluations/{ids['away3']}/peers/{mine}", json={"grade": "poor"})).status_code == 200
    async with world.client("market") as c:
        assert (await c.put(f"/api/v1/evaluations/{ids['market']}/peers/{mine}", json={"grade": "excellent"})).status_code == 200
        assert (await c.put(f"/api/v1/evaluations/{ids['market']}/peers/{ids['away3']}", json={"grade": "good"})).status_code == 200
        # someone else's evaluation is not theirs to use
        assert (await c.put(f"/api/v1/evaluations/{mine}/peers/{ids['away3']}", json={"grade": "poor"})).status_code == 404
    assert await PeerGrade.filter(rater_id=mine, grade__isnull=False).count() == 2

    async with world.client("sec_a") as sec:
        over = await sec.put(f"/api/v1/evaluations/{mine}/review", json={"items": items(integrity=31)})
        assert over.status_code == 409 and over.json()["error"]["code"] == "points_invalid"
        assert "items.integrity" in over.json()["error"]["fields"]
        assert (await sec.put(f"/api/v1/evaluations/{mine}/review", json={"items": items(study=-1)})).status_code == 422
        reviewed = await sec.put(f"/api/v1/evaluations/{mine}/review", json={
            "items": items(), "adjustments": [{"points": 5, "reason": "获市级诚信经营户表彰"}]})
        assert reviewed.status_code == 200, reviewed.text
        body = reviewed.json()
        # self 100, peers (poor 50 + excellent 100)/2 = 75, no customer ratings (its 10 % shared out), org 100:
        # (20×100 + 30×75 + 40×100) / 90 = 91.7, +5 = 96.7 → ★5
        assert (body["score"], body["stars"]) == (96.7, 5)
        assert body["peer_counts"] == {"excellent": 1, "good": 0, "fair": 0, "poor": 1}
        assert body["record"] == {"attended": 0, "trainings": 0, "leave": 0, "absent": 0}
        # nobody but the rater sees who gave which grade: not the secretary
        assert "外出三月" not in reviewed.text and "市场党员丙" not in reviewed.text and "rater" not in reviewed.text
        refused = await sec.post(f"/api/v1/evaluations/cycles/{cid}/announce", json={})
        assert refused.status_code == 403  # the branch's secretary reviews; the association announces
        away = await sec.put(f"/api/v1/evaluations/{ids['away3']}/review", json={"items": items(15, 20, 15, 15, 5)})
        assert (away.json()["score"], away.json()["stars"]) == (79.6, 3)  # (30×92.5 + 40×70)/70
    async with world.client("admin") as admin:
        missing = await admin.post(f"/api/v1/evaluations/cycles/{cid}/announce", json={})
        assert missing.json()["error"]["code"] == "reviews_missing" and missing.json()["error"]["members"] == ["市场党员丙"]
    async with world.client("sec_a") as sec:
        market = await sec.put(f"/api/v1/evaluations/{ids['market']}/review", json={"items": items(10, 15, 10, 10, 5)})
        assert (market.json()["score"], market.json()["stars"]) == (65.0, 2)  # (30×85 + 40×50)/70: the ★2 line
    async with world.client("admin") as admin:
        announced = await admin.post(f"/api/v1/evaluations/cycles/{cid}/announce", json={"days": 7})
        assert announced.status_code == 200, announced.text
        assert announced.json()["stage"] == "announced"
        public_code = announced.json()["public_code"]
    async with world.client("member_a") as me:  # after the announcement nothing more is handed in
        late = await me.put(f"/api/v1/evaluations/{mine}/self", json={"items": items(study=5)})
        assert late.json()["error"]["code"] == "deadline_passed"

    async with world.client() as anyone:
        listed = await anyone.get(f"/api/v1/public/announcements/{public_code}")
        assert listed.status_code == 200
        names = {m["name"]: m["stars"] for m in listed.json()["items"]}
        assert names == {world.member_a.name: 5, "外出三月": 3, "市场党员丙": 2}  # the vetoed and excluded: not listed
        assert "score" not in listed.text and world.member_a.mobile not in listed.text
        page = await anyone.get(f"/gs/{public_code}")
        assert page.status_code == 200 and "市场党员丙" in page.text and "B-08" in page.text and "★★" in page.text
        assert (await anyone.get("/gs/nosuchcode")).status_code == 404

    async with world.client("vendor") as vendor:  # any logged-in user may object
        objected = await vendor.post(f"/api/v1/evaluations/cycles/{cid}/objections",
                                     json={"evaluation_id": ids["market"], "reason": "该摊位上月缺斤少两"})
        assert objected.status_code == 201, objected.text
        objection_id = objected.json()["id"]
    async with world.client("admin") as admin:
        assert (await admin.post(f"/api/v1/evaluations/cycles/{cid}/finalize")).json()["error"]["code"] == "announcement_running"
        await pass_days(cid, announce_until=True)
        assert (await admin.post(f"/api/v1/evaluations/cycles/{cid}/finalize")).json()["error"]["code"] == "objections_open"
    async with world.client("vendor") as vendor:
        closed = await vendor.post(f"/api/v1/evaluations/cycles/{cid}/objections", json={"reason": "再提一条"})
        assert closed.json()["error"]["code"] == "announcement_closed"
    assert await Objection.filter(cycle_id=cid).count() == 1
    async with world.client("admin") as admin:
        answered = await admin.post(f"/api/v1/evaluations/objections/{objection_id}/answer", json={"answer": "经核实，已扣分处理，星级不变"})
        assert answered.status_code == 200
        assert (await admin.post(f"/api/v1/evaluations/objections/{objection_id}/answer", json={"answer": "x"})).status_code == 409
        final = await admin.post(f"/api/v1/evaluations/cycles/{cid}/finalize")
        assert final.status_code == 200, final.text
        assert final.json()["counts"]["stars"] == {"1": 0, "2": 1, "3": 1, "4": 0, "5": 1}

    async with world.client() as anyone:  # stars on the public page at once (its cache was dropped)
        profile = await anyone.get(f"/api/v1/public/plates/{code}")
        assert profile.json()["stars"] == 5
        assert "先锋指数 ★★★★★" in (await anyone.get(f"/p/{code}")).text
    async with world.client("sec_a") as sec:
        reprinted = await sec.post(f"/api/v1/members/{world.member_a.id}/plate")
        assert reprinted.status_code == 201
        png = await sec.get(f"/api/v1/members/{world.member_a.id}/plate.png")
        assert png.status_code == 200, png.text
        decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))]
        assert decoded and decoded[0].endswith("/p/" + reprinted.json()["code"])
        from server.plates import issuing
        from server.plates.models import Plate, Profile
        data = await issuing.plate_data(world.member_a, await Profile.get(member=world.member_a),
                                        await Plate.get(code=reprinted.json()["code"]), backend.app.ctx.files, backend.settings)
        assert data.stars == 5 and data.stars_text == "先锋指数 ★★★★★"

        assert (await sec.put(f"/api/v1/evaluations/{ids['market']}/outstanding", json={"outstanding": True})).json()["error"]["code"] == "stars_too_low"
        assert (await sec.put(f"/api/v1/evaluations/{ids['away3']}/outstanding", json={"outstanding": True})).json()["error"]["code"] == "stars_too_low"
        assert (await sec.put(f"/api/v1/evaluations/{mine}/outstanding", json={"outstanding": True})).status_code == 200
        open_ = (await sec.get(f"/api/v1/evaluations/cycles/{cid}/follow-ups?open=true")).json()["items"]
        assert [f["name"] for f in open_] == ["市场党员丙"]
        weak_mentor = await sec.put(f"/api/v1/evaluations/{ids['market']}/follow-up", json={"mentor_evaluation_id": ids["away3"]})
        assert weak_mentor.json()["error"]["code"] == "mentor_stars_too_low" and "mentor_evaluation_id" in weak_mentor.json()["error"]["fields"]
        other = await sec.put(f"/api/v1/evaluations/{ids['market']}/follow-up", json={"mentor_evaluation_id": ids["probation"]})
        assert other.status_code == 409  # excluded: no stars
        assert (await FollowUp.get(evaluation_id=ids["market"])).mentor_id is None
        done = await sec.put(f"/api/v1/evaluations/{ids['market']}/follow-up", json={
            "mentor_evaluation_id": mine, "talk_on": today().isoformat(), "talk_by": "王书记", "talk_notes": "谈经营规范",
            "due_on": (today() + dt.timedelta(days=90)).isoformat()})
        assert done.status_code == 200 and done.json()["done"] and done.json()["mentor_name"] == world.member_a.name
        assert (await sec.get(f"/api/v1/evaluations/cycles/{cid}/follow-ups?open=true")).json()["items"] == []
        assert (await sec.put(f"/api/v1/evaluations/{ids['away3']}/follow-up", json={"talk_by": "x"})).json()["error"]["code"] == "no_follow_up"

        # after the result, stars change only by a recorded, audited correction
        from server.evaluation.cycles import stars_of
        assert (await stars_of([p["veto"].id, world.member_a.id])) == {p["veto"].id: None, world.member_a.id: 5}
        assert (await sec.put(f"/api/v1/evaluations/{ids['away3']}/review", json={"items": items()})).json()["error"]["code"] == "cycle_finalized"
        corrected = await sec.post(f"/api/v1/evaluations/{ids['away3']}/corrections", json={"stars": 4, "reason": "审定时漏计区级表彰"})
        assert corrected.status_code == 201 and corrected.json()["stars"] == 4
        assert await AuditEntry.filter(action="evaluation.corrected", target_id=ids["away3"]).count() == 1
        assert (await sec.post(f"/api/v1/evaluations/{ids['away3']}/corrections", json={"stars": 4})).status_code == 422

        book = await sec.get(f"/api/v1/reports/evaluations.xlsx?cycle_id={cid}")
        assert book.status_code == 200, book.text
    wb = load_workbook(io.BytesIO(book.content))
    by_org = wb["按党组织"]
    header = [c.value for c in by_org[3]]
    rows = {r[0]: dict(zip(header[1:], r[1:])) for r in by_org.iter_rows(min_row=4, values_only=True)}
    branch = rows[world.party_a.name]
    assert branch == {"在考评范围": 7, "不参评：预备党员": 1, "不参评：停业或歇业": 1, "不参评：外出经营超过6个月": 1,
                      "一票否决": 1, "已审定": 3, "★★★★★": 1, "★★★★": 1, "★★★": 0, "★★": 1, "★": 0,
                      "优秀党员": 1, "需帮扶（一二星）": 1, "已谈心并结对": 1}
    assert rows["合计"] == branch
    market_rows = {r[0]: r[1:] for r in wb["市场党员"].iter_rows(min_row=4, values_only=True)}
    assert market_rows[world.market.name][0] == 1 and market_rows[world.market.name][9] == 1  # in scope; ★★
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type in ("s", "n") and not (isinstance(cell.value, str) and cell.data_type != "s")


async def test_the_member_sees_only_their_own_grades_and_staff_only_counts(world):
    a = await logged_in_member(world, "peer_x", world.party_a, name="互评甲")
    b = await logged_in_member(world, "peer_y", world.party_a, name="互评乙")
    cid = (await create_cycle(world))["id"]
    e = await _evaluations(cid)
    async with world.client("peer_x") as c:
        assert (await c.put(f"/api/v1/evaluations/{e[a.id].id}/peers/{e[b.id].id}", json={"grade": "poor"})).status_code == 200
    # the rated member, the other members, the secretary and the association: none learns who gave "poor"
    for who in ("peer_y", "member_a", "sec_a", "admin"):
        async with world.client(who) as c:
            texts = [(await c.get("/api/v1/me/evaluation")).text,
                     (await c.get(f"/api/v1/evaluations/cycles/{cid}/evaluations?limit=200")).text,
                     (await c.get(f"/api/v1/evaluations/{e[b.id].id}")).text,
                     (await c.get(f"/api/v1/evaluations/cycles/{cid}")).text]
            for text in texts:
                assert "rater" not in text
            mine = (await c.get("/api/v1/me/evaluation")).json()["items"]
            for task in mine:
                for peer in task["peers"]:
                    assert peer["grade"] is None  # nobody else graded anything
    async with world.client("peer_x") as c:
        [task] = (await c.get("/api/v1/me/evaluation")).json()["items"]
        assert {p["name"]: p["grade"] for p in task["peers"]} == {"互评乙": "poor", world.member_a.name: None}


async def test_overlapping_cycles_bad_schemes_and_late_self_evaluation_are_refused(world):
    bad = await _post_cycle(world, scheme={**schemes.DEFAULT_SCHEME, "weights": {"self": 50, "peer": 30, "customer": 10, "org": 40}})
    assert bad.json()["error"]["code"] == "scheme_invalid" and "scheme.weights" in bad.json()["error"]["fields"]
    bad = await _post_cycle(world, scheme={**schemes.DEFAULT_SCHEME, "thresholds": [95, 96, 75, 65]})
    assert "scheme.thresholds" in bad.json()["error"]["fields"]
    assert (await _post_cycle(world, who="sec_b", org=world.branch_a)).status_code == 403
    cycle = await create_cycle(world, org=world.branch_a, who="sec_a")
    for org in (world.branch_a, world.party_a, world.root):  # the same org, one inside it, one above it
        again = await _post_cycle(world, org=org)
        assert again.status_code == 409 and again.json()["error"]["code"] == "cycle_overlap"
    assert (await _post_cycle(world, org=world.branch_b)).status_code == 201  # a sibling's members are others
    cid = cycle["id"]
    mine = (await Evaluation.get(cycle_id=cid, member_id=world.member_a.id)).id
    await pass_days(cid, self_until=True)
    async with world.client("member_a") as me:
        late = await me.put(f"/api/v1/evaluations/{mine}/self", json={"items": items()})
        assert late.status_code == 409 and late.json()["error"]["code"] == "deadline_passed"
    assert (await Evaluation.get(id=mine)).self_items is None


async def test_two_set_ups_at_once_in_one_tree_make_one_cycle(world):
    """A district's clerk and a branch's secretary set up the same year at the same moment: the
    second waits for the first and is refused, on PostgreSQL's real concurrent connections too."""
    import asyncio

    async with world.client("admin") as admin, world.client("sec_a") as sec:
        body = {"year": today().year, "deadlines": __import__("tests.evaluation_helpers", fromlist=["x"]).deadlines()}
        answers = await asyncio.gather(*(c.post("/api/v1/evaluations/cycles", json={**body, "org_id": org.id})
                                         for c, org in ((admin, world.root), (sec, world.branch_a), (admin, world.root))))
    assert sorted(a.status_code for a in answers) == [201, 409, 409], [a.text for a in answers]
    from server.evaluation.models import Cycle
    assert await Cycle.filter(org_id__in=[world.root.id, world.branch_a.id]).count() == 1


async def _post_cycle(world, who="admin", org=None, **body):
    from tests.evaluation_helpers import deadlines
    async with world.client(who) as c:
        return await c.post("/api/v1/evaluations/cycles", json={
            "org_id": (org or world.root).id, "year": today().year, "deadlines": deadlines(), **body})


def test_peers_in_a_large_org_are_eight_each_way_and_fixed():
    pairs = rosters.assign(7, {1: list(range(100, 140))})
    raters, ratees = {}, {}
    for a, b in pairs:
        assert a != b
        raters[a] = raters.get(a, 0) + 1
        ratees[b] = ratees.get(b, 0) + 1
    assert set(raters.values()) == {8} and set(ratees.values()) == {8} and len(set(pairs)) == len(pairs)
    assert rosters.assign(7, {1: list(range(100, 140))}) == pairs
    assert len(rosters.assign(7, {1: list(range(15))})) == 15 * 14


def test_scores_weights_and_thresholds():
    s = schemes.DEFAULT_SCHEME
    full = {i["key"]: i["max"] for i in s["items"]}
    parts = schemes.inputs(s, self_items=full, peer_grades=["excellent"], customer_average=5.0, review_items=full)
    assert schemes.score(s, parts, []) == 100
    parts = schemes.inputs(s, self_items=None, peer_grades=[], customer_average=None, review_items=full)
    assert schemes.score(s, parts, [{"points": -20, "reason": "x"}]) == 90  # capped at 10
    assert schemes.inputs(s, self_items=None, peer_grades=[], customer_average=None, review_items=None)["org"] is None
    assert [schemes.stars(s, schemes.Decimal(v)) for v in ("95", "94.9", "85", "75", "65", "64.9")] == [5, 4, 4, 3, 2, 1]
    assert rosters.six_months_before(dt.date(2026, 8, 31)) == dt.date(2026, 2, 28)
