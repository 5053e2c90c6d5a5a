"""What the desk reads of a file it asked a job for (a year's ledger, a snapshot's roster
workbook): the job's state and, once done, where to download the file and until when."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.clock import LocalDatetime
from server.jobs.files import JOB_STATES

JobState = Literal[tuple(JOB_STATES)]  # type: ignore[valid-type]


class MadeFileOut(BaseModel):
    id: int
    state: JobState = Field(description="queued/running 时每隔一会儿再查；done 后从 download_url 下载")
    file_size: int | None
    error: str | None
    created_at: LocalDatetime
    finished_at: LocalDatetime | None
    expires_at: LocalDatetime | None = Field(description="文件保留到此时，之后删除")
    download_url: str | None = Field(description="生成完成后的下载地址")

    @classmethod
    def of(cls, row, url: str, **fields):
        """The shape of a MadeFile + AskedJob row; `url` is its download, shown once the file is made."""
        return cls(id=row.id, state=row.state, file_size=row.file_size, error=row.error, created_at=row.created_at,
                   finished_at=row.finished_at, expires_at=row.expires_at,
                   download_url=url if row.state == "done" and row.file_key else None, **fields)
