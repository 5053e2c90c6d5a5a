"""Input and output shapes of offline check-in: the pack a secretary's phone downloads and the
card scans it uploads later."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from server.activities.offline import OUTCOMES
from server.activities.schemas import When
from server.clock import LocalDatetime
from server.validation import Input

Outcome = Literal[tuple(OUTCOMES)]  # type: ignore[valid-type]
MAX_SCANS = 1000  # one upload; a phone with more sends them in several


class PackMember(BaseModel):
    member_id: int
    name: str
    digest: str = Field(description="sha256(\"<activity_id>:<member code>\") 的前 24 位十六进制")


class PackOut(BaseModel):
    activity_id: int
    title: str
    pack: str = Field(description="服务器签名的名单凭据，上传时原样带回")
    issued_at: LocalDatetime = Field(description="下载时服务器的时间（用来校正手机时钟）")
    opens_at: LocalDatetime
    valid_until: LocalDatetime = Field(description="签到时段结束，之后的扫码不计")
    members: list[PackMember]


class ScanIn(Input):
    seq: int = Field(ge=1, le=2_000_000_000, description="本手机扫码的序号，只增不减")
    member_code: Annotated[str, Field(min_length=1, max_length=64)]
    scanned_at: When = Field(description="扫码时手机上的时间")


class UploadIn(Input):
    device_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
    pack: Annotated[str, Field(min_length=1, max_length=120)]
    downloaded_at: When = Field(description="下载名单时手机上的时间")
    sent_at: When = Field(description="上传时手机上的时间")
    scans: list[ScanIn] = Field(min_length=1, max_length=MAX_SCANS)


class ScanResult(BaseModel):
    seq: int
    outcome: Outcome


class UploadOut(BaseModel):
    results: list[ScanResult]
    counts: dict[str, int]

