"""Rules of activities: who creates and runs them, who is expected, when check-in is open."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from tortoise.expressions import Q

from server import audit
from server.activities import tokens
from server.activities.models import Activity
from server.auth import Principal
from server.clock import SHANGHAI, utc
from server.codes import qr_data_url, random_code
from server.db import MAX_ID, page_of
from server.errors import Conflict, Forbidden, NotFound
from server.kv import KeyValueStore
from server.members import history
from server.members.models import Member
from server.orgs.service import org_for_field

TRAINING_KINDS = ("lecture", "training")
SNAPSHOT_TTL = 300


class NotInAudience(Forbidden):
    code, message = "not_in_audience", "你不在本次活动的参加范围内"


class ActivityNotFound(NotFound):
    code, message = "activity_not_found", "找不到该活动"


class NotOrgStaff(Forbidden):
    code, message = "not_org_staff", "只有该组织或上级组织的书记、管理员可以安排活动"


class ActivityCancelled(Conflict):
    code, message = "activity_cancelled", "该活动已取消"


def window(activity: Activity) -> tuple[datetime, datetime]:
    return (activity.starts_at - timedelta(minutes=activity.checkin_opens_before),
            activity.ends_at + timedelta(minutes=activity.checkin_closes_after))


def view(activity: Activity) -> dict:
    """The activity as ActivityOut shows it."""
    opens, closes = window(activity)
    geofence = None
    if activity.geofence_radius_m:
        geofence = {"lat": activity.geofence_lat, "lng": activity.geofence_lng, "radius_m": activity.geofence_radius_m}
    fields = ("id", "org_id", "kind", "title", "place", "starts_at", "ends_at", "counts_as_training", "status", "minutes")
    return {**{f: getattr(activity, f) for f in fields}, "checkin_opens_at": opens, "checkin_closes_at": closes,
            "geofence": geofence}


def _geofence_fields(geofence: dict | None) -> dict:
    geofence = geofence or {}
    return {"geofence_lat": geofence.get("lat"), "geofence_lng": geofence.get("lng"),
            "geofence_radius_m": geofence.get("radius_m")}


def expected_members(activity: Activity):
    """The activity's audience (应到): the members of its org's subtree, or attached to it, on the
    day it starts (members who joined later are not expected; those who left since still are).
    Needs activity.org loaded (get_activity and staff_activity load it)."""
    return history.audience_on(activity_day(activity), activity.org_id, activity.org.path)


def activity_day(activity: Activity):
    return activity.starts_at.astimezone(SHANGHAI).date()


async def expected_member(activity: Activity, member_id: int) -> Member | None:
    """The member if the activity expects them, else None."""
    if not 0 < member_id <= MAX_ID:
        return None
    return await expected_members(activity).filter(id=member_id).first()


async def own_member_in_audience(principal: Principal, activity: Activity) -> Member | None:
    member = await Member.get_or_none(user_id=principal.user.id)
    return member and await expected_member(activity, member.id)


async def activity_for_member(principal: Principal, activity_id: int) -> tuple[Activity, Member]:
    """A scheduled activity the caller is expected at, with their member record (leave, reminders)."""
    activity = await get_activity(principal, activity_id)
    member = await own_member_in_audience(principal, activity)
    if member is None:
        raise NotInAudience()
    if activity.status == "cancelled":
        raise ActivityCancelled()
    return activity, member


async def create_activity(principal: Principal, data: dict) -> Activity:
    org = await org_for_field(data.pop("org_id"), "org_id")
    if not principal.reaches(org):
        await audit.record("activity.create.denied", actor=principal.user, org=org)
        raise NotOrgStaff()
    if data.get("counts_as_training") is None:
        data["counts_as_training"] = data["kind"] in TRAINING_KINDS
    data.update(_geofence_fields(data.pop("geofence", None)))
    data["ends_at"] = data["starts_at"] + timedelta(minutes=data.pop("duration_minutes"))
    activity = await Activity.create(org=org, checkin_code=random_code(12), created_by=principal.user, **data)
    await audit.record("activity.created", actor=principal.user, org=org, target=activity, title=activity.title)
    return activity


async def visible_activities(principal: Principal):
    """Staff see their subtree's activities; a member sees those they are expected at."""
    return Activity.filter(Q(org_id__in=await principal.org_ids() + principal.member_org_ids or [0]))


async def list_activities(principal: Principal, *, org_id=None, date_from=None, date_to=None, limit=50, offset=0):
    query = await visible_activities(principal)
    if org_id:
        query = query.filter(org_id=org_id)
    if date_from:
        query = query.filter(starts_at__gte=utc(date_from))
    if date_to:
        query = query.filter(starts_at__lt=utc(date_to))
    return await page_of(query, ("-starts_at", "-id"), offset, limit)


async def get_activity(principal: Principal, activity_id: int) -> Activity:
    activity = None
    if 0 < activity_id <= MAX_ID:
        activity = await (await visible_activities(principal)).filter(id=activity_id).select_related("org").first()
    if activity is None:
        raise ActivityNotFound()
    return activity


async def staff_activity(principal: Principal, activity_id: int, action: str) -> Activity:
    """The activity if the caller runs it (staff reaching its org); 404 otherwise, audited."""
    activity = None
    if 0 < activity_id <= MAX_ID:
        activity = await Activity.get_or_none(id=activity_id).select_related("org")
    if activity is None or not principal.reaches(activity.org):
        if activity is not None:
            await audit.record(f"activity.{action}.denied", actor=principal.user, target=activity)
        raise ActivityNotFound()
    return activity


async def forget_snapshot(store: KeyValueStore, activity: Activity) -> None:
    await store.delete(snapshot_key(activity.checkin_code))


async def update_activity(principal: Principal, activity_id: int, changes: dict, store: KeyValueStore) -> Activity:
    activity = await staff_activity(principal, activity_id, "update")
    if activity.status == "cancelled":
        raise ActivityCancelled()
    if "geofence" in changes:
        changes.update(_geofence_fields(changes.pop("geofence")))
    # Moving the start keeps the length; a new duration moves the end. The end never comes first.
    duration = changes.pop("duration_minutes", None)
    starts = changes.get("starts_at", activity.starts_at)
    length = timedelta(minutes=duration) if duration is not None else activity.ends_at - activity.starts_at
    if "starts_at" in changes or duration is not None:
        changes["ends_at"] = starts + length
    changed = sorted(k for k, v in changes.items() if getattr(activity, k) != v)
    if changed:
        activity.update_from_dict(changes)
        await activity.save()
        await forget_snapshot(store, activity)
        await audit.record("activity.updated", actor=principal.user, org=activity.org_id, target=activity, fields=changed)
    return activity


async def cancel_activity(principal: Principal, activity_id: int, reason: str, store: KeyValueStore) -> Activity:
    activity = await staff_activity(principal, activity_id, "cancel")
    if activity.status != "cancelled":
        activity.status = "cancelled"
        await activity.save(update_fields=["status", "updated_at"])
        await forget_snapshot(store, activity)
        await audit.record("activity.cancelled", actor=principal.user, org=activity.org_id, target=activity, reason=reason)
    return activity


async def checkin_code(principal: Principal, activity_id: int, *, secret: str, public_base_url: str) -> dict:
    activity = await staff_activity(principal, activity_id, "checkin_code")
    if activity.status == "cancelled":
        raise ActivityCancelled()
    token, expires_in = tokens.issue(secret, activity.checkin_code)
    url = f"{public_base_url}/c/{token}"
    # The phone shows the code as an image: drawn here, so the mini-program needs no QR library.
    return {"token": token, "url": url, "expires_in": expires_in, "qr": await qr_data_url(url)}  # every 20 s a screen


def snapshot_key(code: str) -> str:
    return f"activity:code:{code}"


async def snapshot(store: KeyValueStore, code: str, cached: str | None = None) -> dict | None:
    """What a check-in needs of an activity, cached: a burst of scans reads it once. `cached` is
    the key's value when the caller has read it already (check-in reads it in its pipeline)."""
    key = snapshot_key(code)
    if cached is None:
        cached = await store.get(key)
    if cached is not None:
        return json.loads(cached) or None
    activity = await Activity.get_or_none(checkin_code=code).select_related("org")
    data = {}
    if activity is not None:
        opens, closes = window(activity)
        data = {"id": activity.id, "title": activity.title, "org_id": activity.org_id, "org_path": activity.org.path,
                "status": activity.status, "opens": opens.timestamp(), "closes": closes.timestamp(),
                "geofence": view(activity)["geofence"]}
    await store.set(key, json.dumps(data), SNAPSHOT_TTL)
    return data or None
