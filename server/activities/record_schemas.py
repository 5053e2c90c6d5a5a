"""Input and output shapes of the meeting record (会议记录, quorum) and the year's plan."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.activities.plan import PLAN_EVERY, PLAN_STATUSES, PLANNED_KINDS
from server.activities.schemas import ActivityKind
from server.clock import LocalDatetime
from server.validation import Id, Input, OptionalText, Text

PlannedKind = Literal[PLANNED_KINDS]  # type: ignore[valid-type]
PlanEvery = Literal[tuple(PLAN_EVERY)]  # type: ignore[valid-type]
PlanStatus = Literal[tuple(PLAN_STATUSES)]  # type: ignore[valid-type]

Votes = Annotated[int, Field(ge=0, le=100_000)]


class ResolutionIn(Input):
    text: Text(500)
    votes_for: Votes | None = Field(default=None, description="赞成票；未表决时不填")
    votes_against: Votes | None = None
    abstaining: Votes | None = None


class RecordIn(Input):
    """The meeting record as the secretary fills it after the meeting; sent whole, replaces the last."""
    host_id: Id | None = Field(default=None, description="主持人（本组织党员）")
    recorder_id: Id | None = Field(default=None, description="记录人（本组织党员）")
    speaker_id: Id | None = Field(default=None, description="主讲人（本组织党员）")
    speaker_name: OptionalText(50) = Field(default="", description="外请主讲人的姓名、职务（与 speaker_id 二选一）")
    guests: OptionalText(500) = Field(default="", description="列席、到会指导人员")
    topics: list[Text(200)] = Field(default=[], max_length=20, description="议题，每条一项")
    resolutions: list[ResolutionIn] = Field(default=[], max_length=20,
                                            description="决议（仅支部党员大会、支委会），表决票数之和不超过到会有表决权的正式党员")
    minutes: OptionalText(20000) = ""


class Person(BaseModel):
    member_id: int | None = Field(description="null：不是本系统中的党员（外请主讲人）")
    name: str


class Resolution(BaseModel):
    text: str
    votes_for: int | None
    votes_against: int | None
    abstaining: int | None


class Quorum(BaseModel):
    full_expected: int = Field(description="应到正式党员（预备党员没有表决权，不计入）")
    required: int = Field(description="过半数：应到正式党员的一半以上")
    present: int = Field(description="实到正式党员")
    met: bool


class Absence(BaseModel):
    member_id: int
    name: str
    status: Literal["leave", "absent", "unrecorded"]
    reason: str


class RecordOut(BaseModel):
    activity_id: int
    kind: ActivityKind
    decides: bool = Field(description="该类会议可以作出决议（有表决）")
    host: Person | None
    recorder: Person | None
    speaker: Person | None
    guests: str
    topics: list[str]
    resolutions: list[Resolution]
    minutes: str
    expected: int
    present: int
    leave: int
    absent: int
    unrecorded: int
    quorum: Quorum | None = Field(description="支部党员大会：是否达到法定人数；其他会议为 null")
    absences: list[Absence] = Field(description="请假、缺席和未签到的人员及原因")


class PlanItemIn(Input):
    kind: PlannedKind
    every: PlanEvery
    times: int = Field(default=1, ge=1, le=31, description="每期至少召开的次数")


class PlanSettingsIn(Input):
    items: list[PlanItemIn] = Field(min_length=1, max_length=len(PLANNED_KINDS))


class PlanItem(BaseModel):
    kind: PlannedKind
    label: str
    every: PlanEvery
    times: int


class PlanSettings(BaseModel):
    org_id: int
    items: list[PlanItem]


class PlanPeriod(BaseModel):
    period: str = Field(description="2026、2026-Q2 或 2026-05")
    label: str
    first_day: date
    last_day: date
    required: int
    held: int = Field(description="已召开（已开始且未取消）")
    scheduled: int = Field(description="本期内已安排、尚未召开")
    status: PlanStatus


class PlanKind(BaseModel):
    kind: PlannedKind
    label: str
    every: PlanEvery
    times: int
    periods: list[PlanPeriod]


class PlanAttention(PlanPeriod):
    kind: PlannedKind
    kind_label: str


class MeetingPlanOut(BaseModel):
    org_id: int
    org_name: str
    year: int
    kinds: list[PlanKind]
    attention: list[PlanAttention] = Field(description="本期待开和逾期未开的，本期的在前")


class PlanReminderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    org_id: int
    status: Literal["pending", "sending", "sent", "failed"]
    created_at: LocalDatetime
