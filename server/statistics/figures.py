"""The figures the three official tables need, for an org's subtree as of a day: its members as
the 登记表 has them, one row per market for the 党建情况统计表, one row per district for the 数量
统计表, and the totals the overview and the sums up the tree compare. Members come from the
member history as of the day (history.on_day), markets and their 六化 state as of its end."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from tortoise.functions import Count

from server.markets import standard
from server.markets.models import MARKET_KINDS, Market
from server.members import history
from server.orgs.models import Org, Role

# Where a member's 组织关系 is, as the statistics tables split it.
RELATIONS = {"association": "协会隶属", "market": "市场", "local": "属地", "floating": "流动"}
MEMBER_FIELDS = ("member_id", "category", "standing", "placement", "stall_no", "market_id", "life_org_id",
                 "member__name", "member__unit_name", "member__mobile", "member__is_owner",
                 "member__household_district", "member__home_org", "member__registration__filled_by_name",
                 "member__registration__filled_by_phone", "member__registration__filled_on")
# Totals kept with every snapshot, summed up the tree and shown beside today's in the overview.
TOTALS = {"members": "党员总数", "association": "协会隶属", "market": "市场党组织", "local": "属地", "floating": "流动",
          "owners": "业主", "employees": "从业人员", "full": "正式党员", "probationary": "预备党员",
          "standalone": "个体工商户", "in_market": "市场内个体工商户", "markets": "市场数", "markets_in_scope": "六化范围内市场",
          "markets_with_org": "已建党组织的市场", "markets_met": "六化达标市场", "plates_issued": "已发三亮牌",
          "plates_hung": "抽查悬挂三亮牌", "vendors": "市场经营户"}


MARKETS_A_READ = 100


def relation(category: str, life_org_kind: str) -> str:
    if category == "affiliated":
        return "market" if life_org_kind == "market_org" else "association"
    return category


async def members_on(org: Org, day: dt.date) -> list[dict]:
    """The subtree's members on the day, with their record's fields (one joined read)."""
    rows = await history.on_day(day, org_path=org.path).order_by("life_org_id", "member_id").values(*MEMBER_FIELDS)
    return [{key.replace("member__registration__", "").replace("member__", ""): value for key, value in row.items()}
            for row in rows]


async def secretaries(org_ids: set[int]) -> dict[int, str]:
    from server.members.models import Member

    roles = await Role.filter(org_id__in=org_ids, role="secretary").order_by("id").values_list("org_id", "user_id")
    names = dict(await Member.filter(user_id__in=[u for _, u in roles]).values_list("user_id", "name"))
    out: dict[int, list[str]] = defaultdict(list)
    for org_id, user_id in roles:
        if user_id in names:
            out[org_id].append(names[user_id])
    return {org_id: "、".join(found) for org_id, found in out.items()}


async def compute(org: Org, day: dt.date) -> tuple[dict, list[dict]]:
    """(figures, member rows) of the org's subtree as of the day."""
    members = await members_on(org, day)
    orgs = {o.id: o for o in await Org.filter(path__startswith=org.path)}
    market_rows = await markets_of(org, day, orgs)
    names = {m["id"]: m["name"] for m in market_rows} | dict(await Market.filter(
        id__in={r["market_id"] for r in members if r["market_id"]} - {m["id"] for m in market_rows}).values_list("id", "name"))
    for row in members:
        row["life_org_name"] = orgs[row["life_org_id"]].name if row["life_org_id"] in orgs else ""
        row["market_name"] = names.get(row["market_id"])
    figures = {"org_id": org.id, "org_name": org.name, "as_of": day.isoformat(),
               "totals": {**await member_totals(org, day), **market_totals(market_rows)}, "markets": market_rows,
               "districts": districts(market_rows)}
    return figures, members


async def markets_of(org: Org, day: dt.date, orgs: dict[int, Org] | None = None) -> list[dict]:
    """One row per market the subtree's orgs look after: its record, its members that day, its
    plates and its 六化 state at the day's end."""
    markets = await Market.filter(org__path__startswith=org.path).order_by("district", "name", "id")
    if orgs is None:
        orgs = {o.id: o for o in await Org.filter(id__in={m.org_id for m in markets})}
    heads = await secretaries({m.org_id for m in markets})
    kinds: dict[int, str] = {}
    rows = []
    # A city's markets a hundred at a time: each stretch of counting between two reads stays
    # short, so the other requests on the worker are not held up for the whole city.
    for start in range(0, len(markets), MARKETS_A_READ):
        some = markets[start:start + MARKETS_A_READ]
        trading = await standard.market_members([m.id for m in some], day)
        kinds |= dict(await Org.filter(id__in={r["life_org_id"] for rs in trading.values() for r in rs} - kinds.keys())
                      .values_list("id", "kind"))
        plated = await _plates([m.id for m in some], day)
        checklists = await standard.evaluate_many(some, day.year, day, trading, plated["issued"])
        rows += [_market_row(m, trading.get(m.id, []), kinds, checklists[m.id], plated, orgs, heads) for m in some]
    return rows


async def member_totals(org: Org, day: dt.date) -> dict:
    """The subtree's members that day counted by 组织关系, standing, owner and placement: one grouped read."""
    counts = Counter()
    rows = await history.on_day(day, org_path=org.path).annotate(n=Count("id")) \
        .group_by("category", "standing", "placement", "member__is_owner", "life_org__kind") \
        .values_list("category", "standing", "placement", "member__is_owner", "life_org__kind", "n")
    for category, standing, placement, is_owner, kind, n in rows:
        counts["members"] += n
        counts[relation(category, kind)] += n
        counts[standing] += n
        counts[placement] += n
        counts["owners" if is_owner else "employees"] += n
    return {key: counts.get(key, 0) for key in ("members", *RELATIONS, "owners", "employees", "full", "probationary",
                                                 "standalone", "in_market")}


async def _plates(market_ids: list[int], day: dt.date) -> dict[str, set[int]]:
    from server.markets.models import SpotCheck

    moment = standard.end_of(day)
    trading = standard.trading_ids(market_ids, day)
    hung: dict[int, bool] = {}
    first = standard.end_of(dt.date(day.year - 1, 12, 31))
    for member_id, is_hung, readable in await SpotCheck.filter(member_id__in=trading, checked_at__gt=first,
                                                                checked_at__lte=moment).order_by("checked_at", "id") \
            .values_list("member_id", "hung", "readable"):
        hung[member_id] = is_hung and readable
    return {"issued": await standard.plates_held(market_ids, day), "hung": {m for m, ok in hung.items() if ok}}


def _market_row(market: Market, rows: list[dict], kinds: dict[int, str], checklist: dict, plated: dict,
                orgs: dict[int, Org], heads: dict[int, str]) -> dict:
    relations = Counter(relation(r["category"], kinds.get(r["life_org_id"], "")) for r in rows)
    full = sum(r["standing"] == "full" for r in rows)
    return {
        "id": market.id, "name": market.name, "kind": market.kind, "district": market.district, "stars": market.stars,
        "operator_name": market.operator_name, "operator_contact": market.operator_contact, "address": market.address,
        "in_scope": bool(market.scope), "scope": list(market.scope or []), "vendor_count": market.vendor_count,
        "members": len(rows), **{key: relations.get(key, 0) for key in RELATIONS},
        "owners": sum(bool(r["is_owner"]) for r in rows), "employees": sum(not r["is_owner"] for r in rows),
        "full": full, "probationary": len(rows) - full,
        "org_form": market.org_form, "org_level": market.org_level,
        "org_name": orgs[market.org_id].name if market.org_form and market.org_id in orgs else "",
        "secretary": heads.get(market.org_id, "") if market.org_form else "",
        "workers": list(market.workers or []), "has_room": market.has_room, "has_board": market.has_board,
        "funds_yuan": market.funds_yuan,
        "plates_issued": sum(r["member_id"] in plated["issued"] for r in rows),
        "plates_hung": sum(r["member_id"] in plated["hung"] for r in rows),
        "met": checklist["met"], "missing": checklist["missing"],
    }


def market_totals(markets: list[dict]) -> dict:
    return {
        "markets": len(markets), "markets_in_scope": sum(m["in_scope"] for m in markets),
        "markets_with_org": sum(m["org_form"] is not None for m in markets),
        "markets_met": sum(m["met"] for m in markets),
        "plates_issued": sum(m["plates_issued"] for m in markets), "plates_hung": sum(m["plates_hung"] for m in markets),
        "vendors": sum(m["vendor_count"] for m in markets),
    }


DISTRICT_COLUMNS = ("markets", *(f"kind_{k}" for k in MARKET_KINDS), *(f"stars_{n}" for n in range(1, 6)), "in_scope",
                    "met", "with_org", "single", "joint", "committee", "general_branch", "branch", "enough_no_org",
                    "under_three", "no_members", "vendors", "members")


def districts(markets: list[dict]) -> list[dict]:
    """One row per district for the 数量统计表 (markets counted by what their row says)."""
    rows: dict[str, Counter] = defaultdict(Counter)
    for m in markets:
        row = rows[m["district"] or "（未填区县）"]
        row["markets"] += 1
        row[f"kind_{m['kind']}"] += 1
        if m["stars"]:
            row[f"stars_{m['stars']}"] += 1
        row["in_scope"] += m["in_scope"]
        row["met"] += m["met"]
        if m["org_form"]:
            row["with_org"] += 1
            row["single" if m["org_form"] == "single" else "joint"] += 1
            row[m["org_level"]] += 1
        elif m["full"] >= standard.OWN_ORG_AT:
            row["enough_no_org"] += 1
        if 0 < m["members"] < standard.OWN_ORG_AT:
            row["under_three"] += 1
        if m["members"] == 0:
            row["no_members"] += 1
        row["vendors"] += m["vendor_count"]
        row["members"] += m["members"]
    return [{"district": name, **{c: row.get(c, 0) for c in DISTRICT_COLUMNS}} for name, row in sorted(rows.items())]
