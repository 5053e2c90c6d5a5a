"""先锋指数 at a district's size: 5 000 members in scope (50 party branches and market orgs of 100,
a few probationary, suspended and away), the cycle's roster, its peer assignment (8 peers each
way, 40 000 pairs), the scoring of everyone after review (every peer grade and the customers'
ratings read), and the summary workbook. Each step's seconds beside a floor measured in the same
run on the same database: the bare write (or read) that step cannot do without.

    python -m bench.evaluation                  # PostgreSQL when it answers, else SQLite
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import sys
import time

from bench.__main__ import RESULTS, fresh_database
from tests.resources import release


async def _district(members: int) -> tuple:
    from server.accounts.models import User
    from server.members import history
    from server.members.models import Member
    from server.orgs.service import insert_org

    district = await insert_org("基准区个私协会", "association", "基准区", None)
    branches = [await insert_org(f"基准党支部{i}", "party_branch" if i % 5 else "market_org", "基准区", district)
                for i in range(members // 100)]
    rows = []
    for i in range(members):
        rows.append(Member(name=f"党员{i}", mobile="13900000000", unit_name=f"摊位{i}", is_owner=True, household_district="基准区",
                           life_org=branches[i % len(branches)], home_org="党委", category="affiliated" if i % 3 else "local",
                           standing="probationary" if i % 97 == 0 else "full", placement="in_market",
                           business_status="suspended" if i % 89 == 0 else "operating",
                           away_since=dt.date(2025, 1, 1) if i % 83 == 0 else None))
    await Member.bulk_create(rows, batch_size=2000)
    made = await Member.filter(life_org_id__in=[b.id for b in branches])
    await history.start_many(made, on=dt.date(2020, 1, 1), by=None, reason="基准")
    admin = await User.create(openid="dev-bench-eval-admin")
    return district, admin


def _timed(results: dict, name: str, seconds: float, floor: float, note: str) -> None:
    results[name] = {"seconds": round(seconds, 3), "floor_seconds": round(floor, 3), "ratio": round(seconds / floor, 2), "note": note}
    print(f"{name:<28} {seconds:8.2f} s   floor {floor:7.2f} s   ×{seconds / floor:5.1f}   {note}", flush=True)


async def run(database_url: str, members: int) -> dict:
    from server import db
    from server.clock import today
    from server.evaluation import review, roster, summary
    from server.evaluation.models import Cycle, Evaluation, PeerGrade
    from server.evaluation.scheme import DEFAULT_SCHEME

    await db.migrate(database_url)
    await db.connect(database_url)
    results: dict = {}
    try:
        district, admin = await _district(members)
        day = today()
        last = dt.date(day.year, 12, 31)

        def new_cycle(year):
            return Cycle.create(org=district, year=year, scheme=DEFAULT_SCHEME, roster_on=day, self_until=last,
                                peer_until=last, review_until=last, created_by=admin)

        cycle = await new_cycle(day.year)
        started = time.perf_counter()
        count = await roster.build_roster(cycle, district)
        roster_seconds = time.perf_counter() - started
        spare = await new_cycle(day.year + 1)
        copies = [Evaluation(cycle_id=spare.id, member_id=e.member_id, org_id=e.org_id, placement=e.placement, category=e.category,
                             exclusion=e.exclusion) for e in await Evaluation.filter(cycle_id=cycle.id)]
        started = time.perf_counter()
        await Evaluation.bulk_create(copies, batch_size=1000)
        _timed(results, f"roster ({count} in scope)", roster_seconds, time.perf_counter() - started,
               "floor: inserting the same evaluation rows, nothing read or decided")

        started = time.perf_counter()
        pairs = await roster.assign_peers(cycle)
        peer_seconds = time.perf_counter() - started
        by_member = dict(await Evaluation.filter(cycle_id=spare.id).values_list("member_id", "id"))
        ids = dict(await Evaluation.filter(cycle_id=cycle.id).values_list("id", "member_id"))
        copied = [PeerGrade(rater_id=by_member[ids[a]], ratee_id=by_member[ids[b]])
                  for a, b in await PeerGrade.filter(rater__cycle_id=cycle.id).values_list("rater_id", "ratee_id")]
        started = time.perf_counter()
        await PeerGrade.bulk_create(copied, batch_size=2000)
        _timed(results, f"peer assignment ({pairs} pairs)", peer_seconds, time.perf_counter() - started,
               "floor: inserting the same pairs")

        # Everyone graded and reviewed (setup, not timed).
        rng = random.Random(18)
        grades = await PeerGrade.filter(rater__cycle_id=cycle.id)
        for grade in grades:
            grade.grade = rng.choice(["excellent", "good", "good", "fair", "poor"])
        await PeerGrade.bulk_update(grades, fields=["grade"], batch_size=2000)
        eligible = await Evaluation.filter(cycle_id=cycle.id, exclusion=None)
        for e in eligible:
            e.review_items = {item["key"]: rng.randint(item["max"] // 2, item["max"]) for item in DEFAULT_SCHEME["items"]}
            e.self_items = e.review_items
            e.reviewed_at = e.self_at = db_now()
        await Evaluation.bulk_update(eligible, fields=["review_items", "self_items", "reviewed_at", "self_at"], batch_size=1000)

        started = time.perf_counter()
        await review.rescore(cycle)
        score_seconds = time.perf_counter() - started
        stars = _count(await Evaluation.filter(cycle_id=cycle.id, exclusion=None).values_list("stars", flat=True))
        print("  stars after scoring:", dict(sorted(stars.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))), flush=True)
        for e in eligible:
            e.stars = 3
        started = time.perf_counter()
        await Evaluation.bulk_update(eligible, fields=["score", "stars"], batch_size=1000)
        _timed(results, f"scoring ({len(eligible)} reviewed)", score_seconds, time.perf_counter() - started,
               "floor: writing the same score and stars columns, nothing read or computed")

        await cycle.fetch_related("org")
        org_ids = list(await district.__class__.filter(path__startswith=district.path).values_list("id", flat=True))
        started = time.perf_counter()
        data = await summary.read(cycle, org_ids)
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        body = await asyncio.to_thread(summary.build, data)
        _timed(results, "summary workbook", read_seconds + (time.perf_counter() - started), read_seconds,
               f"floor: its read alone ({len(body) // 1024} KB workbook)")
    finally:
        await db.close()
    return results


def _count(values) -> dict:
    out: dict = {}
    for value in values:
        out[value] = out.get(value, 0) + 1
    return out


def db_now():
    from server.clock import now

    return now()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.evaluation")
    parser.add_argument("--backend", choices=["auto", "postgres", "sqlite"], default="auto")
    parser.add_argument("--members", type=int, default=5_000)
    args = parser.parse_args(argv)
    try:
        backend, url = asyncio.run(fresh_database(args.backend, "dangjian_bench_eval"))
        print(f"先锋指数, {args.members} members, {backend}", flush=True)
        results = asyncio.run(run(url, args.members))
    finally:
        release()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "evaluation.json").write_text(json.dumps({"backend": backend, "members": args.members, "results": results},
                                                        ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
