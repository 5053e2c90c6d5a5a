"""HTTP for reports: training rates as JSON, the ledger as a workbook."""
import asyncio
from typing import Literal
from urllib.parse import quote

from pydantic import BaseModel, Field
from sanic import Blueprint
from sanic.response import raw

from server import audit
from server.apidoc import doc, reply
from server.auth import authenticate
from server.reports import service, workbook
from server.validation import Id, Query, parse_query

bp = Blueprint("reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportQuery(Query):
    org_id: Id
    year: int | None = Field(default=None, ge=2000, le=2100)


class BelowTarget(BaseModel):
    id: int
    name: str
    unit_name: str
    life_org_id: int


class CategoryRate(BaseModel):
    category: Literal["affiliated", "local", "floating"]
    label: str
    members: int
    trained: int
    rate: float | None
    target: float
    target_text: str
    met: bool
    below_target: list[BelowTarget]


class TrainingRates(BaseModel):
    org_id: int
    org_name: str
    year: int
    categories: list[CategoryRate]


@bp.get("/reports/training-rates")
@doc("年度培训率（按党员类别，含未达标党员）", tag="reports", ok=TrainingRates, query=ReportQuery, errors=(403, 404))
async def training_rates(request):
    principal = await authenticate(request)
    query = parse_query(request, ReportQuery)
    return reply(TrainingRates(**await service.training_rates(principal, query.org_id, query.year)))


@bp.get("/reports/ledger.xlsx")
@doc("年度活动台账（Excel）", tag="reports", query=ReportQuery, errors=(403, 404), media=XLSX)
async def ledger(request):
    principal = await authenticate(request)
    query = parse_query(request, ReportQuery)
    data = await service.ledger(principal, query.org_id, query.year)
    # Building a workbook is CPU work: each step in a thread, the rows fed in as they are read.
    book = workbook.LedgerBook(data["org_name"], data["year"])
    await asyncio.to_thread(book.activities, data["activities"])
    async for rows in service.ledger_attendance(data["activities"], workbook.ATTENDANCE_FIELDS):
        await asyncio.to_thread(book.attendance, rows)
    body = await asyncio.to_thread(book.finish)
    # Names and attendance of party members leave the system here: the export is audited.
    await audit.record("ledger.exported", actor=principal.user, org=query.org_id, year=data["year"])
    filename = quote(f"{data['org_name']}{data['year']}年活动台账.xlsx")
    return raw(body, content_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"})
