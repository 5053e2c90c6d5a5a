"""The 六化 standard (浙工商党委〔2013〕23号) as a checklist per market and year.

Six areas from the source document, each with items that are either computed from the records
(with the figure shown) or attested by staff with evidence, an inspector and a date. An area is
met when all its items are; the market when all six are. Everything is computed as of a moment
(now for the live checklist, 23:59 of the snapshot day for the half-year figures), many markets
at once with a fixed number of queries plus one plan read per party org.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from tortoise.expressions import Subquery

from server.activities.plan import trainings_held, year_plan
from server.clock import SHANGHAI, utc
from server.markets.models import Attestation, Evidence, Market, SpotCheck
from server.members import history
from server.orgs.models import Org, path_ids
from server.plates.issuing import issued_on

AREAS = {
    "info": "党员信息动态化",
    "coverage": "组织覆盖有效化",
    "rules": "制度建设规范化",
    "role": "作用发挥实质化",
    "education": "教育管理制度化",
    "support": "党建保障常态化",
}


@dataclass(frozen=True)
class Item:
    key: str
    area: str
    label: str
    computed: bool


CHECKLIST = (
    Item("records_complete", "info", "党员信息采集完整（市场内党员档案齐全）", True),
    Item("floating_files", "info", "流动党员管理档案、党员报到登记", False),
    Item("org_coverage", "coverage", "3名以上正式党员的单独组建，不足的联合或区域性组建", True),
    Item("meeting_plan", "rules", "三会一课按计划开展", True),
    Item("democratic_council", "rules", "党员民主议事制度建立并运行", False),
    Item("plates_hung", "role", "三亮牌发到每名党员并在摊位悬挂、清晰可辨", True),
    Item("supervision", "role", "党员亮身份、亮承诺，接受群众监督", False),
    Item("trainings", "education", "每年至少两次教育培训", True),
    Item("development", "education", "培养、发展党员工作", False),
    Item("support", "support", "1–2名党务工作者、党员活动室、党务公开栏、经费保障", True),
)
ITEMS = {item.key: item for item in CHECKLIST}
MIN_TRAININGS = 2
OWN_ORG_AT = 3  # full members from which a market forms its own org
COMPLETE_FIELDS = ("mobile", "unit_name", "household_district", "home_org", "gender", "joined_party_on")


def end_of(day: dt.date) -> dt.datetime:
    return utc(dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI))


async def market_members(market_ids: list[int], day: dt.date) -> dict[int, list[dict]]:
    """Per market, the members trading there on the day (history), with their record's fields:
    one joined read."""
    periods = await history.on_day(day, placement="in_market", market_id__in=market_ids).values(
        "member_id", "market_id", "stall_no", "standing", "category", "life_org_id",
        **{field: f"member__{field}" for field in ("name", "is_owner", *COMPLETE_FIELDS)})
    out: dict[int, list[dict]] = defaultdict(list)
    for period in periods:
        out[period["market_id"]].append(period)
    return out


async def plates_held(market_ids: list[int], day: dt.date) -> set[int]:
    """Which of the members trading in the markets that day held a plate at its end."""
    return await issued_on(trading_ids(market_ids, day), end_of(day))


def trading_ids(market_ids: list[int], day: dt.date) -> Subquery:
    """The ids of the members market_members finds, as a subquery: a city's tens of thousands of
    ids are never spelled out in the SQL (building that text took a second of the event loop)."""
    return Subquery(history.on_day(day, placement="in_market", market_id__in=market_ids).values("member_id"))


async def evaluate_many(markets: list[Market], year: int, day: dt.date, members: dict[int, list[dict]] | None = None,
                        plated: set[int] | None = None) -> dict[int, dict]:
    """market id -> the checklist (areas, items, met, missing) as of the end of `day`; `members`
    (market_members) and `plated` (plates_held) when the caller has read them already."""
    moment = end_of(day)
    ids = [m.id for m in markets]
    members = members if members is not None else await market_members(ids, day)
    plated = plated if plated is not None else await plates_held(ids, day)
    first = utc(dt.datetime(year, 1, 1, tzinfo=SHANGHAI))
    checks: dict[int, tuple[bool, bool]] = {}
    for member_id, hung, readable in await SpotCheck.filter(market_id__in=ids, checked_at__gte=first,
                                                             checked_at__lte=moment).order_by("checked_at", "id") \
            .values_list("member_id", "hung", "readable"):
        checks[member_id] = (hung, readable)  # the latest check of the year counts
    attested = {(a.market_id, a.item_key): a for a in await Attestation.filter(market_id__in=ids, year=year)}
    evidence: dict[tuple[int, str], list[Evidence]] = defaultdict(list)
    for e in await Evidence.filter(market_id__in=ids, year=year).order_by("id"):
        evidence[(e.market_id, e.item_key)].append(e)
    orgs = {o.id: o for o in await Org.filter(id__in={m.org_id for m in markets})}
    lineage = {o.id: path_ids(o.path) for o in orgs.values()}
    trainings = await trainings_held(sorted({i for chain in lineage.values() for i in chain}), year, moment)
    plans = {org_id: await year_plan(org, year, moment) for org_id, org in orgs.items()
             if any(m.org_id == org_id and m.org_form for m in markets)}
    out = {}
    for market in markets:
        rows = members.get(market.id, [])
        figures = {
            "records_complete": _records(rows),
            "org_coverage": _coverage(market, rows),
            "meeting_plan": _plan(market, plans.get(market.org_id)),
            "plates_hung": _plates(rows, plated, checks),
            "trainings": _trainings(sum(trainings.get(i, 0) for i in lineage[market.org_id])),
            "support": _support(market),
        }
        items = []
        for item in CHECKLIST:
            if item.computed:
                met, figure, missing = figures[item.key]
                items.append({"key": item.key, "area": item.area, "label": item.label, "how": "computed",
                              "met": met, "figure": figure, "missing": missing, "evidence": []})
            else:
                items.append(_attested(item, attested.get((market.id, item.key)), evidence[(market.id, item.key)]))
        out[market.id] = _summarise(market, year, items)
    return out


def _summarise(market: Market, year: int, items: list[dict]) -> dict:
    areas = []
    for key, label in AREAS.items():
        mine = [i for i in items if i["area"] == key]
        missing = [f"{i['label']}：{i['missing']}" for i in mine if not i["met"]]
        areas.append({"key": key, "label": label, "met": not missing, "missing": missing, "items": mine})
    return {"market_id": market.id, "market_name": market.name, "year": year, "met": all(a["met"] for a in areas),
            "missing": [f"{a['label']}未达标" for a in areas if not a["met"]], "areas": areas}


def _records(rows: list[dict]) -> tuple[bool, str, str]:
    if not rows:
        return True, "市场内暂无党员", ""
    complete = sum(all(row.get(f) not in (None, "") for f in COMPLETE_FIELDS) for row in rows)
    share = round(100 * complete / len(rows))
    missing = "" if complete == len(rows) else f"还有 {len(rows) - complete} 名党员档案不全（性别、入党日期等）"
    return complete == len(rows), f"{complete}/{len(rows)} 名党员档案完整（{share}%）", missing


def _coverage(market: Market, rows: list[dict]) -> tuple[bool, str, str]:
    full = sum(row["standing"] == "full" for row in rows)
    figure = f"正式党员 {full} 名，" + ("未建党组织" if not market.org_form else
                                      {"single": "已单独组建", "joint": "已联合组建", "regional": "由区域性党组织覆盖"}[market.org_form])
    if market.org_form is None:
        return False, figure, "尚未建立或纳入党组织"
    if full >= OWN_ORG_AT and market.org_form != "single":
        return False, figure, f"正式党员已有 {full} 名，应单独组建党组织"
    return True, figure, ""


def _plan(market: Market, plan: dict | None) -> tuple[bool, str, str]:
    if not market.org_form or plan is None:
        return False, "尚无党组织", "尚未建立或纳入党组织，无法开展三会一课"
    periods = [p for kind in plan["kinds"] for p in kind["periods"] if p["status"] in ("done", "overdue")]
    overdue = [p for p in plan["attention"] if p["status"] == "overdue"]
    figure = f"{plan['org_name']}：到期 {len(periods)} 期，按时完成 {len(periods) - len(overdue)} 期"
    if overdue:
        names = "、".join(f"{p['label']}{p['kind_label']}" for p in overdue[:3]) + ("等" if len(overdue) > 3 else "")
        return False, figure, f"逾期未开 {len(overdue)} 次（{names}）"
    return True, figure, ""


def _plates(rows: list[dict], plated: set[int], checks: dict[int, tuple[bool, bool]]) -> tuple[bool, str, str]:
    if not rows:
        return True, "市场内暂无党员", ""
    issued = sum(row["member_id"] in plated for row in rows)
    hung = sum(checks.get(row["member_id"]) == (True, True) for row in rows)
    checked = sum(row["member_id"] in checks for row in rows)
    figure = f"已发牌 {issued}/{len(rows)}，抽查 {checked} 个摊位，悬挂清晰 {hung}"
    gaps = []
    if issued < len(rows):
        gaps.append(f"{len(rows) - issued} 名党员未发牌")
    if checked < len(rows):
        gaps.append(f"{len(rows) - checked} 个摊位本年未抽查")
    if hung < checked:
        gaps.append(f"{checked - hung} 个摊位未悬挂或看不清")
    return not gaps, figure, "，".join(gaps)


def _trainings(count: int) -> tuple[bool, str, str]:
    figure = f"本年已开展教育培训 {count} 次"
    return count >= MIN_TRAININGS, figure, "" if count >= MIN_TRAININGS else f"还差 {MIN_TRAININGS - count} 次"


def _support(market: Market) -> tuple[bool, str, str]:
    gaps = [what for what, ok in (("党务工作者", 1 <= len(market.workers or []) <= 2), ("党员活动室", market.has_room),
                                  ("党务公开栏", market.has_board), ("党建经费", bool(market.funds_yuan)))
            if not ok]
    have = 4 - len(gaps)
    return not gaps, f"四项保障已具备 {have} 项", ("缺少" + "、".join(gaps)) if gaps else ""


def _attested(item: Item, attestation: Attestation | None, evidence: list[Evidence]) -> dict:
    base = {"key": item.key, "area": item.area, "label": item.label, "how": "attested", "evidence": evidence}
    if attestation is None:
        return {**base, "met": False, "figure": "尚未认定", "missing": "需上传材料并由检查人认定"}
    return {**base, "met": attestation.met, "inspector": attestation.inspector, "checked_on": attestation.checked_on,
            "note": attestation.note, "figure": f"{attestation.inspector} {attestation.checked_on:%Y-%m-%d} 认定"
            + ("达标" if attestation.met else "未达标"),
            "missing": "" if attestation.met else (attestation.note or "检查未达标")}
