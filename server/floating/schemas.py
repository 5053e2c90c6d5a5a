"""Input and output shapes of the floating members' feedback."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from server.clock import LocalDatetime
from server.floating.idnumber import SHAPE
from server.floating.models import BATCH_STATES, COMMENT_GRADES, PROOF_STATES, RECEIPT_CHANNELS
from server.validation import Day, Id, Input, OptionalText, Query, Text

ProofState = Literal[tuple(PROOF_STATES)]  # type: ignore[valid-type]
CommentGrade = Literal[tuple(COMMENT_GRADES)]  # type: ignore[valid-type]
BatchState = Literal[tuple(BATCH_STATES)]  # type: ignore[valid-type]
Channel = Literal[tuple(RECEIPT_CHANNELS)]  # type: ignore[valid-type]
PHONE = "^[0-9][0-9-]{6,19}$"
Phone = Annotated[str, Field(pattern=PHONE, max_length=20, description="手机或座机，如 0559-1234567")]
Year = Annotated[int, Field(ge=2000, le=2100)]


class FloatingIn(Input):
    id_number: str = Field(pattern=SHAPE, description="身份证号（18位，末位可为X）；加密保存，只显示打码后的")
    home_org_contact: Text(50) = Field(description="原籍（组织关系所在）党组织联系人")
    home_org_phone: Phone
    home_org_address: Text(200) = Field(description="原籍党组织通信地址（反馈函寄往这里）")
    inflow_on: Day = Field(description="流入时间")
    activity_card_no: OptionalText(30) = Field(default="", description="《中国共产党流动党员活动证》编号")


class LetterOut(BaseModel):
    id: int
    year: int
    letter_no: str
    sent_on: date
    received_at: LocalDatetime | None
    receipt_channel: Channel | None
    receiver_name: str | None
    receiver_org: str | None
    overdue: bool = Field(description="寄出超过30天未收到回执")


class CommentOut(BaseModel):
    year: int
    grade: CommentGrade
    text: str
    writer_name: str
    updated_at: LocalDatetime


class FloatingOut(BaseModel):
    member_id: int
    name: str
    registered: bool
    id_number: str | None = Field(description="打码后的身份证号，如 330106********1234")
    home_org: str
    home_org_contact: str | None = None
    home_org_phone: str | None = None
    home_org_address: str | None = None
    inflow_on: date | None = None
    activity_card_no: str | None = None
    proof_state: ProofState
    proof_reason: str | None = None
    proof_confirmed_on: date | None = None
    recheck_due: date | None = Field(description="身份证明每年复核一次：确认之日的周年")
    recheck_overdue: bool
    comments: list[CommentOut]
    letters: list[LetterOut]


class RevealOut(BaseModel):
    id_number: str = Field(description="完整身份证号（本次查看已记入操作记录）")


class ProofRejectIn(Input):
    reason: Text(300)


class YearQuery(Query):
    year: Year | None = None


class AttendedItem(BaseModel):
    title: str
    kind: str
    starts_at: LocalDatetime
    org_name: str
    training: bool


class FloatingRecordOut(BaseModel):
    member_id: int
    year: int
    attended: int
    trainings: int
    leave: int
    absent: int
    items: list[AttendedItem]


class CommentIn(Input):
    grade: CommentGrade = Field(description="优秀/合格/基本合格/不合格")
    text: Text(1000) = Field(description="评语")
    signed_by: OptionalText(50) = Field(default="", description="落款的书记姓名；不填用本人党员档案的姓名")


class LettersIn(Input):
    org_id: Id = Field(description="出具反馈函的组织（函号按它和年度编）")
    year: Year
    member_ids: list[Id] | None = Field(default=None, max_length=500, description="不填：该组织范围内已可出具的全部流动党员")
    full_id_numbers: bool = Field(default=False, description="打印完整身份证号（记入操作记录）；默认打码")


class SkippedMember(BaseModel):
    member_id: int
    name: str
    code: Literal["identity_unconfirmed", "comment_missing", "not_floating"]
    reason: str


class BatchOut(BaseModel):
    id: int
    org_id: int
    year: int
    state: BatchState
    total: int
    done: int
    skipped: list[SkippedMember]
    full_id_numbers: bool
    error: str | None
    created_at: LocalDatetime
    finished_at: LocalDatetime | None


class FloatingReportQuery(Query):
    org_id: Id
    year: Year | None = None


class ReportMember(BaseModel):
    id: int
    name: str
    unit_name: str
    home_org: str
    registered: bool
    proof_state: ProofState
    commented: bool
    ready: bool = Field(description="可以出具反馈函：身份已确认、已写评语")
    letter_id: int | None
    letter_no: str | None
    sent_on: date | None
    received_at: LocalDatetime | None
    overdue: bool


class FloatingReport(BaseModel):
    org_id: int
    org_name: str
    year: int
    floating: int
    registered: int
    identity_confirmed: int
    comments_written: int
    letters_sent: int
    receipts_returned: int
    overdue: int
    members: list[ReportMember]


class ReceiptForm(BaseModel):
    """The 回执 page's form as the browser sends it."""

    receiver_name: str = Field(description="收件人姓名")
    receiver_org: str = Field(description="收件党组织")
    receiver_phone: str = Field("", description="电话（可不填）")


class ReceiptReminderIn(Input):
    org_id: Id


class ReceiptReminderOut(BaseModel):
    id: int
    org_id: int
    status: str

