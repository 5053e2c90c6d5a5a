"""Activities: created and run by the org's staff, seen by the members expected at them."""
from server.activities.models import Activity
from server.audit import AuditEntry
from tests.factories import make_activity, make_member

NEW = {"kind": "lecture", "title": "十二月党课", "starts_at": "2026-12-10T19:00:00+08:00",
       "duration_minutes": 120, "place": "河坊街市场党员活动室"}


async def test_secretary_creates_an_activity_for_their_branch(world):
    async with world.client("sec_a") as c:
        response = await c.post("/api/v1/activities", json={**NEW, "org_id": world.party_a.id})
    assert response.status_code == 201
    body = response.json()
    assert body["counts_as_training"] is True  # a 党课 counts toward the training rate by default
    assert body["starts_at"] == "2026-12-10T19:00:00+08:00" and body["ends_at"] == "2026-12-10T21:00:00+08:00"
    assert body["checkin_opens_at"] == "2026-12-10T18:30:00+08:00"  # 30 minutes before by default
    assert body["checkin_closes_at"] == "2026-12-10T21:00:00+08:00"
    assert "checkin_code" not in body
    assert await AuditEntry.filter(action="activity.created", target_id=body["id"]).exists()


async def test_other_branch_cannot_create_and_bad_times_are_refused(world):
    async with world.client("sec_b") as c:
        other = await c.post("/api/v1/activities", json={**NEW, "org_id": world.party_a.id})
    async with world.client("sec_a") as c:
        backwards = await c.post("/api/v1/activities", json={**NEW, "org_id": world.party_a.id, "duration_minutes": 0})
        spaced = await c.post("/api/v1/activities", json={**NEW, "org_id": world.party_a.id,
                                                              "starts_at": "2026-12-10 19:00:00+08:00"})
        far = await c.post("/api/v1/activities", json={**NEW, "org_id": world.party_a.id,
                                                           "starts_at": "1926-12-10T19:00:00+08:00"})
        naive = await c.post("/api/v1/activities", json={**NEW, "org_id": world.party_a.id,
                                                             "starts_at": "2026-12-10T19:00:00"})
        kind = await c.post("/api/v1/activities", json={**NEW, "org_id": world.party_a.id, "kind": "party"})
        fence = await c.post("/api/v1/activities", json={**NEW, "org_id": world.party_a.id,
                                                             "geofence": {"lat": 120.2, "lng": 30.2, "radius_m": 100}})
    assert other.status_code == 403 and other.json()["error"]["code"] == "not_org_staff"
    assert backwards.status_code == 422 and "duration_minutes" in backwards.json()["error"]["fields"]
    assert spaced.status_code == 422 and far.status_code == 422  # only the text the schema's pattern allows
    assert naive.status_code == 422 and "starts_at" in naive.json()["error"]["fields"]
    assert kind.status_code == 422 and fence.status_code == 422 and "geofence.lat" in fence.json()["error"]["fields"]
    assert not await Activity.filter(org=world.party_a).exists()


async def test_members_see_the_activities_they_are_expected_at(world):
    mine = await make_activity(world)
    above = await make_activity(world, org=world.root, title="全市培训")
    elsewhere = await make_activity(world, org=world.party_b)
    async with world.client("member_a") as c:
        listed = (await c.get("/api/v1/activities")).json()
        hidden = await c.get(f"/api/v1/activities/{elsewhere.id}")
    assert {a["id"] for a in listed["items"]} == {mine.id, above.id}
    assert hidden.status_code == 404
    async with world.client("sec_b") as c:
        assert (await c.get(f"/api/v1/activities/{mine.id}")).status_code == 404


async def test_moving_the_start_keeps_the_length_and_a_duration_moves_the_end(world):
    activity = await make_activity(world, hours=2)
    async with world.client("sec_a") as c:
        moved = (await c.patch(f"/api/v1/activities/{activity.id}",
                               json={"starts_at": "2026-12-20T09:00:00+08:00"})).json()
        longer = (await c.patch(f"/api/v1/activities/{activity.id}", json={"duration_minutes": 180})).json()
    assert (moved["starts_at"], moved["ends_at"]) == ("2026-12-20T09:00:00+08:00", "2026-12-20T11:00:00+08:00")
    assert (longer["starts_at"], longer["ends_at"]) == ("2026-12-20T09:00:00+08:00", "2026-12-20T12:00:00+08:00")


async def test_edit_minutes_and_cancel(world):
    activity = await make_activity(world)
    async with world.client("sec_a") as c:
        edited = await c.patch(f"/api/v1/activities/{activity.id}", json={"minutes": "学习了党章第一章。", "title": "十一月支部党员大会"})
        cancelled = await c.post(f"/api/v1/activities/{activity.id}/cancel", json={"reason": "台风停市"})
        after = await c.patch(f"/api/v1/activities/{activity.id}", json={"title": "x"})
        code = await c.get(f"/api/v1/activities/{activity.id}/checkin-code")
    assert edited.json()["minutes"] == "学习了党章第一章。" and edited.json()["title"] == "十一月支部党员大会"
    assert cancelled.json()["status"] == "cancelled"
    assert after.status_code == 409 and after.json()["error"]["code"] == "activity_cancelled"
    assert code.status_code == 409


async def test_attachment_brings_a_member_of_another_branch_into_the_audience(world):
    # Only the member's own secretary attaches them: another branch's secretary pulling them in
    # would put their name on her sheets and their attendance into her training rates.
    activity = await make_activity(world)
    outsider = await make_member(None, world.party_b, name="外支部党员")
    async with world.client("sec_a") as c:
        pulled = await c.post(f"/api/v1/members/{outsider.id}/attachments", json={"org_id": world.party_a.id})
    async with world.client("sec_b") as c:  # the outsider's own secretary
        attached = await c.post(f"/api/v1/members/{outsider.id}/attachments", json={"org_id": world.party_a.id})
        listed = (await c.get(f"/api/v1/members/{outsider.id}/attachments")).json()
    async with world.client("sec_a") as c:
        sheet = (await c.get(f"/api/v1/activities/{activity.id}/attendance")).json()
        not_hers = await c.delete(f"/api/v1/members/{outsider.id}/attachments/{world.party_a.id}")
    assert pulled.status_code == 404 and pulled.json()["error"]["code"] == "member_not_found"
    assert not await AuditEntry.filter(action="attachment.created", actor_id=world.users["sec_a"].id).exists()
    assert attached.status_code == 201 and set(attached.json()) == {"member_id", "org_id", "created_at"}
    assert [a["org_id"] for a in listed["items"]] == [world.party_a.id]
    assert outsider.id in {e["member_id"] for e in sheet["entries"]} and sheet["expected"] == 2
    assert not_hers.status_code == 404
    async with world.client("sec_b") as c:
        removed = await c.delete(f"/api/v1/members/{outsider.id}/attachments/{world.party_a.id}")
        again = await c.delete(f"/api/v1/members/{outsider.id}/attachments/{world.party_a.id}")
    async with world.client("sec_a") as c:
        sheet = (await c.get(f"/api/v1/activities/{activity.id}/attendance")).json()
    assert removed.status_code == 200 and removed.json()["items"] == []
    assert again.status_code == 404 and again.json()["error"]["code"] == "attachment_not_found"
    assert outsider.id not in {e["member_id"] for e in sheet["entries"]}


async def test_the_attached_members_own_list_follows_attach_and_detach_at_once(world):
    """The orgs a member is expected at are cached with their principal: attaching and detaching
    drop it, so their own activities list (and the detail) follow at once."""
    activity = await make_activity(world)
    user = await world.add_user("outsider")
    outsider = await make_member(user, world.party_b, name="外支部党员")

    async def seen() -> tuple[bool, int]:
        async with world.client("outsider") as c:
            listed = (await c.get("/api/v1/activities")).json()["items"]
            return activity.id in [a["id"] for a in listed], (await c.get(f"/api/v1/activities/{activity.id}")).status_code

    before = await seen()
    async with world.client("sec_b") as c:
        await c.post(f"/api/v1/members/{outsider.id}/attachments", json={"org_id": world.party_a.id})
    attached = await seen()
    async with world.client("sec_b") as c:
        await c.delete(f"/api/v1/members/{outsider.id}/attachments/{world.party_a.id}")
    assert (before, attached, await seen()) == ((False, 404), (True, 200), (False, 404))


async def test_checkin_link_opened_in_a_browser_says_to_use_wechat(backend):
    from tests.asgi import client

    async with client(backend.app) as c:
        response = await c.get("/c/anything.1.xyz")
    assert response.status_code == 200 and "微信扫一扫" in response.text
    assert response.headers["content-type"].startswith("text/html")


async def test_date_filters_compare_instants_not_text(world):
    # 19:00 in Shanghai is 11:00 UTC. SQLite compares stored datetimes as text, so a filter
    # written with +08:00 only works if it is compared in the same zone as what is stored.
    async with world.client("sec_a") as c:
        created = (await c.post("/api/v1/activities", json={**NEW, "org_id": world.party_a.id})).json()
        around = (await c.get("/api/v1/activities", params={
            "from": "2026-12-10T18:30:00+08:00", "to": "2026-12-10T19:30:00+08:00"})).json()
        after = (await c.get("/api/v1/activities", params={"from": "2026-12-10T19:30:00+08:00"})).json()
        utc_form = (await c.get("/api/v1/activities", params={"from": "2026-12-10T10:59:00Z", "to": "2026-12-10T11:01:00Z"})).json()
    assert [a["id"] for a in around["items"]] == [created["id"]]
    assert after["total"] == 0
    assert [a["id"] for a in utc_form["items"]] == [created["id"]]


async def test_times_must_be_text_with_an_offset_in_a_sane_year(world):
    async with world.client("sec_a") as c:
        unix = await c.post("/api/v1/activities", json={**NEW, "org_id": world.party_a.id, "starts_at": 1765364400})
        ancient = await c.post("/api/v1/activities", json={**NEW, "org_id": world.party_a.id,
                                                              "starts_at": "0056-06-09T16:51:51+08:00"})
        query = await c.get("/api/v1/activities", params={"to": "0"})
    assert unix.status_code == 422 and "starts_at" in unix.json()["error"]["fields"]
    assert ancient.status_code == 422 and ancient.json()["error"]["fields"]["starts_at"].startswith("应为带时区的时间文字")
    assert query.status_code == 422 and "to" in query.json()["error"]["fields"]


async def test_a_member_attached_elsewhere_is_still_counted_once(world):
    activity = await make_activity(world)
    async with world.client("admin") as c:
        for org in (world.party_b, world.branch_b):
            assert (await c.post(f"/api/v1/members/{world.member_a.id}/attachments", json={"org_id": org.id})).status_code == 201
    async with world.client("sec_a") as c:
        sheet = (await c.get(f"/api/v1/activities/{activity.id}/attendance")).json()
    assert sheet["expected"] == 1 and [e["member_id"] for e in sheet["entries"]] == [world.member_a.id]
