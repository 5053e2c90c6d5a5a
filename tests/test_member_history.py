"""Members over time: status and dates, changes kept with the day they took effect (also in
the past), the roster of any day, a meeting's 应到 as of its day, and bad dates refused."""
import datetime as dt

from server.activities.models import Activity
from server.clock import SHANGHAI, today
from server.codes import random_code
from server.members.models import Member, MemberEvent
from tests.factories import make_member

D = dt.date


async def _meeting(world, day: dt.date) -> Activity:
    starts = dt.datetime.combine(day, dt.time(19, 0), tzinfo=SHANGHAI)
    return await Activity.create(org=world.party_a, kind="party_congress", title="支部党员大会", place="活动室",
                                 starts_at=starts, ends_at=starts + dt.timedelta(hours=2), checkin_code=random_code(12))


async def test_status_and_dates_are_edited_by_staff_seen_by_the_member_and_audited(world):
    async with world.client("sec_a") as c:
        edited = await c.patch(f"/api/v1/members/{world.member_a.id}", json={
            "gender": "female", "joined_party_on": "2001-07-01", "full_member_on": "2002-07-01",
            "business_status": "suspended", "effective_on": (today() - dt.timedelta(days=3)).isoformat(),
            "reason": "店面装修停业"})
    async with world.client("member_a") as mine:
        seen = (await mine.get(f"/api/v1/members/{world.member_a.id}")).json()
        own_history = await mine.get(f"/api/v1/members/{world.member_a.id}/history")
        refused = await mine.patch(f"/api/v1/members/{world.member_a.id}", json={"business_status": "operating"})
    assert edited.status_code == 200, edited.text
    assert (seen["gender"], seen["joined_party_on"], seen["full_member_on"]) == ("female", "2001-07-01", "2002-07-01")
    assert seen["business_status"] == "suspended"
    assert seen["business_status_since"] == (today() - dt.timedelta(days=3)).isoformat()
    assert refused.status_code == 404  # a member reads their record, staff edit it
    [change] = [e for e in own_history.json()["items"] if e["field"] == "business_status" and e["old_value"]]
    assert (change["old_label"], change["new_label"], change["reason"]) == ("正常经营", "停业", "店面装修停业")
    assert change["recorded_by_id"] == world.users["sec_a"].id


async def test_a_change_recorded_late_takes_effect_on_its_day_and_the_roster_of_any_day_follows(world):
    """On 3 December a secretary records that a business closed on 20 November; a member moved
    to party branch B on 1 October; another joined the roster on 10 November."""
    moved = await make_member(None, world.party_a, name="转走的", on_roster_since=D(2026, 1, 1))
    await make_member(None, world.party_a, name="后来的", on_roster_since=D(2026, 11, 10))
    closing = await make_member(None, world.party_a, name="歇业的", on_roster_since=D(2026, 1, 1))
    async with world.client("admin") as c:
        assert (await c.patch(f"/api/v1/members/{moved.id}", json={
            "life_org_id": world.party_b.id, "effective_on": "2026-10-01", "reason": "转到清波"})).status_code == 200
        assert (await c.patch(f"/api/v1/members/{closing.id}", json={
            "business_status": "closed", "effective_on": "2026-11-20", "reason": "补记：11月20日歇业"})).status_code == 200

        async def roster(day: str, **params) -> dict:
            answer = await c.get("/api/v1/members", params={"org_id": world.party_a.id, "as_of": day, "limit": 200,
                                                          **params})
            assert answer.status_code == 200, answer.text
            return {item["name"]: item for item in answer.json()["items"]}

        june = await roster("2026-06-30")
        november = await roster("2026-11-15")
        december = await roster("2026-12-03")
        closed_on_25th = await roster("2026-11-25", business_status="closed")
        operating_on_19th = await roster("2026-11-19", business_status="operating")
        now_list = (await c.get("/api/v1/members", params={"org_id": world.party_a.id, "limit": 200})).json()
    assert "转走的" in june and "转走的" not in november  # in branch B since 1 October
    assert "后来的" not in june and "后来的" in november
    assert june["歇业的"]["business_status"] == "operating" and december["歇业的"]["business_status"] == "closed"
    assert "歇业的" in closed_on_25th and "歇业的" in operating_on_19th
    assert "转走的" not in {item["name"] for item in now_list["items"]}
    assert (await Member.get(id=closing.id)).business_status_since == D(2026, 11, 20)


async def test_a_meetings_expected_members_are_those_of_its_day(world):
    """A meeting held on 17 November does not count a vendor approved on 27 November, and still
    counts one who left the branch afterwards."""
    joined_later = await make_member(None, world.party_a, name="后加入", on_roster_since=D(2026, 11, 27))
    left_later = await make_member(None, world.party_a, name="后离开", on_roster_since=D(2026, 1, 1))
    async with world.client("sec_a") as c:
        assert (await c.patch(f"/api/v1/members/{left_later.id}", json={
            "membership": "left", "left_reason": "transferred_out", "effective_on": "2026-11-20"})).status_code == 200
    meeting = await _meeting(world, D(2026, 11, 17))
    async with world.client("sec_a") as c:
        sheet = (await c.get(f"/api/v1/activities/{meeting.id}/attendance")).json()
    names = {row["name"] for row in sheet["entries"]}
    assert "后加入" not in names and "后离开" in names
    assert sheet["expected"] == len(sheet["entries"])
    member = await Member.get(id=left_later.id)
    assert (member.membership, member.left_on, member.left_reason) == ("left", D(2026, 11, 20), "transferred_out")
    assert joined_later.id not in {row["member_id"] for row in sheet["entries"]}


async def test_bad_dates_are_refused_and_nothing_is_written(world):
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    member = await make_member(None, world.party_a, name="日期", on_roster_since=D(2024, 5, 1), joined_party_on=D(2010, 7, 1))
    before = await MemberEvent.filter(member=member).count()
    async with world.client("sec_a") as c:
        future = await c.patch(f"/api/v1/members/{member.id}", json={"business_status": "closed", "effective_on": tomorrow})
        away_early = await c.patch(f"/api/v1/members/{member.id}", json={"away_since": "2009-01-01"})
        away_future = await c.patch(f"/api/v1/members/{member.id}", json={"away_since": tomorrow})
        before_roster = await c.patch(f"/api/v1/members/{member.id}", json={"category": "floating",
                                                                           "effective_on": "2024-04-30"})
        no_reason = await c.patch(f"/api/v1/members/{member.id}", json={"membership": "left"})
        outside = await c.patch(f"/api/v1/members/{member.id}", json={"life_org_id": world.party_b.id})
    assert future.status_code == away_future.status_code == 409 and future.json()["error"]["code"] == "date_in_future"
    assert away_early.status_code == 409 and "away_since" in away_early.json()["error"]["fields"]
    assert before_roster.status_code == 409 and "effective_on" in before_roster.json()["error"]["fields"]
    assert no_reason.status_code == 409 and no_reason.json()["error"]["code"] == "left_reason_missing"
    assert outside.status_code == 403
    assert await MemberEvent.filter(member=member).count() == before
    fresh = await Member.get(id=member.id)
    assert (fresh.business_status, fresh.away_since, fresh.category, fresh.membership) == (
        "operating", None, "affiliated", "active")


async def test_away_counts_from_its_first_day(world):
    member = await make_member(None, world.party_a, name="外出", on_roster_since=D(2026, 1, 1))
    async with world.client("sec_a") as c:
        away = await c.patch(f"/api/v1/members/{member.id}", json={"away_since": "2026-03-01", "reason": "去义乌经营"})
        february = (await c.get("/api/v1/members", params={"org_id": world.party_a.id, "as_of": "2026-02-28",
                                                           "q": "外出"})).json()["items"]
        march = (await c.get("/api/v1/members", params={"org_id": world.party_a.id, "as_of": "2026-03-01",
                                                        "q": "外出"})).json()["items"]
        back = await c.patch(f"/api/v1/members/{member.id}", json={"away_since": None})
    assert away.status_code == back.status_code == 200
    assert february[0]["away_since"] is None and march[0]["away_since"] == "2026-03-01"
    assert back.json()["away_since"] is None


async def test_a_years_audience_sizes_at_once_equal_the_one_by_one_question(world):
    """history.audience_sizes (the ledger's 应到 for thousands of meetings) must give exactly what
    audience_on gives one meeting at a time: moves between branches, a member who left, one who
    joined late, and attachments made before and after a meeting."""
    import datetime as dt

    from server.clock import SHANGHAI, utc
    from server.members import history
    from server.members.models import Attachment

    people = [await make_member(None, org, name=f"听众{i}", mobile=f"1370000{i:04d}")
              for i, org in enumerate([world.party_a, world.party_a, world.party_b, world.party_b, world.branch_a])]
    mover, leaver, other, late, branch_member = people
    await history.record(mover, {"life_org_id": world.party_b.id}, effective_on=dt.date(2026, 5, 1), by=None, reason="迁")
    await history.record(leaver, {"membership": "left"}, effective_on=dt.date(2026, 7, 1), by=None, reason="转出")
    await history.record(late, {"membership": "left"}, effective_on=dt.date(2020, 1, 1), by=None, reason="未到")
    await history.record(late, {"membership": "active"}, effective_on=dt.date(2026, 3, 1), by=None, reason="到")
    early = await Attachment.create(member=other, org=world.party_a)
    await Attachment.filter(id=early.id).update(created_at=utc(dt.datetime(2026, 2, 1, 10, tzinfo=SHANGHAI)))
    later = await Attachment.create(member=branch_member, org=world.party_b)
    await Attachment.filter(id=later.id).update(created_at=utc(dt.datetime(2026, 9, 1, 10, tzinfo=SHANGHAI)))
    orgs = [world.root, world.branch_a, world.party_a, world.branch_b, world.party_b]
    days = [dt.date(2026, 1, 15), dt.date(2026, 2, 1), dt.date(2026, 3, 1), dt.date(2026, 4, 30), dt.date(2026, 5, 1),
            dt.date(2026, 6, 30), dt.date(2026, 7, 1), dt.date(2026, 8, 31), dt.date(2026, 9, 1), dt.date(2026, 12, 31)]
    wanted = {(org.id, org.path, day) for org in orgs for day in days}
    at_once = await history.audience_sizes(wanted)
    one_by_one = {(org_id, day): await history.audience_on(day, org_id, path).count() for org_id, path, day in wanted}
    assert at_once == one_by_one
    assert at_once[(world.party_a.id, dt.date(2026, 2, 1))] == one_by_one[(world.party_a.id, dt.date(2026, 1, 15))] + 1
    assert await history.audience_sizes(set()) == {}
    # Who, not only how many: listed (small audiences) and counted-and-looked-up (large ones)
    # agree with the one-by-one question on every member, category, standing and full count.
    listed = await history.audience_members(wanted)
    history.LARGE_AUDIENCE, saved = 0, history.LARGE_AUDIENCE
    try:
        counted = await history.audience_members(wanted)
    finally:
        history.LARGE_AUDIENCE = saved
    for org_id, path, day in wanted:
        expected = {m.id: (m.category, m.standing) for m in await history.audience_on(day, org_id, path)}
        small, large = listed[(org_id, day)], counted[(org_id, day)]
        assert isinstance(large, history.LargeAudience) or not expected
        assert dict(small) == expected and dict(large) == expected and len(large) == len(expected)
        assert history.full_count(large) == history.full_count(small) == sum(s == "full" for _, s in expected.values())
        assert all(large.get(member_id) == value for member_id, value in expected.items())
