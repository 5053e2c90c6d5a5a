"""Scan-to-sign-in: every refusal has its own code, nothing is recorded twice."""
import asyncio
import json
import datetime as dt
import time
import uuid

import pytest

from server.activities import checkin, tokens
from server.activities.models import Attendance
from server.audit import AuditEntry
from server.members.models import Registration
from tests.factories import make_activity, make_member, registration_payload


def nonce() -> str:
    return uuid.uuid4().hex


async def code_for(world, activity, who="sec_a") -> dict:
    async with world.client(who) as c:
        response = await c.get(f"/api/v1/activities/{activity.id}/checkin-code")
    assert response.status_code == 200, response.text
    return response.json()


async def scan(world, token, who="member_a", nonce_value=None, location=None):
    body = {"token": token, "nonce": nonce_value or nonce()}
    if location is not None:
        body["location"] = location
    async with world.client(who) as c:
        return await c.post("/api/v1/checkins", json=body)


def refused(response, code, status=None):
    assert response.json()["error"]["code"] == code, response.text
    if status:
        assert response.status_code == status
    return True


async def test_checkin_code_rotates_and_points_at_the_link(world, backend):
    activity = await make_activity(world)
    code = await code_for(world, activity)
    assert code["url"] == f"{backend.settings.public_base_url}/c/{code['token']}"
    assert 0 < code["expires_in"] <= tokens.SLICE_SECONDS
    assert str(activity.id) not in code["token"].split(".")  # the database id is not in the QR
    later, _ = tokens.issue(backend.settings.secret_key, activity.checkin_code, time.time() + tokens.SLICE_SECONDS)
    assert later != code["token"]
    for who in ("sec_b", "member_a"):
        async with world.client(who) as c:
            assert (await c.get(f"/api/v1/activities/{activity.id}/checkin-code")).status_code == 404


async def test_member_checks_in_once_and_a_retry_replays(world):
    activity = await make_activity(world)
    token = (await code_for(world, activity))["token"]
    first_nonce = nonce()
    first = await scan(world, token, nonce_value=first_nonce)
    retry = await scan(world, token, nonce_value=first_nonce)
    second = await scan(world, token)
    assert first.status_code == 201
    body = first.json()
    assert body["status"] == "checked_in" and body["member_id"] == world.member_a.id
    assert body["activity_id"] == activity.id and body["activity_title"] == "支部党员大会"
    assert retry.status_code == 201 and retry.json() == body
    assert second.status_code == 409 and refused(second, "already_checked_in")
    assert second.json()["error"]["checked_in_at"][:16] == body["checked_in_at"][:16]
    rows = await Attendance.filter(activity=activity).values("member_id", "method", "status")
    assert rows == [{"member_id": world.member_a.id, "method": "scan", "status": "present"}]


async def test_a_retry_replays_even_after_the_code_has_turned(world, monkeypatch):
    activity = await make_activity(world)
    token = (await code_for(world, activity))["token"]
    n = nonce()
    first = await scan(world, token, nonce_value=n)
    # A minute later the phone, back in signal, retries with the token it scanned: stale by now,
    # yet the first answer stands. A new scan with that stale token is refused.
    real_time = time.time
    monkeypatch.setattr(tokens.time, "time", lambda: real_time() + 60)
    retry = await scan(world, token, nonce_value=n)
    stale = await scan(world, token)
    assert first.status_code == retry.status_code == 201 and retry.json() == first.json()
    assert refused(stale, "token_expired", 403)


async def test_nonce_reused_for_another_activity_is_refused(world):
    one, two = await make_activity(world), await make_activity(world, title="党课")
    n = nonce()
    assert (await scan(world, (await code_for(world, one))["token"], nonce_value=n)).status_code == 201
    response = await scan(world, (await code_for(world, two))["token"], nonce_value=n)
    assert refused(response, "nonce_reused", 409)
    assert not await Attendance.filter(activity=two).exists()


async def test_forged_truncated_foreign_and_stale_tokens(world, backend):
    activity, other = await make_activity(world), await make_activity(world)
    token = (await code_for(world, activity))["token"]
    code, slice_text, signature = token.split(".")
    swapped_signature = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    yesterday, _ = tokens.issue(backend.settings.secret_key, activity.checkin_code, time.time() - 86400)
    foreign_secret, _ = tokens.issue("another-deployment-secret", activity.checkin_code)
    cases = {
        "forged signature": (f"{code}.{slice_text}.{swapped_signature}", "token_invalid"),
        "truncated": (token[:-5], "token_invalid"),
        "other activity's code, this signature": (f"{other.checkin_code}.{slice_text}.{signature}", "token_invalid"),
        "future slice": (f"{code}.{tokens._base36(int(slice_text, 36) + 5)}.{signature}", "token_invalid"),
        "signed elsewhere": (foreign_secret, "token_invalid"),
        "yesterday": (yesterday, "token_expired"),
        "empty": ("", "token_invalid"),
        "garbage": ("<script>alert(1)</script>", "token_invalid"),
    }
    for label, (bad, expected) in cases.items():
        response = await scan(world, bad)
        assert response.status_code == 403, label  # a check-in code is a pass: a bad one is refused
        assert refused(response, expected), label
    assert not await Attendance.filter(activity_id__in=[activity.id, other.id]).exists()
    denied = await AuditEntry.filter(action="checkin.denied", actor_id=world.users["member_a"].id).count()
    assert denied == 1  # denials are kept once per actor and action a minute


async def test_window_before_and_after(world):
    tomorrow = await make_activity(world, starts_in_minutes=24 * 60)
    over = await make_activity(world, starts_in_minutes=-180, hours=2)
    early = await scan(world, (await code_for(world, tomorrow))["token"])
    late = await scan(world, (await code_for(world, over))["token"])
    assert refused(early, "window_closed", 409) and "签到还没开始" in early.json()["error"]["message"]
    assert refused(late, "window_closed", 409) and "签到已结束" in late.json()["error"]["message"]


async def test_who_may_not_check_in(world):
    activity = await make_activity(world)
    token = (await code_for(world, activity))["token"]
    other_branch = await world.add_user("other_branch")
    await make_member(other_branch, world.party_b)
    pending = await world.add_user("pending")
    await Registration.create(user=pending, status="pending", open_key=pending.id, filled_on=dt.date.today(),
                              **{k: v for k, v in registration_payload(world).items() if k not in ("life_org_id", "market_id")},
                              life_org_id=world.party_a.id, market_id=world.market.id)
    assert refused(await scan(world, token, who="other_branch"), "not_in_audience", 403)
    assert refused(await scan(world, token, who="pending"), "registration_pending", 403)
    assert refused(await scan(world, token, who="vendor"), "not_a_member", 403)
    async with world.client() as anonymous:
        assert (await anonymous.post("/api/v1/checkins", json={"token": token, "nonce": nonce()})).status_code == 401
    assert not await Attendance.filter(activity=activity).exists()


async def test_a_member_moved_away_is_refused_at_once_though_their_membership_is_cached(world, backend):
    """The scan reads the member from the token's cached caller (no database read); a move
    through the members service drops that copy, so the old branch's meeting refuses at once."""
    from server import auth

    bearer = world.tokens["member_a"]
    first, second = await make_activity(world), await make_activity(world, title="第二次支部党员大会")
    assert (await scan(world, (await code_for(world, first))["token"])).status_code == 201
    cached = await backend.store.get(auth.token_cache_key(bearer))
    assert json.loads(cached)[0] == world.users["member_a"].id
    assert json.loads(cached)[1:3] == [world.member_a.id, world.party_a.id]  # the member is cached with the token
    async with world.client("admin") as admin:
        moved = await admin.patch(f"/api/v1/members/{world.member_a.id}",
                                  json={"life_org_id": world.party_b.id, "reason": "组织关系转移"})
    assert moved.status_code == 200, moved.text
    assert refused(await scan(world, (await code_for(world, second))["token"]), "not_in_audience", 403)
    assert (await auth.caller_for_token(bearer, backend.store)).member["life_org_id"] == world.party_b.id


async def test_cancelled_activity_refuses_check_in(world, backend):
    activity = await make_activity(world)
    token = (await code_for(world, activity))["token"]
    async with world.client("sec_a") as c:
        await c.post(f"/api/v1/activities/{activity.id}/cancel", json={"reason": "暴雨"})
    assert refused(await scan(world, token), "activity_cancelled", 409)


async def test_geofence(world):
    # 河坊街 is at about 30.2436 N, 120.1684 E; 500 m north is well outside a 150 m fence.
    activity = await make_activity(world, geofence_lat=30.2436, geofence_lng=120.1684, geofence_radius_m=150)
    token = (await code_for(world, activity))["token"]
    assert refused(await scan(world, token), "location_required", 422)
    assert refused(await scan(world, token, location={"lat": 30.2481, "lng": 120.1684}), "outside_geofence", 403)
    bad = await scan(world, token, location={"lat": 91, "lng": 500})
    assert bad.status_code == 422 and {"location.lat", "location.lng"} <= set(bad.json()["error"]["fields"])
    inside = await scan(world, token, location={"lat": 30.2440, "lng": 120.1690, "accuracy_m": 30})
    assert inside.status_code == 201
    row = await Attendance.get(activity=activity)
    assert (round(row.lat, 4), round(row.lng, 4)) == (30.244, 120.169)


def test_distance_is_right():
    # One degree of latitude is about 111.2 km everywhere.
    assert abs(checkin.distance_m(30, 120, 31, 120) - 111_195) < 100


@pytest.mark.parametrize("body, field", [
    ({"nonce": "abcdefgh12"}, "token"),
    ({"token": "x"}, "nonce"),
    ({"token": "x", "nonce": "short"}, "nonce"),
    ({"token": "x", "nonce": "has spaces in it"}, "nonce"),
    ({"token": "x" * 500, "nonce": "abcdefgh12"}, "token"),
])
async def test_malformed_checkin_bodies(world, body, field):
    async with world.client("member_a") as c:
        response = await c.post("/api/v1/checkins", json=body)
    assert response.status_code == 422 and field in response.json()["error"]["fields"]


async def test_scan_after_a_leave_mark_turns_it_into_presence(world):
    activity = await make_activity(world)
    async with world.client("sec_a") as c:
        await c.put(f"/api/v1/activities/{activity.id}/attendance/{world.member_a.id}", json={"status": "leave"})
    response = await scan(world, (await code_for(world, activity))["token"])
    assert response.status_code == 201
    row = await Attendance.get(activity=activity, member=world.member_a)
    assert (row.status, row.method) == ("present", "scan")


async def test_many_members_at_once_with_retries_give_one_row_each(world, backend):
    """Real concurrency through the app: 120 members scan at once, a fifth of them twice with
    the same nonce and some a third time with a new one."""
    activity = await make_activity(world)
    members = []
    for i in range(120):
        user = await world.add_user(f"m{i}")
        members.append((f"m{i}", await make_member(user, world.party_a, name=f"党员{i}")))
    token = (await code_for(world, activity))["token"]
    nonces = {who: nonce() for who, _ in members}
    owners = [who for who, _ in members] + [who for who, _ in members[::5]] + [who for who, _ in members[::7]]
    requests = [scan(world, token, who=who, nonce_value=nonces[who]) for who, _ in members]
    requests += [scan(world, token, who=who, nonce_value=nonces[who]) for who, _ in members[::5]]
    requests += [scan(world, token, who=who) for who, _ in members[::7]]
    responses = await asyncio.gather(*requests)
    assert await Attendance.filter(activity=activity).count() == 120
    answers: dict[int, set] = {}
    for response in responses:
        if response.status_code == 201:
            answers.setdefault(response.json()["member_id"], set()).add(response.json()["checked_in_at"])
        else:  # only a second nonce can lose, and only as already_checked_in
            assert response.status_code == 409 and response.json()["error"]["code"] == "already_checked_in"
    assert len(answers) == 120 and all(len(times) == 1 for times in answers.values())
    second_nonce = {who for who, _ in members[::7]}
    refused_owners = {who for who, r in zip(owners, responses) if r.status_code != 201}
    assert refused_owners and refused_owners <= second_nonce  # a member who only retried never saw a refusal


async def test_a_flood_of_forged_scans_is_cut_off_and_audits_a_bounded_number(world):
    await make_activity(world)
    flooder = await world.add_user("flooder")
    await make_member(flooder, world.party_a)
    responses = [await scan(world, "2345abcdefgh.1.AAAAAAAAAAAAAAAAAAAAAA", who="flooder") for _ in range(40)]
    codes = [r.json()["error"]["code"] for r in responses]
    assert codes == ["token_invalid"] * checkin.ATTEMPTS_PER_MINUTE + ["rate_limited"] * (40 - checkin.ATTEMPTS_PER_MINUTE)
    assert responses[-1].status_code == 429 and 1 <= int(responses[-1].headers["retry-after"]) <= 60
    assert await AuditEntry.filter(action="checkin.denied", actor_id=flooder.id).count() == 1  # once a minute


async def test_the_checkin_code_comes_with_its_qr_image_holding_the_url(world):
    import base64
    import io

    import zxingcpp
    from PIL import Image

    activity = await make_activity(world)
    code = await code_for(world, activity)
    prefix = "data:image/png;base64,"
    assert code["qr"].startswith(prefix)
    image = Image.open(io.BytesIO(base64.b64decode(code["qr"][len(prefix):])))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [code["url"]]
    assert code["url"].endswith("/c/" + code["token"])
