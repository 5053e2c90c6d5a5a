"""The year's 台账 as a file, made two ways from the same code:

- at once, in the web worker (`GET /reports/ledger.xlsx|pdf`): each step in a thread, for a
  branch's year (a few seconds);
- by the job engine (`POST /reports/ledger-exports`), which the desk uses: the request answers at
  once, a worker process makes the file, the desk asks how it is going and downloads it when it
  is done. A city's year (2 000 meetings, 100 000 sign-ins) or a branch's printable book (twenty
  seconds and 300 MB) is never made in a process that answers requests.

An export is one row (LedgerExport), a job asked for and followed (server/jobs/asked.py): while one
is queued or running, asking for the same ledger (org, year, format) again answers that one.
The content does not depend on who asked, so the staff over its org see it too. The file goes to
the file store and is deleted after job_file_retention_days, like a batch of plates.
"""
from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote

import procrastinate

from server import audit
from server.activities.models import Activity
from server.auth import Principal, load_principal
from server.clock import today
from server.db import MAX_ID
from server.errors import Conflict, DomainError, NotFound
from server.jobs import asked, engine
from server.jobs import files as files_of_jobs
from server.reports import ledger, pdfbook, workbook
from server.reports.models import LedgerExport
from server.reports.service import reportable_org, year_bounds

log = logging.getLogger("dangjian.reports.exports")
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


class ExportNotFound(NotFound):
    code, message = "export_not_found", "找不到该台账导出任务"


class ExportNotFinished(Conflict):
    code, message = "job_not_finished", "台账还在生成中，请稍后再下载"


class ExportFailed(Conflict):
    code, message = "export_failed", "台账生成失败，请重新生成"


class ExportExpired(DomainError):
    status, code, message = 410, "job_file_expired", "文件已超过保留期被删除，请重新生成台账"


# --- making the file ---------------------------------------------------------------------------

async def make(principal: Principal, org_id: int, year: int | None, fmt: str, files, font: str | None) -> tuple[dict, bytes]:
    """(what the ledger holds, the file's bytes). Reading is on the event loop a chunk of meetings
    at a time; building is CPU work, each step in a thread."""
    data = await ledger.ledger(principal, org_id, year)
    if fmt == "pdf":
        if len(data["activities"]) > ledger.PAGES_LIMIT:
            raise ledger.LedgerTooLarge(fields={"org_id": f"该组织这一年有 {len(data['activities'])} 次会议"})
        book = await asyncio.to_thread(pdfbook.LedgerPdf, data["org_name"], data["year"], data["activities"],
                                       data["plans"], font or None)
        async for pages in ledger.pages(data["activities"]):
            photos = await ledger.photos([page["id"] for page in pages], files, pdfbook.PHOTOS_PER_MEETING)
            await asyncio.to_thread(lambda: [book.meeting(page, photos.get(page["id"], [])) for page in pages])
        return data, await asyncio.to_thread(book.finish)
    book = await asyncio.to_thread(workbook.LedgerBook, data["org_name"], data["year"],
                                   len(data["activities"]) <= ledger.PAGES_LIMIT)
    async for pages in ledger.pages(data["activities"]):
        await asyncio.to_thread(lambda: [book.meeting(page) for page in pages])
    return data, await asyncio.to_thread(book.finish, data["plans"])


def disposition(org_name: str, year: int, fmt: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(f'{org_name}{year}年三会一课台账.{fmt}')}"


# --- asking for one, following it, downloading it ----------------------------------------------

async def create(principal: Principal, org_id: int, year: int | None, fmt: str, jobs_app) -> tuple[LedgerExport, bool]:
    """(the export, whether it is new). Refused at once what the job would refuse: an org the
    caller does not reach, a printable book of more meetings than anyone prints."""
    org = await reportable_org(principal, org_id)
    year = year or today().year
    start, end = year_bounds(year)
    meetings = await Activity.filter(org__path__startswith=org.path, starts_at__gte=start, starts_at__lt=end).count()
    if fmt == "pdf" and meetings > ledger.PAGES_LIMIT:
        raise ledger.LedgerTooLarge(fields={"org_id": f"该组织这一年有 {meetings} 次会议"})
    export, new = await asked.ask(LedgerExport, f"ledger:{org.id}:{year}:{fmt}",
                                  lambda export_id: engine.defer(jobs_app, "reports:ledger", export_id=export_id),
                                  requested_by=principal.user, org=org, year=year, format=fmt, meetings=meetings)
    if not new:
        return export, False
    await audit.record("ledger.export.requested", actor=principal.user, org=org.id, target=export, year=year,
                       format=fmt)
    return export, True


async def get(principal: Principal, export_id: int) -> LedgerExport:
    """Who asked for it, and the staff over its org, see an export; to anyone else it is not there."""
    export = await LedgerExport.get_or_none(id=export_id).select_related("org") if 0 < export_id <= MAX_ID else None
    if export is None or not (export.requested_by_id == principal.user.id or principal.reaches(export.org)):
        raise ExportNotFound()
    return export


async def open_file(principal: Principal, export_id: int, files):
    export = await get(principal, export_id)
    stored = await files_of_jobs.open_made(export, files, failed=ExportFailed, expired=ExportExpired,
                                           not_finished=ExportNotFinished)
    # Names and attendance of party members leave the system here: the download is audited.
    await audit.record("ledger.exported", actor=principal.user, org=export.org_id, target=export, year=export.year,
                       format=export.format)
    return export, stored


# --- in a worker --------------------------------------------------------------------------------

def blueprint() -> procrastinate.Blueprint:
    tasks = procrastinate.Blueprint()

    @tasks.task(name="ledger", queue="reports", pass_context=True,
                retry=procrastinate.RetryStrategy(max_attempts=asked.MAX_ATTEMPTS - 1, exponential_wait=5))
    async def ledger_task(context: procrastinate.JobContext, export_id: int) -> None:
        parts = engine.resources(context)
        await run(export_id, attempt=context.job.attempts, files=parts.files, settings=parts.settings)

    @tasks.periodic(cron="*/10 * * * *", periodic_id="expire-ledgers")
    @tasks.task(name="expire_files", queue="reports", queueing_lock="reports:expire_files", pass_context=True)
    async def expire_files(context: procrastinate.JobContext, timestamp: int) -> int:
        return await files_of_jobs.delete_expired(LedgerExport, engine.resources(context).files)

    return tasks


async def run(export_id: int, *, attempt: int, files, settings) -> str | None:
    """One attempt; `attempt` counts those before it. Returns the state it decided, if it did.
    Making a ledger changes nothing but its own file, so an attempt started again after its
    worker stalled simply makes it again; whichever finishes first is kept."""
    async def work(export: LedgerExport) -> str | None:
        # The rights of whoever asked, as they are now: a secretary who has since left the post
        # gets no file.
        principal = await load_principal(export.requested_by)
        data, body = await make(principal, export.org_id, export.year, export.format, files, settings.plate_font)
        if not await asked.finish_with_file(LedgerExport, export_id, body, f".{export.format}", files,
                                            settings.job_file_retention_days):
            return None  # another attempt decided it first
        log.info("ledger export %s done: %s %s, %s meetings, %s bytes", export_id, data["org_name"], data["year"],
                 len(data["activities"]), len(body))
        return "done"

    return await asked.attempt(LedgerExport, export_id, attempt, work)
