"""Batch printing: every consenting member of a market or an org subtree on one PDF.

A batch is a PlateJob row (what the secretary sees: progress, the file, the outcome) and a job
of the engine (server/jobs), which runs it in a worker process. The queueing lock makes a
double-clicked batch one job; the lock per org or market runs one batch for it at a time.

Each attempt draws a `runner` token and owns the row while its token is there. A worker that
stalled and comes back after its job was started again elsewhere finds another token: its
progress, file and outcome are refused, and it stops. Each member's plate is issued under that
member's row lock, and only if they have none (issuing.ensure_plate), so two attempts never
issue one member two plates, and every plate in the PDF keeps a valid code. The PDF is written a
page at a time (member data read on the event loop, each page drawn in a thread) and goes to the
file store, reachable from every host; it is deleted after job_file_retention_days.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import procrastinate
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

import plates
from server import audit, limits
from server.auth import Principal, load_principal
from server.clock import now
from server.db import MAX_ID
from server.errors import Conflict, DomainError, Forbidden, NotFound, ReferenceNotFound, ValidationFailed
from server.jobs import asked, engine
from server.jobs import files as files_of_jobs
from server.members.models import Member
from server.observe import PLATE_JOBS
from server.markets.models import Market
from server.orgs.models import Org
from server.plates import issuing
from server.plates.models import PlateJob, Profile
from server.plates.profiles import profile_of

log = logging.getLogger("dangjian.plates.jobs")
MAX_PLATES = 2000  # one print file; a bigger scope is split by market
MAX_ATTEMPTS = 3  # an attempt cut short (an error, a worker killed) is tried again, then the job fails


class JobNotFound(NotFound):
    code, message = "job_not_found", "找不到该任务"


class JobNotFinished(NotFound):
    status, code, message = 409, "job_not_finished", "文件还在生成中，请稍后再下载"


class JobFileExpired(DomainError):
    status, code = 410, "job_file_expired"
    message = "文件已超过保留期被删除，请重新提交批量打印"


class JobEmpty(Conflict):
    code, message = "job_empty", "没有已同意公开信息的党员，未生成文件"


class BatchRunning(Conflict):
    code, message = "batch_running", "这个组织或市场的批量打印正在进行，请等它完成后再提交"


class TooManyPlates(Conflict):
    code = "too_many_plates"
    message = f"一次最多打印 {MAX_PLATES} 块三亮牌，请按市场分批打印"


class NotOrgStaff(Forbidden):
    code, message = "not_org_staff", "只能为你所管辖范围内的组织或市场打印三亮牌"


class Superseded(Exception):
    """This attempt no longer owns its job: another attempt started it again."""


async def _scope(principal: Principal, market_id: int | None, org_id: int | None) -> tuple[Org | None, Market | None]:
    if (market_id is None) == (org_id is None):
        raise ValidationFailed(fields={"market_id": "请指定 market_id 或 org_id 其中之一"})
    if market_id is not None:
        market = await Market.get_or_none(id=market_id).select_related("org")
        if market is None:
            raise ReferenceNotFound(fields={"market_id": "找不到该市场"})
        if not principal.reaches(market.org):
            await audit.record("plate.batch.denied", actor=principal.user, org=market.org_id)
            raise NotOrgStaff()
        return None, market
    org = await Org.get_or_none(id=org_id)
    if org is None:
        raise ReferenceNotFound(fields={"org_id": "找不到该组织"})
    if not principal.reaches(org):
        await audit.record("plate.batch.denied", actor=principal.user, org=org)
        raise NotOrgStaff()
    return org, None


async def _members(principal: Principal, org: Org | None, market: Market | None):
    if market is not None:
        return Member.filter(await principal.scope("life_org"), market_id=market.id)
    return Member.filter(await principal.scope("life_org", within=org))


def _scope_key(org: Org | None, market: Market | None) -> str:
    return f"plates:market:{market.id}" if market is not None else f"plates:org:{org.id}"


async def create(principal: Principal, market_id: int | None, org_id: int | None, layout: str | None,
                 settings, store, jobs_app) -> PlateJob:
    org, market = await _scope(principal, market_id, org_id)
    # A batch still queued or running after ABANDONED_AFTER was lost with its worker (on SQLite the
    # queue lives in the web process and goes with it): it no longer holds its org or market.
    await PlateJob.filter(org=org, market=market, state__in=asked.ACTIVE,
                          created_at__lt=now() - asked.ABANDONED_AFTER).update(
        state="failed", active_scope=None, error="生成中断（后台任务丢失），请重新提交", finished_at=now())
    # One batch at a time per org or market: a second secretary waits for it. A double click
    # that passes this check at the same instant is stopped by the queueing lock below.
    if await PlateJob.filter(org=org, market=market, state__in=asked.ACTIVE).exists():
        raise BatchRunning()
    await limits.charge(store, principal.user.id, "plate.batch")
    # Only members in the caller's own subtree, even in a market that spans several branches.
    count = await (await _members(principal, org, market)).count()
    if count > MAX_PLATES:
        raise TooManyPlates()
    issuing.fonts(settings)  # no font: say so now, not in a failed job
    key = _scope_key(org, market)
    try:
        job = await PlateJob.create(requested_by=principal.user, org=org, market=market, active_scope=key,
                                    layout=layout or settings.plate_layout, total=count)
    except IntegrityError:
        raise BatchRunning() from None
    if await engine.defer(jobs_app, "plates:batch", lock=key, queueing_lock=key, job_id=job.id) is None:
        await job.delete()
        raise BatchRunning()
    await audit.record("plate.batch.requested", actor=principal.user, org=org.id if org else market.org_id,
                       target=job, market_id=market.id if market else None, total=count)
    return job


def _owner_org(job: PlateJob) -> Org:
    return job.org if job.org_id else job.market.org


def owner_org_id(job: PlateJob) -> int:
    """The org whose staff see the job: its own, or its market's (needs job.market loaded)."""
    return job.org_id or job.market.org_id


async def get(principal: Principal, job_id: int) -> PlateJob:
    """The one who asked for it, and staff over its org or market, see a job."""
    job = await PlateJob.get_or_none(id=job_id).select_related("org", "market__org") if 0 < job_id <= MAX_ID else None
    if job is None or not (job.requested_by_id == principal.user.id or principal.reaches(_owner_org(job))):
        raise JobNotFound()
    return job


async def of_org(principal: Principal, org_id: int, limit: int, offset: int) -> tuple[list[PlateJob], int]:
    """The batches of an org's subtree and of its markets, newest first."""
    org = await Org.get_or_none(id=org_id) if 0 < org_id <= MAX_ID else None
    if org is None:
        raise ReferenceNotFound(fields={"org_id": "找不到该组织"})
    if not principal.reaches(org):
        raise NotOrgStaff()
    query = PlateJob.filter(Q(org__path__startswith=org.path) | Q(market__org__path__startswith=org.path))
    return await query.order_by("-id").offset(offset).limit(limit).select_related("market"), await query.count()


async def open_file(principal: Principal, job_id: int, files):
    job = await get(principal, job_id)
    if job.file_deleted_at is not None:
        raise JobFileExpired(extra={"deleted_at": job.file_deleted_at.isoformat()})
    if job.state == "done" and not job.file_key:
        raise JobEmpty()
    stored = await files.open(job.file_key) if job.state == "done" else None
    if stored is None:
        raise JobNotFinished(extra={"state": job.state})
    await audit.record("plate.batch.downloaded", actor=principal.user, org=_owner_org(job).id, target=job)
    return stored


# ---------------------------------------------------------------------------------------------
# Running (in a worker)


def blueprint() -> procrastinate.Blueprint:
    """This domain's tasks (a new blueprint for each engine built: procrastinate binds tasks to one app)."""
    tasks = procrastinate.Blueprint()

    @tasks.task(name="batch", queue="plates", pass_context=True,
                retry=procrastinate.RetryStrategy(max_attempts=MAX_ATTEMPTS - 1, exponential_wait=5))
    async def batch(context: procrastinate.JobContext, job_id: int) -> None:
        parts = engine.resources(context)
        await run(job_id, attempt=context.job.attempts, files=parts.files, settings=parts.settings, store=parts.store)

    @tasks.periodic(cron="*/10 * * * *", periodic_id="expire-files")
    @tasks.task(name="expire_files", queue="plates", queueing_lock="plates:expire_files", pass_context=True)
    async def expire_files(context: procrastinate.JobContext, timestamp: int) -> int:
        return await files_of_jobs.delete_expired(PlateJob, engine.resources(context).files)

    return tasks


async def run(job_id: int, *, attempt: int, files, settings, store) -> str | None:
    """One attempt at a job; `attempt` counts the attempts before it (a retry after an error or
    after its worker died). Returns the job's state when this attempt decided it."""
    job = await PlateJob.get_or_none(id=job_id).select_related("requested_by", "org", "market")
    if job is None or job.state in ("done", "failed"):
        return None  # decided already: an attempt restarted after it wrote the outcome
    if attempt >= MAX_ATTEMPTS:
        return await _fail(job_id, None, f"生成任务中断 {attempt} 次，未能完成，请重新提交")
    runner = secrets.token_hex(8)
    claimed = await PlateJob.filter(id=job_id, state__in=("queued", "running")).update(
        state="running", runner=runner, attempts=F("attempts") + 1, done=0, skipped=0, started_at=now())
    if not claimed:
        return None
    final = attempt + 1 >= MAX_ATTEMPTS
    try:
        key, size, done, skipped = await _write(job, runner, files, settings, store)
    except Superseded:
        log.warning("plate job %s: attempt %s lost the job to a later one; it stops", job_id, runner)
        return None
    except plates.FontMissing as exc:
        return await _fail(job_id, runner, "缺少中文字体：" + str(exc)[:150])
    except Exception as exc:
        log.exception("plate job %s attempt %s failed", job_id, attempt + 1)
        if not final:
            raise  # the engine tries again after a pause
        return await _fail(job_id, runner, f"生成失败：{exc.__class__.__name__}: {exc}"[:200])
    finished = now()
    owned = await PlateJob.filter(id=job_id, runner=runner).update(
        state="done", active_scope=None, file_key=key, file_size=size, done=done, skipped=skipped, finished_at=finished,
        expires_at=finished + timedelta(days=settings.job_file_retention_days) if key else None,
        error=None if key else JobEmpty.message)
    if not owned:
        if key:
            await files.delete(key)  # the attempt that owns the job writes its own
        return None
    PLATE_JOBS.labels("done").inc()
    log.info("plate job %s done: %s pages, %s skipped, %s bytes", job_id, done, skipped, size)
    return "done"


async def _fail(job_id: int, runner: str | None, reason: str) -> str | None:
    query = PlateJob.filter(id=job_id, state__in=("queued", "running"))
    if runner is not None:
        query = query.filter(runner=runner)
    if not await query.update(state="failed", active_scope=None, error=reason, finished_at=now()):
        return None
    PLATE_JOBS.labels("failed").inc()
    return "failed"


async def _progress(job_id: int, runner: str, **figures) -> None:
    if not await PlateJob.filter(id=job_id, runner=runner, state="running").update(**figures):
        raise Superseded()


async def _write(job: PlateJob, runner: str, files, settings, store) -> tuple[str | None, int, int, int]:
    principal = await load_principal(job.requested_by)
    layout = plates.LAYOUTS[job.layout]
    fonts = plates.find_fonts(settings.plate_font or None)
    ids = await (await _members(principal, job.org, job.market)).order_by("stall_no", "name", "id") \
        .values_list("id", flat=True)
    consenting = set(await Profile.filter(member_id__in=ids, consent_at__not_isnull=True)
                     .values_list("member_id", flat=True)) if ids else set()
    handle, temp_name = tempfile.mkstemp(suffix=".pdf", dir=files.scratch_dir())
    done = skipped = 0
    try:
        with os.fdopen(handle, "wb") as out:
            writer = plates.PdfWriter(out)
            for member_id in ids:
                if member_id not in consenting:
                    skipped += 1
                    continue
                member = await Member.get(id=member_id)
                plate = await issuing.ensure_plate(member, job.requested_by, store)
                data = await issuing.plate_data(member, await profile_of(member), plate, files, settings)
                jpeg = await asyncio.to_thread(plates.render_jpeg, data, layout, fonts)
                await asyncio.to_thread(plates.add_page, writer, jpeg, layout)
                done += 1
                await _progress(job.id, runner, done=done, skipped=skipped)
            if writer.pages:
                await asyncio.to_thread(writer.close)
        if done == 0:
            return None, 0, 0, skipped
        if not await PlateJob.filter(id=job.id, runner=runner, state="running").exists():
            raise Superseded()  # still ours before the file is stored
        size = Path(temp_name).stat().st_size
        return await files.put_file(Path(temp_name), ".pdf"), size, done, skipped
    finally:
        Path(temp_name).unlink(missing_ok=True)
