"""The year's ledger at a city's size: 20 000 members, 2 000 activities across the demo tree and
100 000 sign-ins, then the whole city's workbook made two ways, each timed from the request to
the last byte of the file while the Python load client asks `GET /api/v1/me` of the same
one-worker web server (its p99 says whether the export held up everyone else):

- at once: `GET /reports/ledger.xlsx`, made in the web worker;
- by the job engine, as the desk asks for it: `POST /reports/ledger-exports`, its state asked
  every 0.2 s, then the file; on PostgreSQL a `python -m server worker` process makes it (its
  peak memory is reported), on SQLite the worker inside the web process.

Then, the same way, the city's half-year figures of yesterday (`POST /statistics/snapshots`, the
job followed, the snapshot read): 20 000 members as of the day, every market's 六化 state; and
that snapshot's 登记表 roster workbook both ways (`GET …/roster.xlsx`, and `POST …/roster-exports`
followed, then the file). Last, the members' export of the 20 000 (`GET /members/export.xlsx`,
made while the request waits), today's and as of yesterday.

    python -m bench.ledger                      # PostgreSQL + Redis when they answer, else SQLite
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import io
import json
import random
import sys
import threading
import time

import httpx
from openpyxl import load_workbook

from bench.__main__ import RESULTS, _backend_env, _token
from bench.load import run_load
from bench.members import add_history
from bench.plates import _group_memory_mb
from tests.resources import release
from tests.serverproc import ServerProcess, WorkerProcess


async def add_year(database_url: str, activities: int, attendance: int) -> tuple[int, int]:
    """`activities` of 2026 spread over every org of the tree, and `attendance` sign-ins of
    members of the root's subtree spread over them (present mostly, some leave and absent)."""
    from server import db
    from server.activities.models import Activity, Attendance
    from server.clock import SHANGHAI
    from server.codes import random_code
    from server.members.models import Member
    from server.orgs.models import Org

    await db.connect(database_url)
    try:
        orgs = await Org.all().values_list("id", flat=True)
        rng = random.Random(2026)
        rows = []
        for i in range(activities):
            starts = dt.datetime(2026, 1, 1, 19, tzinfo=SHANGHAI) + dt.timedelta(days=i * 330 // activities)
            rows.append(Activity(org_id=orgs[i % len(orgs)], kind=rng.choice(["party_congress", "lecture", "training"]),
                                 title=f"基准活动{i}", place="活动室", starts_at=starts,
                                 ends_at=starts + dt.timedelta(hours=2), checkin_code=random_code(12), minutes="记录" * 20))
        await Activity.bulk_create(rows, batch_size=1000)
        activity_ids = await Activity.filter(title__startswith="基准活动").values_list("id", "starts_at")
        member_ids = await Member.all().values_list("id", flat=True)
        per = max(1, attendance // len(activity_ids))
        made = 0
        for activity_id, starts_at in activity_ids:
            chosen = rng.sample(member_ids, min(per, len(member_ids)))
            await Attendance.bulk_create([Attendance(
                activity_id=activity_id, member_id=m, status=rng.choice(["present"] * 8 + ["leave", "absent"]),
                method="manual", recorded_at=starts_at, note="") for m in chosen], batch_size=2000)
            made += len(chosen)
        return len(activity_ids), made
    finally:
        await db.close()


def _workbook(response) -> dict:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return {"kb": len(response.content) // 1024, "detail_rows": sum(1 for _ in book["签到明细"].iter_rows(min_row=3))}


def _while_loaded(server, token: str, action, read=_workbook) -> dict:
    """Run `action` (returning the last response) while 8 connections ask /me; its figures."""
    loaded: dict = {}

    def load():
        loaded.update(run_load(server.base + "/api/v1/me", {"Authorization": f"Bearer {token}"}, seconds=10,
                               connections=8))

    wrk = threading.Thread(target=load)
    wrk.start()
    time.sleep(1)
    started = time.perf_counter()
    response = action()
    seconds = time.perf_counter() - started
    wrk.join()
    response.raise_for_status()
    return {"seconds": round(seconds, 2), **read(response), "me_p99_ms": loaded.get("p99_ms"),
            "me_max_ms": loaded.get("max_ms"), "me_rps": loaded.get("rps")}


def _follow(base: str, headers: dict, asked: httpx.Response, status_path: str) -> dict:
    """The job the request answered with, asked for every 0.2 s until it is done or failed."""
    job = asked.json()
    while job["state"] in ("queued", "running"):
        time.sleep(0.2)
        job = httpx.get(f"{base}{status_path}/{job['id']}", headers=headers, timeout=30).json()
    return job


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger")
    parser.add_argument("--backend", choices=["auto", "postgres", "sqlite"], default="auto")
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--activities", type=int, default=2_000)
    parser.add_argument("--attendance", type=int, default=100_000)
    args = parser.parse_args(argv)
    backend, env = asyncio.run(_backend_env(args.backend))
    try:
        with ServerProcess(env) as server:
            from bench.__main__ import _org_ids

            hubin, market_org = _org_ids(env["DANGJIAN_DATABASE_URL"])
            members = asyncio.run(add_history(env["DANGJIAN_DATABASE_URL"], market_org, args.members))
            count, signins = asyncio.run(add_year(env["DANGJIAN_DATABASE_URL"], args.activities, args.attendance))
            admin = _token(server.base, "dev:admin")
            me = httpx.get(server.base + "/api/v1/me", headers={"Authorization": f"Bearer {admin}"}).json()
            root = me["roles"][0]["org_id"]
            quiet = run_load(server.base + "/api/v1/me", {"Authorization": f"Bearer {admin}"}, seconds=3, connections=8)
            before, _ = _group_memory_mb(server.process.pid)
            params = {"org_id": root, "year": 2026}
            headers = {"Authorization": f"Bearer {admin}"}

            def at_once():
                return httpx.get(f"{server.base}/api/v1/reports/ledger.xlsx", params=params, headers=headers, timeout=300)

            def by_job():
                asked = httpx.post(f"{server.base}/api/v1/reports/ledger-exports", json={**params, "format": "xlsx"},
                                   headers=headers, timeout=30)
                job = _follow(server.base, headers, asked, "/api/v1/reports/ledger-exports")
                return httpx.get(server.base + job["download_url"], headers=headers, timeout=300)

            def snapshot():
                # The city's figures of yesterday, as the desk takes them (before 2026-11-29 the POST
                # answered 201 with the snapshot, computed in the web worker).
                asked = httpx.post(f"{server.base}/api/v1/statistics/snapshots", headers=headers, timeout=300,
                                   json={"org_id": root, "as_of": (dt.date.today() - dt.timedelta(days=1)).isoformat()})
                if asked.status_code == 201:
                    return asked
                job = _follow(server.base, headers, asked, "/api/v1/statistics/snapshot-jobs")
                return httpx.get(f"{server.base}/api/v1/statistics/snapshots/{job['snapshot_id']}", headers=headers,
                                 timeout=30)

            def members_counted(response) -> dict:
                taken["id"] = response.json()["id"]
                return {"members": response.json()["totals"]["members"]}

            taken: dict = {}

            def roster_at_once():
                return httpx.get(f"{server.base}/api/v1/statistics/snapshots/{taken['id']}/roster.xlsx", headers=headers,
                                 timeout=300)

            def roster_by_job():
                asked = httpx.post(f"{server.base}/api/v1/statistics/snapshots/{taken['id']}/roster-exports",
                                   headers=headers, timeout=30)
                job = _follow(server.base, headers, asked, "/api/v1/statistics/roster-exports")
                return httpx.get(server.base + job["download_url"], headers=headers, timeout=300)

            def roster_rows(response) -> dict:
                book = load_workbook(io.BytesIO(response.content), read_only=True)
                return {"kb": len(response.content) // 1024, "rows": sum(1 for _ in book.active.iter_rows(min_row=4))}

            def members_export(as_of: dt.date | None):
                def export():
                    query = {"org_id": root, "q": "历史党员", **({"as_of": as_of.isoformat()} if as_of else {})}
                    return httpx.get(f"{server.base}/api/v1/members/export.xlsx", params=query, headers=headers,
                                     timeout=300)
                return export

            def export_rows(response) -> dict:
                book = load_workbook(io.BytesIO(response.content), read_only=True)
                return {"kb": len(response.content) // 1024, "rows": sum(1 for _ in book.worksheets[0].iter_rows(min_row=2))}

            with (WorkerProcess(env) if backend.startswith("postgres") else contextlib.nullcontext()) as worker:
                figures = {"at_once": _while_loaded(server, admin, at_once)}
                figures["at_once"]["server_peak_mb"] = _group_memory_mb(server.process.pid)[0]
                figures["job"] = _while_loaded(server, admin, by_job)
                if worker is not None:
                    figures["job"]["worker_peak_mb"] = _group_memory_mb(worker.process.pid)[0]
                figures["snapshot"] = _while_loaded(server, admin, snapshot, members_counted)
                if worker is not None:
                    figures["snapshot"]["worker_peak_mb"] = _group_memory_mb(worker.process.pid)[0]
                figures["roster_at_once"] = _while_loaded(server, admin, roster_at_once, roster_rows)
                figures["roster_job"] = _while_loaded(server, admin, roster_by_job, roster_rows)
                figures["members_export"] = _while_loaded(server, admin, members_export(None), export_rows)
                figures["members_export_as_of"] = _while_loaded(
                    server, admin, members_export(dt.date.today() - dt.timedelta(days=1)), export_rows)
            peak, after = _group_memory_mb(server.process.pid)
    finally:
        release()
    result = {"backend": backend, "members": members, "activities": count, "attendance": signins,
              "server_rss_before_mb": before, "server_peak_mb": peak, "server_rss_after_mb": after,
              "me_quiet_p99_ms": quiet["p99_ms"], **{f"{way}_{name}": value for way, measured in figures.items()
                                                     for name, value in measured.items()}}
    print(json.dumps(result, ensure_ascii=False, indent=1))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ledger.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
