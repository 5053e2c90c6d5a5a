"""What the year's 台账 holds, read for the workbook and the PDF book alike: the meetings of an
org's subtree in a year, each as a page (its record, headcounts, quorum, and everyone expected
or recorded with how and why), and the plan's status for every org in the subtree that has one.

Pages come a few meetings at a time (LEDGER_CHUNK): each chunk is three reads for the audiences
(history.audience_members), one for the attendance and one for the names of those expected who
never signed in; a city's year never sits in memory whole.
"""
from __future__ import annotations

import asyncio
import datetime as dt

from server.activities import attendance, plan
from server.activities.models import ACTIVITY_KINDS, ATTENDANCE_METHODS, ATTENDANCE_STATUSES, Activity, ActivityPhoto
from server.activities.record import quorum_of
from server.auth import Principal
from server.clock import SHANGHAI, today
from server.errors import Conflict
from server.members import history
from server.members.models import CATEGORIES, Member
from server.orgs.models import Org
from server.reports.service import reportable_org, year_bounds

# A 台账 of record pages is a branch's (a few dozen meetings a year, a busy one 200). Above this
# many meetings (an association's whole subtree) the workbook keeps the overview and every
# sign-in but leaves the pages to each org's own ledger, and the PDF book is refused: 2 000
# pages would take minutes and no one prints them.
PAGES_LIMIT = 300
LEDGER_CHUNK = 50  # meetings whose pages are read (and written) at a time
# Those expected who never signed in are named one by one up to this many; a city-wide training
# expecting 20 000 members says how many did not come instead of listing them (its headcounts
# stay exact).
UNRECORDED_LISTED = 500
NAME_CHUNK = 5000
STATUS_ORDER = {"present": 0, "leave": 1, "absent": 2, None: 3}
UNRECORDED = "未签到"


class LedgerTooLarge(Conflict):
    code = "ledger_too_large"
    message = f"会议超过 {PAGES_LIMIT} 次，PDF 台账请按下级组织分别下载（Excel 台账含全部会议的一览和签到明细）"


ACTIVITY_FIELDS = ("id", "kind", "title", "place", "starts_at", "ends_at", "org_id", "org__name", "org__path",
                   "counts_as_training", "status", "minutes", "guests", "topics", "resolutions", "speaker_name",
                   "host__name", "recorder__name", "speaker__name")


async def ledger(principal: Principal, org_id: int, year: int | None) -> dict:
    """The meetings of the year (without their pages) and the plan of each org that has one."""
    org = await reportable_org(principal, org_id)
    year = year or today().year
    start, end = year_bounds(year)
    orgs = await Org.filter(path__startswith=org.path).order_by("path")
    activities = await Activity.filter(org_id__in=[o.id for o in orgs], starts_at__gte=start, starts_at__lt=end) \
        .order_by("starts_at", "id").values(*ACTIVITY_FIELDS)
    for number, activity in enumerate(activities, start=1):
        activity.update(number=number, kind_label=ACTIVITY_KINDS.get(activity["kind"], activity["kind"]))
    plans = []
    for each in orgs:
        year_plan = await plan.year_plan(each, year)
        if any(kind["periods"] for kind in year_plan["kinds"]):
            plans.append(year_plan)
    return {"org_name": org.name, "year": year, "activities": activities, "plans": plans}


def _day(activity: dict) -> dt.date:
    return activity["starts_at"].astimezone(SHANGHAI).date()


async def pages(activities: list[dict]):
    """Each meeting as its 台账 page, LEDGER_CHUNK at a time, in the order given."""
    index = await history.audience_index({(a["org_id"], a["org__path"], _day(a)) for a in activities})
    for first in range(0, len(activities), LEDGER_CHUNK):
        chunk = activities[first:first + LEDGER_CHUNK]
        # sorting a large subtree's periods the first time it is asked is CPU work: in a thread
        audiences = await asyncio.to_thread(
            lambda: {(a["org_id"], _day(a)): index.members(a["org_id"], a["org__path"], _day(a)) for a in chunk})
        rows: dict[int, dict[int, tuple]] = {}
        for row in await attendance.rows_of([a["id"] for a in chunk]):
            rows.setdefault(row[0], {})[row[1]] = row[2:]
        unnamed = {member_id for a in chunk if _lists_unrecorded(audiences[(a["org_id"], _day(a))], rows.get(a["id"], {}))
                   for member_id in audiences[(a["org_id"], _day(a))] if member_id not in rows.get(a["id"], {})}
        names = {}
        unnamed_list = sorted(unnamed)
        for start in range(0, len(unnamed_list), NAME_CHUNK):
            names.update(await Member.filter(id__in=unnamed_list[start:start + NAME_CHUNK]).values_list("id", "name"))
        yield [_page(a, audiences[(a["org_id"], _day(a))], rows.get(a["id"], {}), names) for a in chunk]


async def photos(activity_ids: list[int], files, limit: int = 6) -> dict[int, list[bytes]]:
    """The first photos of each meeting, as stored (the book reduces them to print size)."""
    found: dict[int, list[bytes]] = {}
    for activity_id, key in await ActivityPhoto.filter(activity_id__in=activity_ids).order_by("activity_id", "id") \
            .values_list("activity_id", "key"):
        if len(found.setdefault(activity_id, [])) < limit:
            data = await files.get(key)
            if data is not None:
                found[activity_id].append(data)
    return found


def _unrecorded(audience, recorded: dict) -> int:
    """How many of the audience have no attendance row (those recorded may have left it since)."""
    return len(audience) - sum(1 for member_id in recorded if member_id in audience)


def _lists_unrecorded(audience, recorded: dict) -> bool:
    return _unrecorded(audience, recorded) <= UNRECORDED_LISTED


def _page(activity: dict, audience: dict[int, tuple[str, str]], recorded: dict[int, tuple], names: dict) -> dict:
    people = []
    for member_id, (name, category, status, method, recorded_at, note) in recorded.items():
        category = audience.get(member_id, (category,))[0]
        people.append((member_id, name, category, status, method, recorded_at, note))
    unrecorded = _unrecorded(audience, recorded)
    if unrecorded <= UNRECORDED_LISTED:
        people += [(member_id, names.get(member_id, ""), category, None, None, None, "")
                   for member_id, (category, _) in audience.items() if member_id not in recorded]
    people.sort(key=lambda p: (STATUS_ORDER[p[3]], p[1], p[0]))
    counts = {status: sum(1 for p in people if p[3] == status) for status in ("present", "leave", "absent")}
    full_present = sum(1 for p in people if p[3] == "present" and audience.get(p[0], ("", ""))[1] == "full")
    absentees = "；".join(f"{p[1]}（{ATTENDANCE_STATUSES.get(p[3], UNRECORDED)}{'：' + p[6] if p[6] else ''}）"
                         for p in people if p[3] != "present")
    if unrecorded > UNRECORDED_LISTED:
        absentees += f"{'；' if absentees else ''}另有 {unrecorded} 人未签到（人数较多，不逐一列出）"
    return {
        **activity,
        "host": activity["host__name"] or "", "recorder": activity["recorder__name"] or "",
        "speaker": activity["speaker__name"] or activity["speaker_name"],
        "expected": len(audience), **counts, "unrecorded": unrecorded,
        "quorum": quorum_of(activity["kind"], history.full_count(audience), full_present),
        "people": [{"name": name, "category": CATEGORIES.get(category, category),
                    "status": ATTENDANCE_STATUSES.get(status, UNRECORDED),
                    "method": ATTENDANCE_METHODS.get(method, ""), "recorded_at": recorded_at, "note": note}
                   for _, name, category, status, method, recorded_at, note in people],
        "absentees": absentees,
    }


def quorum_text(quorum: dict | None) -> str:
    if quorum is None:
        return ""
    verdict = "达到" if quorum["met"] else "未达到"
    return f"{verdict}（应到正式党员 {quorum['full_expected']} 人，须到 {quorum['required']} 人，实到 {quorum['present']} 人）"


def when(page: dict) -> str:
    starts, ends = page["starts_at"].astimezone(SHANGHAI), page["ends_at"].astimezone(SHANGHAI)
    end_text = f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends:%Y-%m-%d %H:%M}"
    return f"{starts:%Y-%m-%d %H:%M} 至 {end_text}"


def resolution_text(resolution: dict) -> str:
    votes = [(label, resolution.get(key)) for label, key in
             (("赞成", "votes_for"), ("反对", "votes_against"), ("弃权", "abstaining"))]
    counted = "，".join(f"{label} {n} 票" for label, n in votes if n is not None)
    return f"{resolution['text']}（{counted}）" if counted else resolution["text"]
