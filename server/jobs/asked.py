"""A job that staff ask for and follow (a city's ledger, a city's half-year figures): one row per
request, in JOB_STATES, made by a worker process so that no process answering requests does the
work.

While one is queued or running its row holds an `active_key` (unique), so asking again for the
same thing (a double click, a colleague) answers the one under way. One still queued after
ABANDONED_AFTER was lost with its worker (on SQLite the queue lives in the web process and goes
with it): asking again marks it failed and makes a new one. An attempt cut short (an error, a
worker killed) is tried once more; a DomainError is the job's answer, not a fault.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from server.clock import now
from server.errors import DomainError

log = logging.getLogger("dangjian.jobs")
MAX_ATTEMPTS = 2
ABANDONED_AFTER = timedelta(minutes=30)
ACTIVE = ("queued", "running")


class AskedJob(Model):
    """What ask, attempt and finish need of a job's row (with a `requested_by` of its own)."""

    state = fields.CharField(max_length=16, default="queued")  # server.jobs.files.JOB_STATES
    error = fields.CharField(max_length=200, null=True)
    # The job's key while it is queued or running, else null: unique, so asking again for the
    # same thing (a double click, a colleague) joins the one under way.
    active_key = fields.CharField(max_length=48, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        abstract = True


Row = TypeVar("Row", bound=AskedJob)


async def ask(model: type[Row], key: str, defer: Callable[[int], Awaitable[object]], **fields) -> tuple[Row, bool]:
    """(the row, whether it is new): the one under way for `key`, or a new one handed to `defer`."""
    existing = await model.get_or_none(active_key=key)
    if existing is not None:
        if existing.created_at > now() - ABANDONED_AFTER:
            return existing, False
        await finish(model, existing.id, state="failed", error="生成中断（后台任务丢失），已重新生成")
    try:
        row = await model.create(active_key=key, **fields)
    except IntegrityError:  # asked for at the same instant elsewhere: that one
        found = await model.get_or_none(active_key=key)
        if found is None:
            raise
        return found, False
    # No queueing lock: active_key already makes one job per key, and a lock would keep the job of
    # a lost row (still waiting for a worker) from letting its replacement be queued.
    try:
        await defer(row.id)
    except BaseException:
        await finish(model, row.id, state="failed", error="未能交给后台生成，请重新生成")
        raise
    return row, True


async def attempt(model: type[Row], row_id: int, tried: int, work: Callable[[Row], Awaitable[str | None]]) -> str | None:
    """One attempt of a worker at the row; `tried` counts those before it. `work` decides the row
    (finish) and returns the state it decided; it may run again after a stalled attempt, so what it
    stores must not mind that. Returns the state decided here, if any."""
    row = await model.get_or_none(id=row_id).select_related("requested_by")
    if row is None or row.state not in ACTIVE:
        return None
    if tried >= MAX_ATTEMPTS:
        return await finish(model, row_id, state="failed", error=f"生成中断 {tried} 次，未能完成，请重新生成")
    await model.filter(id=row_id, state__in=ACTIVE).update(state="running", started_at=now())
    try:
        return await work(row)
    except DomainError as exc:
        return await finish(model, row_id, state="failed", error=exc.message[:200])
    except Exception as exc:
        log.exception("%s %s attempt %s failed", model._meta.db_table, row_id, tried + 1)
        if tried + 1 < MAX_ATTEMPTS:
            raise  # the engine tries again after a pause
        return await finish(model, row_id, state="failed", error=f"生成失败：{exc.__class__.__name__}"[:200])


async def finish_with_file(model: type[AskedJob], row_id: int, body: bytes, suffix: str, files,
                           retention_days: int) -> bool:
    """Store the file a row's work made and decide the row done with it (kept retention_days);
    False, the file deleted again, when another attempt decided the row first."""
    key = await files.put(body, suffix)
    if await finish(model, row_id, state="done", file_key=key, file_size=len(body),
                    expires_at=now() + timedelta(days=retention_days)):
        return True
    await files.delete(key)
    return False


async def finish(model: type[AskedJob], row_id: int, **outcome) -> str | None:
    """Decide a row still under way; the state decided, or None if something decided it first."""
    decided = await model.filter(id=row_id, state__in=ACTIVE).update(active_key=None, finished_at=now(), **outcome)
    return outcome["state"] if decided else None
