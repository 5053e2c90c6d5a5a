"""Attendance without a network: member cards scanned by the secretary's phone, uploaded later
(pretixSCAN's way: a trusted device keeps the scans and sends them when it can).

Before the meeting, online, the phone downloads the activity's pack: the expected members with a
digest of each one's member code (codes.digest), and a signed token saying which activity, when
it was issued on the server's clock and until when it serves (the check-in window's close). In
the room the phone checks scanned cards against the pack and keeps each scan with its own clock
time, a sequence number and its device id. Back online it uploads them:

- each (device, seq) is stored once with its outcome, so an upload sent twice, or two retries at
  once, change nothing (a seq sent again with other content is `seq_conflict`);
- the phone's clock is put right by its offset from the server's, measured when it downloaded the
  pack and when it uploads (each scan takes the nearer measurement), then the scan must fall in
  the check-in window, give or take CLOCK_TOLERANCE;
- a scan becomes an ordinary attendance row (method `card`, at the scan's time): the unique
  (activity, member) pair keeps check-in exactly-once across the rotating code and the cards, and
  a card overrides a leave or absent mark as a scan of the code does.

Uploads for one activity run one at a time (its row locked FOR NO KEY UPDATE, which check-ins'
foreign-key checks do not wait for), so the seq rule holds under concurrency on PostgreSQL;
SQLite serialises writers anyway.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from server import audit, limits
from server.activities import service as activities
from server.activities.models import Activity, Attendance, OfflineScan
from server.auth import Principal
from server.clock import now
from server.errors import Conflict
from server.members import codes

CLOCK_TOLERANCE = timedelta(minutes=5)
OUTCOMES = {
    "recorded": "已记为出席", "already_checked_in": "已经签到过", "not_in_audience": "不在本次活动的应到名单",
    "outside_window": "扫码时间不在签到时段", "unknown_code": "签到码无效或已补办作废", "seq_conflict": "序号与之前上传的不一致",
}


class PackInvalid(Conflict):
    code, message = "pack_invalid", "离线签到名单无效或不属于这次活动，请联网重新下载名单"


def _sign(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), f"offline-pack:{body}".encode(), hashlib.sha256).hexdigest()[:32]


def pack_token(secret: str, activity_id: int, issued_at: datetime, valid_until: datetime) -> str:
    body = f"{activity_id}.{int(issued_at.timestamp())}.{int(valid_until.timestamp())}"
    return f"{body}.{_sign(secret, body)}"


def read_pack(secret: str, token: str, activity_id: int) -> tuple[datetime, datetime]:
    """(issued_at, valid_until) of a pack this server signed for this activity; PackInvalid otherwise."""
    parts = token.split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]) or int(parts[0]) != activity_id:
        raise PackInvalid()
    if not hmac.compare_digest(parts[3], _sign(secret, ".".join(parts[:3]))):
        raise PackInvalid()
    return datetime.fromtimestamp(int(parts[1]), now().tzinfo), datetime.fromtimestamp(int(parts[2]), now().tzinfo)


async def pack(principal: Principal, activity_id: int, secret: str) -> dict:
    activity = await activities.staff_activity(principal, activity_id, "offline_pack")
    if activity.status == "cancelled":
        raise activities.ActivityCancelled()
    members = await activities.expected_members(activity).order_by("name", "id").values("id", "name")
    held = await codes.ensure_many([m["id"] for m in members])
    issued_at = now().replace(microsecond=0)
    opens, closes = activities.window(activity)
    await audit.record("activity.offline_pack", actor=principal.user, org=activity.org_id, target=activity, members=len(members))
    return {
        "activity_id": activity.id, "title": activity.title, "pack": pack_token(secret, activity.id, issued_at, closes),
        "issued_at": issued_at, "opens_at": opens, "valid_until": closes,
        "members": [{"member_id": m["id"], "name": m["name"], "digest": codes.digest(activity.id, held[m["id"]])}
                    for m in members],
    }


def _server_time(scanned_at: datetime, downloaded_at: datetime, sent_at: datetime, issued_at: datetime,
                 received_at: datetime) -> datetime:
    """A scan's moment on the server's clock: the phone's offset measured at download and at upload,
    the nearer of the two (a clock set right or wrong in between moves only the later scans)."""
    at_download = downloaded_at - issued_at
    at_upload = sent_at - received_at
    nearer = at_download if abs(scanned_at - downloaded_at) <= abs(scanned_at - sent_at) else at_upload
    return scanned_at - nearer


async def upload(principal: Principal, activity_id: int, data: dict, secret: str, store) -> dict:
    activity = await activities.staff_activity(principal, activity_id, "offline_upload")
    issued_at, _valid_until = read_pack(secret, data["pack"], activity.id)
    await limits.charge(store, principal.user.id, "offline.upload")
    received_at = now()
    opens, closes = activities.window(activity)
    device, scans = data["device_id"], data["scans"]
    results: list[str | None] = [None] * len(scans)
    copies: dict[int, int] = {}  # a scan sent twice in one upload → the index of its first
    async with in_transaction():
        # One upload at a time per activity. FOR NO KEY UPDATE, not FOR UPDATE: a member's check-in
        # inserting its attendance row takes KEY SHARE on the activity (the foreign key), and FOR
        # UPDATE would make it wait for us while we wait for its row (a deadlock the test met).
        await Activity.filter(id=activity.id).select_for_update(no_key=True).first()
        stored = {s.seq: s for s in await OfflineScan.filter(device_id=device, seq__in=[s["seq"] for s in scans])}
        fresh, seen = [], {}
        for index, scan in enumerate(scans):
            key = (activity.id, scan["member_code"], scan["scanned_at"])
            before = stored.get(scan["seq"])
            if before is not None:
                same = (before.activity_id, before.member_code, before.scanned_at) == key
                results[index] = before.outcome if same else "seq_conflict"
            elif scan["seq"] in seen:  # twice in one upload: the first one counts
                first, first_key = seen[scan["seq"]]
                if first_key == key:
                    copies[index] = first
                else:
                    results[index] = "seq_conflict"
            else:
                seen[scan["seq"]] = (index, key)
                fresh.append(index)
        found = {c.code: c for c in await codes.MemberCode.filter(code__in=[scans[i]["member_code"] for i in fresh])}
        member_ids = [c.member_id for c in found.values() if c.active_key is not None]
        expected = set(await activities.expected_members(activity).filter(id__in=member_ids).values_list("id", flat=True))
        rows = []
        for index in sorted(fresh, key=lambda i: scans[i]["scanned_at"]):
            scan = scans[index]
            counted_at = _server_time(scan["scanned_at"], data["downloaded_at"], data["sent_at"], issued_at, received_at)
            code = found.get(scan["member_code"])
            member_id = code.member_id if code is not None else None
            if code is None or code.active_key is None:
                outcome = "unknown_code"
            elif member_id not in expected:
                outcome = "not_in_audience"
            elif activity.status == "cancelled" or not opens - CLOCK_TOLERANCE <= counted_at <= closes + CLOCK_TOLERANCE:
                outcome = "outside_window"
            else:
                outcome = await _attend(activity, member_id, device, scan["seq"], counted_at, principal.user)
            results[index] = outcome
            rows.append(OfflineScan(activity=activity, device_id=device, seq=scan["seq"], member_code=scan["member_code"],
                                    scanned_at=scan["scanned_at"], counted_at=counted_at, member_id=member_id,
                                    outcome=outcome, uploaded_by=principal.user))
        if rows:
            await OfflineScan.bulk_create(rows)
    for index, first in copies.items():
        results[index] = results[first]
    counts: dict[str, int] = {}
    for outcome in results:
        counts[outcome] = counts.get(outcome, 0) + 1
    await audit.record("activity.offline_upload", actor=principal.user, org=activity.org_id, target=activity,
                       device=device[:64], scans=len(scans), counts=counts)
    return {"results": [{"seq": s["seq"], "outcome": outcome} for s, outcome in zip(scans, results)], "counts": counts}


async def _attend(activity: Activity, member_id: int, device: str, seq: int, at: datetime, user) -> str:
    """One card scan as attendance: a new row, or a leave/absent mark turned into present."""
    nonce = f"card:{hashlib.sha256(device.encode()).hexdigest()[:16]}:{seq}"
    await Attendance.bulk_create([Attendance(activity_id=activity.id, member_id=member_id, status="present", method="card",
                                             nonce=nonce, recorded_at=at, recorded_by=user)], ignore_conflicts=True)
    row = await Attendance.get(activity_id=activity.id, member_id=member_id)
    if row.nonce == nonce:
        return "recorded"
    if row.status != "present":
        await Attendance.filter(id=row.id).update(status="present", method="card", nonce=nonce, recorded_at=at,
                                                  recorded_by_id=user.id, note="")
        return "recorded"
    return "already_checked_in"
