"""The year's plan of 三会一课: how often each kind of meeting must be held, and whether it was.

Defaults from the rules every branch is inspected on (支部党员大会 and 党课 each quarter, 支委会,
党小组会 and 主题党日 each month, 组织生活会 and 民主评议 each year); an org may set its own for
a kind (MeetingPlan rows), including "none" for a kind it does not hold (a branch of fewer than
seven members has no 支委会). Only an org's own meetings count, not its sub-orgs': each branch
holds its own. A meeting counts as held once it has started and was not cancelled.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.functions import Count

from server import audit
from server.activities.models import ACTIVITY_KINDS, Activity, MeetingPlan, PlanReminder
from server.auth import Principal
from server.clock import SHANGHAI, now, utc
from server.errors import Forbidden
from server.orgs.models import Org
from server.orgs.service import get_org

PLAN_EVERY = {"month": "每月", "quarter": "每季度", "year": "每年", "none": "不作要求"}
PLAN_STATUSES = {"done": "已完成", "due": "本期待开", "overdue": "逾期未开", "upcoming": "未到期"}
# kind -> (every, times) for party branches and market party orgs.
PLAN_DEFAULTS = {
    "party_congress": ("quarter", 1),
    "committee": ("month", 1),
    "group": ("month", 1),
    "lecture": ("quarter", 1),
    "theme_day": ("month", 1),
    "life_meeting": ("year", 1),
    "appraisal": ("year", 1),
}
PLANNED_KINDS = tuple(PLAN_DEFAULTS)
# Orgs that hold 三会一课 themselves; associations and their branches start with no requirement.
HOLDING_ORG_KINDS = ("party_branch", "market_org")
REMIND_BEFORE = dt.timedelta(days=7)
QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


@dataclass(frozen=True)
class Period:
    key: str  # "2026", "2026-Q2", "2026-05"
    label: str
    first: dt.date
    last: dt.date

    @property
    def starts(self) -> dt.datetime:
        return utc(dt.datetime.combine(self.first, dt.time(), tzinfo=SHANGHAI))

    @property
    def ends(self) -> dt.datetime:
        return utc(dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI))


class NotPlanStaff(Forbidden):
    code, message = "not_org_staff", "只有该组织或上级组织的书记、管理员可以查看和修改会议计划"


async def plan_org(principal: Principal, org_id: int) -> Org:
    org = await get_org(org_id)
    if not principal.reaches(org):
        raise NotPlanStaff()
    return org


async def subscribe(principal: Principal, org_id: int) -> tuple[PlanReminder, bool]:
    """The secretary accepted the subscribe prompt on the plan screen: remind them once, a week
    before a period ends with a required meeting of this org not held."""
    org = await plan_org(principal, org_id)
    return await PlanReminder.get_or_create(user=principal.user, org=org, status="pending")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def periods(year: int, every: str) -> list[Period]:
    if every == "month":
        return [Period(f"{year}-{m:02d}", f"{m}月", dt.date(year, m, 1), _month_end(year, m)) for m in range(1, 13)]
    if every == "quarter":
        return [Period(f"{year}-Q{q}", QUARTERS[q - 1], dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q))
                for q in range(1, 5)]
    if every == "year":
        return [Period(str(year), f"{year}年", dt.date(year, 1, 1), dt.date(year, 12, 31))]
    return []


def status(required: int, held: int, period: Period, moment: dt.datetime) -> str:
    if held >= required:
        return "done"
    if moment >= period.ends:
        return "overdue"
    return "due" if moment >= period.starts else "upcoming"


async def settings_of(org: Org) -> dict[str, tuple[str, int]]:
    """kind -> (every, times) in force for the org: its own rows over the defaults."""
    base = PLAN_DEFAULTS if org.kind in HOLDING_ORG_KINDS else {kind: ("none", 1) for kind in PLANNED_KINDS}
    own = {kind: (every, times) for kind, every, times in
           await MeetingPlan.filter(org_id=org.id).values_list("kind", "every", "times")}
    return {kind: own.get(kind, base[kind]) for kind in PLANNED_KINDS}


def settings_view(org: Org, plan: dict[str, tuple[str, int]]) -> dict:
    return {"org_id": org.id, "items": [
        {"kind": kind, "label": ACTIVITY_KINDS[kind], "every": every, "times": times}
        for kind, (every, times) in plan.items()]}


async def change_settings(principal: Principal, org: Org, items: list[dict]) -> dict[str, tuple[str, int]]:
    current = await settings_of(org)
    changed = {}
    for item in items:
        wanted = (item["every"], item["times"])
        if current[item["kind"]] != wanted:
            await MeetingPlan.update_or_create(org_id=org.id, kind=item["kind"], defaults={
                "every": wanted[0], "times": wanted[1], "updated_by": principal.user})
            changed[item["kind"]] = f"{PLAN_EVERY[wanted[0]]}{wanted[1]}次" if wanted[0] != "none" else PLAN_EVERY["none"]
    if changed:
        await audit.record("meeting_plan.changed", actor=principal.user, org=org, changes=changed)
    return await settings_of(org)


async def held_counts(org_id: int, year: int, until: dt.datetime) -> dict[tuple[str, dt.date], tuple[int, int]]:
    """(kind, Shanghai day) -> (held, scheduled ahead) for an org's own meetings of a year."""
    first = Period(str(year), "", dt.date(year, 1, 1), dt.date(year, 12, 31))
    rows = await Activity.filter(org_id=org_id, status="scheduled", kind__in=PLANNED_KINDS,
                                 starts_at__gte=first.starts, starts_at__lt=first.ends).values_list("kind", "starts_at")
    counts: dict[tuple[str, dt.date], list[int]] = {}
    for kind, starts_at in rows:
        tally = counts.setdefault((kind, starts_at.astimezone(SHANGHAI).date()), [0, 0])
        tally[0 if starts_at <= until else 1] += 1
    return {key: (held, ahead) for key, (held, ahead) in counts.items()}


async def year_plan(org: Org, year: int, moment: dt.datetime | None = None) -> dict:
    """Per planned kind and period of the year: required, held, scheduled, status."""
    moment = moment or now()
    plan = await settings_of(org)
    counts = await held_counts(org.id, year, moment)
    kinds = []
    for kind, (every, times) in plan.items():
        rows = []
        for period in periods(year, every):
            held = sum(h for (k, day), (h, _) in counts.items() if k == kind and period.first <= day <= period.last)
            ahead = sum(a for (k, day), (_, a) in counts.items() if k == kind and period.first <= day <= period.last)
            rows.append({"period": period.key, "label": period.label, "first_day": period.first,
                         "last_day": period.last, "required": times, "held": held, "scheduled": ahead,
                         "status": status(times, held, period, moment)})
        kinds.append({"kind": kind, "label": ACTIVITY_KINDS[kind], "every": every, "times": times, "periods": rows})
    current = [{"kind": k["kind"], "kind_label": k["label"], **p} for k in kinds for p in k["periods"]
               if p["status"] in ("due", "overdue")]
    return {"org_id": org.id, "org_name": org.name, "year": year, "kinds": kinds,
            # what needs doing now: this period's missing meetings, then the missed ones
            "attention": sorted(current, key=lambda p: (p["status"] != "due", p["last_day"], p["kind"]))}


def ending_soon(plan: dict, moment: dt.datetime) -> list[dict]:
    """The due periods that end within REMIND_BEFORE of the moment: what a reminder names."""
    today = moment.astimezone(SHANGHAI).date()
    return [p for p in plan["attention"] if p["status"] == "due" and p["last_day"] - today < REMIND_BEFORE]


async def trainings_held(org_ids: list[int], year: int, moment: dt.datetime) -> dict[int, int]:
    """Trainings (教育培训) each org held in the year up to the moment: started, not cancelled."""
    first = utc(dt.datetime(year, 1, 1, tzinfo=SHANGHAI))
    until = min(moment, utc(dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI)))
    rows = await Activity.filter(org_id__in=org_ids, kind="training", status="scheduled", starts_at__gte=first,
                                 starts_at__lte=until).annotate(n=Count("id")).group_by("org_id").values_list("org_id", "n")
    return dict(rows)
