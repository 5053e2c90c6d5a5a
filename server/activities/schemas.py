"""Input and output shapes of activities, check-ins and attendance."""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints,
)

from server.activities.models import ACTIVITY_KINDS, ATTENDANCE_METHODS, ATTENDANCE_STATUSES
from server.clock import LocalDatetime
from server.validation import Id, Input, OptionalText, Query, Text

ActivityKind = Literal[tuple(ACTIVITY_KINDS)]  # type: ignore[valid-type]
AttendanceStatus = Literal[tuple(ATTENDANCE_STATUSES)]  # type: ignore[valid-type]
AttendanceMethod = Literal[tuple(ATTENDANCE_METHODS)]  # type: ignore[valid-type]
# RFC 3339 with its offset, in this century: "2026-12-01T19:00:00+08:00". Without an offset it is
# refused, not guessed; far years are typos (and before 1992 Shanghai's offset was not a whole
# +08:00). The OpenAPI document carries the same pattern, so a generated client agrees.
WHEN_PATTERN = (r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
                r"(\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")
_WHEN = re.compile(WHEN_PATTERN)


def _iso_text(value):
    # Lax parsing would also take 1700000000 as a Unix time, or "2026-12-01 19:00"; a form sends this text.
    if not isinstance(value, str) or not _WHEN.fullmatch(value):
        raise ValueError("datetime_text")
    return value


When = Annotated[AwareDatetime, Field(strict=False, json_schema_extra={"pattern": WHEN_PATTERN}),
                 BeforeValidator(_iso_text)]
Minutes = Annotated[int, Field(ge=0, le=1440)]
# How long an activity lasts: the end is the start plus this, so it can never come first.
Duration = Annotated[int, Field(ge=1, le=3 * 24 * 60, description="时长（分钟），结束时间 = 开始时间 + 时长")]


class Geofence(Input):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    radius_m: int = Field(ge=20, le=5000)


class Location(Input):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=10_000)


class ActivityIn(Input):
    org_id: Id
    kind: ActivityKind
    title: Text(100)
    starts_at: When
    duration_minutes: Duration
    place: OptionalText(100) = ""
    geofence: Geofence | None = None
    counts_as_training: bool | None = Field(default=None, description="不填时：党课和教育培训计入培训率")
    checkin_opens_before: Minutes = 30
    checkin_closes_after: Minutes = 0


class ActivityPatch(Input):
    # What is sent changes; absent stays. Null is refused for required fields (see MemberPatch).
    kind: ActivityKind = None
    title: Text(100) = None
    starts_at: When = Field(default=None, description="只改开始时间时，时长不变")
    duration_minutes: Duration = None
    place: OptionalText(100) = None
    geofence: Geofence | None = None
    counts_as_training: bool = None
    checkin_opens_before: Minutes = None
    checkin_closes_after: Minutes = None
    minutes: OptionalText(20000) = None


class CancelIn(Input):
    reason: Text(200)


class ActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    kind: ActivityKind
    title: str
    place: str
    starts_at: LocalDatetime
    ends_at: LocalDatetime
    counts_as_training: bool
    checkin_opens_at: LocalDatetime
    checkin_closes_at: LocalDatetime
    geofence: dict | None
    status: Literal["scheduled", "cancelled"]
    minutes: str


class ActivityList(BaseModel):
    items: list[ActivityOut]
    total: int


class ActivityQuery(Query):
    org_id: Id | None = None
    date_from: When | None = Field(default=None, alias="from")
    date_to: When | None = Field(default=None, alias="to")
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class CheckinCodeOut(BaseModel):
    token: str
    url: str
    expires_in: int
    qr: str = Field(description="二维码图片（data:image/png;base64,…），内容即 url")


Nonce = Annotated[str, StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class CheckinIn(Input):
    token: Annotated[str, StringConstraints(max_length=100)]
    nonce: Nonce
    location: Location | None = None


class CheckinOut(BaseModel):
    status: Literal["checked_in"] = "checked_in"
    activity_id: int
    activity_title: str
    member_id: int
    checked_in_at: LocalDatetime


class MarkIn(Input):
    status: AttendanceStatus
    note: OptionalText(200) = ""


class LeaveIn(Input):
    reason: Text(200)


class LeaveOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    activity_id: int
    member_id: int
    reason: str
    status: Literal["pending", "approved", "rejected"]
    created_at: LocalDatetime


class LeaveList(BaseModel):
    items: list[LeaveOut]


class MyLeaveOut(BaseModel):
    leave: LeaveOut | None


class AttendanceEntry(BaseModel):
    member_id: int
    name: str
    category: str
    status: AttendanceStatus | None = Field(description="null：未签到、未登记")
    method: AttendanceMethod | None
    recorded_at: LocalDatetime | None
    note: str


class AttendanceOut(BaseModel):
    activity_id: int
    expected: int
    present: int
    leave: int
    absent: int
    unrecorded: int
    entries: list[AttendanceEntry]


class ReminderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    activity_id: int
    status: Literal["pending", "sending", "sent", "failed", "skipped"]
    sent_at: LocalDatetime | None


class PhotoOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    activity_id: int
    width: int
    height: int
    size: int
    created_at: LocalDatetime


class PhotoList(BaseModel):
    items: list[PhotoOut]


class MemberAttendanceQuery(Query):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class MemberAttendanceOut(BaseModel):
    activity_id: int
    title: str
    kind: ActivityKind
    starts_at: LocalDatetime
    activity_status: Literal["scheduled", "cancelled"]
    status: AttendanceStatus
    method: AttendanceMethod
    note: str
    recorded_at: LocalDatetime


class MemberAttendanceList(BaseModel):
    items: list[MemberAttendanceOut]
    total: int
