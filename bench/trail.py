"""The staff's two long tables at a city's size, PostgreSQL only: 50 000 registrations of approved
members in another branch than secretary1's (51 pending in theirs), and an audit trail of a
million entries (a few years of a city: every approval, edit, consent, plate and mark), spread
over the demo's orgs, actors and members. Then, with wrk beside the `/healthz` ceiling:
secretary1's review queue (pending, and all), and the trail as the city's admin and a district's
admin see it, by one member's changes, by one person's actions and by an action's name.

    python -m bench.trail                       # PostgreSQL + Redis
    python -m bench.trail --audit 200000
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import asyncpg

from bench.__main__ import RESULTS, _backend_env, _token
from bench.load import load_cases, print_cases
from tests.resources import release
from tests.serverproc import ServerProcess

ACTIONS = ("member.updated", "registration.approved", "profile.consent.given", "plate.issued", "attendance.marked")


async def _load(database_url: str, registrations: int, entries: int) -> dict[str, int]:
    """The rows, straight into the tables (a bulk load, as a migration from paper would be)."""
    connection = await asyncpg.connect(database_url)
    try:
        orgs = {row["name"]: row["id"] for row in await connection.fetch("SELECT id, name FROM orgs")}
        elsewhere, theirs = orgs["清波分会党支部"], orgs["河坊街市场党支部"]
        await connection.execute("INSERT INTO users (openid, created_at) SELECT 'trail-' || i, now() "
                                 "FROM generate_series(1, $1) AS i", registrations)
        await connection.execute(
            "INSERT INTO registrations (user_id, status, unit_name, name, mobile, is_owner, household_district, "
            "life_org_id, home_org, standing, placement, filled_on, created_at) "
            "SELECT id, CASE WHEN id % 1000 = 0 THEN 'pending' ELSE 'approved' END, '某商行', '某党员', "
            "(13700000000 + id)::text, true, '上城区', CASE WHEN id % 1000 = 0 THEN $1::int ELSE $2::int END, '党委', 'full', "
            "'standalone', '2026-01-01', now() FROM users WHERE openid LIKE 'trail-%'", theirs, elsewhere)
        await connection.execute(
            "INSERT INTO audit_entries (action, actor_id, org_id, target_type, target_id, data, created_at) "
            "SELECT ($1::text[])[1 + i % 5], 1 + (i * 7) % $3::int, ($2::int[])[1 + (i * 13) % cardinality($2::int[])], "
            "'members', 1 + (i * 31) % $3::int, '{}'::jsonb, now() - make_interval(secs => ($4::int - i)) "
            "FROM generate_series(1, $4) AS i", list(ACTIONS), list(orgs.values()), registrations, entries)
        for table in ("users", "registrations", "audit_entries"):  # what autovacuum does within a minute
            await connection.execute(f"VACUUM ANALYZE {table}")
        return orgs
    finally:
        await connection.close()


async def _grant(database_url: str, openid: str, org_id: int) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("INSERT INTO roles (user_id, org_id, role, created_at) "
                                 "SELECT id, $2, 'admin', now() FROM users WHERE openid = $1", openid, org_id)
    finally:
        await connection.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.trail")
    parser.add_argument("--backend", choices=["auto", "postgres", "sqlite"], default="auto")
    parser.add_argument("--registrations", type=int, default=50_000)
    parser.add_argument("--audit", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args(argv)
    backend, env = asyncio.run(_backend_env(args.backend))
    if not backend.startswith("postgres"):
        release()
        print("bench.trail: PostgreSQL only (a bulk load by generate_series; SQLite scans at its sizes)")
        return 0
    try:
        with ServerProcess(env) as server:
            url = env["DANGJIAN_DATABASE_URL"]
            started = time.perf_counter()
            orgs = asyncio.run(_load(url, args.registrations, args.audit))
            loaded = time.perf_counter() - started
            secretary, admin = _token(server.base, "dev:secretary1"), _token(server.base, "dev:admin")
            district = _token(server.base, "dev:trail_district_admin")
            asyncio.run(_grant(url, "dev-trail_district_admin", orgs["上城区个体劳动者私营企业协会"]))
            cases = [
                ("ceiling: GET /healthz", "/healthz", None),
                ("review queue, pending, secretary1", "/api/v1/registrations?status=pending", secretary),
                ("review queue, all, secretary1", "/api/v1/registrations", secretary),
                ("audit, city admin, page 1", "/api/v1/audit", admin),
                ("audit, district admin, page 1", "/api/v1/audit", district),
                ("audit, one member's changes", "/api/v1/audit?target_type=members&target_id=4242", admin),
                ("audit, one person's actions", "/api/v1/audit?actor_id=4242", admin),
                ("audit, action=registration", "/api/v1/audit?action=registration", admin),
            ]
            rows = load_cases(server.base, cases, seconds=args.seconds, connections=args.connections)
    finally:
        release()
    print(f"\nbackend={backend} registrations={args.registrations} audit entries={args.audit} "
          f"(loaded in {loaded:.1f} s) connections={args.connections} seconds={args.seconds}")
    print_cases(rows)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "trail.json").write_text(json.dumps({"backend": backend, "registrations": args.registrations,
                                                    "audit": args.audit, "rows": rows}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
