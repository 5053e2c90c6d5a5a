"""HTTP for reports: training rates and the meeting plan as JSON, the ledger as a workbook or a
printable book, made at once or by the job engine."""
from typing import Literal

from pydantic import BaseModel, Field
from sanic import Blueprint
from sanic.response import raw

from server import audit, storage
from server.apidoc import doc, reply
from server.auth import authenticate
from server.clock import today
from server.activities import plan
from server.activities.record_schemas import MeetingPlanOut
from server.reports import exports, service
from server.jobs.schemas import MadeFileOut
from server.reports.models import LEDGER_FORMATS
from server.validation import Id, Input, Query, parse_body, parse_query

bp = Blueprint("reports")
LedgerFormat = Literal[tuple(LEDGER_FORMATS)]  # type: ignore[valid-type]


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
@doc("年度三会一课台账（Excel：会议一览、计划完成情况、签到明细、每次会议一页），当场生成；"
     "全市、全区的台账请用 POST /reports/ledger-exports 由后台生成", tag="reports", query=ReportQuery,
     errors=(403, 404), media=exports.MEDIA["xlsx"])
async def ledger_workbook(request):
    return await _at_once(request, "xlsx")


@bp.get("/reports/ledger.pdf")
@doc("年度三会一课台账（PDF：封面、目录、每次会议一节，含照片，可打印），当场生成", tag="reports", query=ReportQuery,
     errors=(403, 404, 409), media=exports.MEDIA["pdf"])
async def ledger_book(request):
    return await _at_once(request, "pdf")


async def _at_once(request, fmt: str):
    principal = await authenticate(request)
    query = parse_query(request, ReportQuery)
    data, body = await exports.make(principal, query.org_id, query.year, fmt, request.app.ctx.files,
                                    request.app.ctx.settings.plate_font)
    # Names and attendance of party members leave the system here: the export is audited.
    await audit.record("ledger.exported", actor=principal.user, org=query.org_id, year=data["year"], format=fmt)
    return raw(body, content_type=exports.MEDIA[fmt],
               headers={"Content-Disposition": exports.disposition(data["org_name"], data["year"], fmt)})


class LedgerExportIn(Input):
    org_id: Id
    year: int | None = Field(default=None, ge=2000, le=2100, description="默认今年")
    format: LedgerFormat


class LedgerExportOut(MadeFileOut):
    org_id: int
    org_name: str
    year: int
    format: LedgerFormat
    meetings: int = Field(description="提交时这一年的会议数")


def _export_out(export) -> LedgerExportOut:
    return LedgerExportOut.of(export, f"/api/v1/reports/ledger-exports/{export.id}/file", org_id=export.org_id,
                              org_name=export.org.name, year=export.year, format=export.format, meetings=export.meetings)


@bp.post("/reports/ledger-exports")
@doc("后台生成年度三会一课台账（Excel 或 PDF）：立即返回任务，生成完成后下载；同一组织、年度、格式正在生成时返回那一个（200）",
     tag="reports", body=LedgerExportIn, ok=LedgerExportOut, status=(202, 200), errors=(403, 404, 409))
async def ledger_export_create(request):
    principal = await authenticate(request)
    data = parse_body(request, LedgerExportIn)
    export, new = await exports.create(principal, data.org_id, data.year, data.format, request.app.ctx.jobs)
    await export.fetch_related("org")
    return reply(_export_out(export), 202 if new else 200)


@bp.get("/reports/ledger-exports/<export_id:int>")
@doc("台账导出任务的进度（提交人和该组织的管理人员可见）", tag="reports", ok=LedgerExportOut, errors=(404,))
async def ledger_export_status(request, export_id: int):
    principal = await authenticate(request)
    return reply(_export_out(await exports.get(principal, export_id)))


@bp.get("/reports/ledger-exports/<export_id:int>/file")
@doc("下载后台生成的台账（未完成 409，失败 409，超过保留期 410）", tag="reports", errors=(404, 409, 410),
     media=",".join(exports.MEDIA.values()))
async def ledger_export_file(request, export_id: int):
    principal = await authenticate(request)
    export, stored = await exports.open_file(principal, export_id, request.app.ctx.files)
    await storage.send(request, stored, exports.MEDIA[export.format],
                       exports.disposition(export.org.name, export.year, export.format))
