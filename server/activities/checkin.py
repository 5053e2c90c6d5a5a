"""Scan-to-sign-in: the rules, in the order the phone should hear about them.

Exactly once by construction: one attendance row per (activity, member) in the database, the
phone's nonce stored with it (unique), and a retry with the same nonce answered with the first
result. A first scan costs one round trip to the key-value store (token, activity, rate limit) and
one insert; the member is cached with the token.
"""
from __future__ import annotations

import math
from datetime import datetime

from tortoise.exceptions import IntegrityError

from server import audit, auth
from server.observe import CHECKINS
from server.activities import service as activities, tokens
from server.activities.models import Attendance
from server.clock import SHANGHAI, now
from server.errors import Conflict, DomainError, Forbidden, RateLimited, ValidationFailed
from server.kv import KeyValueStore
from server.members.models import Attachment, Registration

ATTEMPTS_PER_MINUTE = 30
# GPS on a phone indoors is off by tens of metres: allow the reported accuracy, up to this.
MAX_ACCURACY_SLACK_M = 100


class NotAMember(Forbidden):
    code, message = "not_a_member", "你还不是登记在册的党员，请先填写党建信息登记表"


class RegistrationPending(Forbidden):
    code, message = "registration_pending", "你的登记表还在等待书记审核，审核通过后才能签到"


class NotInAudience(Forbidden):
    code, message = "not_in_audience", "你不在本次活动的参加范围内，如需参加请联系书记"


class OutsideGeofence(Forbidden):
    code, message = "outside_geofence", "你不在活动地点附近，请到现场后再扫码签到"


class LocationRequired(ValidationFailed):
    code, message = "location_required", "本次活动需要定位签到，请允许小程序获取位置后再试"


class WindowClosed(Conflict):
    code = "window_closed"


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"


class NonceReused(Conflict):
    code, message = "nonce_reused", "这次签到请求的编号已被使用，请重新扫码"


def _hhmm(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, SHANGHAI).strftime("%m月%d日 %H:%M")


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine), metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def _answer(row: dict, title: str) -> dict:
    return {"status": "checked_in", "activity_id": row["activity_id"], "activity_title": title,
            "member_id": row["member_id"], "checked_in_at": row["recorded_at"]}


async def _replay(nonce: str, code: str, user_id: int) -> dict | None:
    """The first answer to this nonce, if it was this member's check-in to this activity."""
    row = await Attendance.filter(nonce=nonce).values(
        "activity_id", "member_id", "recorded_at", "activity__checkin_code", "activity__title", "member__user_id")
    if not row:
        return None
    row = row[0]
    if row["activity__checkin_code"] != code or row["member__user_id"] != user_id:
        raise NonceReused()
    return _answer(row, row["activity__title"])


async def _member(caller: auth.Caller) -> dict:
    if caller.member:
        return caller.member
    if await Registration.exists(user_id=caller.user_id, status="pending"):
        raise RegistrationPending()
    raise NotAMember()


async def check_in(*, caller: auth.Caller, code: str, slice_no: int, cached_activity: str | None, nonce: str,
                   location: dict | None, store: KeyValueStore) -> tuple[dict, bool]:
    """Returns (answer, created). A retry is recognised by its nonce only when something stands
    in the way (the code has turned, the row exists), so a first scan costs no lookup for it."""
    try:
        member, activity, lat, lng = await _admit(caller, code, slice_no, cached_activity, location, store)
    except DomainError:
        replay = await _replay(nonce, code, caller.user_id)
        if replay:
            return replay, False
        raise
    recorded_at = now()
    try:
        await Attendance.create(activity_id=activity["id"], member_id=member["id"], status="present", method="scan",
                                nonce=nonce, recorded_at=recorded_at, lat=lat, lng=lng)
    except IntegrityError:
        return await _settle_conflict(activity, member["id"], nonce, code, caller.user_id, recorded_at, lat, lng)
    return _answer({"activity_id": activity["id"], "member_id": member["id"], "recorded_at": recorded_at},
                   activity["title"]), True


async def _admit(caller: auth.Caller, code: str, slice_no: int, cached_activity: str | None, location: dict | None,
                 store: KeyValueStore):
    """Every rule a scan must pass, in the order the phone should hear about them."""
    tokens.check_fresh(slice_no)
    member = await _member(caller)
    activity = await activities.snapshot(store, code, cached_activity)
    if activity is None:
        raise tokens.TokenInvalid()
    if activity["status"] == "cancelled":
        raise activities.ActivityCancelled()
    moment = now().timestamp()
    if moment < activity["opens"]:
        raise WindowClosed(f"签到还没开始，{_hhmm(activity['opens'])} 起可以签到",
                           extra={"opens_at": _hhmm(activity["opens"])})
    if moment > activity["closes"]:
        raise WindowClosed("签到已结束，如有需要请联系书记补登", extra={"closes_at": _hhmm(activity["closes"])})
    if not member["life_org__path"].startswith(activity["org_path"]) and not await Attachment.exists(
            member_id=member["id"], org_id=activity["org_id"]):
        raise NotInAudience()
    lat = lng = None
    if activity["geofence"]:
        if not location:
            raise LocationRequired()
        fence = activity["geofence"]
        lat, lng = location["lat"], location["lng"]
        slack = min(location.get("accuracy_m") or 0, MAX_ACCURACY_SLACK_M)
        if distance_m(lat, lng, fence["lat"], fence["lng"]) > fence["radius_m"] + slack:
            raise OutsideGeofence()
    return member, activity, lat, lng


async def _settle_conflict(activity: dict, member_id: int, nonce: str, code: str, user_id: int,
                           recorded_at, lat, lng) -> tuple[dict, bool]:
    """The insert met an existing row: the same retry racing itself, a second scan, or a
    secretary's earlier leave/absent mark that this scan now overrides."""
    existing = await Attendance.get_or_none(activity_id=activity["id"], member_id=member_id)
    if existing is None:  # only the nonce collided: with another member's or activity's check-in
        await _replay(nonce, code, user_id)  # raises NonceReused
        raise NonceReused()
    if existing.nonce == nonce:
        return _answer({"activity_id": existing.activity_id, "member_id": member_id,
                        "recorded_at": existing.recorded_at}, activity["title"]), False
    if existing.status != "present":
        updated = await Attendance.filter(id=existing.id).exclude(status="present").update(
            status="present", method="scan", nonce=nonce, recorded_at=recorded_at, lat=lat, lng=lng, note="")
        if updated:
            return _answer({"activity_id": activity["id"], "member_id": member_id, "recorded_at": recorded_at},
                           activity["title"]), True
        existing = await Attendance.get(id=existing.id)
    first = existing.recorded_at.astimezone(SHANGHAI)
    raise AlreadyCheckedIn(f"你已在 {first.strftime('%H:%M')} 签到过了，无需重复签到",
                           extra={"checked_in_at": first.isoformat()})


async def audited_check_in(*, bearer: str, token: str, nonce: str, location: dict | None, secret: str,
                           store: KeyValueStore) -> tuple[dict, bool]:
    """check_in for the holder of a bearer token, with every refusal written to the audit trail
    (pretix logs denied scans too).

    One round trip to the store first: the bearer's cached caller, the activity's snapshot and the
    rate limit. Attempts per login are limited before anything else is looked at: a phone
    honestly scans a few times a meeting, and without a limit a flood of forged tokens would
    write an audit row per request. The member comes with the token (auth.Caller)."""
    try:
        code, slice_no = tokens.parse(secret, token)
        unreadable = None
    except DomainError as exc:  # refused below, once the caller is known and counted
        code = slice_no = None
        unreadable = exc
    keys = [auth.token_cache_key(bearer)] + ([activities.snapshot_key(code)] if code else [])
    values, allowed, retry_after = await store.read_and_hit(keys, f"rate:checkin:{auth.hash_token(bearer)}",
                                                            ATTEMPTS_PER_MINUTE, 60)
    caller = await auth.caller_from_cache(bearer, store, values[0])
    if not allowed:
        raise RateLimited("扫码太频繁了，请稍等一分钟再试", extra={"retry_after": retry_after})
    try:
        if unreadable is not None:
            raise unreadable
        answer, created = await check_in(caller=caller, code=code, slice_no=slice_no, cached_activity=values[1],
                                         nonce=nonce, location=location, store=store)
    except DomainError as exc:
        CHECKINS.labels(exc.code).inc()
        await audit.record("checkin.denied", actor=caller.user_id, code=exc.code, token=(token or "")[:40])
        raise
    CHECKINS.labels("created" if created else "replayed").inc()
    return answer, created
