"""A snapshot's 登记表 roster workbook made by the job engine, as the desk asks for it.

`GET …/roster.xlsx` makes it while the request waits: right for a branch. A city's snapshot holds
50 000 members, whose rows are read and written in a couple of seconds of a core: the desk asks
`POST /statistics/snapshots/{id}/roster-exports` instead, a `python -m server worker` process
makes it (on SQLite, the worker in the web process), the desk follows it and downloads the file.
One export per snapshot at a time (server/jobs/asked.py); the staff who see the snapshot see its
export. The file is deleted after job_file_retention_days, like a ledger's.
"""
from __future__ import annotations

import asyncio
import logging

import procrastinate

from server import audit
from server.auth import Principal, load_principal
from server.clock import today
from server.db import MAX_ID
from server.errors import Conflict, DomainError, NotFound
from server.jobs import asked, engine
from server.jobs import files as files_of_jobs
from server.statistics import snapshots, tables
from server.statistics.models import RosterExport, SnapshotMember

log = logging.getLogger("dangjian.statistics")


class RosterExportNotFound(NotFound):
    code, message = "roster_export_not_found", "找不到该名册导出任务"


class RosterNotFinished(Conflict):
    code, message = "job_not_finished", "名册还在生成中，请稍后再下载"


class RosterFailed(Conflict):
    code, message = "export_failed", "名册生成失败，请重新生成"


class RosterExpired(DomainError):
    status, code, message = 410, "job_file_expired", "文件已超过保留期被删除，请重新生成名册"


async def make(snapshot) -> bytes:
    """The workbook's bytes: the rows read, the workbook written in a thread."""
    rows = await snapshots.member_rows(snapshot)
    return await asyncio.to_thread(tables.roster_workbook, snapshot.figures, rows, today().isoformat())


async def create(principal: Principal, snapshot_id: int, jobs_app) -> tuple[RosterExport, bool]:
    snapshot = await snapshots.get(principal, snapshot_id)
    rows = await SnapshotMember.filter(snapshot_id=snapshot.id).count()
    return await asked.ask(RosterExport, f"roster:{snapshot.id}",
                           lambda export_id: engine.defer(jobs_app, "statistics:roster", export_id=export_id),
                           requested_by=principal.user, snapshot=snapshot, rows=rows)


async def get(principal: Principal, export_id: int) -> RosterExport:
    """Who asked, and the staff who see its snapshot, see an export; to anyone else it is not there."""
    export = await RosterExport.get_or_none(id=export_id).select_related("snapshot__org") if 0 < export_id <= MAX_ID else None
    if export is None or not (export.requested_by_id == principal.user.id or principal.reaches(export.snapshot.org)):
        raise RosterExportNotFound()
    return export


async def open_file(principal: Principal, export_id: int, files):
    export = await get(principal, export_id)
    stored = await files_of_jobs.open_made(export, files, failed=RosterFailed, expired=RosterExpired,
                                           not_finished=RosterNotFinished)
    # Names and phone numbers of party members leave the system here, as with the GET.
    await audit.record("statistics.tables.downloaded", actor=principal.user, org=export.snapshot.org_id,
                       target=export.snapshot, table="roster")
    return export, stored


# --- in a worker --------------------------------------------------------------------------------

def tasks(blueprint: procrastinate.Blueprint) -> None:
    @blueprint.task(name="roster", queue="statistics", pass_context=True,
                    retry=procrastinate.RetryStrategy(max_attempts=asked.MAX_ATTEMPTS - 1, exponential_wait=5))
    async def roster_task(context: procrastinate.JobContext, export_id: int) -> None:
        parts = engine.resources(context)
        await run(export_id, attempt=context.job.attempts, files=parts.files, settings=parts.settings)

    @blueprint.periodic(cron="*/10 * * * *", periodic_id="expire-rosters")
    @blueprint.task(name="expire_files", queue="statistics", queueing_lock="statistics:expire_files", pass_context=True)
    async def expire_files(context: procrastinate.JobContext, timestamp: int) -> int:
        return await files_of_jobs.delete_expired(RosterExport, engine.resources(context).files)


async def run(export_id: int, *, attempt: int, files, settings) -> str | None:
    """One attempt; `attempt` counts those before it. The asker's rights as they are now."""
    async def work(export: RosterExport) -> str | None:
        principal = await load_principal(export.requested_by)
        snapshot = await snapshots.get(principal, export.snapshot_id)
        body = await make(snapshot)
        if not await asked.finish_with_file(RosterExport, export_id, body, ".xlsx", files,
                                            settings.job_file_retention_days):
            return None  # another attempt decided it first
        log.info("roster export %s done: snapshot %s, %s bytes", export_id, snapshot.id, len(body))
        return "done"

    return await asked.attempt(RosterExport, export_id, attempt, work)
