"""Input and output shapes of the org tree and roles."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.clock import LocalDatetime

from server.validation import Id, Input, Query, Text, exactly_one_of

OrgKind = Literal["association", "branch", "party_branch", "market_org"]
RoleName = Literal["secretary", "admin"]



class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OrgOut(Out):
    id: int
    name: str
    kind: str
    district: str
    parent_id: int | None


class OrgList(BaseModel):
    items: list[OrgOut]


class OrgCreate(Input):
    name: Text(100)
    kind: OrgKind
    district: Text(50)
    parent_id: Id


class OrgUpdate(Input):
    name: Text(100) = None
    district: Text(50) = None


class OrgQuery(Query):
    kind: OrgKind | None = None
    parent_id: Id | None = None


class RoleGrant(Input):
    model_config = ConfigDict(json_schema_extra=exactly_one_of("user_id", "member_id"))

    role: RoleName
    user_id: Id = None
    member_id: Id = None

    @model_validator(mode="after")
    def one_target(self):
        if (self.user_id is None) == (self.member_id is None):
            raise ValueError("user_or_member")
        return self


class RoleOut(Out):
    id: int
    role: str
    org_id: int
    user_id: int


class RoleHolder(Out):
    id: int
    role: str
    org_id: int
    user_id: int
    name: str | None = Field(description="持有人的党员姓名（尚无党员档案时为空）")
    created_at: LocalDatetime


class RoleHolderList(BaseModel):
    items: list[RoleHolder]


class RevokedRole(BaseModel):
    status: str = "revoked"
