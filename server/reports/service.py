"""Training rates per category, computed with aggregate queries; what reports share (the year, the org)."""
from __future__ import annotations

import datetime as dt

from tortoise.expressions import Subquery
from tortoise.functions import Count

from server.activities.models import Attendance
from server.members import history
from server.auth import Principal
from server.clock import SHANGHAI, today, utc
from server.errors import Forbidden
from server.members.models import CATEGORIES
from server.orgs.service import get_org

# Seed §一.5: 隶属党员年培训率100%；流动党员年培训率80%以上；属地党员年教育培训至少参加一次以上。
TARGETS = {
    "affiliated": (1.0, "年培训率 100%"),
    "floating": (0.8, "年培训率 80% 以上"),
    "local": (1.0, "每人每年至少参加一次"),
}
BELOW_TARGET_LIMIT = 500


class NotReportable(Forbidden):
    code, message = "not_org_staff", "只能查看你所管辖组织的报表"


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """A calendar year in Shanghai time: 1 January 00:00 +08:00 to the next."""
    return utc(dt.datetime(year, 1, 1, tzinfo=SHANGHAI)), utc(dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI))


async def reportable_org(principal: Principal, org_id: int):
    org = await get_org(org_id)
    if not principal.reaches(org):
        raise NotReportable()
    return org


def _trained_member_ids(year: int):
    start, end = year_bounds(year)
    return Attendance.filter(
        status="present", activity__counts_as_training=True, activity__status="scheduled",
        activity__starts_at__gte=start, activity__starts_at__lt=end,
    ).values("member_id")


def roster_day(year: int) -> dt.date:
    """The day whose roster a year's figures count: 31 December, or today in the current year."""
    return min(today(), dt.date(year, 12, 31))


async def training_rates(principal: Principal, org_id: int, year: int | None) -> dict:
    """Members of the org's subtree on the year's roster day (history.on_day), by the category
    they had that day, against those trained in the year."""
    org = await reportable_org(principal, org_id)
    year = year or today().year
    in_org = history.on_day(roster_day(year), org_path=org.path)
    members = dict(await in_org.annotate(n=Count("id")).group_by("category").values_list("category", "n"))
    trained = dict(await in_org.filter(member_id__in=Subquery(_trained_member_ids(year)))
                   .annotate(n=Count("id")).group_by("category").values_list("category", "n"))
    untrained = [{"id": row["member_id"], "name": row["member__name"], "unit_name": row["member__unit_name"],
                  "category": row["category"], "life_org_id": row["life_org_id"]}
                 for row in await in_org.exclude(member_id__in=Subquery(_trained_member_ids(year)))
                 .order_by("category", "member__name", "member_id").limit(BELOW_TARGET_LIMIT * 3)
                 .values("member_id", "member__name", "member__unit_name", "category", "life_org_id")]
    categories = []
    for category, label in CATEGORIES.items():
        total, done = members.get(category, 0), trained.get(category, 0)
        target, target_text = TARGETS[category]
        rate = round(done / total, 4) if total else None
        categories.append({
            "category": category, "label": label, "members": total, "trained": done, "rate": rate,
            "target": target, "target_text": target_text, "met": total == 0 or done / total >= target,
            # Every untrained member stands below a per-member target; for floating members they
            # are the ones pulling the rate down.
            "below_target": [{k: m[k] for k in ("id", "name", "unit_name", "life_org_id")}
                             for m in untrained if m["category"] == category][:BELOW_TARGET_LIMIT],
        })
    return {"org_id": org.id, "org_name": org.name, "year": year, "categories": categories}
