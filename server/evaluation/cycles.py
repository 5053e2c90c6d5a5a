"""Cycles: set-up with the roster, progress, vetoes, the announcement, finalization, and the
stars a member shows once a cycle is final."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from server import audit
from server.auth import Principal
from server.clock import now, today
from server.codes import random_code
from server.db import MAX_ID
from server.errors import Conflict, Forbidden, NotFound, ReferenceNotFound
from server.evaluation import roster, scheme as schemes
from server.evaluation.models import EXCLUSIONS, Cycle, Evaluation, FollowUp, Objection, PeerGrade
from server.orgs.models import Org, path_ids
from server.orgs.service import get_org


class CycleNotFound(NotFound):
    code, message = "cycle_not_found", "找不到该考评"


class NotCycleStaff(Forbidden):
    code, message = "not_cycle_staff", "只有开展考评的组织或其上级组织的书记、管理员可以进行此操作"


class CycleOverlap(Conflict):
    code, message = "cycle_overlap", "该组织（或其上下级组织）本年度已有先锋指数考评，同一党员一年只考评一次"


class CycleFinalized(Conflict):
    code, message = "cycle_finalized", "考评结果已经确定，只能通过更正记录修改星级"


class AlreadyAnnounced(Conflict):
    code, message = "already_announced", "考评结果已经公示，不能再修改"


class ReviewsMissing(Conflict):
    code, message = "reviews_missing", "还有党员没有完成组织审定，不能公示（不得缺考）"


class NotAnnounced(Conflict):
    code, message = "not_announced", "考评结果尚未公示"


class AnnouncementRunning(Conflict):
    code, message = "announcement_running", "公示期还没有结束，不能确定结果"


class ObjectionsOpen(Conflict):
    code, message = "objections_open", "还有异议没有答复，不能确定结果"


class SchemeInvalid(Conflict):
    code, message = "scheme_invalid", "考评方案不一致，请检查标出的项目"


class DeadlinesInvalid(Conflict):
    code, message = "deadlines_invalid", "截止日期不合理，请检查标出的项目"


class NotOnRoster(ReferenceNotFound):
    code, message = "not_on_roster", "本次考评名单中没有这位党员"


class NotEligible(Conflict):
    code, message = "not_eligible", "该党员不参加本次考评（已按规定排除）"


def stage(cycle: Cycle, day: dt.date | None = None) -> str:
    day = day or today()
    if cycle.finalized_at is not None:
        return "finalized"
    if cycle.announced_on is not None:
        return "announced" if day <= cycle.announce_until else "announcement_closed"
    return "collecting" if day <= max(cycle.self_until, cycle.peer_until) else "review"


async def get_cycle(cycle_id: int) -> Cycle:
    cycle = await Cycle.get_or_none(id=cycle_id).select_related("org") if 0 < cycle_id <= MAX_ID else None
    if cycle is None:
        raise CycleNotFound()
    return cycle


async def staff_cycle(principal: Principal, cycle_id: int, *, manage: bool = False) -> Cycle:
    """A cycle the caller runs (manage) or takes part in as staff: a secretary of a branch inside
    the cycle's org sees it and reviews their own members. Anyone else: not found."""
    cycle = await get_cycle(cycle_id)
    if principal.reaches(cycle.org):
        return cycle
    inside = any(path.startswith(cycle.org.path) for path in principal.paths())
    if manage and inside:
        raise NotCycleStaff()
    if not inside:
        raise CycleNotFound()
    return cycle


def _check_deadlines(data: dict, year: int) -> None:
    fields = {}
    for name in ("self_until", "peer_until", "review_until"):
        if not dt.date(year, 1, 1) <= data[name] <= dt.date(year + 1, 3, 31):
            fields[f"deadlines.{name}"] = f"应在{year}年1月1日至{year + 1}年3月31日之间"
    if data["review_until"] < max(data["self_until"], data["peer_until"]):
        fields["deadlines.review_until"] = "组织审定的截止日期应不早于自评、互评的截止日期"
    if fields:
        raise DeadlinesInvalid(fields=fields)


async def create_cycle(principal: Principal, data: dict) -> tuple[Cycle, int]:
    org = await get_org(data["org_id"])
    if not principal.reaches(org):
        await audit.record("evaluation.cycle.create.denied", actor=principal.user, org=org)
        raise NotCycleStaff()
    plan = data.get("scheme") or schemes.DEFAULT_SCHEME
    if problems := schemes.problems(plan):
        raise SchemeInvalid(fields=problems)
    deadlines = data["deadlines"]
    _check_deadlines(deadlines, data["year"])
    roster_on = data.get("roster_on") or min(today(), dt.date(data["year"], 12, 31))
    if roster_on > today():
        raise DeadlinesInvalid(fields={"roster_on": "考评名单只能按今天或以前的党员状况确定"})
    async with in_transaction():
        # One cycle a year for a member: none for this org, its ancestors or its descendants. Two
        # set-ups in one tree at once queue on the tree's root row (PostgreSQL; SQLite writes one
        # transaction at a time anyway), so the second sees the first's cycle.
        ancestors = path_ids(org.path)
        await Org.select_for_update().get(id=ancestors[0])
        overlapping = await Cycle.filter(year=data["year"]).filter(org_id__in=ancestors).exists() or \
            await Cycle.filter(year=data["year"], org__path__startswith=org.path).exists()
        if overlapping:
            raise CycleOverlap()
        try:
            cycle = await Cycle.create(org=org, year=data["year"], scheme=plan, roster_on=roster_on,
                                       announce_days=data.get("announce_days") or 7, created_by=principal.user, **deadlines)
        except IntegrityError:
            raise CycleOverlap() from None
        members, pairs = await roster.build(cycle, org)
    await audit.record("evaluation.cycle.created", actor=principal.user, org=org, target=cycle, year=cycle.year,
                       members=members, peer_pairs=pairs)
    return cycle, members


async def progress(cycle: Cycle) -> dict:
    """Counts per stage, for the cycle's whole roster."""
    rows = await Evaluation.filter(cycle_id=cycle.id).values_list("exclusion", "veto_reason", "self_at", "reviewed_at",
                                                                   "stars", "outstanding")
    eligible = [row for row in rows if row[0] is None]
    excluded = Counter(row[0] for row in rows if row[0] is not None)
    grades = dict(await PeerGrade.filter(rater__cycle_id=cycle.id).annotate(n=Count("id"))
                  .group_by("grade").values_list("grade", "n"))
    follow_ups = await FollowUp.filter(evaluation__cycle_id=cycle.id).values_list("talk_on", "mentor_id")
    objections = await Objection.filter(cycle_id=cycle.id).values_list("answered_at", flat=True)
    stars = Counter(row[4] for row in eligible if row[4] is not None and row[1] is None)
    return {
        "in_scope": len(rows), "eligible": len(eligible),
        "excluded": {reason: excluded.get(reason, 0) for reason in EXCLUSIONS},
        "vetoed": sum(1 for row in eligible if row[1] is not None),
        "self_done": sum(1 for row in eligible if row[2] is not None),
        "peer_grades": sum(grades.values()), "peer_graded": sum(n for grade, n in grades.items() if grade is not None),
        "reviewed": sum(1 for row in eligible if row[3] is not None),
        "objections": len(objections), "objections_open": sum(1 for at in objections if at is None),
        "stars": {str(count): stars.get(count, 0) for count in range(1, 6)},
        "outstanding": sum(1 for row in eligible if row[5]),
        "follow_ups": len(follow_ups), "follow_ups_done": sum(1 for talk, mentor in follow_ups if talk and mentor),
    }


def view(cycle: Cycle, counts: dict | None = None) -> dict:
    return {"id": cycle.id, "org_id": cycle.org_id, "org_name": cycle.org.name, "year": cycle.year,
            "scheme": cycle.scheme, "roster_on": cycle.roster_on, "stage": stage(cycle),
            "deadlines": {"self_until": cycle.self_until, "peer_until": cycle.peer_until, "review_until": cycle.review_until},
            "announce_days": cycle.announce_days, "announced_on": cycle.announced_on, "announce_until": cycle.announce_until,
            "public_code": cycle.public_code, "finalized_at": cycle.finalized_at, "counts": counts}


async def list_cycles(principal: Principal, year: int | None) -> list[Cycle]:
    """Cycles whose org the caller reaches, or that reach down to an org of theirs."""
    paths = principal.paths()
    if not paths:
        return []
    query = Cycle.all().select_related("org").order_by("-year", "id")
    if year:
        query = query.filter(year=year)
    return [c for c in await query if any(p.startswith(c.org.path) or c.org.path.startswith(p) for p in paths)]


async def veto(principal: Principal, evaluation: Evaluation, reason: str) -> Evaluation:
    if evaluation.exclusion is not None:
        raise NotEligible()
    cycle = evaluation.cycle
    if cycle.finalized_at is not None:
        raise CycleFinalized()
    if cycle.announced_on is not None:
        raise AlreadyAnnounced()
    evaluation.veto_reason, evaluation.vetoed_by_id, evaluation.stars = reason, principal.user.id, None
    await evaluation.save(update_fields=["veto_reason", "vetoed_by_id", "stars"])
    await audit.record("evaluation.vetoed", actor=principal.user, org=evaluation.org_id, target=evaluation,
                       member_id=evaluation.member_id, reason=reason)
    return evaluation


async def _locked(cycle: Cycle) -> Cycle:
    """The cycle's row again, locked for the rest of the transaction: one announcement, one result."""
    locked = await Cycle.select_for_update().get(id=cycle.id)
    locked.org = cycle.org
    return locked


async def announce(principal: Principal, cycle_id: int, days: int | None) -> Cycle:
    from server.evaluation import review

    cycle = await staff_cycle(principal, cycle_id, manage=True)
    async with in_transaction():
        cycle = await _locked(cycle)
        if cycle.announced_on is not None:
            raise AlreadyAnnounced()
        missing = await Evaluation.filter(cycle_id=cycle.id, exclusion=None, veto_reason=None, reviewed_at=None) \
            .order_by("member__name").limit(20).values_list("member__name", flat=True)
        if missing:
            raise ReviewsMissing(extra={"members": list(missing)})
        await review.rescore(cycle)  # the scores as they stand on the day they are announced
        cycle.announce_days = days or cycle.announce_days
        cycle.announced_on = today()
        cycle.announce_until = cycle.announced_on + dt.timedelta(days=cycle.announce_days - 1)
        cycle.public_code = random_code(12)
        await cycle.save()
    await audit.record("evaluation.cycle.announced", actor=principal.user, org=cycle.org_id, target=cycle,
                       until=cycle.announce_until.isoformat())
    return cycle


async def finalize(principal: Principal, cycle_id: int, store) -> Cycle:
    from server.plates import cache

    cycle = await staff_cycle(principal, cycle_id, manage=True)
    async with in_transaction():
        cycle = await _locked(cycle)
        if cycle.finalized_at is not None:
            raise CycleFinalized()
        if cycle.announced_on is None:
            raise NotAnnounced()
        if today() <= cycle.announce_until:
            raise AnnouncementRunning(extra={"announce_until": cycle.announce_until.isoformat()})
        if await Objection.filter(cycle_id=cycle.id, answered_at=None).exists():
            raise ObjectionsOpen()
        cycle.finalized_at = now()
        await cycle.save(update_fields=["finalized_at"])
        low = await Evaluation.filter(cycle_id=cycle.id, stars__lte=2, veto_reason=None).values_list("id", flat=True)
        await FollowUp.bulk_create([FollowUp(evaluation_id=i) for i in low])
    await audit.record("evaluation.cycle.finalized", actor=principal.user, org=cycle.org_id, target=cycle,
                       follow_ups=len(low))
    for member_id in await Evaluation.filter(cycle_id=cycle.id).values_list("member_id", flat=True):
        await cache.forget_member(member_id, store)  # the public pages show the stars
    return cycle


async def stars_of(member_ids: list[int]) -> dict[int, int | None]:
    """Each member's stars from their latest final cycle (none if vetoed or excluded there)."""
    rows = await Evaluation.filter(member_id__in=member_ids, cycle__finalized_at__isnull=False) \
        .order_by("cycle__year", "cycle__finalized_at").values_list("member_id", "stars", "veto_reason")
    out: dict[int, int | None] = {}
    for member_id, count, vetoed in rows:  # the later cycle overwrites the earlier
        out[member_id] = None if vetoed else count
    return out
