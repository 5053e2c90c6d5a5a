"""Request and response shapes of 三亮: profiles, plates, ratings, jobs.

The public shapes (`PublicProfile`, `PublicRating`) are separate models that forbid extra
fields: they are filled field by field, never from a model instance, so a phone number,
openid or registration detail cannot reach the public even by mistake.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AliasPath, BaseModel, ConfigDict, Field

from plates import LAYOUTS
from server.clock import LocalDatetime
from server.jobs.schemas import JobState
from server.validation import Id, Input, OptionalText, Query, Text, exactly_one_of

LayoutName = Literal[tuple(sorted(LAYOUTS))]  # type: ignore[valid-type]


class Public(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=False)


class PublicRating(Public):
    score: int
    comment: str
    created_on: dt.date
    reply: str | None
    replied_on: dt.date | None


class PublicProfile(Public):
    code: str
    name: str
    photo_url: str | None
    badge: str
    market: str | None
    stall: str | None
    unit_name: str
    pledge: str
    stars: int | None = Field(description="先锋指数星级；尚无考评时为 null")
    rating_average: float | None
    rating_count: int
    ratings: list[PublicRating] = Field(description="最近公开的评价（最多 10 条）")


PUBLIC_FIELDS = set(PublicProfile.model_fields) | set(PublicRating.model_fields)


class ConsentText(BaseModel):
    version: str
    text: str


class ConsentIn(Input):
    version: Text(20)


class ProfileOut(BaseModel):
    member_id: int
    pledge: str
    pledge_max: int
    has_photo: bool
    public: bool = Field(description="已同意公开（撤回后为 false）")
    consent_at: LocalDatetime | None
    plate_code: str | None
    plate_url: str | None


class PledgeIn(Input):
    pledge: OptionalText(80)


class PlateOut(BaseModel):
    code: str
    url: str
    public: bool = Field(description="党员是否已同意公开；未同意时扫码页面不显示个人信息")


class PlateQuery(Query):
    layout: LayoutName | None = None


class RatingIn(Input):
    score: int = Field(ge=1, le=5)
    comment: OptionalText(200) = ""
    complaint: bool = False
    nonce: Text(64)


class RatingAnswer(BaseModel):
    status: Literal["published", "flagged"]
    message: str


class RatingOut(BaseModel):
    """A rating as staff and the rated member see it (no customer identity: there is none to show)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    member_id: int
    member_name: str = Field(validation_alias=AliasPath("member", "name"), description="被评价党员的姓名")
    unit_name: str = Field(validation_alias=AliasPath("member", "unit_name"), description="店名或摊位名")
    stall_no: str | None = Field(validation_alias=AliasPath("member", "stall_no"), description="摊位号")
    score: int
    comment: str
    is_complaint: bool
    channel: str
    status: str
    flag_reason: str
    hidden_reason: str | None
    reply: str | None
    replied_at: LocalDatetime | None
    moderated_at: LocalDatetime | None
    created_at: LocalDatetime


class RatingList(BaseModel):
    items: list[RatingOut]
    total: int


class PageQuery(Query):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class RatingQuery(PageQuery):
    status: Literal["published", "flagged", "hidden"] | None = None
    member_id: Id | None = None


class HideIn(Input):
    reason: Text(200)


class ReplyIn(Input):
    reply: Text(300)


class BatchIn(Input):
    model_config = ConfigDict(json_schema_extra=exactly_one_of("market_id", "org_id"))

    market_id: Id = None
    org_id: Id = None
    layout: LayoutName | None = None


class JobOut(BaseModel):
    """A batch print job. The file is kept until expires_at; after that file_deleted_at says
    when it was deleted and the download answers 410."""
    model_config = ConfigDict(from_attributes=True)
    id: int
    state: JobState
    org_id: int = Field(description="所属组织：按组织打印时即该组织，按市场打印时为市场所属组织")
    market_id: int | None = Field(description="按市场打印时的市场")
    requested_by_id: int
    total: int
    done: int
    skipped: int
    error: str | None
    layout: str
    file_size: int | None
    download_url: str | None = None
    created_at: LocalDatetime
    started_at: LocalDatetime | None
    finished_at: LocalDatetime | None
    expires_at: LocalDatetime | None
    file_deleted_at: LocalDatetime | None


class JobList(BaseModel):
    items: list[JobOut]
    total: int


class JobQuery(PageQuery):
    org_id: Id
