"""The engine's own periodic tasks: jobs whose worker died start again; old rows go."""
from __future__ import annotations

import logging

import procrastinate

from server.jobs.engine import KEEP_FINISHED_HOURS, resources

log = logging.getLogger("dangjian.jobs")
def blueprint() -> procrastinate.Blueprint:
    """A new blueprint for each engine built: procrastinate binds tasks to one app."""
    tasks = procrastinate.Blueprint()
    tasks.periodic(cron="* * * * * */5", periodic_id="retry-stalled")(tasks.task(
        name="retry_stalled", queue="housekeeping", queueing_lock="jobs:retry_stalled", pass_context=True)(retry_stalled))
    tasks.periodic(cron="17 3 * * *", periodic_id="prune")(tasks.task(
        name="prune", queue="housekeeping", queueing_lock="jobs:prune", pass_context=True)(prune))
    return tasks


async def retry_stalled(context: procrastinate.JobContext, timestamp: int) -> int:
    """A job is `doing` but its worker has sent no heartbeat for job_stalled_seconds (killed,
    its host gone): put it back in the queue. The task itself decides, from its own records,
    whether to start over or give up (server/plates/jobs.py)."""
    seconds = resources(context).settings.job_stalled_seconds
    manager = context.app.job_manager
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=seconds))
    for job in stalled:
        log.warning("job %s (%s) stalled: its worker is gone; queued again", job.id, job.task_name)
        await manager.retry_job(job)
    await manager.prune_stalled_workers(seconds_since_heartbeat=seconds * 10) if stalled else None
    return len(stalled)


async def prune(context: procrastinate.JobContext, timestamp: int) -> None:
    """procrastinate's rows of jobs that finished more than a week ago (what the service keeps
    about its own jobs lives in its own tables)."""
    await context.app.job_manager.delete_old_jobs(nb_hours=KEEP_FINISHED_HOURS, include_failed=True)
