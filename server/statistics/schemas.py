"""Input and output shapes of the half-year snapshots, the official tables and the overview."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.clock import LocalDatetime
from server.jobs.schemas import JobState, MadeFileOut
from server.statistics.models import SNAPSHOT_JOB_KINDS, SNAPSHOT_SOURCES, SNAPSHOT_STATES
from server.validation import Day, Id, Input, Query, Text

SnapshotState = Literal[tuple(SNAPSHOT_STATES)]  # type: ignore[valid-type]
SnapshotSource = Literal[tuple(SNAPSHOT_SOURCES)]  # type: ignore[valid-type]
SnapshotJobKind = Literal[tuple(SNAPSHOT_JOB_KINDS)]  # type: ignore[valid-type]


class SnapshotIn(Input):
    org_id: Id
    as_of: Day = Field(description="统计日期（截至这一天），不能晚于今天")


class ReasonIn(Input):
    reason: Text(500)


class SnapshotQuery(Query):
    org_id: Id
    as_of: Day | None = None


class FormQuery(Query):
    member_id: Id | None = Field(default=None, description="只打印这名党员的登记表")


class OverviewQuery(Query):
    org_id: Id


class MarketFigures(BaseModel):
    id: int
    name: str
    kind: str
    district: str
    stars: int | None
    in_scope: bool
    vendor_count: int
    members: int
    association: int
    market: int
    local: int
    floating: int
    owners: int
    employees: int
    full: int
    probationary: int
    org_form: str | None
    org_level: str | None
    org_name: str
    secretary: str
    plates_issued: int
    plates_hung: int
    met: bool
    missing: list[str]


class Correction(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reason: str
    changes: list[dict[str, str | int | None]]
    made_at: LocalDatetime


class ChildSnapshot(BaseModel):
    org_id: int
    org_name: str
    snapshot_id: int | None
    state: str = Field(description="draft/submitted/returned/accepted，还没有生成为 missing")
    return_reason: str | None
    totals: dict[str, int] | None


class SnapshotOut(BaseModel):
    id: int
    org_id: int
    org_name: str
    as_of: date
    source: SnapshotSource
    state: SnapshotState
    return_reason: str | None
    taken_at: LocalDatetime
    submitted_at: LocalDatetime | None
    decided_at: LocalDatetime | None
    totals: dict[str, int]


class SnapshotDetail(SnapshotOut):
    markets: list[MarketFigures]
    districts: list[dict[str, str | int]]
    children: list[ChildSnapshot] = Field(description="下级组织同一天的统计及其状态")
    sums: dict[str, int] = Field(description="已上报、已接收的下级统计之和")
    corrections: list[Correction]


class SnapshotList(BaseModel):
    items: list[SnapshotOut]


class SnapshotJobOut(BaseModel):
    id: int
    kind: SnapshotJobKind = Field(description="take 生成，retake 重新生成")
    org_id: int
    org_name: str
    as_of: date
    reason: str | None = Field(description="重新生成的原因")
    state: JobState = Field(description="queued/running 时每隔一会儿再查；done 后打开 snapshot_id 的统计")
    error: str | None = Field(description="失败的原因")
    snapshot_id: int | None = Field(description="生成（或重新生成）的统计；完成前生成任务为空")
    correction: Correction | None = Field(description="重新生成与原统计不同之处；没有变化为空，原统计不变")
    created_at: LocalDatetime
    started_at: LocalDatetime | None
    finished_at: LocalDatetime | None


class RosterExportOut(MadeFileOut):
    snapshot_id: int
    rows: int = Field(description="提交时这份统计的党员数")


class Figure(BaseModel):
    key: str
    label: str
    value: int
    last: int | None = Field(description="上一次统计时的数字")


class LastSnapshot(BaseModel):
    id: int
    as_of: date
    state: str


class TrainingFigure(BaseModel):
    category: str
    label: str
    members: int
    trained: int
    rate: float | None
    target: float
    met: bool


class EvaluationFigure(BaseModel):
    cycle_id: int
    org_name: str
    stage: str
    eligible: int
    reviewed: int
    stars: dict[str, int]


class MarketGlance(BaseModel):
    id: int
    name: str
    in_scope: bool
    org_form: str | None
    met: bool
    members: int
    plates_issued: int
    plates_hung: int


class Overview(BaseModel):
    org_id: int
    org_name: str
    today: date
    last_snapshot: LastSnapshot | None
    figures: list[Figure]
    training: list[TrainingFigure]
    evaluation: EvaluationFigure | None
    markets: list[MarketGlance]
