"""A snapshot that staff ask for, taken (or taken again) by the job engine.

A city's figures as of a day are 50 000 members read as of that day, every market's 六化 state and
50 000 rows stored: seconds of work that would hold up every request of the web worker doing it.
So `POST /statistics/snapshots` and `…/retake` refuse at once what the work would refuse (an org
the caller does not reach, a day to come, a day already taken, a snapshot already submitted), then
answer with a SnapshotJob that a `python -m server worker` process carries out (on SQLite, the
worker in the web process). The desk follows it and opens the snapshot when it is done.

The org's figures of one day are computed once at a time (the job's active_key): asking the same
again while they are computed (a double click, a colleague) answers that job; asking something
else of that day meanwhile (a retake with another reason) is refused until it is done, so no
reason is dropped. The worker takes the asker's rights as they are when it starts.
"""
from __future__ import annotations

import datetime as dt
import logging

import procrastinate

from server.auth import Principal, load_principal
from server.db import MAX_ID
from server.errors import Conflict, NotFound
from server.jobs import asked, engine
from server.orgs.models import Org
from server.orgs.service import get_org
from server.statistics import snapshots
from server.statistics.models import Snapshot, SnapshotCorrection, SnapshotJob

log = logging.getLogger("dangjian.statistics")


class JobNotFound(NotFound):
    code, message = "snapshot_job_not_found", "找不到该统计生成任务"


class DayBusy(Conflict):
    code, message = "snapshot_busy", "这一天的统计正在生成，请等它完成后再操作"


def _key(org_id: int, day: dt.date) -> str:
    return f"snapshot:{org_id}:{day.isoformat()}"


async def _ask(principal: Principal, kind: str, org: Org, day: dt.date, jobs_app, **fields) -> tuple[SnapshotJob, bool]:
    job, new = await asked.ask(SnapshotJob, _key(org.id, day),
                               lambda job_id: engine.defer(jobs_app, "statistics:take", job_id=job_id),
                               kind=kind, requested_by=principal.user, org=org, as_of=day, **fields)
    if not new and (job.kind, job.reason) != (kind, fields.get("reason")):
        raise DayBusy(extra={"job_id": job.id})
    return job, new


async def ask_take(principal: Principal, org_id: int, day: dt.date, jobs_app) -> tuple[SnapshotJob, bool]:
    org = await get_org(org_id)
    if not principal.reaches(org):
        raise snapshots.SnapshotNotFound()
    snapshots.check_day(day)
    if await Snapshot.exists(org=org, as_of=day):
        raise snapshots.SnapshotExists()
    return await _ask(principal, "take", org, day, jobs_app)


async def ask_retake(principal: Principal, snapshot_id: int, reason: str, jobs_app) -> tuple[SnapshotJob, bool]:
    snapshot = await snapshots.get(principal, snapshot_id)
    snapshots.editable(snapshot)
    return await _ask(principal, "retake", snapshot.org, snapshot.as_of, jobs_app, snapshot=snapshot, reason=reason)


async def get(principal: Principal, job_id: int) -> SnapshotJob:
    """Who asked, and the staff over its org, see a job; to anyone else it is not there."""
    job = await SnapshotJob.get_or_none(id=job_id).select_related("org", "correction") if 0 < job_id <= MAX_ID else None
    if job is None or not (job.requested_by_id == principal.user.id or principal.reaches(job.org)):
        raise JobNotFound()
    return job


# --- in a worker --------------------------------------------------------------------------------

def task(tasks: procrastinate.Blueprint) -> None:
    @tasks.task(name="take", queue="statistics", pass_context=True,
                retry=procrastinate.RetryStrategy(max_attempts=asked.MAX_ATTEMPTS - 1, exponential_wait=5))
    async def take_task(context: procrastinate.JobContext, job_id: int) -> None:
        await run(job_id, attempt=context.job.attempts)


async def run(job_id: int, *, attempt: int) -> str | None:
    """One attempt; `attempt` counts those before it. An attempt started again after its worker
    stalled finds what the first stored: the day's snapshot, or a retake's correction."""
    async def work(job: SnapshotJob) -> str | None:
        principal = await load_principal(job.requested_by)
        if job.kind == "take":
            snapshot = await _take(principal, job)
            return await asked.finish(SnapshotJob, job.id, state="done", snapshot_id=snapshot.id)
        if job.snapshot_id is None:  # deleted with its org meanwhile
            raise snapshots.SnapshotNotFound()
        snapshot, correction = await snapshots.retake(principal, job.snapshot_id, job.reason)
        correction = correction or await SnapshotCorrection.filter(
            snapshot_id=snapshot.id, made_by_id=job.requested_by_id, reason=job.reason,
            made_at__gte=job.created_at).order_by("-id").first()
        return await asked.finish(SnapshotJob, job.id, state="done", correction_id=correction.id if correction else None)

    decided = await asked.attempt(SnapshotJob, job_id, attempt, work)
    log.info("snapshot job %s: %s", job_id, decided)
    return decided


async def _take(principal: Principal, job: SnapshotJob) -> Snapshot:
    org = await get_org(job.org_id)
    if not principal.reaches(org):
        raise snapshots.SnapshotNotFound()
    try:
        return await snapshots.take(org, job.as_of, by=principal.user)
    except snapshots.SnapshotExists:
        # Taken since it was asked for (an attempt before this one, or the half-year task at
        # 23:59): the day's figures are there, and that is what was asked for.
        return await Snapshot.get(org_id=org.id, as_of=job.as_of)
