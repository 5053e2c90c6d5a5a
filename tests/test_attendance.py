"""Attendance without a phone: the secretary's marks, leave asked and approved, the sheet."""
from server.activities.models import Attendance, LeaveRequest
from server.audit import AuditEntry
from tests.factories import make_activity, make_member


async def test_secretary_marks_and_the_sheet_counts(world):
    activity = await make_activity(world)
    absent = await make_member(None, world.party_a, name="缺席者")
    unrecorded = await make_member(None, world.party_a, name="未登记")
    async with world.client("sec_a") as c:
        await c.put(f"/api/v1/activities/{activity.id}/attendance/{world.member_a.id}",
                    json={"status": "present", "note": "手机没电，书记代签"})
        response = await c.put(f"/api/v1/activities/{activity.id}/attendance/{absent.id}", json={"status": "absent"})
    assert response.status_code == 200
    sheet = response.json()
    assert (sheet["expected"], sheet["present"], sheet["leave"], sheet["absent"], sheet["unrecorded"]) == (3, 1, 0, 1, 1)
    entries = {e["member_id"]: e for e in sheet["entries"]}
    assert entries[world.member_a.id]["method"] == "manual" and entries[world.member_a.id]["note"] == "手机没电，书记代签"
    assert entries[unrecorded.id]["status"] is None and entries[unrecorded.id]["recorded_at"] is None
    assert await AuditEntry.filter(action="attendance.marked", target_id=activity.id).count() == 2


async def test_marks_are_for_the_audience_and_the_activitys_staff_only(world):
    activity = await make_activity(world)
    stranger = await make_member(None, world.party_b)
    async with world.client("sec_a") as c:
        outside = await c.put(f"/api/v1/activities/{activity.id}/attendance/{stranger.id}", json={"status": "present"})
        bad = await c.put(f"/api/v1/activities/{activity.id}/attendance/{world.member_a.id}", json={"status": "late"})
    async with world.client("sec_b") as c:
        foreign = await c.put(f"/api/v1/activities/{activity.id}/attendance/{world.member_a.id}", json={"status": "present"})
        sheet = await c.get(f"/api/v1/activities/{activity.id}/attendance")
    assert outside.status_code == 404 and "member_id" in outside.json()["error"]["fields"]
    assert bad.status_code == 422 and foreign.status_code == 404 and sheet.status_code == 404
    assert not await Attendance.filter(activity=activity).exists()


async def test_leave_asked_then_approved_becomes_attendance_by_leave(world):
    activity = await make_activity(world, starts_in_minutes=24 * 60)
    async with world.client("member_a") as c:
        asked = await c.post(f"/api/v1/activities/{activity.id}/leave", json={"reason": "进货"})
        again = await c.post(f"/api/v1/activities/{activity.id}/leave", json={"reason": "去外地进货"})
    assert asked.status_code == 201 and again.status_code == 200 and again.json()["id"] == asked.json()["id"]
    assert (await LeaveRequest.get(id=asked.json()["id"])).reason == "去外地进货"
    async with world.client("sec_a") as c:
        listed = (await c.get(f"/api/v1/activities/{activity.id}/leave")).json()
        approved = await c.post(f"/api/v1/activities/{activity.id}/leave/{asked.json()['id']}/approve")
        twice = await c.post(f"/api/v1/activities/{activity.id}/leave/{asked.json()['id']}/approve")
        flip = await c.post(f"/api/v1/activities/{activity.id}/leave/{asked.json()['id']}/reject")
    assert [item["id"] for item in listed["items"]] == [asked.json()["id"]]
    assert approved.json()["status"] == "approved" and twice.status_code == 200
    assert flip.status_code == 409 and flip.json()["error"]["code"] == "leave_already_decided"
    row = await Attendance.get(activity=activity, member=world.member_a)
    assert (row.status, row.method, row.note) == ("leave", "leave", "去外地进货")


async def test_a_member_sees_her_own_leave_request_and_its_decision(world):
    activity = await make_activity(world, starts_in_minutes=24 * 60)
    async with world.client("member_a") as c:
        before = await c.get(f"/api/v1/activities/{activity.id}/leave/mine")
        asked = (await c.post(f"/api/v1/activities/{activity.id}/leave", json={"reason": "进货"})).json()
        pending = await c.get(f"/api/v1/activities/{activity.id}/leave/mine")
    async with world.client("sec_a") as c:
        await c.post(f"/api/v1/activities/{activity.id}/leave/{asked['id']}/reject")
        staff = await c.get(f"/api/v1/activities/{activity.id}/leave/mine")  # not expected at it herself
    async with world.client("member_a") as c:
        decided = (await c.get(f"/api/v1/activities/{activity.id}/leave/mine")).json()
    assert before.status_code == 200 and before.json() == {"leave": None}
    assert pending.json()["leave"]["id"] == asked["id"] and pending.json()["leave"]["status"] == "pending"
    assert decided["leave"]["status"] == "rejected" and decided["leave"]["reason"] == "进货"
    assert staff.status_code == 403 and staff.json()["error"]["code"] == "not_in_audience"


async def test_leave_refused_for_outsiders_and_after_the_end(world):
    over = await make_activity(world, starts_in_minutes=-300, hours=2)
    elsewhere = await make_activity(world, org=world.party_b)
    async with world.client("member_a") as c:
        late = await c.post(f"/api/v1/activities/{over.id}/leave", json={"reason": "x"})
        hidden = await c.post(f"/api/v1/activities/{elsewhere.id}/leave", json={"reason": "x"})
        empty = await c.post(f"/api/v1/activities/{over.id}/leave", json={"reason": " "})
    assert late.status_code == 409 and late.json()["error"]["code"] == "activity_over"
    assert hidden.status_code == 404 and empty.status_code == 422


async def test_a_members_attendance_newest_first_for_her_and_her_secretary_only(world):
    older = await make_activity(world, starts_in_minutes=-3 * 24 * 60, title="上月党课", kind="lecture")
    newer = await make_activity(world, starts_in_minutes=-60, title="本周支委会", kind="committee")
    async with world.client("sec_a") as c:
        await c.put(f"/api/v1/activities/{older.id}/attendance/{world.member_a.id}", json={"status": "present"})
        await c.put(f"/api/v1/activities/{newer.id}/attendance/{world.member_a.id}", json={"status": "absent", "note": "生病"})
        staff = (await c.get(f"/api/v1/members/{world.member_a.id}/attendance")).json()
    async with world.client("member_a") as c:
        own = (await c.get(f"/api/v1/members/{world.member_a.id}/attendance", params={"limit": 1})).json()
    async with world.client("sec_b") as c:
        other = await c.get(f"/api/v1/members/{world.member_a.id}/attendance")
    assert [(e["title"], e["status"], e["method"], e["note"]) for e in staff["items"]] == [
        ("本周支委会", "absent", "manual", "生病"), ("上月党课", "present", "manual", "")]
    assert staff["total"] == 2 and own["total"] == 2 and [e["activity_id"] for e in own["items"]] == [newer.id]
    assert other.status_code == 404
