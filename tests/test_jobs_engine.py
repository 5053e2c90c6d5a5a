"""The job engine (server/jobs): periodic tasks at their cadence, a job of a dead worker
started again by the engine, the queue's figures on /metrics, and the worker command."""
import asyncio
import datetime as dt
import subprocess
import sys

from croniter import croniter

from server.config import PROJECT_ROOT, Settings
from server.jobs import engine
from server.plates.models import PlateJob
from tests.plate_helpers import publish_member

# What the README promises: reminders looked at every 15 s, stalled jobs every 5 s, plan reminders daily.
CADENCE = {"reminders:dispatch": 15, "jobs:retry_stalled": 5, "plates:expire_files": 600, "reports:expire_files": 600, "statistics:expire_files": 600, "jobs:prune": 86400,
           "plan_reminders:plan": 86400, "receipt_reminders:receipts": 86400,
           "statistics:half_year": None}  # on the last days of June and December: tests/test_statistics.py


def test_periodic_tasks_fire_at_their_cadence():
    app = engine.build(Settings())
    periodic = {p.task.name: p.cron for p in app.periodic_registry.periodic_tasks.values()}
    assert set(periodic) == set(CADENCE)
    start = dt.datetime(2026, 6, 30, 23, 58, 1)
    for name, cron in periodic.items():
        if CADENCE[name] is None:
            continue
        times = croniter(cron, start)
        fires = [times.get_next(dt.datetime) for _ in range(6)]
        gaps = {(b - a).total_seconds() for a, b in zip(fires, fires[1:])}
        assert gaps == {CADENCE[name]}, (name, cron, gaps)
    # A secretary's plan reminder arrives in the morning in Shanghai (the engine's cron is UTC).
    assert croniter(periodic["plan_reminders:plan"], start).get_next(dt.datetime) == dt.datetime(2026, 7, 1, 1, 30)


async def _stalled_batch_job(backend, job_id: int) -> int:
    """A `plates:batch` job taken by a worker that has since died (no heartbeat for ten minutes),
    made without a window in which the live worker could take it first."""
    jobs_app = backend.app.ctx.jobs
    if not backend.is_postgres:
        connector = jobs_app.connector
        dead = await jobs_app.job_manager.register_worker()
        connector.workers[dead] = connector.workers[dead] - dt.timedelta(minutes=10)
        engine_id = await engine.defer(jobs_app, "plates:batch", job_id=job_id)
        connector.jobs[engine_id].update(status="doing", worker_id=dead)  # no await since the defer
        return engine_id
    from tortoise import connections

    connection = connections.get("default")
    [worker] = await connection.execute_query_dict(
        "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '10 minutes') RETURNING id")
    [row] = await connection.execute_query_dict(
        "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, worker_id) "
        "VALUES ('plates', 'plates:batch', $1::jsonb, 'doing', $2) RETURNING id",
        [f'{{"job_id": {job_id}}}', worker["id"]])
    return row["id"]


async def test_a_job_whose_worker_died_is_started_again_by_the_engine(world, backend):
    await publish_member(world)
    job = await PlateJob.create(requested_by=world.users["sec_a"], org=world.party_a, layout="a5-landscape",
                                state="running", total=1, runner="dead-worker")
    engine_id = await _stalled_batch_job(backend, job.id)
    for _ in range(300):  # jobs:retry_stalled runs every 5 s, then the live worker takes it
        await job.refresh_from_db()
        if job.state in ("done", "failed"):
            break
        await asyncio.sleep(0.1)
    assert (job.state, job.done, job.attempts) == ("done", 1, 1), (job.state, job.error)
    assert job.runner != "dead-worker"  # the new attempt owns it: the dead one could not write
    status = await backend.app.ctx.jobs.job_manager.get_job_status_async(engine_id)
    assert status.value == "succeeded"


async def test_metrics_show_the_job_queues(world, backend):
    async with world.client() as c:
        text = (await c.get("/metrics")).text
    if backend.is_postgres:
        assert "# TYPE dangjian_job_queue_depth gauge" in text
        assert "# TYPE dangjian_job_queue_oldest_seconds gauge" in text
    assert "dangjian_jobs_total" in text  # the in-process worker's own counts


def test_the_worker_command_refuses_sqlite_and_says_why():
    result = subprocess.run([sys.executable, "-m", "server", "worker"], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=60, env={"PATH": "/usr/bin:/bin",
                                                        "DANGJIAN_DATABASE_URL": "sqlite:///tmp/x.sqlite3"})
    assert result.returncode == 2 and "PostgreSQL" in result.stderr
