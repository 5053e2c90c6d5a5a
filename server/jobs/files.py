"""What a job that makes a file (a batch of plates, a ledger) keeps about it, and the periodic
deletion of such files once their retention (job_file_retention_days) is over."""
from __future__ import annotations

import logging

from tortoise import fields
from tortoise.models import Model

from server.clock import now

log = logging.getLogger("dangjian.jobs")
# The states of such a job, as the desk names them.
JOB_STATES = {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "失败"}


class MadeFile(Model):
    """The file a job made: where it is stored, how large, until when it is kept and, once it is
    deleted, when (the download then answers 410 with that time)."""

    file_key = fields.CharField(max_length=64, null=True)
    file_size = fields.IntField(null=True)
    expires_at = fields.DatetimeField(null=True)  # the file is deleted then (job_file_retention_days)
    file_deleted_at = fields.DatetimeField(null=True)

    class Meta:
        abstract = True


async def delete_expired(model: type[MadeFile], files) -> int:
    """The files of `model`'s finished jobs past their retention: the file goes, the row says when."""
    count = 0
    for row in await model.filter(state="done", file_key__not_isnull=True, expires_at__lte=now()):
        await files.delete(row.file_key)
        count += await model.filter(id=row.id, file_key=row.file_key).update(file_key=None, file_deleted_at=now())
    if count:
        log.info("deleted %s files of %s past their retention period", count, model._meta.db_table)
    return count


async def open_made(row, files, *, failed, expired, not_finished):
    """The stored file of an asked-for job's row (server/jobs/asked.py), or why not: the job
    failed (with its reason), the file was deleted after its retention, or it is not made yet.
    The three are the caller's errors, in its own words."""
    if row.state == "failed":
        raise failed(extra={"reason": row.error or ""})
    if row.file_deleted_at is not None:
        raise expired(extra={"deleted_at": row.file_deleted_at.isoformat()})
    stored = await files.open(row.file_key) if row.state == "done" and row.file_key else None
    if stored is None:
        raise not_finished(extra={"state": row.state})
    return stored
