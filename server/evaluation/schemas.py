"""Input and output shapes of the 先锋指数 evaluation."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from server.clock import LocalDatetime
from server.evaluation.models import EXCLUSIONS, GRADES, STAGES
from server.validation import Day, Id, Input, OptionalText, Query, Text

Grade = Literal[tuple(GRADES)]  # type: ignore[valid-type]
Stage = Literal[tuple(STAGES)]  # type: ignore[valid-type]
Exclusion = Literal[tuple(EXCLUSIONS)]  # type: ignore[valid-type]
ItemKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,19}$")]
Points = Annotated[float, Field(ge=0, le=100)]
Percent = Annotated[int, Field(ge=0, le=100)]
Items = Annotated[dict[str, Points], Field(max_length=10, description="每个考评项目的得分：{项目代码: 分数}，须包含方案的全部项目")]


class SchemeItem(Input):
    key: ItemKey
    label: Text(20)
    max: Annotated[int, Field(ge=1, le=100)]


class Weights(Input):
    self: Percent
    peer: Percent
    customer: Percent
    org: Percent


class Scheme(Input):
    items: list[SchemeItem] = Field(min_length=1, max_length=10)
    weights: Weights = Field(description="自评、互评、群众评价、组织审定所占百分比，合计100")
    adjustment_cap: Annotated[int, Field(ge=0, le=20)] = Field(description="加分减分合计最多计入的分数")
    thresholds: list[Annotated[int, Field(ge=1, le=100)]] = Field(min_length=4, max_length=4,
                                                                 description="五星、四星、三星、二星的最低分")


class Deadlines(Input):
    self_until: Day = Field(description="个人自评截止（含当天）")
    peer_until: Day = Field(description="党员互评截止（含当天）")
    review_until: Day = Field(description="组织审定截止（含当天）")


class CycleIn(Input):
    org_id: Id = Field(description="开展考评的组织（通常是区县个私协会）")
    year: Annotated[int, Field(ge=2000, le=2100)]
    scheme: Scheme | None = Field(default=None, description="不填用默认方案")
    deadlines: Deadlines
    roster_on: Day | None = Field(default=None, description="按哪一天的党员状况确定考评名单；不填为今天")
    announce_days: Annotated[int, Field(ge=1, le=30)] | None = Field(default=None, description="公示天数，默认7天")


class Counts(BaseModel):
    in_scope: int
    eligible: int
    excluded: dict[str, int] = Field(description="各排除原因的人数（probationary、suspended、away_over_6_months）")
    vetoed: int
    self_done: int
    peer_grades: int = Field(description="安排的互评对数")
    peer_graded: int = Field(description="已完成的互评")
    reviewed: int
    objections: int
    objections_open: int
    stars: dict[str, int] = Field(description="各星级人数，键为 \"1\" 至 \"5\"")
    outstanding: int
    follow_ups: int
    follow_ups_done: int


class DeadlinesOut(BaseModel):
    self_until: date
    peer_until: date
    review_until: date


class CycleOut(BaseModel):
    id: int
    org_id: int
    org_name: str
    year: int
    scheme: dict
    roster_on: date
    stage: Stage
    deadlines: DeadlinesOut
    announce_days: int
    announced_on: date | None
    announce_until: date | None
    public_code: str | None = Field(description="公示页面 /gs/<code>")
    finalized_at: LocalDatetime | None
    counts: Counts | None = None


class CycleList(BaseModel):
    items: list[CycleOut]


class CycleQuery(Query):
    year: int | None = Field(default=None, ge=2000, le=2100)


class TableQuery(Query):
    org_id: Id | None = None
    status: Literal["eligible", "excluded", "to_review", "vetoed"] | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class CustomerFigures(BaseModel):
    average: float | None
    count: int
    complaints_upheld: int = Field(description="书记核实后公开的投诉")


class InputsOut(BaseModel):
    self: float | None
    peer: float | None
    customer: float | None
    org: float | None


class ReviewRow(BaseModel):
    id: int = Field(description="考评记录 id（evaluation_id）")
    member_id: int
    name: str
    unit_name: str
    org_id: int
    placement: str
    category: str
    exclusion: Exclusion | None = Field(description="不参加考评的原因；null 为参加")
    veto_reason: str | None
    self_total: float | None
    peer_counts: dict[str, int] = Field(description="各等次（excellent、good、fair、poor）的人数，不显示谁评的")
    peer_assigned: int
    customer: CustomerFigures
    review_total: float | None
    inputs: InputsOut = Field(description="各项输入折算成百分制")
    score: float | None
    stars: int | None
    reviewed_at: LocalDatetime | None
    outstanding: bool


class ReviewTable(BaseModel):
    items: list[ReviewRow]
    total: int


class AdjustmentIn(Input):
    points: Annotated[float, Field(ge=-20, le=20)] = Field(description="加分为正，减分为负")
    reason: Text(200)


class Adjustment(BaseModel):
    points: float
    reason: str


class Record(BaseModel):
    attended: int = Field(description="本年度出席的组织生活")
    trainings: int
    leave: int
    absent: int


class FollowUpOut(BaseModel):
    evaluation_id: int
    talk_on: date | None
    talk_by: str
    talk_notes: str
    mentor_evaluation_id: int | None
    mentor_name: str | None
    due_on: date | None
    done: bool


class FollowUpRow(FollowUpOut):
    name: str
    stars: int | None
    org_id: int


class FollowUpList(BaseModel):
    items: list[FollowUpRow]


class FollowUpQuery(Query):
    open: bool = False


class EvaluationDetail(ReviewRow):
    cycle_id: int
    scheme: dict
    self_items: dict[str, float] | None
    self_summary: str
    review_items: dict[str, float] | None
    adjustments: list[Adjustment]
    record: Record
    follow_up: FollowUpOut | None


class SelfIn(Input):
    items: Items
    summary: OptionalText(2000) = ""


class PeerIn(Input):
    grade: Grade


class ReviewIn(Input):
    items: Items
    adjustments: list[AdjustmentIn] = Field(default=[], max_length=10, description="加分、减分，各附理由")


class VetoIn(Input):
    member_id: Id
    reason: Text(300) = Field(description="一票否决的理由（违反国家基本政策、受党纪处分等）")


class AnnounceIn(Input):
    days: Annotated[int, Field(ge=1, le=30)] | None = None


class ObjectionIn(Input):
    evaluation_id: Id | None = Field(default=None, description="对公示名单中哪一位党员有异议；不填为对整体")
    reason: Text(500)


class AnswerIn(Input):
    answer: Text(500)


class OutstandingIn(Input):
    outstanding: bool


class FollowUpIn(Input):
    talk_on: Day | None = Field(default=None, description="谈心谈话日期")
    talk_by: OptionalText(50) = Field(default="", description="谈话人")
    talk_notes: OptionalText(2000) = ""
    mentor_evaluation_id: Id | None = Field(default=None, description="结对帮扶人（同一党组织的四星、五星党员的考评记录）")
    due_on: Day | None = Field(default=None, description="帮扶期限")


class CorrectionIn(Input):
    stars: Annotated[int, Field(ge=1, le=5)] | None = Field(description="更正后的星级；null 为不评星")
    reason: Text(300)


class EvaluationOut(BaseModel):
    id: int
    stars: int | None
    outstanding: bool
    veto_reason: str | None


class PeerOut(BaseModel):
    peer_evaluation_id: int
    name: str
    unit_name: str
    stall_no: str | None
    grade: Grade | None


class SelfOut(BaseModel):
    items: dict[str, float] | None
    summary: str
    submitted_at: LocalDatetime | None
    editable: bool


class MyEvaluation(BaseModel):
    evaluation_id: int
    cycle: CycleOut
    exclusion: Exclusion | None
    items: list[dict]
    self: SelfOut
    peers: list[PeerOut]
    peers_editable: bool
    stars: int | None
    outstanding: bool


class MyEvaluations(BaseModel):
    items: list[MyEvaluation]


class PeerGradeOut(BaseModel):
    peer_evaluation_id: int
    grade: Grade


class ObjectionOut(BaseModel):
    id: int
    evaluation_id: int | None
    reason: str
    answer: str | None
    answered_at: LocalDatetime | None
    created_at: LocalDatetime


class ObjectionRow(ObjectionOut):
    about: str | None = Field(description="对哪位党员有异议")
    objector: str | None = Field(description="提出人（登记过的党员显示姓名）")


class ObjectionList(BaseModel):
    items: list[ObjectionRow]


class AnnouncedMember(BaseModel):
    evaluation_id: int
    name: str
    unit_name: str
    org_name: str
    market: str | None
    stall_no: str | None
    stars: int


class Announcement(BaseModel):
    cycle_id: int
    org_name: str
    year: int
    announced_on: date
    announce_until: date
    open: bool = Field(description="公示期内，可以提出异议")
    items: list[AnnouncedMember]
