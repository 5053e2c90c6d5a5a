"""Attendance without a phone: the secretary's marks, leave requests and their approval, and
the meeting's attendance sheet (expected vs actual)."""
from __future__ import annotations

from tortoise import connections
from tortoise.exceptions import IntegrityError

from server import audit
from server.activities import service as activities
from server.activities.models import Attendance, LeaveRequest
from server.auth import Principal
from server.clock import now
from server.db import MAX_ID, aware
from server.errors import Conflict, NotFound, ReferenceNotFound
from server.members.models import Member
from server.members.service import get_member


class LeaveNotFound(NotFound):
    code, message = "leave_not_found", "找不到该请假申请"


class ActivityOver(Conflict):
    code, message = "activity_over", "活动已经结束，不能再请假"


class LeaveDecided(Conflict):
    code, message = "leave_already_decided", "该请假申请已经审批过了"


async def _record(activity_id: int, member_id: int, *, status: str, method: str, by, note: str = "") -> Attendance:
    """Create or overwrite the member's attendance row (never a second row)."""
    values = {"status": status, "method": method, "recorded_at": now(), "recorded_by": by, "note": note}
    row = await Attendance.get_or_none(activity_id=activity_id, member_id=member_id)
    if row is None:
        try:
            return await Attendance.create(activity_id=activity_id, member_id=member_id, **values)
        except IntegrityError:  # a scan landed meanwhile
            row = await Attendance.get(activity_id=activity_id, member_id=member_id)
    row.update_from_dict(values)
    await row.save()
    return row


async def mark(principal: Principal, activity_id: int, member_id: int, status: str, note: str) -> Attendance:
    activity = await activities.staff_activity(principal, activity_id, "mark")
    if activity.status == "cancelled":
        raise activities.ActivityCancelled()
    if await activities.expected_member(activity, member_id) is None:
        raise ReferenceNotFound("该党员不在本次活动的参加范围内", fields={"member_id": "该党员不在本次活动的参加范围内"})
    row = await _record(activity.id, member_id, status=status, method="manual", by=principal.user, note=note)
    await audit.record("attendance.marked", actor=principal.user, org=activity.org_id, target=activity,
                       member_id=member_id, status=status)
    return row


async def request_leave(principal: Principal, activity_id: int, reason: str) -> tuple[LeaveRequest, bool]:
    """A member asks for leave beforehand. Asking again updates the reason of a pending request."""
    activity, member = await activities.activity_for_member(principal, activity_id)
    if now() > activity.ends_at:
        raise ActivityOver()
    leave, created = await LeaveRequest.get_or_create(activity=activity, member=member, defaults={"reason": reason})
    if not created and leave.status == "pending" and leave.reason != reason:
        leave.reason = reason
        await leave.save(update_fields=["reason"])
    return leave, created


async def my_leave(principal: Principal, activity_id: int) -> LeaveRequest | None:
    """The caller's own leave request for a meeting they are expected at (none: None), whatever its state."""
    activity = await activities.get_activity(principal, activity_id)
    member = await activities.own_member_in_audience(principal, activity)
    if member is None:
        raise activities.NotInAudience()
    return await LeaveRequest.get_or_none(activity=activity, member=member)


async def list_leave(principal: Principal, activity_id: int) -> list[LeaveRequest]:
    activity = await activities.staff_activity(principal, activity_id, "leave_list")
    return await LeaveRequest.filter(activity=activity).order_by("created_at")


async def decide_leave(principal: Principal, activity_id: int, leave_id: int, approve: bool) -> LeaveRequest:
    activity = await activities.staff_activity(principal, activity_id, "leave_decide")
    leave = await LeaveRequest.get_or_none(id=leave_id, activity=activity) if 0 < leave_id <= MAX_ID else None
    if leave is None:
        raise LeaveNotFound()
    wanted = "approved" if approve else "rejected"
    if leave.status == wanted:
        return leave  # a retried tap
    if leave.status != "pending":
        raise LeaveDecided()
    leave.status, leave.decided_by, leave.decided_at = wanted, principal.user, now()
    await leave.save()
    if approve:
        existing = await Attendance.get_or_none(activity=activity, member_id=leave.member_id)
        if existing is None or existing.status != "present":  # a member who came after all stays present
            await _record(activity.id, leave.member_id, status="leave", method="leave", by=principal.user, note=leave.reason)
    await audit.record(f"leave.{wanted}", actor=principal.user, org=activity.org_id, target=leave)
    return leave


async def sheet(principal: Principal, activity_id: int) -> dict:
    """Expected members with how (and whether) each one's attendance was recorded."""
    return await tally(await activities.staff_activity(principal, activity_id, "attendance"))


async def tally(activity) -> dict:
    """The sheet of an activity already allowed to the caller (the record shows it too)."""
    members = await activities.expected_members(activity).order_by("name", "id").values("id", "name", "category")
    rows = {r["member_id"]: r for r in await Attendance.filter(activity=activity).values(
        "member_id", "status", "method", "recorded_at", "note", "member__name", "member__category")}
    entries = []
    for member in members:
        row = rows.pop(member["id"], None)
        entries.append(_entry(member["id"], member["name"], member["category"], row))
    # Rows of members no longer in the audience (moved branch since) still count: they came.
    entries += [_entry(mid, r["member__name"], r["member__category"], r) for mid, r in rows.items()]
    counts = {s: sum(1 for e in entries if e["status"] == s) for s in ("present", "leave", "absent")}
    return {"activity_id": activity.id, "expected": len(members), **counts,
            "unrecorded": sum(1 for e in entries if e["status"] is None), "entries": entries}


def _entry(member_id, name, category, row) -> dict:
    return {"member_id": member_id, "name": name, "category": category,
            "status": row["status"] if row else None, "method": row["method"] if row else None,
            "recorded_at": row["recorded_at"] if row else None, "note": row["note"] if row else ""}


async def member_attendance(principal: Principal, member_id: int, *, limit: int, offset: int) -> tuple[list[dict], int]:
    """One member's attendance, newest activity first: the member themself and their staff."""
    member = await get_member(principal, member_id)
    rows = Attendance.filter(member_id=member.id)
    page = await rows.order_by("-activity__starts_at", "-id").offset(offset).limit(limit).values(
        "activity_id", "status", "method", "note", "recorded_at", title="activity__title", kind="activity__kind",
        starts_at="activity__starts_at", activity_status="activity__status")
    return page, await rows.count()


def _year_span(year: int):
    import datetime as dt

    from server.clock import SHANGHAI, utc

    return utc(dt.datetime(year, 1, 1, tzinfo=SHANGHAI)), utc(dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI))


async def year_list(member_id: int, year: int) -> list[dict]:
    """The activities a member attended in a year, oldest first (the floating member's record)."""
    start, end = _year_span(year)
    return await Attendance.filter(member_id=member_id, status="present", activity__starts_at__gte=start,
                                   activity__starts_at__lt=end, activity__status="scheduled") \
        .order_by("activity__starts_at").values(title="activity__title", kind="activity__kind",
                                                starts_at="activity__starts_at", org_name="activity__org__name",
                                                training="activity__counts_as_training")


async def year_figures(member_ids: list[int], year: int) -> dict[int, dict]:
    """Per member, the year's meetings and trainings attended and meetings missed without leave
    (the record the 先锋指数 review reads), in two grouped queries."""
    from tortoise.functions import Count

    start, end = _year_span(year)
    rows = await Attendance.filter(member_id__in=member_ids, activity__starts_at__gte=start,
                                   activity__starts_at__lt=end, activity__status="scheduled") \
        .annotate(n=Count("id")).group_by("member_id", "status", "activity__counts_as_training") \
        .values_list("member_id", "status", "activity__counts_as_training", "n")
    out = {member_id: {"attended": 0, "trainings": 0, "leave": 0, "absent": 0} for member_id in member_ids}
    for member_id, status, training, n in rows:
        figures = out[member_id]
        if status == "present":
            figures["trainings" if training else "attended"] += n
        else:
            figures[status] += n
    return out


async def rows_of(activity_ids: list[int]) -> list[tuple]:
    """(activity_id, member_id, name, category, status, method, recorded_at, note) of every
    attendance row of the meetings, by one plain query: a city's year is 100 000 rows, and
    building them through the ORM (a conversion per field) was a third of its ledger's time."""
    if not activity_ids:
        return []
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    wanted = "= ANY($1::int[])" if postgres else f"IN ({', '.join('?' * len(activity_ids))})"
    _count, rows = await connection.execute_query(
        f'SELECT a.activity_id, a.member_id, m.name, m.category, a.status, a.method, a.recorded_at, a.note '
        f'FROM "{Attendance._meta.db_table}" a JOIN "{Member._meta.db_table}" m ON m.id = a.member_id '
        f'WHERE a.activity_id {wanted}', [list(activity_ids)] if postgres else list(activity_ids))
    return [(*row[:6], aware(row[6]), row[7]) for row in rows]
