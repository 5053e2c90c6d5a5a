"""HTTP for the half-year snapshots, the three official tables and the overview."""
import asyncio
from urllib.parse import quote

from sanic import Blueprint
from sanic.response import raw

from server import audit, storage
from server.apidoc import doc, reply
from server.auth import authenticate
from server.clock import today
from server.statistics import forms, overview, roster_exports, snapshots, tables, taking
from server.statistics.models import SnapshotCorrection
from server.statistics.schemas import (
    FormQuery, OverviewQuery, Overview, ReasonIn, RosterExportOut, SnapshotDetail, SnapshotIn, SnapshotJobOut, SnapshotList, SnapshotOut,
    SnapshotQuery,
)
from server.validation import parse_body, parse_query

bp = Blueprint("statistics")
TAG = "statistics"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _out(snapshot) -> dict:
    return {"id": snapshot.id, "org_id": snapshot.org_id, "org_name": snapshot.org.name, "as_of": snapshot.as_of,
            "source": snapshot.source, "state": snapshot.state, "return_reason": snapshot.return_reason,
            "taken_at": snapshot.taken_at, "submitted_at": snapshot.submitted_at, "decided_at": snapshot.decided_at,
            "totals": snapshot.figures["totals"]}


async def _detail(snapshot) -> SnapshotDetail:
    corrections = await SnapshotCorrection.filter(snapshot_id=snapshot.id).order_by("id")
    return SnapshotDetail(**_out(snapshot), markets=snapshot.figures["markets"], districts=snapshot.figures["districts"],
                          **await snapshots.children_of(snapshot), corrections=corrections)


def _job_out(job) -> SnapshotJobOut:
    return SnapshotJobOut(id=job.id, kind=job.kind, org_id=job.org_id, org_name=job.org.name, as_of=job.as_of,
                          reason=job.reason, state=job.state, error=job.error, snapshot_id=job.snapshot_id,
                          correction=job.correction, created_at=job.created_at, started_at=job.started_at,
                          finished_at=job.finished_at)


async def _asked(job, new: bool):
    await job.fetch_related("org", "correction")
    return reply(_job_out(job), 202 if new else 200)


@bp.post("/statistics/snapshots")
@doc("生成某一天的统计：立即返回生成任务，由后台完成（半年统计在6月30日、12月31日23:59自动生成）；"
     "同一组织同一天正在生成时返回那一个（200）", tag=TAG, ok=SnapshotJobOut, status=(202, 200), body=SnapshotIn,
     errors=(404, 409))
async def take(request):
    principal = await authenticate(request)
    data = parse_body(request, SnapshotIn)
    return await _asked(*await taking.ask_take(principal, data.org_id, data.as_of, request.app.ctx.jobs))


@bp.get("/statistics/snapshot-jobs/<job_id:int>")
@doc("统计生成任务的进度（提交人和该组织的管理人员可见）", tag=TAG, ok=SnapshotJobOut, errors=(404,))
async def snapshot_job(request, job_id: int):
    principal = await authenticate(request)
    return reply(_job_out(await taking.get(principal, job_id)))


@bp.get("/statistics/snapshots")
@doc("本组织和下级组织的统计（上报、退回、接收情况）", tag=TAG, ok=SnapshotList, query=SnapshotQuery, errors=(404,))
async def list_snapshots(request):
    principal = await authenticate(request)
    query = parse_query(request, SnapshotQuery)
    items = await snapshots.list_for(principal, query.org_id, query.as_of)
    return reply(SnapshotList(items=[SnapshotOut(**_out(s)) for s in items]))


@bp.get("/statistics/snapshots/<snapshot_id:int>")
@doc("一份统计：合计、每个市场、每个区县，下级的上报情况和汇总，更正记录", tag=TAG, ok=SnapshotDetail, errors=(404,))
async def get_snapshot(request, snapshot_id: int):
    principal = await authenticate(request)
    return reply(await _detail(await snapshots.get(principal, snapshot_id)))


@bp.post("/statistics/snapshots/<snapshot_id:int>/submit")
@doc("上报给上级组织", tag=TAG, ok=SnapshotDetail, errors=(404, 409))
async def submit(request, snapshot_id: int):
    principal = await authenticate(request)
    return reply(await _detail(await snapshots.submit(principal, snapshot_id)))


@bp.post("/statistics/snapshots/<snapshot_id:int>/return")
@doc("退回下级的统计（写明原因）", tag=TAG, ok=SnapshotDetail, body=ReasonIn, errors=(404, 409))
async def give_back(request, snapshot_id: int):
    principal = await authenticate(request)
    data = parse_body(request, ReasonIn)
    return reply(await _detail(await snapshots.give_back(principal, snapshot_id, data.reason)))


@bp.post("/statistics/snapshots/<snapshot_id:int>/accept")
@doc("接收下级的统计", tag=TAG, ok=SnapshotDetail, errors=(404, 409))
async def accept(request, snapshot_id: int):
    principal = await authenticate(request)
    return reply(await _detail(await snapshots.accept(principal, snapshot_id)))


@bp.post("/statistics/snapshots/<snapshot_id:int>/retake")
@doc("按现在的记录重新生成这一天的统计（未上报或被退回时）：立即返回生成任务，由后台完成；变化和原因留档",
     tag=TAG, ok=SnapshotJobOut, status=(202, 200), body=ReasonIn, errors=(404, 409))
async def retake(request, snapshot_id: int):
    principal = await authenticate(request)
    data = parse_body(request, ReasonIn)
    return await _asked(*await taking.ask_retake(principal, snapshot_id, data.reason, request.app.ctx.jobs))


async def _download(request, principal, snapshot, kind: str, body: bytes, media: str, filename: str):
    await audit.record("statistics.tables.downloaded", actor=principal.user, org=snapshot.org_id, target=snapshot,
                       table=kind)
    return raw(body, content_type=media, headers={"Content-Disposition": _attachment(filename),
                                                   "Cache-Control": "private, no-store"})


def _attachment(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def _name(snapshot, title: str, extension: str) -> str:
    return f"{snapshot.org.name}{title}（{snapshot.as_of.isoformat()}）.{extension}"


@bp.get("/statistics/snapshots/<snapshot_id:int>/markets.xlsx")
@doc("商品交易市场（含农贸市场）党建情况统计表", tag=TAG, media=XLSX, errors=(404,))
async def markets_table(request, snapshot_id: int):
    principal = await authenticate(request)
    snapshot = await snapshots.get(principal, snapshot_id)
    body = await asyncio.to_thread(tables.markets_workbook, snapshot.figures, today().isoformat())
    return await _download(request, principal, snapshot, "markets", body, XLSX, _name(snapshot, "市场党建情况统计表", "xlsx"))


@bp.get("/statistics/snapshots/<snapshot_id:int>/market-counts.xlsx")
@doc("商品交易市场（含农贸市场）数量统计表", tag=TAG, media=XLSX, errors=(404,))
async def counts_table(request, snapshot_id: int):
    principal = await authenticate(request)
    snapshot = await snapshots.get(principal, snapshot_id)
    body = await asyncio.to_thread(tables.counts_workbook, snapshot.figures, today().isoformat())
    return await _download(request, principal, snapshot, "counts", body, XLSX, _name(snapshot, "市场数量统计表", "xlsx"))


@bp.get("/statistics/snapshots/<snapshot_id:int>/roster.xlsx")
@doc("个体工商户党建信息登记表（汇总名册），当场生成；全市、全区的名册请用 POST …/roster-exports 由后台生成", tag=TAG,
     media=XLSX, errors=(404,))
async def roster_table(request, snapshot_id: int):
    principal = await authenticate(request)
    snapshot = await snapshots.get(principal, snapshot_id)
    body = await roster_exports.make(snapshot)
    return await _download(request, principal, snapshot, "roster", body, XLSX, _name(snapshot, "党建信息登记表", "xlsx"))


def _roster_out(export) -> RosterExportOut:
    return RosterExportOut.of(export, f"/api/v1/statistics/roster-exports/{export.id}/file",
                              snapshot_id=export.snapshot_id, rows=export.rows)


@bp.post("/statistics/snapshots/<snapshot_id:int>/roster-exports")
@doc("后台生成登记表汇总名册（Excel）：立即返回任务，完成后下载；同一份统计正在生成时返回那一个（200）", tag=TAG,
     ok=RosterExportOut, status=(202, 200), errors=(404,))
async def roster_export_create(request, snapshot_id: int):
    principal = await authenticate(request)
    export, new = await roster_exports.create(principal, snapshot_id, request.app.ctx.jobs)
    return reply(_roster_out(export), 202 if new else 200)


@bp.get("/statistics/roster-exports/<export_id:int>")
@doc("名册导出任务的进度（提交人和能看到这份统计的管理人员可见）", tag=TAG, ok=RosterExportOut, errors=(404,))
async def roster_export_status(request, export_id: int):
    principal = await authenticate(request)
    return reply(_roster_out(await roster_exports.get(principal, export_id)))


@bp.get("/statistics/roster-exports/<export_id:int>/file")
@doc("下载后台生成的登记表汇总名册（未完成 409，失败 409，超过保留期 410）", tag=TAG, media=XLSX, errors=(404, 409, 410))
async def roster_export_file(request, export_id: int):
    principal = await authenticate(request)
    export, stored = await roster_exports.open_file(principal, export_id, request.app.ctx.files)
    await storage.send(request, stored, XLSX, _attachment(_name(export.snapshot, "党建信息登记表", "xlsx")))


@bp.get("/statistics/snapshots/<snapshot_id:int>/forms.pdf")
@doc(f"个体工商户党建信息登记表（每名党员一页，可打印；一次最多 {forms.PAGES_LIMIT} 页，更多时 409）", tag=TAG,
     media="application/pdf", query=FormQuery, errors=(404, 409))
async def member_forms(request, snapshot_id: int):
    principal = await authenticate(request)
    query = parse_query(request, FormQuery)
    snapshot = await snapshots.get(principal, snapshot_id)
    rows = await snapshots.printable_rows(snapshot, query.member_id)
    body = await asyncio.to_thread(forms.build, rows, request.app.ctx.settings.plate_font or None)
    return await _download(request, principal, snapshot, "forms", body, "application/pdf",
                           _name(snapshot, "党建信息登记表", "pdf"))


@bp.get("/statistics/overview")
@doc("统计概览：现在的数字与上次统计并列，培训率，考评进度，各市场", tag=TAG, ok=Overview, query=OverviewQuery, errors=(404,))
async def get_overview(request):
    principal = await authenticate(request)
    query = parse_query(request, OverviewQuery)
    return reply(Overview(**await overview.overview(principal, query.org_id)))
