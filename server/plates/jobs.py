"""Batch printing: every consenting member of a market or an org subtree on one PDF.

A job is a row. The worker that created it claims it (queued -> running, a conditional UPDATE
only one worker can win) and writes the PDF a page at a time: member data is read on the event
loop, each page is drawn in a thread, and the page leaves memory once written, so memory stays
flat however many plates there are. A heartbeat after every page lets any worker see a job
whose worker died: it is started again from the beginning once, then marked failed with the
reason. Finished files go to the file storage; the job keeps the key.
"""
from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import plates
from server import audit, limits
from server.auth import Principal, load_principal
from server.clock import now
from server.db import MAX_ID
from server.observe import PLATE_JOBS
from server.errors import Conflict, Forbidden, NotFound, ReferenceNotFound, ValidationFailed
from server.members.models import Member
from server.orgs.models import Market, Org
from server.plates import issuing
from server.plates.models import PlateJob, Profile
from server.plates.profiles import profile_of

log = logging.getLogger("dangjian.plates.jobs")
MAX_PLATES = 2000  # one print file; a bigger scope is split by market
STALE_AFTER = timedelta(seconds=90)  # no heartbeat for this long: the worker is gone
MAX_ATTEMPTS = 2
SWEEP_SECONDS = 30


class JobNotFound(NotFound):
    code, message = "job_not_found", "找不到该任务"


class JobNotFinished(NotFound):
    status, code, message = 409, "job_not_finished", "文件还在生成中，请稍后再下载"


class JobEmpty(Conflict):
    code, message = "job_empty", "没有已同意公开信息的党员，未生成文件"


class BatchRunning(Conflict):
    code, message = "batch_running", "这个组织或市场的批量打印正在进行，请等它完成后再提交"


class TooManyPlates(Conflict):
    code = "too_many_plates"
    message = f"一次最多打印 {MAX_PLATES} 块三亮牌，请按市场分批打印"


class NotOrgStaff(Forbidden):
    code, message = "not_org_staff", "只能为你所管辖范围内的组织或市场打印三亮牌"


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


def _members(principal_scope, org: Org | None, market: Market | None):
    query = Member.filter(principal_scope)
    if market is not None:
        query = query.filter(market_id=market.id)
    else:
        query = query.filter(life_org__path__startswith=org.path)
    return query


async def create(principal: Principal, market_id: int | None, org_id: int | None, layout: str | None,
                 settings, store) -> PlateJob:
    org, market = await _scope(principal, market_id, org_id)
    # One batch at a time per org or market: a double click, or a second secretary, waits for it.
    if await PlateJob.filter(org=org, market=market, state__in=("queued", "running")).exists():
        raise BatchRunning()
    await limits.charge(store, principal.user.id, "plate.batch")
    # Only members in the caller's own subtree, even in a market that spans several branches.
    count = await _members(principal.scope("life_org"), org, market).count()
    if count > MAX_PLATES:
        raise TooManyPlates()
    issuing.fonts(settings)  # no font: say so now, not in a failed job
    job = await PlateJob.create(requested_by=principal.user, org=org, market=market,
                                layout=layout or settings.plate_layout, total=count)
    await audit.record("plate.batch.requested", actor=principal.user, org=org.id if org else market.org_id,
                       target=job, market_id=market.id if market else None, total=count)
    return job


async def get(principal: Principal, job_id: int) -> PlateJob:
    job = await PlateJob.get_or_none(id=job_id) if 0 < job_id <= MAX_ID else None
    if job is None or job.requested_by_id != principal.user.id:
        raise JobNotFound()
    return job


async def file_path(principal: Principal, job_id: int, files) -> Path:
    job = await get(principal, job_id)
    if job.state == "done" and not job.file_key:
        raise JobEmpty()
    path = files.local_path(job.file_key) if job.state == "done" else None
    if path is None:
        raise JobNotFinished(extra={"state": job.state})
    await audit.record("plate.batch.downloaded", actor=principal.user, target=job)
    return path


# ---------------------------------------------------------------------------------------------
# Running


async def claim(job_id: int) -> bool:
    """queued -> running for exactly one worker."""
    return bool(await PlateJob.filter(id=job_id, state="queued").update(state="running", heartbeat_at=now(), done=0))


async def run(job_id: int, *, files, settings, store) -> None:
    """Write the job's PDF. The caller has claimed it."""
    job = await PlateJob.get(id=job_id).select_related("requested_by", "org", "market")
    await PlateJob.filter(id=job_id).update(attempts=job.attempts + 1)
    try:
        key, size, done, skipped = await _write(job, files, settings, store)
    except plates.FontMissing as exc:
        await _fail(job_id, "缺少中文字体：" + str(exc)[:150])
        return
    except (OSError, ValueError) as exc:  # a disk full, an unreadable photo: say which
        log.exception("plate job %s failed", job_id)
        await _fail(job_id, f"生成失败：{exc.__class__.__name__}: {exc}"[:200])
        return
    await PlateJob.filter(id=job_id, state="running").update(
        state="done", file_key=key, file_size=size, done=done, skipped=skipped, finished_at=now(), heartbeat_at=now(),
        error=None if key else JobEmpty.message)
    PLATE_JOBS.labels("done").inc()
    log.info("plate job %s done: %s pages, %s skipped, %s bytes", job_id, done, skipped, size)


async def _fail(job_id: int, reason: str) -> None:
    await PlateJob.filter(id=job_id).update(state="failed", error=reason, finished_at=now())
    PLATE_JOBS.labels("failed").inc()


async def _write(job: PlateJob, files, settings, store) -> tuple[str | None, int, int, int]:
    principal = await load_principal(job.requested_by)
    layout = plates.LAYOUTS[job.layout]
    fonts = plates.find_fonts(settings.plate_font or None)
    ids = await _members(principal.scope("life_org"), job.org, job.market).order_by("stall_no", "name", "id") \
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
                plate = await issuing.current_plate(member.id) or await issuing.issue_for(member, job.requested_by, store)
                data = await issuing.plate_data(member, await profile_of(member), plate, files, settings)
                jpeg = await asyncio.to_thread(plates.render_jpeg, data, layout, fonts)
                await asyncio.to_thread(plates.add_page, writer, jpeg, layout)
                done += 1
                await PlateJob.filter(id=job.id).update(done=done, skipped=skipped, heartbeat_at=now())
            if writer.pages:
                writer.close()
        if done == 0:
            return None, 0, 0, skipped
        size = Path(temp_name).stat().st_size
        return await files.put_file(Path(temp_name), ".pdf"), size, done, skipped
    finally:
        Path(temp_name).unlink(missing_ok=True)


async def start(app, job_id: int) -> None:
    """Claim and run one job in this worker, in the background."""
    if await claim(job_id):
        ctx = app.ctx
        app.add_task(run(job_id, files=ctx.files, settings=ctx.settings, store=ctx.store), name=f"plate-job-{job_id}")


async def sweep(app) -> dict[str, int]:
    """Jobs whose worker died: run again once, then failed with the reason. Jobs queued but never
    claimed (their worker died between the two): claimed here."""
    cutoff = now() - STALE_AFTER
    counts = {"restarted": 0, "failed": 0}
    for job in await PlateJob.filter(state="running", heartbeat_at__lt=cutoff):
        if job.attempts >= MAX_ATTEMPTS:
            counts["failed"] += await PlateJob.filter(id=job.id, state="running", heartbeat_at=job.heartbeat_at).update(
                state="failed", error="生成任务的进程中断，已重试一次仍未完成，请重新提交", finished_at=now())
        elif await PlateJob.filter(id=job.id, state="running", heartbeat_at=job.heartbeat_at).update(state="queued"):
            counts["restarted"] += 1
            await start(app, job.id)
    for job_id in await PlateJob.filter(state="queued", created_at__lt=cutoff).values_list("id", flat=True):
        await start(app, job_id)
    return counts


async def run_forever(app) -> None:
    while True:
        await asyncio.sleep(SWEEP_SECONDS)
        try:
            counts = await sweep(app)
            if any(counts.values()):
                log.warning("plate jobs swept: %s", counts)
        except Exception:  # noqa: BLE001 — the loop must outlive a database hiccup; it is logged whole
            log.exception("plate job sweep failed")
