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
from server.clock import today
from server.activities import plan
from server.activities.record_schemas import MeetingPlanOut
from server.reports import ledger, pdfbook, service, workbook
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


@bp.get("/reports/meeting-plan")
@doc("年度三会一课计划完成情况（按类型、按期：应开、已开、已完成/本期待开/逾期未开）", tag="reports",
     ok=MeetingPlanOut, query=ReportQuery, errors=(403, 404))
async def meeting_plan(request):
    principal = await authenticate(request)
    query = parse_query(request, ReportQuery)
    org = await plan.plan_org(principal, query.org_id)
    return reply(MeetingPlanOut(**await plan.year_plan(org, query.year or today().year)))


@bp.get("/reports/ledger.xlsx")
@doc("年度三会一课台账（Excel：会议一览、计划完成情况、签到明细、每次会议一页）", tag="reports", query=ReportQuery,
     errors=(403, 404), media=XLSX)
async def ledger_workbook(request):
    principal = await authenticate(request)
    query = parse_query(request, ReportQuery)
    data = await ledger.ledger(principal, query.org_id, query.year)
    # Building a workbook is CPU work: each step in a thread, the pages fed in as they are read.
    book = await asyncio.to_thread(workbook.LedgerBook, data["org_name"], data["year"],
                                   len(data["activities"]) <= ledger.PAGES_LIMIT)
    async for pages in ledger.pages(data["activities"]):
        await asyncio.to_thread(lambda: [book.meeting(page) for page in pages])
    body = await asyncio.to_thread(book.finish, data["plans"])
    return await _export(principal, query, data, body, "xlsx", XLSX)


@bp.get("/reports/ledger.pdf")
@doc("年度三会一课台账（PDF：封面、目录、每次会议一节，含照片，可打印）", tag="reports", query=ReportQuery,
     errors=(403, 404, 409), media="application/pdf")
async def ledger_book(request):
    principal = await authenticate(request)
    query = parse_query(request, ReportQuery)
    data = await ledger.ledger(principal, query.org_id, query.year)
    if len(data["activities"]) > ledger.PAGES_LIMIT:
        raise ledger.LedgerTooLarge(fields={"org_id": f"该组织这一年有 {len(data['activities'])} 次会议"})
    files = request.app.ctx.files
    book = await asyncio.to_thread(pdfbook.LedgerPdf, data["org_name"], data["year"], data["activities"], data["plans"],
                                   request.app.ctx.settings.plate_font or None)
    async for pages in ledger.pages(data["activities"]):
        photos = await ledger.photos([page["id"] for page in pages], files, pdfbook.PHOTOS_PER_MEETING)
        await asyncio.to_thread(lambda: [book.meeting(page, photos.get(page["id"], [])) for page in pages])
    body = await asyncio.to_thread(book.finish)
    return await _export(principal, query, data, body, "pdf", "application/pdf")


async def _export(principal, query, data, body: bytes, extension: str, media: str):
    # Names and attendance of party members leave the system here: the export is audited.
    await audit.record("ledger.exported", actor=principal.user, org=query.org_id, year=data["year"], format=extension)
    filename = quote(f"{data['org_name']}{data['year']}年三会一课台账.{extension}")
    return raw(body, content_type=media, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"})
