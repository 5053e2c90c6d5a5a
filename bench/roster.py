"""The roster at a city's size: `--members` more members (default 50 000) under one market's
party branch, then `GET /members` pages under load, city-wide (admin) and for one branch
(secretary1), unfiltered and searched (a name fragment, a mobile fragment), each beside the
`/healthz` ceiling measured in the same run. One in a hundred of them trades in the demo market
and each holds a plate: the roster filtered by that market, its page and its 六化 page are loaded
the same way. Then what finds a member by mobile among them: the secretary's review queue of 50
registrations from members on the roster (each shown with its roster match) under load, and the
dry run of a 10 000-row roster of members already on it (the export corrected and imported
back), timed.

    python -m bench.roster                      # PostgreSQL + Redis when they answer, else SQLite
    python -m bench.roster --members 50000 --seconds 5
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys

import httpx

from bench.__main__ import RESULTS, _backend_env, _org_ids, _token
from bench.load import load_cases, print_cases
from bench.members import FIRST_HISTORY_MOBILE, add_history, check_rows, roster_file
from tests.resources import release
from tests.serverproc import ServerProcess


REGISTRANTS = 50
REIMPORT = 10_000


def _register(base: str, org_id: int, mobiles: list[int]) -> None:
    """Members of the roster who log in and fill in the 登记表 with the mobile the roster has."""
    for i, mobile in enumerate(mobiles):
        token = _token(base, f"dev:registrant{i}")
        httpx.post(base + "/api/v1/registrations", headers={"Authorization": f"Bearer {token}"}, timeout=10, json={
            "unit_name": f"历史商行{i}", "name": f"历史党员{i}", "mobile": str(mobile), "is_owner": True,
            "household_district": "上城区", "life_org_id": org_id, "home_org": "党委", "standing": "full",
            "placement": "standalone"}).raise_for_status()


async def _into_market(database_url: str, every: int) -> int:
    """One in `every` of add_history's members trades in the demo market (their periods too, as
    if they always had), and every one of them holds a plate: the market's page, its 六化 page
    and the roster filtered by market then find 500 among 50 000. The market's id."""
    from server import db
    from server.markets.models import Market
    from server.members.models import Member, MemberPeriod
    from server.plates.models import Plate

    await db.connect(database_url)
    try:
        market = await Market.all().order_by("id").first()
        ids = await Member.filter(name__startswith="历史党员").order_by("id").values_list("id", flat=True)
        chosen = ids[::every]
        await Member.filter(id__in=chosen).update(market_id=market.id, placement="in_market")
        await MemberPeriod.filter(member_id__in=chosen).update(market_id=market.id, placement="in_market")
        await Plate.bulk_create([Plate(member_id=i, code=f"R{i}", active_key=i) for i in ids], batch_size=2000)
        return market.id
    finally:
        await db.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.roster")
    parser.add_argument("--backend", choices=["auto", "postgres", "sqlite"], default="auto")
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args(argv)
    backend, env = asyncio.run(_backend_env(args.backend))
    try:
        with ServerProcess(env) as server:
            hubin, market_org = _org_ids(env["DANGJIAN_DATABASE_URL"])
            total = asyncio.run(add_history(env["DANGJIAN_DATABASE_URL"], market_org, args.members))
            market = asyncio.run(_into_market(env["DANGJIAN_DATABASE_URL"], 100))
            admin, secretary = _token(server.base, "dev:admin"), _token(server.base, "dev:secretary1")
            cases = [
                ("ceiling: GET /healthz", "/healthz", None),
                ("city, admin, page 1", "/api/v1/members?limit=50", admin),
                ("city, admin, page 200", "/api/v1/members?limit=50&offset=10000", admin),
                ("branch, secretary1, page 1", f"/api/v1/members?org_id={hubin}&limit=50", secretary),
                ("city, admin, q=历史党员4242", "/api/v1/members?limit=50&q=%E5%8E%86%E5%8F%B2%E5%85%9A%E5%91%984242", admin),
                ("city, admin, q=1350001234", "/api/v1/members?limit=50&q=1350001234", admin),
                ("city, admin, q=王 (one character)", "/api/v1/members?limit=50&q=%E7%8E%8B", admin),
                ("city, admin, as_of=2026-06-30", "/api/v1/members?limit=50&as_of=2026-06-30", admin),
                ("50 registrants on the roster, secretary1", "/api/v1/registrations?status=pending&limit=50", secretary),
                ("city, admin, by market (1 in 100)", f"/api/v1/members?limit=50&market_id={market}", admin),
                ("the market's page, admin", f"/api/v1/markets/{market}", admin),
                ("the market's 六化 page, admin", f"/api/v1/markets/{market}/standardisation", admin),
            ]
            mobiles = [FIRST_HISTORY_MOBILE + i * (total // REGISTRANTS) for i in range(REGISTRANTS)]
            _register(server.base, market_org, mobiles)
            rows = load_cases(server.base, cases, seconds=args.seconds, connections=args.connections)
            report, seconds = check_rows(server.base, admin, market_org,
                                         roster_file(REIMPORT, "河坊街市场党支部", FIRST_HISTORY_MOBILE))
            reimport = {"rows": REIMPORT, "updated": report["updated"], "errors": report["errors"],
                        "seconds": round(seconds, 2)}
    finally:
        release()
    print(f"\nbackend={backend} members={total} connections={args.connections} seconds={args.seconds}")
    print_cases(rows)
    print(f"dry run of {reimport['rows']} rows already on the roster: {reimport['seconds']} s "
          f"({reimport['updated']} to update, {reimport['errors']} with errors)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "roster.json").write_text(json.dumps({"backend": backend, "members": total, "rows": rows,
                                                     "reimport": reimport}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
