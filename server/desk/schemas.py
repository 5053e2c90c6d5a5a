"""Input and output shapes of the desk's login and its sessions."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.clock import LocalDatetime
from server.validation import Input, Text

LOGIN_STATES = {"pending": "等待手机确认", "confirmed": "已确认"}
LoginState = Literal[tuple(LOGIN_STATES)]


class LoginRequestOut(BaseModel):
    code: str = Field(description="二维码中的一次性编号")
    secret: str = Field(description="只给发起的这台电脑：轮询时放在 X-Login-Secret 头里")
    url: str = Field(description="二维码内容：<PUBLIC_BASE_URL>/l/<code>，微信扫码打开小程序的确认页")
    qr: str = Field(description="二维码图片（data:image/png;base64）")
    expires_in: int


class LoginPollOut(BaseModel):
    state: LoginState
    expires_in: int
    token: str | None = Field(None, description="确认后的第一次轮询给出工作台令牌（只给一次）")


class LoginConfirmOut(BaseModel):
    state: LoginState
    agent: str = Field(description="发起登录的电脑浏览器")


class DevUser(BaseModel):
    key: str
    label: str


class DevUserList(BaseModel):
    items: list[DevUser]


class DevLoginIn(Input):
    key: Text(60)  # an openid is at most 64 characters, "dev-" included


class DeskLoginOut(BaseModel):
    token: str


class DeskSessionOut(BaseModel):
    id: int
    agent: str
    created_at: LocalDatetime
    last_used_at: LocalDatetime | None


class DeskSessionList(BaseModel):
    items: list[DeskSessionOut]


class RevokedOut(BaseModel):
    status: str = "revoked"


class Vocabularies(BaseModel):
    """Every coded value the API uses, with its Chinese name: the desk shows these, never codes."""

    category: dict[str, str]
    standing: dict[str, str]
    placement: dict[str, str]
    registration_status: dict[str, str]
    gender: dict[str, str]
    business_status: dict[str, str]
    membership: dict[str, str]
    left_reason: dict[str, str]
    import_state: dict[str, str]
    activity_kind: dict[str, str]
    plan_every: dict[str, str]
    plan_status: dict[str, str]
    attendance_status: dict[str, str]
    attendance_method: dict[str, str]
    rating_status: dict[str, str]
    job_state: dict[str, str]
    org_kind: dict[str, str]
    role: dict[str, str]
    market_kind: dict[str, str]
    token_kind: dict[str, str]
    evaluation_stage: dict[str, str]
    exclusion: dict[str, str]
    grade: dict[str, str]
    proof_state: dict[str, str]
    comment_grade: dict[str, str]
    letter_batch_state: dict[str, str]
    market_scope: dict[str, str]
    market_org_form: dict[str, str]
    market_org_level: dict[str, str]
    snapshot_state: dict[str, str]
    snapshot_source: dict[str, str]
