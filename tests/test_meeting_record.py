"""The meeting record (主持人, 记录人, 议题, 决议 with votes), quorum of a 支部党员大会, and the
year's plan of 三会一课 with done / due / overdue periods."""
import datetime as dt

from server.activities import plan
from server.activities.models import Attendance
from server.audit import AuditEntry
from server.clock import SHANGHAI, now
from tests.factories import make_activity, make_member


def at(year, month, day, hour=19):
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


async def present(activity, *members, status="present", note=""):
    for member in members:
        await Attendance.create(activity=activity, member=member, status=status, method="manual",
                                recorded_at=activity.starts_at, note=note)


async def congress(world, full: int, probationary: int):
    """A past 支部党员大会 of party A whose audience is member_a plus `full` - 1 more full members
    and `probationary` probationary ones."""
    fulls = [world.member_a] + [await make_member(None, world.party_a, name=f"正式{i}", mobile=f"1390000{i:04d}")
                                for i in range(full - 1)]
    probs = [await make_member(None, world.party_a, name=f"预备{i}", standing="probationary",
                               mobile=f"1380000{i:04d}") for i in range(probationary)]
    activity = await make_activity(world, kind="party_congress", starts_in_minutes=-120, hours=1)
    return activity, fulls, probs


async def test_a_congress_with_too_few_full_members_present_is_flagged_and_kept(world):
    # 5 full members expected: quorum is 3. Present: 2 full and 3 probationary (who do not count).
    activity, fulls, probs = await congress(world, full=5, probationary=3)
    await present(activity, *fulls[:2], *probs)
    await present(activity, fulls[2], status="leave", note="进货")
    record = {"host_id": fulls[0].id, "recorder_id": fulls[1].id, "guests": "区市场监管局党委 张书记（到会指导）",
              "topics": ["讨论发展对象", "第二项\n分两行"], "minutes": "一、……\n二、……\n<b>不是标签</b>",
              "resolutions": [{"text": "同意列为发展对象", "votes_for": 2, "votes_against": 0, "abstaining": 0}]}
    async with world.client("sec_a") as c:
        written = await c.put(f"/api/v1/activities/{activity.id}/record", json=record)
        mine = await c.get(f"/api/v1/activities/{activity.id}/record")
    assert written.status_code == 200, written.text
    body = written.json()
    assert body["quorum"] == {"full_expected": 5, "required": 3, "present": 2, "met": False}
    assert (body["expected"], body["present"], body["leave"], body["unrecorded"]) == (8, 5, 1, 2)
    assert body["host"] == {"member_id": fulls[0].id, "name": fulls[0].name}
    assert body["topics"][1] == "第二项\n分两行" and body["minutes"].endswith("<b>不是标签</b>")  # kept as typed
    assert {(a["name"], a["status"], a["reason"]) for a in body["absences"]} >= {(fulls[2].name, "leave", "进货")}
    assert {a["status"] for a in body["absences"]} == {"leave", "unrecorded"}
    assert mine.json() == body
    assert await AuditEntry.filter(action="activity.recorded", target_id=activity.id).exists()
    # One more full member arrives: 3 of 5 is more than half.
    await present(activity, fulls[3])
    async with world.client("sec_a") as c:
        met = (await c.get(f"/api/v1/activities/{activity.id}/record")).json()["quorum"]
    assert met == {"full_expected": 5, "required": 3, "present": 3, "met": True}


async def test_quorum_is_only_for_the_congress_and_members_see_the_record_without_reasons(world):
    activity = await make_activity(world, kind="lecture", starts_in_minutes=-120, hours=1)
    other = await make_member(None, world.party_a, name="缺席者", mobile="13911112222")
    await present(activity, world.member_a)
    await present(activity, other, status="absent", note="住院")
    async with world.client("sec_a") as c:
        staff = (await c.put(f"/api/v1/activities/{activity.id}/record",
                             json={"speaker_name": "区委党校 李老师", "topics": ["学习党章"]})).json()
    async with world.client("member_a") as c:
        member_view = await c.get(f"/api/v1/activities/{activity.id}/record")
    assert staff["quorum"] is None and staff["decides"] is False
    assert staff["speaker"] == {"member_id": None, "name": "区委党校 李老师"}
    assert staff["absences"] == [{"member_id": other.id, "name": "缺席者", "status": "absent", "reason": "住院"}]
    assert member_view.status_code == 200 and member_view.json()["absences"] == []
    assert member_view.json()["topics"] == ["学习党章"]
    async with world.client("member_a") as c:
        refused = await c.put(f"/api/v1/activities/{activity.id}/record", json={"topics": ["改"]})
    assert refused.status_code == 404


async def test_bad_records_are_refused_with_their_code_and_store_nothing(world):
    activity, fulls, _ = await congress(world, full=3, probationary=1)
    await present(activity, *fulls[:2])
    outsider = await make_member(None, world.party_b, name="别的支部", mobile="13955556666")
    lecture = await make_activity(world, kind="lecture", starts_in_minutes=-120, hours=1)
    url = f"/api/v1/activities/{activity.id}/record"
    async with world.client("sec_a") as c:
        host = await c.put(url, json={"host_id": outsider.id})
        votes = await c.put(url, json={"resolutions": [{"text": "决议", "votes_for": 2, "votes_against": 1}]})
        ok_votes = await c.put(url, json={"resolutions": [{"text": "决议", "votes_for": 1, "abstaining": 1}]})
        not_deciding = await c.put(f"/api/v1/activities/{lecture.id}/record",
                                   json={"resolutions": [{"text": "决议"}]})
        twice = await c.put(f"/api/v1/activities/{lecture.id}/record",
                            json={"speaker_id": fulls[0].id, "speaker_name": "外请"})
        negative = await c.put(url, json={"resolutions": [{"text": "决议", "votes_for": -1}]})
        control = await c.put(url, json={"topics": ["a\x00b"]})
    assert (host.status_code, host.json()["error"]["code"]) == (404, "not_org_member")
    assert "host_id" in host.json()["error"]["fields"]
    assert (votes.status_code, votes.json()["error"]["code"]) == (409, "votes_exceed_present")
    assert "resolutions.0" in votes.json()["error"]["fields"]
    assert ok_votes.status_code == 200
    assert (not_deciding.status_code, not_deciding.json()["error"]["code"]) == (409, "resolutions_not_allowed")
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "speaker_twice")
    assert negative.status_code == 422 and control.status_code == 422
    await activity.refresh_from_db()
    assert activity.host_id is None and activity.resolutions[0]["votes_for"] == 1


async def test_the_years_plan_shows_a_quarter_without_a_lecture_as_overdue(world):
    org = world.party_a
    # 2025: lectures in Q1, Q2 and Q4, none in Q3; a cancelled one in Q3 does not count; a lecture
    # of the branch above (not party A's own) does not count either.
    for month in (2, 5, 11):
        await make_activity(world, kind="lecture", starts_at=at(2025, month, 10), ends_at=at(2025, month, 10, 21))
    await make_activity(world, kind="lecture", status="cancelled", starts_at=at(2025, 8, 10), ends_at=at(2025, 8, 10, 21))
    await make_activity(world, org=world.branch_a, kind="lecture", starts_at=at(2025, 9, 1), ends_at=at(2025, 9, 1, 21))
    async with world.client("sec_a") as c:
        response = await c.get("/api/v1/reports/meeting-plan", params={"org_id": org.id, "year": 2025})
    assert response.status_code == 200, response.text
    body = response.json()
    lecture = next(k for k in body["kinds"] if k["kind"] == "lecture")
    assert (lecture["every"], lecture["times"]) == ("quarter", 1)
    assert [(p["period"], p["held"], p["status"]) for p in lecture["periods"]] == [
        ("2025-Q1", 1, "done"), ("2025-Q2", 1, "done"), ("2025-Q3", 0, "overdue"), ("2025-Q4", 1, "done")]
    committee = next(k for k in body["kinds"] if k["kind"] == "committee")
    assert len(committee["periods"]) == 12 and {p["status"] for p in committee["periods"]} == {"overdue"}
    assert ("lecture", "2025-Q3", "overdue") in {(a["kind"], a["period"], a["status"]) for a in body["attention"]}


def test_a_period_is_due_while_it_runs_upcoming_before_and_overdue_after():
    q2 = plan.periods(2026, "quarter")[1]
    assert (q2.key, q2.first, q2.last) == ("2026-Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert plan.status(1, 0, q2, at(2026, 3, 31, 23)) == "upcoming"
    assert plan.status(1, 0, q2, at(2026, 4, 1, 0)) == "due"
    assert plan.status(1, 0, q2, at(2026, 7, 1, 0)) == "overdue"
    assert plan.status(2, 1, q2, at(2026, 7, 1, 0)) == "overdue"
    assert plan.status(1, 1, q2, at(2026, 4, 1, 0)) == "done"
    assert [p.last for p in plan.periods(2028, "month")][1] == dt.date(2028, 2, 29)


async def test_a_meeting_scheduled_later_in_the_period_is_not_yet_held(world):
    moment = now()
    await make_activity(world, kind="theme_day", starts_in_minutes=60 * 24 * 400)  # far ahead: another year
    soon = await make_activity(world, kind="theme_day", starts_in_minutes=1)
    body = await plan.year_plan(world.party_a, moment.astimezone(SHANGHAI).year, moment)
    theme = next(k for k in body["kinds"] if k["kind"] == "theme_day")
    this_month = next(p for p in theme["periods"] if p["first_day"] <= soon.starts_at.astimezone(SHANGHAI).date() <= p["last_day"])
    assert (this_month["held"], this_month["scheduled"], this_month["status"]) == (0, 1, "due")


async def test_a_secretary_sets_the_plan_and_bad_frequencies_are_refused(world):
    url = f"/api/v1/orgs/{world.party_a.id}/meeting-plan"
    async with world.client("sec_a") as c:
        before = (await c.get(url)).json()
        changed = await c.put(url, json={"items": [{"kind": "committee", "every": "none"},
                                                   {"kind": "group", "every": "quarter", "times": 2}]})
        zero = await c.put(url, json={"items": [{"kind": "lecture", "every": "quarter", "times": 0}]})
        negative = await c.put(url, json={"items": [{"kind": "lecture", "every": "quarter", "times": -1}]})
        unknown = await c.put(url, json={"items": [{"kind": "volunteer", "every": "month"}]})
        year = await c.get("/api/v1/reports/meeting-plan", params={"org_id": world.party_a.id, "year": 2101})
        report = (await c.get("/api/v1/reports/meeting-plan", params={"org_id": world.party_a.id, "year": 2026})).json()
    async with world.client("sec_b") as c:
        other = await c.put(url, json={"items": [{"kind": "lecture", "every": "year"}]})
    assert {i["kind"]: (i["every"], i["times"]) for i in before["items"]}["committee"] == ("month", 1)
    assert changed.status_code == 200
    items = {i["kind"]: (i["every"], i["times"]) for i in changed.json()["items"]}
    assert items["committee"] == ("none", 1) and items["group"] == ("quarter", 2) and items["lecture"] == ("quarter", 1)
    for bad in (zero, negative, unknown, year):
        assert bad.status_code == 422, bad.text
    assert other.status_code == 403 and other.json()["error"]["code"] == "not_org_staff"
    kinds = {k["kind"]: k for k in report["kinds"]}
    assert kinds["committee"]["periods"] == [] and len(kinds["group"]["periods"]) == 4
    assert all(p["required"] == 2 for p in kinds["group"]["periods"])
    entry = await AuditEntry.filter(action="meeting_plan.changed").first()
    assert entry is not None


async def test_an_association_starts_with_no_required_meetings(world):
    body = await plan.year_plan(world.branch_a, 2026)
    assert all(k["every"] == "none" and k["periods"] == [] for k in body["kinds"])
