"""Input and output shapes of registrations and members.

RegistrationIn lists exactly what a vendor may send: no status, user or reviewer fields,
and unknown fields are refused (mass assignment).
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.clock import LocalDatetime
from server.validation import Day, Id, Input, Mobile, OptionalText, Query, Text

Category = Literal["affiliated", "local", "floating"]
Standing = Literal["full", "probationary"]
Placement = Literal["standalone", "in_market"]
RegistrationStatus = Literal["pending", "approved", "rejected"]


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
    created_at: LocalDatetime
    updated_at: LocalDatetime


class MemberList(BaseModel):
    items: list[MemberOut]
    total: int


class MemberQuery(Query):
    org_id: Id | None = None
    category: Category | None = None
    standing: Standing | None = None
    placement: Placement | None = None
    market_id: Id | None = None
    q: OptionalText(50) | None = Field(default=None, description="姓名、单位名称、手机号或摊位号中包含的文字")
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


class AttachmentIn(Input):
    org_id: Id


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    member_id: int
    org_id: int
    created_at: LocalDatetime


class AttachmentList(BaseModel):
    items: list[AttachmentOut]
