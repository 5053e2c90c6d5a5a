"""Input and output shapes of markets, their 六化 checklist and plate spot checks."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.clock import LocalDatetime
from server.markets.models import MARKET_KINDS, ORG_FORMS, ORG_LEVELS, SCOPES
from server.validation import Day, Id, Input, OptionalText, Query, Text

MarketKind = Literal[tuple(MARKET_KINDS)]  # type: ignore[valid-type]
Scope = Literal[tuple(SCOPES)]  # type: ignore[valid-type]
OrgForm = Literal[tuple(ORG_FORMS)]  # type: ignore[valid-type]
OrgLevel = Literal[tuple(ORG_LEVELS)]  # type: ignore[valid-type]
Stars = Annotated[int, Field(ge=1, le=5, description="星级 1–5")]
Year = Annotated[int, Field(ge=2000, le=2100)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]


class FromMarketRecords(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class MarketOut(FromMarketRecords):
    id: int
    name: str
    kind: str
    district: str
    org_id: int
    stars: int | None
    address: str
    scope: list[str] = Field(description="属于六化范围的类别（空为不在范围内）")
    vendor_count: int
    org_form: str | None
    org_level: str | None


class MarketDetail(MarketOut):
    operator_name: str
    operator_contact: str
    workers: list[str]
    has_room: bool
    has_board: bool
    funds_yuan: int | None
    party_members: int = Field(description="现在在本市场经营的党员数")


class MarketList(BaseModel):
    items: list[MarketOut]


class MarketFields(Input):
    stars: Stars | None = None
    operator_name: OptionalText(100) = None
    operator_contact: OptionalText(50) = None
    address: OptionalText(200) = None
    scope: list[Scope] | None = Field(default=None, max_length=len(SCOPES))
    vendor_count: Count | None = Field(default=None, description="经营户总数，不能少于在本市场经营的党员数")
    org_form: OrgForm | None = Field(default=None, description="市场党组织的组建方式；未建不填")
    org_level: OrgLevel | None = None
    workers: list[Text(50)] | None = Field(default=None, max_length=2, description="党务工作者（1–2名）姓名")
    has_room: bool | None = None
    has_board: bool | None = None
    funds_yuan: Count | None = Field(default=None, description="党建经费（元/年）")


class MarketCreate(MarketFields):
    name: Text(100)
    kind: MarketKind
    district: Text(50)
    org_id: Id


class MarketUpdate(MarketFields):
    name: Text(100) = None
    kind: MarketKind = None
    district: Text(50) = None


class MarketFilter(Query):
    org_id: Id | None = Field(default=None, description="只列这个组织负责的市场")
    under: Id | None = Field(default=None, description="列这个组织及其下级组织负责的全部市场")
    district: Text(50) | None = None


class ItemOut(BaseModel):
    key: str
    label: str
    how: str = Field(description="computed：由系统按记录计算；attested：由工作人员凭材料认定")
    met: bool
    figure: str = Field(description="计算项的数字，认定项的认定情况")
    missing: str = Field(description="未达标时缺什么；达标为空")
    inspector: str | None = None
    checked_on: date | None = None
    note: str | None = None
    evidence: list[EvidenceOut] = []


class AreaOut(BaseModel):
    key: str
    label: str
    met: bool
    missing: list[str]
    items: list[ItemOut]


class Standardisation(BaseModel):
    market_id: int
    market_name: str
    year: int
    met: bool
    missing: list[str] = Field(description="整体未达标时，未达标的方面及原因")
    areas: list[AreaOut]


class EvidenceOut(FromMarketRecords):
    id: int
    item_key: str
    content_type: str
    size: int
    uploaded_at: LocalDatetime


class AttestIn(Input):
    met: bool
    inspector: Text(50) = Field(description="检查人")
    checked_on: Day = Field(description="检查日期，不能晚于今天")
    note: OptionalText(500) = None


class MarketYearQuery(Query):
    year: Year | None = None


class SpotCheckOut(FromMarketRecords):
    id: int
    market_id: int
    member_id: int
    stall_no: str
    hung: bool
    readable: bool
    note: str
    checked_at: LocalDatetime


class StallOut(BaseModel):
    stall_no: str
    member_id: int
    name: str
    plate_issued: bool
    last_check: SpotCheckOut | None
    to_fix: bool = Field(description="未发放、未悬挂或看不清，或本年度还未抽查")
    reason: str


class StallList(BaseModel):
    market_id: int
    year: int
    checked: int
    hung: int
    items: list[StallOut]


ItemOut.model_rebuild()


class SpotCheckIn(Query):
    """The stall and what the inspector found; the photo is the upload."""

    stall_no: Text(30) = Field(description="摊位号")
    hung: bool = Field(description="三亮牌是否悬挂")
    readable: bool = Field(description="是否清晰可辨（二维码能扫）")
    note: OptionalText(200) = None
