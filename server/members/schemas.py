"""Input and output shapes of registrations and members.

RegistrationIn lists exactly what a vendor may send: no status, user or reviewer fields,
and unknown fields are refused (mass assignment).
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.clock import LocalDatetime
from server.members.models import (
    BUSINESS_STATUSES, CATEGORIES, GENDERS, LEFT_REASONS, MEMBERSHIPS, PLACEMENTS, REGISTRATION_STATUSES, STANDINGS,
)
from server.validation import Day, Id, Input, Mobile, OptionalText, Query, Text

# Each vocabulary once: the Literal is derived from the dict in models.py.
Category = Literal[tuple(CATEGORIES)]
Standing = Literal[tuple(STANDINGS)]
Placement = Literal[tuple(PLACEMENTS)]
RegistrationStatus = Literal[tuple(REGISTRATION_STATUSES)]
Gender = Literal[tuple(GENDERS)]
BusinessStatus = Literal[tuple(BUSINESS_STATUSES)]
Membership = Literal[tuple(MEMBERSHIPS)]
LeftReason = Literal[tuple(LEFT_REASONS)]


def _check_placement(model):
    """A stall in a market needs the market and the stall number; a standalone business neither."""
    if model.placement == "in_market" and (model.market_id is None or model.stall_no is None):
        raise ValueError("market_required")
    if model.placement == "standalone" and (model.market_id is not None or model.stall_no is not None):
        raise ValueError("market_not_allowed")
    return model


# The same rule as the schema says it: in a market, both fields; standalone, neither.
PLACEMENT_SCHEMA = {"oneOf": [
    {"properties": {"placement": {"enum": ["in_market"]}}, "required": ["market_id", "stall_no"]},
    {"properties": {"placement": {"enum": ["standalone"]}},
     "not": {"anyOf": [{"required": ["market_id"]}, {"required": ["stall_no"]}]}},
]}


class RegistrationIn(Input):
    model_config = ConfigDict(json_schema_extra=PLACEMENT_SCHEMA)

    unit_name: Text(100)
    name: Text(50)
    mobile: Mobile
    is_owner: bool
    household_district: Text(50)
    life_org_id: Id
    home_org: Text(100)
    standing: Standing
    placement: Placement
    market_id: Id = None
    stall_no: Text(30) = None
    category: Category | None = None
    filled_by_name: OptionalText(50) | None = None
    filled_by_phone: Mobile | None = None
    filled_on: Day | None = None

    _placement = model_validator(mode="after")(_check_placement)


class RegistrationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: RegistrationStatus
    user_id: int
    unit_name: str
    name: str
    mobile: str
    mobile_verified: bool = False
    is_owner: bool
    household_district: str
    life_org_id: int
    home_org: str
    standing: Standing
    placement: Placement
    market_id: int | None
    stall_no: str | None
    category: Category | None
    filled_by_name: str | None
    filled_by_phone: str | None
    filled_on: dt.date
    reject_reason: str | None
    reviewed_at: LocalDatetime | None
    created_at: LocalDatetime
    member_id: int | None = None
    suggested_category: Category | None = Field(default=None, description="由三地（组织关系、户籍、经营地）推出的类别；推不出时为空")
    suggestion_reason: str = Field(default="", description="推荐的理由，或为什么推不出")
    matching_member_id: int | None = Field(default=None, description="名册里已有同一手机号、还没有登录过的党员（如从 Excel 导入）：通过时与其合并")
    matching_member_name: str | None = None


class RegistrationList(BaseModel):
    items: list[RegistrationOut]
    total: int


class RegistrationQuery(Query):
    status: RegistrationStatus | None = None
    org_id: Id | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class ApproveIn(Input):
    category: Category


class RejectIn(Input):
    reason: Text(500)


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int | None
    name: str
    mobile: str
    unit_name: str
    is_owner: bool
    household_district: str
    life_org_id: int
    home_org: str
    category: Category
    standing: Standing
    placement: Placement
    market_id: int | None
    stall_no: str | None
    gender: Gender | None
    joined_party_on: dt.date | None
    full_member_on: dt.date | None
    business_status: BusinessStatus
    business_status_since: dt.date | None
    away_since: dt.date | None
    membership: Membership
    left_on: dt.date | None
    left_reason: LeftReason | None
    on_roster_since: dt.date | None
    created_at: LocalDatetime
    updated_at: LocalDatetime


class MemberList(BaseModel):
    """With as_of: category, standing, placement, market, stall, life_org, business status and
    away are those of that day; the rest (name, mobile…) as they are now."""
    items: list[MemberOut]
    total: int
    as_of: dt.date | None = None


class MemberFilters(Query):
    """Which members: the list's and the export's filters."""
    org_id: Id | None = None
    category: Category | None = None
    standing: Standing | None = None
    placement: Placement | None = None
    market_id: Id | None = None
    business_status: BusinessStatus | None = None
    membership: Membership = Field(default="active", description="在册（默认）或已离开")
    as_of: Day | None = Field(default=None, description="某一天的名册（如 2026-06-30）：当天在册的党员和他们当天的情况")
    q: OptionalText(50) | None = Field(default=None, description="姓名、单位名称、手机号或摊位号中包含的文字")


class MemberQuery(MemberFilters):
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class MemberPatch(Input):
    # What is sent is changed, what is absent stays. Defaults are None but the types are not
    # optional: an explicit null for a required field is refused, not written.
    unit_name: Text(100) = None
    name: Text(50) = None
    mobile: Mobile = None
    is_owner: bool = None
    household_district: Text(50) = None
    life_org_id: Id = None
    home_org: Text(100) = None
    category: Category = None
    standing: Standing = None
    placement: Placement = None
    market_id: Id | None = None
    stall_no: OptionalText(30) | None = None
    gender: Gender | None = None
    joined_party_on: Day | None = None
    full_member_on: Day | None = None
    business_status: BusinessStatus = None
    away_since: Day | None = Field(default=None, description="外出经营的开始日期；回来了传 null")
    membership: Membership = None
    left_reason: LeftReason = Field(default=None, description="membership 改为 left 时必填")
    # When the changes to org, category, standing, placement, market, stall, business status,
    # away and membership took effect: a day in the past may be given (recorded late).
    effective_on: Day = Field(default=None, description="生效日期（默认今天；外出经营默认其开始日期）；不能晚于今天")
    reason: OptionalText(200) = Field(default=None, description="变动原因，记入历史")


class MemberEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    field: str
    field_label: str
    old_value: str | None
    new_value: str | None
    old_label: str | None
    new_label: str | None
    effective_on: dt.date
    reason: str
    recorded_by_id: int | None
    recorded_at: LocalDatetime


class MemberHistory(BaseModel):
    member_id: int
    items: list[MemberEventOut]


class AttachmentIn(Input):
    org_id: Id


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    member_id: int
    org_id: int
    created_at: LocalDatetime


class AttachmentList(BaseModel):
    items: list[AttachmentOut]


class MemberCodeOut(BaseModel):
    code: str
    url: str = Field(description="二维码里的地址：<PUBLIC_BASE_URL>/m/<code>")
    qr: str = Field(description="二维码图片（PNG data URL）")
    issued_at: LocalDatetime
