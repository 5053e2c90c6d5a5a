"""Who is in a cycle's scope, who is excluded and why, and who grades whom.

In scope (35号文): the members of the association's own party orgs (隶属) and every member trading
in a market, of any category, in the cycle org's subtree on the roster day. Excluded, each with its
reason and none silently: probationary members, businesses suspended or closed (停歇业), members
trading away (外出经营) for more than six months by the roster day.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from tortoise.expressions import Q

from server.evaluation.models import Cycle, Evaluation, PeerGrade
from server.members import history
from server.orgs.models import Org

PEER_ORG_KINDS = ("party_branch", "market_org")  # members grade their peers in these
ALL_PEERS_UP_TO = 15  # an org this small: everyone grades everyone else
PEERS_EACH = 8  # a larger one: each grades this many, drawn at random once per cycle


def six_months_before(day: dt.date) -> dt.date:
    month = day.month - 6
    year, month = (day.year, month) if month > 0 else (day.year - 1, month + 12)
    for last in (day.day, 30, 29, 28):  # 31 August → 28 or 29 February
        try:
            return dt.date(year, month, last)
        except ValueError:
            continue
    raise AssertionError(day)


def exclusion(period, day: dt.date) -> str | None:
    if period["standing"] == "probationary":
        return "probationary"
    if period["business_status"] in ("suspended", "closed"):
        return "suspended"
    if period["away_since"] is not None and period["away_since"] <= six_months_before(day):
        return "away_over_6_months"
    return None


ROSTER_FIELDS = ("member_id", "life_org_id", "market_id", "placement", "category", "standing",
                 "business_status", "away_since")


async def roster_rows(org: Org, day: dt.date) -> list[dict]:
    """The periods of everyone in scope on `day`, whatever their exclusion."""
    in_scope = Q(category="affiliated") | Q(placement="in_market")
    return await history.on_day(day, org_path=org.path).filter(in_scope).order_by("member_id").values(*ROSTER_FIELDS)


def rows_to_evaluations(cycle: Cycle, rows: list[dict]) -> list[Evaluation]:
    return [Evaluation(cycle_id=cycle.id, member_id=row["member_id"], org_id=row["life_org_id"],
                       market_id=row["market_id"], placement=row["placement"], category=row["category"],
                       exclusion=exclusion(row, cycle.roster_on)) for row in rows]


def assign(cycle_id: int, groups: dict[int, list[int]]) -> list[tuple[int, int]]:
    """(rater, ratee) evaluation ids: everyone else in an org of up to 15; otherwise each member
    grades the next PEERS_EACH of a shuffled circle, so each is also graded by exactly that many.
    The shuffle is seeded by the cycle, and the pairs are stored: fixed for the cycle."""
    pairs = []
    for org_id, ids in sorted(groups.items()):
        ids = sorted(ids)
        if len(ids) <= ALL_PEERS_UP_TO:
            pairs += [(rater, ratee) for rater in ids for ratee in ids if rater != ratee]
            continue
        random.Random(f"{cycle_id}:{org_id}").shuffle(ids)
        pairs += [(ids[i], ids[(i + step) % len(ids)]) for i in range(len(ids)) for step in range(1, PEERS_EACH + 1)]
    return pairs


async def build_roster(cycle: Cycle, org: Org) -> int:
    """The cycle's evaluations, in bulk: everyone in scope on the roster day."""
    rows = await roster_rows(org, cycle.roster_on)
    await Evaluation.bulk_create(rows_to_evaluations(cycle, rows), batch_size=1000)
    return len(rows)


async def assign_peers(cycle: Cycle) -> int:
    """Who grades whom among the eligible members of each party branch and market org, stored."""
    eligible = await Evaluation.filter(cycle_id=cycle.id, exclusion=None, org__kind__in=PEER_ORG_KINDS) \
        .values_list("id", "org_id")
    groups: dict[int, list[int]] = defaultdict(list)
    for evaluation_id, org_id in eligible:
        groups[org_id].append(evaluation_id)
    pairs = assign(cycle.id, groups)
    await PeerGrade.bulk_create([PeerGrade(rater_id=a, ratee_id=b) for a, b in pairs], batch_size=2000)
    return len(pairs)


async def build(cycle: Cycle, org: Org) -> tuple[int, int]:
    """The roster and the peer pairs. Returns (evaluations, pairs)."""
    return await build_roster(cycle, org), await assign_peers(cycle)
