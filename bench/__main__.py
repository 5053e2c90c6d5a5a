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
import json
import platform
import shutil
import sys
from pathlib import Path

import httpx

from bench.load import run_load
from tests.conftest import PG_ADMIN_URL, REDIS_TEST_URL, fresh_postgres, fresh_redis
from tests.serverproc import ServerProcess

RESULTS = Path(__file__).resolve().parent / "results"


async def _backend_env(choice: str) -> tuple[str, dict]:
    if choice in ("auto", "postgres"):
        try:
            database_url = await fresh_postgres("dangjian_bench")
            redis_url = await fresh_redis(REDIS_TEST_URL.rsplit("/", 1)[0] + "/11")
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--backend", choices=["auto", "postgres", "sqlite"], default="auto")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)

    backend, env = asyncio.run(_backend_env(args.backend))
    if args.workers > 1:
        env["DANGJIAN_WORKERS"] = str(args.workers)
    tool = "wrk" if shutil.which("wrk") else "python"
    rows = []
    with ServerProcess(env) as server:
        token = _token(server.base, "dev:secretary1")
        cases = [
            ("ceiling: GET /healthz", "/healthz", {}),
            ("GET /api/v1/me (secretary)", "/api/v1/me", {"Authorization": f"Bearer {token}"}),
        ]
        for label, path, headers in cases:
            run_load(server.base + path, headers, seconds=1, connections=args.connections)  # warm-up
            rows.append({"case": label, **run_load(server.base + path, headers, seconds=args.seconds,
                                                  connections=args.connections)})
    ceiling = rows[0]["rps"]
    for row in rows:
        row["ratio_to_ceiling"] = round(row["rps"] / ceiling, 3) if ceiling else None

    print(f"\nbackend={backend} workers={args.workers} connections={args.connections} "
          f"seconds={args.seconds} load={tool} python={platform.python_version()}")
    print(f"{'case':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'x ceiling':>10}")
    for row in rows:
        print(f"{row['case']:34} {row['rps']:>9.0f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} "
              f"{row['errors']:>7} {row['ratio_to_ceiling']:>10.3f}")
    out = RESULTS / "latest.json"
    out.write_text(json.dumps({"backend": backend, "workers": args.workers, "connections": args.connections,
                               "seconds": args.seconds, "load": tool, "rows": rows}, ensure_ascii=False, indent=2))
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
