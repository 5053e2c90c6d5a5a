"""Half-year snapshots and their way up the tree.

At 23:59 Asia/Shanghai on 30 June and 31 December a periodic task of the job engine freezes the
figures of every association and branch (figures.compute through the member history as of the
day); staff may take one for any past day too. A snapshot is submitted to the parent org, which
returns it with a reason or accepts it. Taken again (only while not submitted or after a return),
the differences are kept as a correction with its reason, audited: a table never changes silently.
A parent sees its children's snapshots of the same day and their sums beside its own figures.
"""
from __future__ import annotations

import datetime as dt
import logging

import procrastinate
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server import audit
from server.auth import Principal
from server.clock import SHANGHAI, now, today
from server.db import MAX_ID
from server.errors import Conflict, NotFound
from server.orgs.models import Org
from server.orgs.service import get_org
from server.statistics import figures as compute_figures, forms
from server.statistics.models import Snapshot, SnapshotCorrection, SnapshotMember

log = logging.getLogger(__name__)
FILING_KINDS = ("association", "branch")  # the orgs that file the half-year figures
HALF_YEAR_CRON = "59 15 L 6,12 *"  # 23:59 Asia/Shanghai on 30 June and 31 December (the engine's cron is UTC)
ROW_FIELDS = ("member_id", "name", "unit_name", "mobile", "is_owner", "household_district", "life_org_name", "home_org",
              "category", "standing", "placement", "market_name", "stall_no", "filled_by_name", "filled_by_phone",
              "filled_on")


class SnapshotNotFound(NotFound):
    code, message = "snapshot_not_found", "找不到这份统计"


class AsOfInFuture(Conflict):
    code, message = "as_of_in_future", "统计日期不能晚于今天"


class SnapshotExists(Conflict):
    code, message = "snapshot_exists", "这一天的统计已经生成过了；要按最新记录重算，请用“重新生成”并写明原因"


class SnapshotAccepted(Conflict):
    code, message = "snapshot_accepted", "上级已经接收这份统计，不能再提交或修改"


class SnapshotSubmitted(Conflict):
    code, message = "snapshot_submitted", "这份统计已经上报，等待上级处理"


class NotSubmitted(Conflict):
    code, message = "snapshot_not_submitted", "这份统计还没有上报"


class NoParent(Conflict):
    code, message = "no_parent_org", "最上级组织的统计不需要上报"


class NotParentStaff(NotFound):
    code, message = "snapshot_not_found", "找不到这份统计（只有上级组织可以接收或退回）"


async def _store(snapshot: Snapshot, rows: list[dict]) -> None:
    await SnapshotMember.filter(snapshot_id=snapshot.id).delete()
    await SnapshotMember.bulk_create([SnapshotMember(snapshot_id=snapshot.id, **{f: row[f] for f in ROW_FIELDS})
                                      for row in rows], batch_size=2000)


async def take(org: Org, day: dt.date, *, by=None, source: str = "manual") -> Snapshot:
    """Compute and store the org's snapshot of the day; SnapshotExists if there is one."""
    figures, rows = await compute_figures.compute(org, day)
    try:
        async with in_transaction():
            snapshot = await Snapshot.create(org=org, as_of=day, source=source, figures=figures, taken_by=by)
            await _store(snapshot, rows)
    except IntegrityError:
        raise SnapshotExists() from None
    await audit.record("statistics.snapshot.taken", actor=by, org=org, target=snapshot, as_of=day.isoformat(),
                       source=source, members=figures["totals"]["members"])
    return snapshot


async def member_rows(snapshot: Snapshot, member_id: int | None = None) -> list[dict]:
    """The members the snapshot froze, as the 登记表 has them (one of them with member_id)."""
    query = SnapshotMember.filter(snapshot_id=snapshot.id)
    if member_id:
        query = query.filter(member_id=member_id)
    return await query.order_by("id").values(*ROW_FIELDS)


async def printable_rows(snapshot: Snapshot, member_id: int | None = None) -> list[dict]:
    """The members whose 登记表 are printed: one, or all of them up to forms.PAGES_LIMIT."""
    if member_id is None:
        count = await SnapshotMember.filter(snapshot_id=snapshot.id).count()
        if count > forms.PAGES_LIMIT:
            raise forms.FormsTooLarge(fields={"snapshot_id": f"这份统计有 {count} 名党员"})
    rows = await member_rows(snapshot, member_id)
    if member_id is not None and not rows:
        raise SnapshotNotFound("这份统计里没有这名党员")
    return rows


def check_day(day: dt.date) -> None:
    if day > today():
        raise AsOfInFuture(fields={"as_of": "不能晚于今天"})


async def get(principal: Principal, snapshot_id: int) -> Snapshot:
    snapshot = await Snapshot.get_or_none(id=snapshot_id).select_related("org") if 0 < snapshot_id <= MAX_ID else None
    if snapshot is None or not principal.reaches(snapshot.org):
        raise SnapshotNotFound()
    return snapshot


async def list_for(principal: Principal, org_id: int, day: dt.date | None) -> list[Snapshot]:
    """The org's own snapshots and its children's (what it files and what it receives)."""
    org = await get_org(org_id)
    if not principal.reaches(org):
        raise SnapshotNotFound("找不到该组织")
    query = Snapshot.filter(org_id__in=[org.id, *await Org.filter(parent_id=org.id).values_list("id", flat=True)])
    if day:
        query = query.filter(as_of=day)
    return await query.order_by("-as_of", "org_id").select_related("org").limit(200)


async def submit(principal: Principal, snapshot_id: int) -> Snapshot:
    snapshot = await get(principal, snapshot_id)
    if snapshot.org.parent_id is None:
        raise NoParent()
    editable(snapshot)
    snapshot.state, snapshot.submitted_at, snapshot.submitted_by = "submitted", now(), principal.user
    snapshot.return_reason = None
    await snapshot.save()
    await audit.record("statistics.snapshot.submitted", actor=principal.user, org=snapshot.org_id, target=snapshot)
    return snapshot


async def _parent_decision(principal: Principal, snapshot_id: int) -> Snapshot:
    snapshot = await get(principal, snapshot_id)
    parent = await Org.get_or_none(id=snapshot.org.parent_id) if snapshot.org.parent_id else None
    if parent is None or not principal.reaches(parent):
        raise NotParentStaff()
    if snapshot.state == "accepted":
        raise SnapshotAccepted()
    if snapshot.state != "submitted":
        raise NotSubmitted()
    return snapshot


async def give_back(principal: Principal, snapshot_id: int, reason: str) -> Snapshot:
    snapshot = await _parent_decision(principal, snapshot_id)
    snapshot.state, snapshot.return_reason = "returned", reason
    snapshot.decided_at, snapshot.decided_by = now(), principal.user
    await snapshot.save()
    await audit.record("statistics.snapshot.returned", actor=principal.user, org=snapshot.org_id, target=snapshot,
                       reason=reason)
    return snapshot


async def accept(principal: Principal, snapshot_id: int) -> Snapshot:
    snapshot = await _parent_decision(principal, snapshot_id)
    snapshot.state, snapshot.decided_at, snapshot.decided_by = "accepted", now(), principal.user
    await snapshot.save()
    await audit.record("statistics.snapshot.accepted", actor=principal.user, org=snapshot.org_id, target=snapshot)
    return snapshot


def editable(snapshot: Snapshot) -> None:
    if snapshot.state == "accepted":
        raise SnapshotAccepted()
    if snapshot.state == "submitted":
        raise SnapshotSubmitted()


async def retake(principal: Principal, snapshot_id: int, reason: str) -> tuple[Snapshot, SnapshotCorrection | None]:
    """Compute the snapshot's day again from the records as they are now (a change recorded later
    with an earlier effective day moves it); the differences are kept with the reason."""
    snapshot = await get(principal, snapshot_id)
    editable(snapshot)
    figures, rows = await compute_figures.compute(snapshot.org, snapshot.as_of)
    before_rows = {r["member_id"]: r for r in await member_rows(snapshot)}
    changes = differences(snapshot.figures, figures, before_rows, {r["member_id"]: r for r in rows})
    if not changes:
        return snapshot, None
    async with in_transaction():
        # Submitted while it was computed: the figures the parent has are not changed under it.
        if not await Snapshot.filter(id=snapshot.id, state__in=("draft", "returned")).update(figures=figures):
            editable(await Snapshot.get(id=snapshot.id))
        snapshot.figures = figures
        await _store(snapshot, rows)
        correction = await SnapshotCorrection.create(snapshot=snapshot, reason=reason, changes=changes,
                                                     made_by=principal.user)
    await audit.record("statistics.snapshot.retaken", actor=principal.user, org=snapshot.org_id, target=snapshot,
                       reason=reason, changes=len(changes))
    return snapshot, correction


def differences(old: dict, new: dict, old_rows: dict[int, dict], new_rows: dict[int, dict]) -> list[dict]:
    changes = [{"what": compute_figures.TOTALS.get(key, key), "before": old["totals"].get(key), "after": value}
               for key, value in new["totals"].items() if old["totals"].get(key) != value]
    for member_id in sorted(old_rows.keys() - new_rows.keys()):
        changes.append({"what": f"党员 {old_rows[member_id]['name']}", "before": "在册", "after": "不在本统计"})
    for member_id in sorted(new_rows.keys() - old_rows.keys()):
        changes.append({"what": f"党员 {new_rows[member_id]['name']}", "before": "不在本统计", "after": "在册"})
    for member_id in sorted(old_rows.keys() & new_rows.keys()):
        for field in ("life_org_name", "category", "standing", "placement", "market_name", "stall_no"):
            if old_rows[member_id][field] != new_rows[member_id][field]:
                changes.append({"what": f"党员 {new_rows[member_id]['name']}：{field}",
                                "before": old_rows[member_id][field], "after": new_rows[member_id][field]})
    return changes


async def children_of(snapshot: Snapshot) -> dict:
    """The filing children's snapshots of the same day, their state, and the sums of those received."""
    children = await Org.filter(parent_id=snapshot.org_id, kind__in=FILING_KINDS).order_by("id")
    theirs = {s.org_id: s for s in await Snapshot.filter(org_id__in=[c.id for c in children], as_of=snapshot.as_of)}
    rows, sums = [], dict.fromkeys(compute_figures.TOTALS, 0)
    for child in children:
        mine = theirs.get(child.id)
        rows.append({"org_id": child.id, "org_name": child.name, "snapshot_id": mine.id if mine else None,
                     "state": mine.state if mine else "missing", "return_reason": mine.return_reason if mine else None,
                     "totals": mine.figures["totals"] if mine else None})
        if mine and mine.state in ("submitted", "accepted"):
            for key in sums:
                sums[key] += mine.figures["totals"].get(key, 0)
    return {"children": rows, "sums": sums}


async def take_all(day: dt.date) -> int:
    """Every filing org's snapshot of the day that does not exist yet (the periodic task)."""
    taken = 0
    for org in await Org.filter(kind__in=FILING_KINDS).order_by("path"):
        if await Snapshot.exists(org=org, as_of=day):
            continue
        try:
            await take(org, day, source="scheduled")
            taken += 1
        except SnapshotExists:
            continue  # another worker, or staff, took it meanwhile
    log.info("half-year snapshots of %s: %d taken", day, taken)
    return taken


def blueprint() -> procrastinate.Blueprint:
    tasks = procrastinate.Blueprint()

    @tasks.periodic(cron=HALF_YEAR_CRON, periodic_id="half-year")
    @tasks.task(name="half_year", queue="statistics", queueing_lock="statistics:half_year", pass_context=True)
    async def half_year(context: procrastinate.JobContext, timestamp: int) -> int:
        return await take_all(dt.datetime.fromtimestamp(timestamp, SHANGHAI).date())

    from server.statistics import roster_exports, taking  # they build on this module

    taking.task(tasks)
    roster_exports.tasks(tasks)
    return tasks


