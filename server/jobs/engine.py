"""The job engine: procrastinate.

On PostgreSQL the jobs are rows in procrastinate's own tables (applied by `python -m server
migrate`): a web worker only enqueues; `python -m server worker` processes, as many as wanted on
as many hosts, take them with `SELECT … FOR UPDATE SKIP LOCKED`, woken by LISTEN/NOTIFY. They
retry with backoff, run periodic tasks once across all of them, honour locks and queueing locks,
and a job whose worker stopped sending heartbeats is started again (`jobs:retry_stalled`).

On SQLite (the embedded default) the same tasks run through procrastinate's in-memory
connector and a worker inside the web process: nothing to install, but a job still waiting
when the process stops is lost.

A domain declares its tasks on a procrastinate Blueprint; this module puts them together. A task
that needs the service's parts (settings, files, store, WeChat) takes the job context and calls
`resources(context)`.
"""
from __future__ import annotations

import asyncio
import logging
import signal
import time
from dataclasses import dataclass
from typing import Any

import procrastinate
import psycopg_pool
from procrastinate import testing
from procrastinate.worker import Worker

from server.observe import JOB_OUTCOMES, JOB_SECONDS

log = logging.getLogger("dangjian.jobs")

# Periodic tasks that look at the clock every few seconds need a worker that looks as often.
IN_MEMORY_POLL_SECONDS = 0.2
FETCH_POLL_SECONDS = 2.0  # PostgreSQL: NOTIFY wakes the worker at once; this is the fallback
KEEP_FINISHED_HOURS = 7 * 24  # procrastinate's rows of finished jobs (ours keep their own)


@dataclass
class Resources:
    settings: Any
    files: Any
    store: Any
    wechat: Any


def resources(context: procrastinate.JobContext) -> Resources:
    return context.additional_context["resources"]


def conninfo(database_url: str) -> str:
    """Tortoise's postgres:// URL for psycopg (which takes postgresql://)."""
    for prefix in ("postgres://", "asyncpg://"):
        if database_url.startswith(prefix):
            return "postgresql://" + database_url[len(prefix):]
    return database_url


def blueprints() -> dict[str, procrastinate.Blueprint]:
    from server.activities import plan_reminders, reminders
    from server.floating import letters, reminders as receipt_reminders
    from server.jobs import housekeeping
    from server.members import imports
    from server.plates import jobs as plate_jobs
    from server.reports import exports
    from server.statistics import snapshots

    return {"plates": plate_jobs.blueprint(), "reminders": reminders.blueprint(), "members": imports.blueprint(),
            "plan_reminders": plan_reminders.blueprint(), "jobs": housekeeping.blueprint(),
            "floating": letters.blueprint(), "receipt_reminders": receipt_reminders.blueprint(),
            "statistics": snapshots.blueprint(), "reports": exports.blueprint()}


def build(settings) -> procrastinate.App:
    if settings.uses_postgres:
        connector = procrastinate.PsycopgConnector(conninfo=conninfo(settings.database_url))
    else:
        connector = testing.InMemoryConnector()
    app = procrastinate.App(connector=connector)
    for namespace, blueprint in blueprints().items():
        app.add_tasks_from(blueprint, namespace=namespace)
    return app


async def open_engine(app: procrastinate.App, settings, *, runs_jobs: bool) -> psycopg_pool.AsyncConnectionPool | None:
    """Open the connections; returns the pool to hand to close_engine (ours: procrastinate does
    not close a pool it was given). A web process that only enqueues connects on its first
    enqueue, so it starts (and /readyz tells) while the database is away; a process that runs
    jobs needs one connection per job it runs at once, plus its listener and heartbeat, and
    waits for them."""
    if not settings.uses_postgres:
        await app.open_async()
        return None
    pool = psycopg_pool.AsyncConnectionPool(
        conninfo(settings.database_url), min_size=1 if runs_jobs else 0,
        max_size=settings.worker_concurrency + 3 if runs_jobs else 2, open=False,
        check=psycopg_pool.AsyncConnectionPool.check_connection)
    await pool.open(wait=runs_jobs)
    await app.open_async(pool=pool)
    return pool


async def close_engine(app: procrastinate.App, pool: psycopg_pool.AsyncConnectionPool | None) -> None:
    await app.close_async()
    if pool is not None:
        await pool.close()


def worker_options(settings, *, in_process: bool) -> dict:
    stalled = settings.job_stalled_seconds
    return dict(
        concurrency=settings.worker_concurrency,
        name="in-process" if in_process else None,
        install_signal_handlers=False,  # run_worker handles the signals (and restarts)
        listen_notify=settings.uses_postgres,
        fetch_job_polling_interval=FETCH_POLL_SECONDS if settings.uses_postgres else IN_MEMORY_POLL_SECONDS,
        update_heartbeat_interval=max(1.0, stalled / 4),
        stalled_worker_timeout=stalled,
        shutdown_graceful_timeout=30,
        worker_middleware=[_measure],
    )


RESTART_SECONDS = 5


async def run_worker(app: procrastinate.App, resources_: Resources, *, in_process: bool) -> None:
    """Run a worker until it is stopped (SIGTERM/SIGINT in a worker process, cancellation in
    process). procrastinate stops a worker whose listener loses the database (PostgreSQL
    restarted): it is started again here after a pause, in the same process."""
    options = worker_options(resources_.settings, in_process=in_process)
    stopping = asyncio.Event()
    current: list[Worker] = []

    def stop() -> None:
        stopping.set()
        if current:
            current[-1].stop()  # no new job; running ones get shutdown_graceful_timeout to finish

    if not in_process:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop)
    while not stopping.is_set():
        current[:] = [Worker(app=app, additional_context={"resources": resources_}, **options)]
        try:
            await current[0].run()
        except Exception:  # noqa: BLE001 — logged whole; the worker is started again below
            log.exception("the job worker failed")
        if stopping.is_set():
            break
        log.warning("the job worker stopped on its own (database unreachable?): starting it again in %s s",
                    RESTART_SECONDS)
        await asyncio.sleep(RESTART_SECONDS)


async def _measure(call_next, context, worker):
    """Every job: how it ended and how long it took, by task."""
    task = context.job.task_name
    started = time.perf_counter()
    outcome = "succeeded"
    try:
        return await call_next()
    except Exception:
        outcome = "failed"  # procrastinate retries it if its strategy says so
        raise
    finally:
        JOB_OUTCOMES.labels(task, outcome).inc()
        JOB_SECONDS.labels(task).observe(time.perf_counter() - started)


async def defer(app: procrastinate.App, task_name: str, *, lock: str | None = None, queueing_lock: str | None = None,
                **args) -> int | None:
    """Enqueue a job; None if its queueing lock says the same job is already waiting."""
    try:
        return await app.tasks[task_name].configure(lock=lock, queueing_lock=queueing_lock).defer_async(**args)
    except procrastinate.exceptions.AlreadyEnqueued:
        return None


# --- the schema ----------------------------------------------------------------------------------

async def apply_schema(database_url: str) -> bool:
    """procrastinate's tables on PostgreSQL, once. True if they were created now."""
    import psycopg

    async with await psycopg.AsyncConnection.connect(conninfo(database_url), autocommit=True) as connection:
        exists = (await (await connection.execute("SELECT to_regclass('procrastinate_jobs')")).fetchone())[0]
        if exists:
            return False
        app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url)))
        async with app.open_async():
            await app.schema_manager.apply_schema_async()
        return True


# --- what the operator sees ------------------------------------------------------------------------

QUEUE_QUERY = """
SELECT queue_name, count(*) AS waiting,
       EXTRACT(EPOCH FROM now() - min(COALESCE(scheduled_at, deferred_at))) AS oldest
  FROM (SELECT j.queue_name, j.scheduled_at,
               (SELECT min(e.at) FROM procrastinate_events e WHERE e.job_id = j.id) AS deferred_at
          FROM procrastinate_jobs j
         WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())) waiting
 GROUP BY queue_name
"""


async def queue_figures() -> dict[str, tuple[int, float]]:
    """{queue: (jobs waiting to start, seconds the oldest has waited)}: PostgreSQL only, {} on SQLite."""
    from tortoise import connections

    connection = connections.get("default")
    if connection.capabilities.dialect != "postgres":
        return {}
    _count, rows = await connection.execute_query(QUEUE_QUERY)
    return {row["queue_name"]: (int(row["waiting"]), float(row["oldest"] or 0)) for row in rows}
