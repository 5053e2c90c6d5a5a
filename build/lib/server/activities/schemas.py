"""Input and output shapes of activities, check-ins and attendance."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator,
)

from server.clock import LocalDatetime
from server.validation import Id, Input, OptionalText, Query, Text

ActivityKind = Literal["party_congress", "committee", "group", "lecture", "training", "volunteer", "other"]
AttendanceStatus = Literal["present", "leave", "absent"]
def _iso_text(value):
    # Lax parsing would also take 1700000000 as a Unix time; a form sends text.
    if not isinstance(value, str):
        raise ValueError("datetime_text")
    return value


def _sane_year(value):
    # Far dates are typos, and before 1992 Shanghai's offset was not a whole +08:00.
    if not 2000 <= value.year <= 2100:
        raise ValueError("year_range")
    return value


# A datetime with its offset: "2026-12-01T19:00:00+08:00". Without one it is refused, not guessed.
When = Annotated[AwareDatetime, Field(strict=False), BeforeValidator(_iso_text), AfterValidator(_sane_year)]
Minutes = Annotated[int, Field(ge=0, le=1440)]


class Geofence(Input):
    lat: float = Field(ge=-90, le=90, strict=False)
    lng: float = Field(ge=-180, le=180, strict=False)
    radius_m: int = Field(ge=20, le=5000)


class Location(Input):
    lat: float = Field(ge=-90, le=90, strict=False)
    lng: float = Field(ge=-180, le=180, strict=False)
    accuracy_m: float | None = Field(default=None, ge=0, le=10_000, strict=False)


def _check_times(model):
    if model.starts_at is not None and model.ends_at is not None and model.ends_at <= model.starts_at:
        raise ValueError("ends_before_start")
    return model


class ActivityIn(Input):
    org_id: Id
    kind: ActivityKind
    title: Text(100)
    starts_at: When
    ends_at: When
    place: OptionalText(100) = ""
    geofence: Geofence | None = None
    counts_as_training: bool | None = Field(default=None, description="不填时：党课和教育培训计入培训率")
    checkin_opens_before: Minutes = 30
    checkin_closes_after: Minutes = 0

    _times = model_validator(mode="after")(_check_times)


class ActivityPatch(Input):
    # What is sent changes; absent stays. Null is refused for required fields (see MemberPatch).
    kind: ActivityKind = None
    title: Text(100) = None
    starts_at: When = None
    ends_at: When = None
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


class AttendanceEntry(BaseModel):
    member_id: int
    name: str
    category: str
    status: AttendanceStatus | None = Field(description="null：未签到、未登记")
    method: Literal["scan", "manual", "leave"] | None
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


class AttachmentIn(Input):
    org_id: Id


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    member_id: int
    org_id: int
    created_at: LocalDatetime
