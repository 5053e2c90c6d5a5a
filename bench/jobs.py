"""The job engine: how long an idle worker takes to start a job after it is enqueued, against
the floor of what wakes it (a PostgreSQL NOTIFY received by another connection).

Both figures come from the database's own clock: procrastinate records `deferred` and
`started` events with now() in the transactions that enqueue and take the job. The job is
`reminders:send` for a reminder that does not exist: it starts, finds nothing and ends, so the
figure is the engine's alone."""
from __future__ import annotations

import asyncio
import statistics
import time


async def notify_floor(conninfo: str, samples: int) -> float:
    """Median ms from NOTIFY on one connection to its arrival on another."""
    import psycopg

    listener = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
    sender = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
    try:
        await listener.execute("LISTEN bench_floor")
        timings = []
        notifies = listener.notifies()
        for i in range(samples):
            started = time.perf_counter()
            await sender.execute(f"NOTIFY bench_floor, '{i}'")
            await anext(notifies)
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings)
    finally:
        await listener.close()
        await sender.close()


async def enqueue_to_start(database_url: str, samples: int = 30) -> dict:
    import procrastinate

    from server.jobs.engine import conninfo

    info = conninfo(database_url)
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=info))
    delays = []
    async with app.open_async():
        for _ in range(samples):
            job_id = await app.configure_task("reminders:send").defer_async(reminder_id=2_000_000_000)
            for _ in range(500):
                rows = await app.connector.execute_query_all_async(
                    "SELECT type, at FROM procrastinate_events WHERE job_id = %(id)s", id=job_id)
                times = {row["type"]: row["at"] for row in rows}
                if "started" in times:
                    delays.append((times["started"] - times["deferred"]).total_seconds() * 1000)
                    break
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.05)  # the worker idle again before the next
    floor = await notify_floor(info, samples)
    median = statistics.median(delays) if delays else None
    return {"samples": len(delays), "median_ms": round(median, 2) if median else None,
            "p90_ms": round(statistics.quantiles(delays, n=10)[-1], 2) if len(delays) >= 10 else None,
            "notify_floor_ms": round(floor, 3), "ratio_to_floor": round(median / floor, 1) if median else None}
