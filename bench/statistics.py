"""Half-year statistics at a city's size: 50 000 members in 10 districts (50 branches, 100 party
branches and market orgs), 500 markets (three in five members trade in one), the city's snapshot
(members as of the day through the member history, each market's figures and 六化 state), the
half-year task over every filing org (the city, its districts and branches: each the sum of its
subtree), and the three tables from the city's snapshot. Each step's seconds and peak memory
(tracemalloc, in a second run of the same step) beside a floor measured in the same run on the
same database: the bare read and write (or the bare workbook) the step cannot do without.

    python -m bench.statistics                  # PostgreSQL when it answers, else SQLite
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import sys
import time
import tracemalloc

from bench.__main__ import RESULTS, fresh_database
from tests.resources import release


async def _city(members: int, markets: int):
    from server.markets.models import Market
    from server.members import history
    from server.members.models import Member
    from server.orgs.service import insert_org

    city = await insert_org("基准市个私协会", "association", "基准市", None)
    districts = [await insert_org(f"基准{d}区个私协会", "association", f"基准{d}区", city) for d in range(10)]
    branches = [await insert_org(f"基准{d}区第{b}分会", "branch", f"基准{d}区", districts[d]) for d in range(10) for b in range(5)]
    holders = [await insert_org(f"{branch.name}第{p}支部", "market_org" if p else "party_branch", branch.district, branch)
               for branch in branches for p in range(2)]
    rows = [Market(name=f"基准市场{i}", kind=("farmers", "comprehensive", "specialized", "other")[i % 4], district=branches[i % 50].district,
                   org=holders[(i % 50) * 2 + 1], stars=1 + i % 5, scope=["regional_key"] if i % 3 == 0 else [],
                   vendor_count=400, org_form=("single", "joint", None)[i % 3], org_level="branch" if i % 3 < 2 else None)
            for i in range(markets)]
    await Market.bulk_create(rows, batch_size=500)
    by_holder: dict[int, list] = {}
    for market in await Market.all().order_by("id"):
        by_holder.setdefault(market.org_id, []).append(market)
    people = []
    for i in range(members):
        index = i % len(holders)
        holder = holders[index]
        in_market = i % 5 < 3
        nearby = by_holder[holders[index | 1].id]  # the market org's markets next to its party branch
        market = nearby[(i // len(holders)) % len(nearby)] if in_market else None
        people.append(Member(name=f"党员{i}", mobile="13900000000", unit_name=f"商行{i}", is_owner=i % 4 != 0, household_district="基准区",
                             life_org=holder, home_org="党委", category=("affiliated", "local", "floating")[i % 3],
                             standing="probationary" if i % 23 == 0 else "full", placement="in_market" if in_market else "standalone",
                             market=market, stall_no=f"A{i}" if in_market else None))
    await Member.bulk_create(people, batch_size=2000)
    for start in range(0, members, 5000):
        chunk = await Member.all().order_by("id").offset(start).limit(5000)
        await history.start_many(chunk, on=dt.date(2020, 1, 1), by=None, reason="基准")
    return city, branches


def _report(results: dict, name: str, seconds: float, floor: float, peak: float | None, note: str) -> None:
    results[name] = {"seconds": round(seconds, 3), "floor_seconds": round(floor, 3), "ratio": round(seconds / floor, 2),
                     "peak_mb": round(peak, 1) if peak is not None else None, "note": note}
    memory = f"peak {peak:6.0f} MB" if peak is not None else ""
    print(f"{name:<34} {seconds:7.2f} s   floor {floor:6.2f} s   ×{seconds / floor:5.1f}   {memory}   {note}", flush=True)


async def _longest_stall(step) -> tuple[float, float]:
    """(seconds, the event loop's longest stall in ms) of `step`: a probe that asks to wake every
    millisecond measures how long other requests on the same worker would have waited."""
    stalls = [0.0]
    running = True

    async def probe():
        while running:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            stalls[0] = max(stalls[0], time.perf_counter() - before - 0.001)

    ticking = asyncio.create_task(probe())
    await asyncio.sleep(0.01)
    started = time.perf_counter()
    try:
        await step()
    finally:
        seconds = time.perf_counter() - started
        running = False
        await ticking
    return seconds, stalls[0] * 1000


async def _peak(step) -> float:
    tracemalloc.start()
    try:
        await step()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _bare_workbook(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def run(database_url: str, members: int, markets: int) -> dict:
    from server import db
    from server.clock import today
    from server.markets import standard
    from server.accounts.models import User
    from server.auth import Grant, Principal
    from server.markets.models import Market
    from server.statistics import figures, forms, overview, snapshots, tables
    from server.statistics.models import Snapshot, SnapshotMember

    await db.migrate(database_url)
    await db.connect(database_url)
    results: dict = {}
    try:
        city, branches = await _city(members, markets)
        day = today()
        started = time.perf_counter()
        snapshot = await snapshots.take(city, day)
        city_seconds = seconds = time.perf_counter() - started
        await snapshot.delete()
        peak = await _peak(lambda: figures.compute(city, day))
        started = time.perf_counter()
        rows = await figures.members_on(city, day)
        spare = await Snapshot.create(org=branches[0], as_of=day - dt.timedelta(days=1), figures={})
        await SnapshotMember.bulk_create([SnapshotMember(snapshot_id=spare.id, **{f: r[f] for f in snapshots.ROW_FIELDS if f in r},
                                                         life_org_name="", market_name=None) for r in rows], batch_size=2000)
        floor = time.perf_counter() - started
        await spare.delete()
        _report(results, f"city snapshot ({len(rows)} members, {markets} markets)", seconds, floor, peak,
                "floor: reading the members as of the day and writing their rows, nothing counted")
        snapshot = await snapshots.take(city, day)

        admin = Principal(user=await User.create(openid="bench-city-admin"),
                          roles=[Grant("admin", city.id, city.name, city.path)])
        seconds, stall = await _longest_stall(lambda: overview.overview(admin, city.id))
        totals = await figures.member_totals(city, day)
        started = time.perf_counter()
        await standard.market_members([m.id for m in await Market.all()], day)
        _report(results, "overview (city, today)", seconds, time.perf_counter() - started, None,
                f"floor: reading the {totals['in_market']} in-market members alone; the loop's longest stall {stall:.0f} ms")
        results["overview (city, today)"]["longest_stall_ms"] = round(stall, 1)

        started = time.perf_counter()
        taken = await snapshots.take_all(day - dt.timedelta(days=2))
        all_seconds = time.perf_counter() - started
        _report(results, f"half-year task ({taken} filing orgs)", all_seconds, city_seconds, None,
                "floor: the city's snapshot alone (every org below it is part of it)")

        frozen = await SnapshotMember.filter(snapshot_id=snapshot.id).order_by("id").values(*snapshots.ROW_FIELDS)
        filed = day.isoformat()
        for name, build, bare in (
                ("markets table", lambda: tables.markets_workbook(snapshot.figures, filed),
                 lambda: _bare_workbook([tables.market_row(i, m) for i, m in enumerate(snapshot.figures["markets"], 1)])),
                ("market counts table", lambda: tables.counts_workbook(snapshot.figures, filed),
                 lambda: _bare_workbook([list(d.values()) for d in snapshot.figures["districts"]])),
                (f"登记表 roster workbook ({len(frozen)} rows)", lambda: tables.roster_workbook(snapshot.figures, frozen, filed),
                 lambda: _bare_workbook([tables.roster_row(i, r) for i, r in enumerate(frozen, 1)]))):
            started = time.perf_counter()
            body = await asyncio.to_thread(build)
            seconds = time.perf_counter() - started
            peak = await _peak(lambda: asyncio.to_thread(build))
            started = time.perf_counter()
            await asyncio.to_thread(bare)
            _report(results, name, seconds, time.perf_counter() - started, peak,
                    f"floor: the same cells in a bare openpyxl write-only workbook, unstyled ({len(body) // 1024} KB); "
                    "ours spools its rows as sheet XML, so below 1 is possible")
        branch_rows = [r for r in frozen if r["life_org_name"].startswith(branches[0].name)]
        started = time.perf_counter()
        pdf = await asyncio.to_thread(forms.build, branch_rows)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        await asyncio.to_thread(forms.build, branch_rows[:1])
        one = time.perf_counter() - started
        _report(results, f"登记表 PDF, one branch ({len(branch_rows)} pages)", seconds, one, None,
                f"floor: a PDF of one page (the font's loading and subsetting; {len(pdf) // 1024} KB)")
    finally:
        await db.close()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.statistics")
    parser.add_argument("--backend", choices=["auto", "postgres", "sqlite"], default="auto")
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--markets", type=int, default=500)
    args = parser.parse_args(argv)
    try:
        backend, url = asyncio.run(fresh_database(args.backend, "dangjian_bench_stats"))
        print(f"半年统计, {args.members} members, {args.markets} markets, {backend}", flush=True)
        results = asyncio.run(run(url, args.members, args.markets))
    finally:
        release()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "statistics.json").write_text(json.dumps({"backend": backend, "members": args.members, "markets": args.markets,
                                                         "results": results}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
