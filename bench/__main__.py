"""Benchmarks: one command, one table, one JSON file.

    make bench                 # PostgreSQL + Redis when they answer, else SQLite
    python -m bench --backend sqlite --seconds 5 --connections 64

Every figure is measured against the same server in the same run and reported as a ratio to
the framework's ceiling (GET /healthz: no database, no store), because this machine is shared
and absolute numbers drift from run to run; the ratios are what to compare.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import platform
import shutil
import sys
from pathlib import Path

import httpx

from bench import floors
from bench import jobs as job_bench
from bench import members as member_bench
from bench import plates as plate_bench
from bench.load import burst, higher_reading, post_request, ratio_text, readings_text, run_load
from server.demo import DEMO_PLATE_CODE
from tests.resources import PG_ADMIN_URL, fresh_postgres, fresh_redis, redis_test_url, release
from tests.serverproc import ServerProcess, WorkerProcess

RESULTS = Path(__file__).resolve().parent / "results"


async def _backend_env(choice: str) -> tuple[str, dict]:
    if choice in ("auto", "postgres"):
        try:
            database_url = await fresh_postgres("dangjian_bench")
            redis_url = await fresh_redis(redis_test_url("bench"))
            return "postgres+redis", {"DANGJIAN_DATABASE_URL": database_url, "DANGJIAN_REDIS_URL": redis_url}
        except BaseException as exc:  # pytest.skip raises a BaseException subclass
            if choice == "postgres":
                raise SystemExit(f"PostgreSQL/Redis not usable ({PG_ADMIN_URL}): {exc}")
    path = RESULTS / "bench.sqlite3"
    path.unlink(missing_ok=True)
    return "sqlite+memory", {"DANGJIAN_DATABASE_URL": f"sqlite://{path}"}


def _token(base: str, code: str) -> str:
    response = httpx.post(base + "/api/v1/auth/wechat", json={"code": code}, timeout=10)
    response.raise_for_status()
    return response.json()["token"]


async def _prepare_checkin_burst(database_url: str, count: int) -> tuple[dict[str, int], str, dict]:
    """An activity of the demo market's party branch starting now, and `count` members with logins:
    ({bearer: member id}, the check-in token, what the floor needs of the activity)."""
    import datetime as dt

    from server import auth, db
    from server.accounts.models import AuthToken
    from server.activities import tokens
    from server.activities.models import Activity
    from server.clock import now
    from server.codes import random_code
    from server.config import DEFAULT_SECRET
    from server.members.models import Member
    from server.orgs.models import Org
    from tests.factories import make_logged_in_members

    await db.connect(database_url)
    try:
        org = await Org.get(name="河坊街市场党支部")
        activity = await Activity.create(org=org, kind="party_congress", title="基准测试党员大会",
                                         starts_at=now() + dt.timedelta(minutes=5), ends_at=now() + dt.timedelta(hours=2),
                                         checkin_code=random_code(12))
        bearer = await make_logged_in_members(org, count)
        users = dict(await AuthToken.filter(token_hash__in=[auth.hash_token(b) for b in bearer]).values_list(
            "token_hash", "user_id"))
        members = dict(await Member.filter(user_id__in=list(users.values())).values_list("user_id", "id"))
    finally:
        await db.close()
    token, _ = tokens.issue(DEFAULT_SECRET, activity.checkin_code)
    return ({b: members[users[auth.hash_token(b)]] for b in bearer}, token,
            {"id": activity.id, "title": activity.title, "code": activity.checkin_code})


async def _count_checkins(database_url: str, code: str) -> int:
    from server import db
    from server.activities.models import Attendance

    await db.connect(database_url)
    try:
        return await Attendance.filter(activity__checkin_code=code).count()
    finally:
        await db.close()


def _checkin_burst(server, env: dict, count: int, spread: float = 0.0, floor=None,
                   warm: bool = False) -> tuple[dict, dict | None]:
    """N members' scans against the server; with `floor`, the same members' scans against the
    floor app, loaded the same way right after. `warm`: each phone asked GET /me first (as the
    mini-program does when it opens), so its token is cached; else every token is looked up."""
    import uuid

    database_url = env["DANGJIAN_DATABASE_URL"]
    bearer, token, activity = asyncio.run(_prepare_checkin_burst(database_url, count))
    if warm:
        host = f"127.0.0.1:{server.port}"
        asyncio.run(burst("127.0.0.1", server.port, [
            f"GET /api/v1/me HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {b}\r\n\r\n".encode()
            for b in bearer]))

    def scans(port: int, path: str) -> dict:
        host = f"127.0.0.1:{port}"
        requests = [post_request(host, path, b, json.dumps({"token": token, "nonce": uuid.uuid4().hex}).encode())
                    for b in bearer]
        return asyncio.run(burst("127.0.0.1", port, requests, spread))

    result = scans(server.port, "/api/v1/checkins")
    result["rows"] = asyncio.run(_count_checkins(database_url, activity["code"]))
    if floor is None:
        return result, None
    asyncio.run(floors.seed_checkins(env["DANGJIAN_REDIS_URL"], bearer, token, activity))
    return result, scans(floor.port, "/checkins")


def _org_ids(database_url: str) -> tuple[int, int]:
    async def read():
        from server import db
        from server.orgs.models import Org

        await db.connect(database_url)
        try:
            return (await Org.get(name="湖滨分会")).id, (await Org.get(name="河坊街市场党支部")).id
        finally:
            await db.close()

    return asyncio.run(read())


async def fresh_database(choice: str, name: str) -> tuple[str, str]:
    """(backend, URL) of a fresh database for a city-sized run: PostgreSQL when it answers (or
    must, with --backend postgres), else a SQLite file in bench/results."""
    if choice in ("auto", "postgres"):
        try:
            return "postgres", await fresh_postgres(name)
        except BaseException as exc:  # pytest.skip raises a BaseException subclass
            if choice == "postgres":
                raise SystemExit(f"PostgreSQL not usable ({PG_ADMIN_URL}): {exc}")
    path = RESULTS / f"{name}.sqlite3"
    path.unlink(missing_ok=True)
    return "sqlite", f"sqlite://{path}"

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--backend", choices=["auto", "postgres", "sqlite"], default="auto")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--burst", type=int, default=500, help="members checking in at once")
    parser.add_argument("--plates", type=int, default=500, help="plates in the batch PDF")
    parser.add_argument("--roster", type=int, default=10_000, help="rows of the roster import (and members added)")
    parser.add_argument("--hot", action="store_true",
                        help="only the table of hot paths (ceiling, /me and check-in with their floors, the lists, the "
                             "public profile): no plates, jobs or roster import")
    parser.add_argument("--scale", action="store_true",
                        help="then the city-sized runs, each on a fresh database: bench.roster (50 000 members), "
                             "bench.ledger (20 000 members, 2 000 meetings, 100 000 sign-ins), bench.ledger_book (one branch's "
                             "200 meetings and 20 000 sign-ins as workbook and PDF), bench.console, bench.evaluation (先锋指数 for 5 000), "
                             "bench.statistics (半年统计 for 50 000 members and 500 markets), bench.trail (the review "
                             "queue among 50 000 registrations and the audit trail of a million entries)")
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)

    backend, env = asyncio.run(_backend_env(args.backend))
    try:
        status = _run(args, backend, env)
    finally:
        release()  # the bench's database and Redis number go back
    if args.scale and status == 0:
        from bench import console, evaluation, ledger, ledger_book, roster, statistics, trail

        chosen = ["--backend", args.backend]
        status = roster.main(chosen) or ledger.main(chosen) or ledger_book.main(chosen) or console.main(chosen) \
            or evaluation.main(chosen) or statistics.main(chosen) or trail.main(chosen)
    return status


def _load(base: str, path: str, headers: dict, args, connections: int | None = None) -> dict:
    connections = connections or args.connections
    run_load(base + path, headers, seconds=1, connections=connections)  # warm-up
    return run_load(base + path, headers, seconds=args.seconds, connections=connections)


def _with_floor(row: dict, floor: dict | None) -> dict:
    if floor:
        row.update(floor_rps=round(floor["rps"], 1), floor_p99_ms=floor["p99_ms"],
                   ratio_to_floor=round(row["rps"] / floor["rps"], 3) if floor["rps"] else None)
    return row


def _ceiling(server, floor, args) -> dict:
    row = {"case": "ceiling: GET /healthz", **_load(server.base, "/healthz", {}, args)}
    if floor:  # the same answer from a bare Sanic app: what our middleware (request id, metrics, headers) costs
        _with_floor(row, _load(floor.base, "/healthz", {}, args))
    return row


def _higher_ceiling(first: dict, second: dict) -> dict:
    """The higher of the two readings of ours and of the bare app's, each kept in the row."""
    row = higher_reading(first, second)
    if "floor_rps" in first:
        floor = max(first, second, key=lambda r: r["floor_rps"])
        row.update(floor_rps=floor["floor_rps"], floor_p99_ms=floor["floor_p99_ms"],
                   floor_readings_rps=[round(first["floor_rps"]), round(second["floor_rps"])],
                   ratio_to_floor=round(row["rps"] / floor["floor_rps"], 3) if floor["floor_rps"] else None)
    return row


def _run(args, backend: str, env: dict) -> int:
    env["DANGJIAN_UPLOAD_DIR"] = str(RESULTS / "uploads")
    if args.workers > 1:
        env["DANGJIAN_WORKERS"] = str(args.workers)
    tool = "wrk" if shutil.which("wrk") else "python"
    rows = []
    postgres = backend.startswith("postgres")
    heavy = not args.hot
    with ServerProcess(env) as server, (WorkerProcess(env) if postgres and heavy else contextlib.nullcontext()) as worker, \
            (floors.FloorServer(env) if postgres else contextlib.nullcontext()) as floor:
        token = _token(server.base, "dev:secretary1")
        auth = {"Authorization": f"Bearer {token}"}
        ceilings = [_ceiling(server, floor, args)]
        rows.append(ceilings[0])
        me = _load(server.base, "/api/v1/me", auth, args)
        if floor:
            asyncio.run(floors.seed_me(env["DANGJIAN_REDIS_URL"], token,
                                       httpx.get(server.base + "/api/v1/me", headers=auth).content))
        rows.append(_with_floor({"case": "GET /api/v1/me (secretary)", **me},
                                _load(floor.base, "/me", auth, args) if floor else None))
        for label, path in (("GET /api/v1/activities (secretary)", "/api/v1/activities"),
                            ("GET /api/v1/members (secretary)", "/api/v1/members"),
                            ("GET /api/v1/registrations (secretary)", "/api/v1/registrations"),
                            ("GET /api/v1/ratings (secretary)", "/api/v1/ratings")):
            rows.append({"case": label, **_load(server.base, path, auth, args)})
        if floor:  # a roster page read from the database with nothing else: what a list can cost at least
            asyncio.run(floors.seed_scope(env["DANGJIAN_REDIS_URL"], env["DANGJIAN_DATABASE_URL"], token))
            _with_floor(next(row for row in rows if row["case"].startswith("GET /api/v1/members")),
                        _load(floor.base, "/members", auth, args))
        for label, path in (("public profile HTML /p/<code>", f"/p/{DEMO_PLATE_CODE}"),
                            ("public profile JSON", f"/api/v1/public/plates/{DEMO_PLATE_CODE}")):
            rows.append({"case": label, **_load(server.base, path, {}, args)})
        # Measured again after the cases: one low reading (a machine still settling) would flatter them all.
        ceilings.append(_ceiling(server, floor, args))
        rows[0] = _higher_ceiling(*ceilings)
        ours, floor_burst = _checkin_burst(server, env, args.burst, floor=floor, warm=True)
        rows.append(_with_floor({"case": f"check-in burst: {args.burst} at once", **ours}, floor_burst))
        ours, _ = _checkin_burst(server, env, args.burst)
        rows.append({"case": f"check-in burst: {args.burst}, cold tokens", **ours})
        ours, floor_burst = _checkin_burst(server, env, args.burst, spread=10.0)
        rows.append({"case": f"check-in: {args.burst} over 10 s", **ours})
        if heavy:
            extra = _heavy(args, server, worker, env, token, rows, postgres)
    ceiling = rows[0]["rps"]
    for row in rows:
        # A paced run's rate is what the client offered, not what the server could do: no ratio.
        row["ratio_to_ceiling"] = round(row["rps"] / ceiling, 3) if ceiling and "over" not in row["case"] else None

    print(f"\nbackend={backend} workers={args.workers} connections={args.connections} "
          f"seconds={args.seconds} load={tool} python={platform.python_version()}")
    print(f"{'case':40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'x ceiling':>10} "
          f"{'floor r/s':>10} {'x floor':>8}")
    for row in rows:
        floor_rps = f"{row['floor_rps']:>10.0f}" if "floor_rps" in row else f"{'':>10}"
        print(f"{row['case']:40} {row['rps']:>9.0f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} "
              f"{row['errors']:>7} {ratio_text(row['ratio_to_ceiling']):>10} {floor_rps} "
              f"{ratio_text(row.get('ratio_to_floor')):>8}")
    print(readings_text(rows[0]))
    for row in rows:
        if "rows" in row:
            print(f"{row['case']}: {row['rows']} attendance rows, all answered in {row['seconds']:.2f} s"
                  + (f"; the floor's p99 {row['floor_p99_ms']:.1f} ms" if "floor_p99_ms" in row else ""))
    results = {"backend": backend, "workers": args.workers, "connections": args.connections,
               "seconds": args.seconds, "load": tool, "rows": rows}
    if heavy:
        results.update(_report_heavy(*extra))
    out = RESULTS / ("hot.json" if args.hot else "latest.json")
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"written {out}")
    return 0


def _heavy(args, server, worker, env, token, rows, postgres):
    server_batch = plate_bench.server_batch(server, worker, env, token, args.plates)
    # An idle worker: how soon it starts a job (PostgreSQL; on SQLite the queue is in memory).
    latency = asyncio.run(job_bench.enqueue_to_start(env["DANGJIAN_DATABASE_URL"])) if postgres else None
    # The roster: a 10 000-row import, then 10 000 more members with history; today's list and
    # the roster of 30 June over all 20 000.
    hubin, market_org = _org_ids(env["DANGJIAN_DATABASE_URL"])
    roster_import = member_bench.import_rows(server, worker, token, hubin, "河坊街市场党支部", args.roster)
    total = asyncio.run(member_bench.add_history(env["DANGJIAN_DATABASE_URL"], market_org, args.roster))
    auth = {"Authorization": f"Bearer {token}"}
    for label, path in ((f"GET /members, {total} on the roster", f"/api/v1/members?org_id={hubin}&limit=50"),
                        ("GET /members?as_of=2026-06-30", f"/api/v1/members?org_id={hubin}&limit=50&as_of=2026-06-30")):
        rows.append({"case": label, **_load(server.base, path, auth, args, connections=8)})
    return args, server_batch, latency, roster_import


def _report_heavy(args, server_batch, latency, roster_import) -> dict:
    # In-process and in a child process: the same machine, the same minutes as the rows above.
    render = plate_bench.render_vs_floor()
    batch = plate_bench.batch(args.plates)
    print(f"one plate (A5, 300 DPI): floor {render['floor_ms']} ms (QR + blank page + JPEG), render "
          f"{render['render_jpeg_ms']} ms as JPEG/PDF page ({render['ratio_to_floor']}x floor), "
          f"{render['render_png_ms']} ms as PNG; with the photo stored whole as before 2026-11-29 "
          f"{render['render_whole_photo_ms']} ms ({render['whole_photo_ratio_to_floor']}x floor)")
    print(f"batch PDF (plates/ alone): {batch['plates']} plates in {batch['seconds']} s "
          f"({batch['seconds_per_plate']} s each), peak memory {batch['peak_mb']} MB, file {batch['file_mb']} MB")
    print(f"batch PDF (job, POST /plates/batch to done): {server_batch['plates']} plates, "
          f"{server_batch['state']} in {server_batch['seconds']} s; memory of the {server_batch['ran_in']} that ran it "
          f"{server_batch['rss_before_mb']} MB before, peak {server_batch['peak_mb']} MB (largest process)")
    print(f"roster import ({roster_import['rows']} rows, {roster_import['file_kb']} KB): dry run "
          f"{roster_import['dry_run_seconds']} s (server peak {roster_import['server_peak_mb']} MB), commit "
          f"{roster_import['commit_seconds']} s in the {roster_import['committed_in']} (peak {roster_import['commit_peak_mb']} MB),"
          f" {roster_import['state']}, {roster_import['created']} created")
    if latency:
        print(f"enqueue to start, idle worker: median {latency['median_ms']} ms, p90 {latency['p90_ms']} ms "
              f"over {latency['samples']} jobs; floor (NOTIFY to another connection) {latency['notify_floor_ms']} ms "
              f"= {latency['ratio_to_floor']}x floor")
    return {"plate_render": render, "plate_batch": batch, "plate_batch_server": server_batch,
            "job_enqueue_to_start": latency, "roster_import": roster_import}


if __name__ == "__main__":
    sys.exit(main())
