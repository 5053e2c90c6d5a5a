"""Importing a roster from Excel: a dry run that writes nothing but the report, then a commit
that applies every row in one transaction (all or nothing), in the request when small, as a
job of the engine (server/jobs) when large.

Rows match existing members by mobile within the caller's subtree: the same file committed
twice creates nobody twice. A mobile held by a member outside the caller's subtree, a mobile
twice in the file, an org or market the caller may not use: each is an error of its row and
column, and a file with any error commits nothing.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging

import procrastinate
from tortoise.transactions import in_transaction

from server import audit
from server.auth import Principal, load_principal, subtree
from server.clock import now, today
from server.db import MAX_ID
from server.errors import Conflict, DomainError, Forbidden, NotFound, ReferenceNotFound
from server.jobs import engine
from server.members import history, roster
from server.members.models import Member, RosterImport
from server.members.service import LIFE_ORG_KINDS
from server.markets.models import Market
from server.orgs.models import Org

log = logging.getLogger("dangjian.imports")
COMMIT_IN_REQUEST = 500  # rows; more go to a background job
BATCH = 1000
# The member's own fields a row sets; the tracked ones (history.TRACKED) are recorded as changes.
PLAIN = ("name", "gender", "unit_name", "is_owner", "household_district", "home_org", "joined_party_on",
         "full_member_on")
TRACKED = history.TRACKED
_HEADER = {column.field: column.header for column in roster.COLUMNS}
_HEADER.update(life_org_id=_HEADER["life_org"], market_id=_HEADER["market"], membership="在册状态")


class ImportFileRefused(DomainError):
    status = 422

    def __init__(self, error: roster.RosterFileError) -> None:
        super().__init__(error.message, extra=error.details)
        self.code = error.code
        self.status = {"not_xlsx": 415, "import_too_large": 413}.get(error.code, 422)


class ImportNotFound(NotFound):
    code, message = "import_not_found", "找不到该导入记录"


class ImportHasErrors(Conflict):
    code, message = "import_has_errors", "名册里还有出错的行：改正后重新上传，有错误的文件不会写入任何一行"


class ImportRunning(Conflict):
    code, message = "import_running", "这份名册正在写入，请稍候"


class NotOrgStaff(Forbidden):
    code, message = "not_org_staff", "只能导入到你所管辖的组织"


async def _import_org(principal: Principal, org_id: int) -> Org:
    org = await Org.get_or_none(id=org_id) if 0 < org_id <= MAX_ID else None
    if org is None:
        raise ReferenceNotFound(fields={"org_id": "找不到该组织"})
    if not principal.reaches(org):
        raise NotOrgStaff()
    return org


async def choices(principal: Principal) -> tuple[list[str], list[str]]:
    """The org and market names the caller may put in a roster (the template's drop-downs)."""
    orgs = await Org.filter(subtree(principal.paths()), kind__in=LIFE_ORG_KINDS).order_by("path") \
        .values_list("name", flat=True)
    markets = await Market.filter(await principal.scope("org")).order_by("name").values_list("name", flat=True)
    return list(orgs), list(markets)


# --- the dry run --------------------------------------------------------------------------------

async def check(principal: Principal, org_id: int, filename: str, data: bytes) -> RosterImport:
    org = await _import_org(principal, org_id)
    try:  # reading and checking 20 000 rows is CPU work: off the event loop
        checked = await asyncio.to_thread(roster.read_checked, data, today())
    except roster.RosterFileError as exc:
        raise ImportFileRefused(exc) from None
    rows, report = await _plan(principal, org, checked)
    counts = {outcome: sum(1 for r in report if r["outcome"] == outcome)
              for outcome in ("created", "updated", "unchanged", "error")}
    record = await RosterImport.create(org=org, requested_by=principal.user, filename=filename[:200] or "名册.xlsx",
                                       total=len(report), created=counts["created"], updated=counts["updated"],
                                       unchanged=counts["unchanged"], errors=counts["error"], rows=rows, report=report)
    await audit.record("roster.import.checked", actor=principal.user, org=org, target=record, rows=len(report),
                       errors=counts["error"])
    return record


async def _plan(principal: Principal, org: Org, checked: list) -> tuple[list[dict], list[dict]]:
    """For each checked row: what the commit does (created, updated with which columns,
    unchanged) or its errors; and the normalised rows the commit applies."""
    orgs = {}
    for found in await Org.filter(name__in={v["life_org"] for _, v, e in checked if v.get("life_org")} or [""]):
        orgs.setdefault(found.name, []).append(found)
    markets = {}
    for found in await Market.filter(name__in={v["market"] for _, v, e in checked if v.get("market")} or [""]) \
            .select_related("org"):
        markets.setdefault(found.name, []).append(found)
    mobiles = [v["mobile"] for _, v, e in checked if v.get("mobile")]
    existing: dict[str, list[Member]] = {}
    for start in range(0, len(mobiles), BATCH):
        for member in await Member.filter(mobile__in=mobiles[start:start + BATCH]).select_related("life_org"):
            existing.setdefault(member.mobile, []).append(member)
    first_row: dict[str, int] = {}
    rows, report = [], []
    for number, values, errors in checked:
        errors = list(errors)
        if values.get("life_org"):
            candidates = [o for o in orgs.get(values["life_org"], []) if o.path.startswith(org.path)
                          and o.kind in LIFE_ORG_KINDS and principal.reaches(o)]
            if len(candidates) != 1:
                errors.append({"column": _HEADER["life_org"], "message": (
                    f"「{values['life_org'][:30]}」不是{org.name}下可以填的基层分会或党支部" if not candidates
                    else "有多个同名组织，请联系管理员")})
            else:
                values["life_org_id"] = candidates[0].id
        if values.get("market"):
            candidates = [m for m in markets.get(values["market"], []) if principal.reaches(m.org)]
            if len(candidates) != 1:
                errors.append({"column": _HEADER["market"], "message": f"找不到你管辖范围内的市场「{values['market'][:30]}」"})
            else:
                values["market_id"] = candidates[0].id
        else:
            values["market_id"] = None
        mobile = values.get("mobile")
        match = None
        if mobile:
            if mobile in first_row:
                errors.append({"column": _HEADER["mobile"], "message": f"与第 {first_row[mobile]} 行的手机号重复"})
            first_row.setdefault(mobile, number)
            held = existing.get(mobile, [])
            mine = [m for m in held if principal.reaches(m.life_org) and m.life_org.path.startswith(org.path)]
            if len(held) > len(mine):
                errors.append({"column": _HEADER["mobile"],
                               "message": "这个手机号的党员在本次导入的组织以外，请联系上级组织处理"})
            elif len(mine) > 1:
                errors.append({"column": _HEADER["mobile"], "message": "名册里有多个党员用这个手机号，请先在名册中合并"})
            elif mine:
                match = mine[0]
        entry = {"row": number, "name": values.get("name"), "member_id": match.id if match else None,
                 "changes": [], "errors": errors}
        if errors:
            entry["outcome"] = "error"
        elif match is None:
            entry["outcome"] = "created"
        else:
            entry["changes"] = [_HEADER[f] for f in _differences(match, values)]
            entry["outcome"] = "updated" if entry["changes"] else "unchanged"
        report.append(entry)
        rows.append({"row": number, **_json_values(values)})
    return rows, report


def _target(values: dict) -> dict:
    target = {f: values.get(f) for f in PLAIN + TRACKED if f != "membership"}
    target["business_status"] = target["business_status"] or "operating"
    target["membership"] = "active"  # on the roster being imported
    return target


def _differences(member: Member, values: dict) -> list[str]:
    target = _target(values)
    return [f for f in PLAIN + TRACKED if getattr(member, f) != target[f]
            and not (f in ("gender", "joined_party_on", "full_member_on") and target[f] is None)]


def _json_values(values: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}


def _from_json(row: dict) -> dict:
    dates = {c.field for c in roster.COLUMNS if c.kind == "date"}
    return {k: dt.date.fromisoformat(v) if k in dates and v else v for k, v in row.items()}


# --- reading and committing -------------------------------------------------------------------

async def get(principal: Principal, import_id: int) -> RosterImport:
    record = await RosterImport.get_or_none(id=import_id).select_related("org") if 0 < import_id <= MAX_ID else None
    if record is None or not (record.requested_by_id == principal.user.id or principal.reaches(record.org)):
        raise ImportNotFound()
    return record


async def commit(principal: Principal, import_id: int, jobs_app, store) -> tuple[RosterImport, bool]:
    """(the import, whether it was applied now): small files in the request, large ones as a job."""
    record = await get(principal, import_id)
    if record.state == "committed":
        return record, True  # committed already: nothing twice
    if record.state == "committing":
        raise ImportRunning()
    if record.errors:
        raise ImportHasErrors(extra={"errors": record.errors})
    if not await RosterImport.filter(id=record.id, state__in=("checked", "failed")).update(state="committing",
                                                                                        failure=None):
        raise ImportRunning()
    if record.total <= COMMIT_IN_REQUEST:
        await apply(record.id, store)
        return await RosterImport.get(id=record.id), True
    await engine.defer(jobs_app, "members:import_commit", queueing_lock=f"import:{record.id}", import_id=record.id)
    return await RosterImport.get(id=record.id), False


async def progress(record: RosterImport, store) -> int | None:
    if record.state != "committing":
        return None
    done = await store.get(f"import:{record.id}:done")
    return int(done) if done else 0


async def apply(import_id: int, store) -> None:
    """Every row in one transaction. The plan is made again inside it, against the roster as it
    is now: a row that became wrong since the dry run fails the whole commit, with the reason."""
    record = await RosterImport.get(id=import_id).select_related("org", "requested_by")
    principal = await load_principal(record.requested_by)
    reason = f"名册导入（{record.filename}）"
    try:
        async with in_transaction():
            checked = [(row["row"], _from_json({k: v for k, v in row.items() if k != "row"}), [])
                       for row in record.rows]
            rows, report = await _plan(principal, record.org, checked)
            wrong = [r for r in report if r["outcome"] == "error"]
            if wrong:
                raise ImportHasErrors(extra={"row": wrong[0]["row"], "errors": wrong[0]["errors"]})
            done = 0
            creates = [(r, _from_json(row)) for r, row in zip(report, rows) if r["outcome"] == "created"]
            for start in range(0, len(creates), BATCH):
                done += await _create(creates[start:start + BATCH], principal, reason)
                await store.set(f"import:{import_id}:done", str(done), 3600)
            for entry, row in zip(report, rows):
                if entry["outcome"] == "updated":
                    await _update(entry["member_id"], _from_json(row), principal, reason)
                    done += 1
                    if done % 100 == 0:
                        await store.set(f"import:{import_id}:done", str(done), 3600)
            counts = {o: sum(1 for r in report if r["outcome"] == o) for o in ("created", "updated", "unchanged")}
            await RosterImport.filter(id=import_id).update(state="committed", committed_at=now(), report=report,
                                                           **counts)
    except Exception as exc:
        message = exc.message if isinstance(exc, DomainError) else f"{exc.__class__.__name__}: {exc}"
        await RosterImport.filter(id=import_id).update(state="failed", failure=message[:200])
        log.exception("roster import %s failed", import_id)
        raise
    await audit.record("roster.import.committed", actor=record.requested_by, org=record.org_id, target=record,
                       **counts)


async def _create(batch: list[tuple[dict, dict]], principal: Principal, reason: str) -> int:
    await Member.bulk_create([Member(mobile=values["mobile"], **_target(values)) for _, values in batch])
    made = {m.mobile: m for m in await Member.filter(mobile__in=[v["mobile"] for _, v in batch], user_id=None)
            .filter(await principal.scope("life_org")).order_by("id")}
    by_day: dict[dt.date, list[Member]] = {}
    for _, values in batch:
        by_day.setdefault(values["on_roster_since"] or today(), []).append(made[values["mobile"]])
    for day, members in by_day.items():
        await history.start_many(members, on=day, by=principal.user, reason=reason)
    return len(batch)


async def _update(member_id: int, values: dict, principal: Principal, reason: str) -> None:
    member = await Member.filter(id=member_id).select_for_update().get()
    target = _target(values)
    plain = {f: target[f] for f in _differences(member, values) if f in PLAIN}
    if plain:
        member.update_from_dict(plain)
        await member.save()
    await history.record(member, {f: target[f] for f in TRACKED}, effective_on=today(), by=principal.user,
                         reason=reason)


def blueprint() -> procrastinate.Blueprint:
    """This domain's tasks (a new blueprint for each engine built: procrastinate binds tasks to one app)."""
    tasks = procrastinate.Blueprint()

    @tasks.task(name="import_commit", queue="imports", pass_context=True)
    async def import_commit(context: procrastinate.JobContext, import_id: int) -> None:
        try:
            await apply(import_id, engine.resources(context).store)
        except DomainError:
            pass  # the import says why it failed; running it again would fail the same way

    return tasks
