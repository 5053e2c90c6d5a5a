"""Input and output shapes of login and the caller's own account."""
from __future__ import annotations


from pydantic import BaseModel, ConfigDict

from server.members.schemas import MemberOut, RegistrationOut
from server.clock import LocalDatetime
from server.validation import Input, Text


class CodeIn(Input):
    code: Text(128)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    phone: str | None
    phone_verified_at: LocalDatetime | None
    created_at: LocalDatetime


class RoleView(BaseModel):
    role: str
    org_id: int
    org_name: str


class LoginOut(BaseModel):
    token: str
    user: UserOut
    member: MemberOut | None


class MeOut(BaseModel):
    user: UserOut
    roles: list[RoleView]
    member: MemberOut | None
    # The latest registration while the caller is not (yet) a member: pending, or rejected with its reason.
    registration: RegistrationOut | None


class LogoutOut(BaseModel):
    status: str = "logged_out"
