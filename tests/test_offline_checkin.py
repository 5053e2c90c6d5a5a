"""Attendance without signal: member codes, the offline pack, and uploads of card scans, on both
backends. The rules: one row per (device, seq) whatever is sent again, the phone's clock put
right, the window and the audience enforced, one attendance row per member across the rotating
code and the cards, and bad packs, codes and uploads refused with their code."""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import secrets

from server.activities import tokens
from server.activities.models import Attendance, OfflineScan
from server.clock import now
from server.members.models import MemberCode
from tests.factories import make_activity, make_member



def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="milliseconds")


async def setup(world, **activity):
    activity = await make_activity(world, starts_in_minutes=activity.pop("starts_in_minutes", 10), **activity)
    others = [await make_member(None, world.party_a, name=f"党员{i}", mobile=f"1390000{i:04d}") for i in range(1, 4)]
    async with world.client("sec_a") as c:
        pack = (await c.get(f"/api/v1/activities/{activity.id}/offline-pack")).json()
    codes = dict(await MemberCode.filter(active_key__isnull=False).values_list("member_id", "code"))
    pack["device"] = f"phone-{secrets.token_hex(6)}"  # the database outlives a test: a phone of its own
    return activity, others, pack, codes


def body(pack, scans, *, skew=dt.timedelta(0)):
    phone_now = now() + skew
    return {"device_id": pack["device"], "pack": pack["pack"], "downloaded_at": iso(phone_now - dt.timedelta(minutes=1)),
            "sent_at": iso(phone_now), "scans": scans}


async def test_the_pack_lists_the_expected_with_digests_never_codes_or_mobiles(world):
    activity, others, pack, codes = await setup(world)
    async with world.client("sec_a") as c:
        again = (await c.get(f"/api/v1/activities/{activity.id}/offline-pack")).json()
    names = [m["name"] for m in pack["members"]]
    assert sorted(names) == sorted(["王建国", "党员1", "党员2", "党员3"])
    member = next(m for m in pack["members"] if m["member_id"] == world.member_a.id)
    assert member["digest"] == hashlib.sha256(f"{activity.id}:{codes[world.member_a.id]}".encode()).hexdigest()[:24]
    text = str(pack)
    assert not any(code in text for code in codes.values()) and world.member_a.mobile not in text
    assert [m["digest"] for m in again["members"]] == [m["digest"] for m in pack["members"]]  # codes issued once
    assert abs((dt.datetime.fromisoformat(pack["valid_until"]) - activity.ends_at).total_seconds()) < 1


async def test_an_upload_records_once_and_a_second_upload_changes_nothing(world):
    activity, others, pack, codes = await setup(world)
    at = now()
    scans = [{"seq": 1, "member_code": codes[world.member_a.id], "scanned_at": iso(at)},
             {"seq": 2, "member_code": codes[others[0].id], "scanned_at": iso(at + dt.timedelta(seconds=20))},
             {"seq": 3, "member_code": codes[world.member_a.id], "scanned_at": iso(at + dt.timedelta(seconds=40))}]
    async with world.client("sec_a") as c:
        first = await c.post(f"/api/v1/activities/{activity.id}/offline-scans", json=body(pack, scans))
        again = await c.post(f"/api/v1/activities/{activity.id}/offline-scans", json=body(pack, scans))
        sheet = (await c.get(f"/api/v1/activities/{activity.id}/attendance")).json()
    assert first.status_code == 200, first.text
    assert [r["outcome"] for r in first.json()["results"]] == ["recorded", "recorded", "already_checked_in"]
    assert again.json() == first.json()
    rows = await Attendance.filter(activity=activity).order_by("member_id").values("member_id", "method", "status", "recorded_at")
    assert [(r["member_id"], r["method"], r["status"]) for r in rows] == [
        (world.member_a.id, "card", "present"), (others[0].id, "card", "present")]
    assert abs((rows[0]["recorded_at"] - at).total_seconds()) < 2  # the scan's time, not the upload's
    assert sheet["present"] == 2 and await OfflineScan.filter(activity=activity).count() == 3


async def test_a_phone_clock_hours_off_is_put_right(world):
    activity, others, pack, codes = await setup(world)
    skew = dt.timedelta(hours=-5)  # the phone thinks it is five hours earlier
    scans = [{"seq": 1, "member_code": codes[others[0].id], "scanned_at": iso(now() + skew)}]
    async with world.client("sec_a") as c:
        answer = (await c.post(f"/api/v1/activities/{activity.id}/offline-scans", json=body(pack, scans, skew=skew))).json()
    assert answer["results"] == [{"seq": 1, "outcome": "recorded"}]
    row = await Attendance.get(activity=activity, member=others[0])
    assert abs((row.recorded_at - now()).total_seconds()) < 120


async def test_outcomes_for_every_kind_of_bad_scan(world):
    activity, others, pack, codes = await setup(world)
    outsider = await make_member(None, world.party_b, name="清波党员", mobile="13600002222")
    async with world.client("sec_b") as c:  # gives the outsider a code of their own
        await c.get(f"/api/v1/members/{outsider.id}/member-code")
    old = codes[others[1].id]
    async with world.client("sec_a") as c:  # a lost card: the old code is revoked
        reissued = await c.post(f"/api/v1/members/{others[1].id}/member-code")
    outsider_code = (await MemberCode.get(active_key=outsider.id)).code
    late = activity.ends_at + dt.timedelta(hours=3)
    scans = [{"seq": 10, "member_code": old, "scanned_at": iso(now())},
             {"seq": 11, "member_code": "zzzzzzzzzzzz", "scanned_at": iso(now())},
             {"seq": 12, "member_code": outsider_code, "scanned_at": iso(now())},
             {"seq": 13, "member_code": codes[others[2].id], "scanned_at": iso(late)}]
    async with world.client("sec_a") as c:
        answer = (await c.post(f"/api/v1/activities/{activity.id}/offline-scans", json=body(pack, scans))).json()
    assert reissued.status_code == 201 and reissued.json()["code"] != old
    assert [r["outcome"] for r in answer["results"]] == ["unknown_code", "unknown_code", "not_in_audience", "outside_window"]
    assert answer["counts"] == {"unknown_code": 2, "not_in_audience": 1, "outside_window": 1}
    assert not await Attendance.filter(activity=activity).exists()


async def test_a_sequence_number_sent_again_with_other_content_is_a_conflict(world):
    activity, others, pack, codes = await setup(world)
    at = iso(now())
    async with world.client("sec_a") as c:
        await c.post(f"/api/v1/activities/{activity.id}/offline-scans",
                     json=body(pack, [{"seq": 5, "member_code": codes[others[0].id], "scanned_at": at}]))
        changed = (await c.post(f"/api/v1/activities/{activity.id}/offline-scans",
                                json=body(pack, [{"seq": 5, "member_code": codes[others[1].id], "scanned_at": at},
                                                 {"seq": 6, "member_code": codes[others[2].id], "scanned_at": at},
                                                 {"seq": 6, "member_code": codes[others[1].id], "scanned_at": at}]))).json()
    async with world.client("sec_a") as c:  # the same scan twice in one upload is one scan
        twice = (await c.post(f"/api/v1/activities/{activity.id}/offline-scans",
                              json=body(pack, [{"seq": 7, "member_code": codes[world.member_a.id], "scanned_at": at}] * 2))).json()
    assert [r["outcome"] for r in changed["results"]] == ["seq_conflict", "recorded", "seq_conflict"]
    assert [r["outcome"] for r in twice["results"]] == ["recorded", "recorded"]
    assert await OfflineScan.filter(device_id=pack["device"], seq=7).count() == 1
    assert not await Attendance.filter(activity=activity, member=others[1]).exists()
    assert (await OfflineScan.get(device_id=pack["device"], seq=5)).member_code == codes[others[0].id]


async def test_a_card_overrides_a_leave_mark_and_a_code_scan_before_it_wins(world, backend):
    activity, others, pack, codes = await setup(world)
    token, _ = tokens.issue(backend.settings.secret_key, activity.checkin_code)
    async with world.client("member_a") as c:
        scanned = await c.post("/api/v1/checkins", json={"token": token, "nonce": "nonce-member-a-1"})
    async with world.client("sec_a") as c:
        await c.put(f"/api/v1/activities/{activity.id}/attendance/{others[0].id}", json={"status": "leave", "note": "进货"})
        answer = (await c.post(f"/api/v1/activities/{activity.id}/offline-scans", json=body(pack, [
            {"seq": 1, "member_code": codes[world.member_a.id], "scanned_at": iso(now())},
            {"seq": 2, "member_code": codes[others[0].id], "scanned_at": iso(now())}]))).json()
    assert scanned.status_code == 201
    assert [r["outcome"] for r in answer["results"]] == ["already_checked_in", "recorded"]
    rows = dict(await Attendance.filter(activity=activity).values_list("member_id", "method"))
    assert rows == {world.member_a.id: "scan", others[0].id: "card"}


async def test_refusals_outside_the_rules(world):
    activity, others, pack, codes = await setup(world)
    scan = [{"seq": 1, "member_code": codes[others[0].id], "scanned_at": iso(now())}]
    elsewhere = await make_activity(world, org=world.party_b)
    forged = dict(pack, pack=pack["pack"].rsplit(".", 1)[0] + ".0000000000000000000000000000000")
    stretched = pack["pack"].split(".")
    stretched[2] = str(int(stretched[2]) + 86400)  # valid for a day longer: the signature no longer fits
    async with world.client("sec_a") as c:
        bad_pack = await c.post(f"/api/v1/activities/{activity.id}/offline-scans", json=body(forged, scan))
        altered = await c.post(f"/api/v1/activities/{activity.id}/offline-scans", json=body(dict(pack, pack=".".join(stretched)), scan))
        wrong_activity = await c.post(f"/api/v1/activities/{elsewhere.id}/offline-scans", json=body(pack, scan))
        flood = await c.post(f"/api/v1/activities/{activity.id}/offline-scans", json=body(pack, [
            {"seq": i + 1, "member_code": "abcdefghjkmn", "scanned_at": iso(now())} for i in range(10_000)]))
        over = await c.post(f"/api/v1/activities/{activity.id}/offline-scans", json=body(pack, [
            {"seq": i + 1, "member_code": "abcdefghjkmn", "scanned_at": iso(now())} for i in range(1001)]))
        no_device = await c.post(f"/api/v1/activities/{activity.id}/offline-scans", json=dict(body(pack, scan), device_id="x"))
    async with world.client("sec_b") as c:
        foreign_pack = await c.get(f"/api/v1/activities/{activity.id}/offline-pack")
        foreign_upload = await c.post(f"/api/v1/activities/{activity.id}/offline-scans", json=body(pack, scan))
    async with world.client("member_a") as c:
        member_pack = await c.get(f"/api/v1/activities/{activity.id}/offline-pack")
    assert (bad_pack.status_code, bad_pack.json()["error"]["code"]) == (409, "pack_invalid")
    assert (altered.status_code, altered.json()["error"]["code"]) == (409, "pack_invalid")
    assert wrong_activity.status_code == 404  # sec_a does not run branch B's meeting
    assert (flood.status_code, flood.json()["error"]["code"]) == (413, "payload_too_large")
    assert over.status_code == 422 and "scans" in over.json()["error"]["fields"]  # a phone sends at most 1,000 at once
    assert no_device.status_code == 422
    assert foreign_pack.status_code == 404 and foreign_upload.status_code == 404 and member_pack.status_code == 404
    assert not await Attendance.filter(activity=activity).exists() and not await OfflineScan.filter(activity=activity).exists()


async def test_member_code_for_the_member_and_their_secretary_only(world):
    async with world.client("member_a") as c:
        own = await c.get(f"/api/v1/members/{world.member_a.id}/member-code")
        again = await c.get(f"/api/v1/members/{world.member_a.id}/member-code")
    async with world.client("sec_b") as c:
        foreign = await c.get(f"/api/v1/members/{world.member_a.id}/member-code")
    assert own.status_code == 200 and own.json()["code"] == again.json()["code"]
    assert own.json()["url"].endswith(f"/m/{own.json()['code']}") and own.json()["qr"].startswith("data:image/png;base64,")
    assert len(own.json()["code"]) == 12 and not set(own.json()["code"]) & set("01ilo")
    assert foreign.status_code == 404


async def test_two_uploads_of_one_batch_at_once_with_code_scans_in_between_give_one_row_each(world, backend):
    """Real concurrency: the same batch sent by two retries at once while a member also scans the
    rotating code; every member ends with one attendance row and every scan with one outcome.
    Five rounds: a first version locked the activity FOR UPDATE and deadlocked with the check-in's
    foreign-key check now and then (PostgreSQL)."""
    extra = [await make_member(None, world.party_a, name=f"群众党员{i}", mobile=f"1370000{i:04d}") for i in range(20)]
    for round_no in range(5):
        activity, others, pack, codes = await setup(world)
        everyone = [world.member_a, *others, *extra]
        scans = [{"seq": i + 1, "member_code": codes[m.id], "scanned_at": iso(now())} for i, m in enumerate(everyone)]
        token, _ = tokens.issue(backend.settings.secret_key, activity.checkin_code)

        async def upload():
            async with world.client("sec_a") as c:
                return await c.post(f"/api/v1/activities/{activity.id}/offline-scans", json=body(pack, scans))

        async def code_scan():
            async with world.client("member_a") as c:
                return await c.post("/api/v1/checkins", json={"token": token, "nonce": f"nonce-concurrent-{secrets.token_hex(4)}"})

        first, scanned, second = await asyncio.gather(upload(), code_scan(), upload())
        assert first.status_code == second.status_code == 200, (round_no, first.text, second.text)
        assert scanned.status_code in (201, 409), scanned.text
        assert first.json() == second.json()
        assert await Attendance.filter(activity=activity).count() == len(everyone)
        assert await OfflineScan.filter(activity=activity).count() == len(everyone)
        outcomes = [r["outcome"] for r in first.json()["results"]]
        assert outcomes.count("recorded") in (len(everyone), len(everyone) - 1)  # member_a may have scanned the code first
        assert set(outcomes) <= {"recorded", "already_checked_in"}
