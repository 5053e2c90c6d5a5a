"""HTTP for the roster workbooks: the import template, the dry run, the commit, the export."""
from __future__ import annotations

import asyncio
from typing import Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field
from sanic import Blueprint
from sanic.response import raw

from server.apidoc import doc, reply
from server.auth import authenticate
from server.clock import LocalDatetime
from server.errors import ValidationFailed
from server.members import export as roster_export, imports, roster_book
from server.members.models import IMPORT_STATES
from server.members.schemas import MemberFilters
from server.validation import Id, Query, parse_query

bp = Blueprint("imports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CellError(BaseModel):
    column: str
    message: str


class ImportRowOut(BaseModel):
    row: int = Field(description="Excel 里的行号")
    outcome: Literal["created", "updated", "unchanged", "error"]
    name: str | None
    member_id: int | None
    changes: list[str] = Field(description="将更新的列")
    errors: list[CellError]


class ImportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    filename: str
    state: Literal[tuple(IMPORT_STATES)]
    total: int
    created: int
    updated: int
    unchanged: int
    errors: int
    done: int | None = Field(default=None, description="写入中：已写入的行数")
    failure: str | None
    created_at: LocalDatetime
    committed_at: LocalDatetime | None
    rows: list[ImportRowOut] = []


class ImportQuery(Query):
    org_id: Id


class ExportQuery(MemberFilters):
    """The list's filters; every member they match (up to 20 000), not a page."""
    full_mobile: int = Field(default=0, ge=0, le=1, description="1：完整手机号（单独记入审计）；默认打码")


async def _out(record, store) -> ImportOut:
    # record.rows holds the normalised rows for the commit; what the API shows is the report.
    out = ImportOut.model_validate({f: getattr(record, f) for f in ImportOut.model_fields if f not in ("rows", "done")})
    out.rows = [ImportRowOut.model_validate(row) for row in record.report]
    out.done = await imports.progress(record, store)
    return out


def _attachment(body: bytes, filename: str):
    return raw(body, content_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}", "Cache-Control": "private, no-store"})


@bp.get("/imports/members/template.xlsx")
@doc("党员名册导入模板（下拉选项为你管辖范围内的组织和市场）", tag="imports", media=XLSX)
async def template(request):
    principal = await authenticate(request)
    orgs, markets = await imports.choices(principal)
    body = await asyncio.to_thread(roster_book.template, orgs, markets)
    return _attachment(body, "党员名册导入模板.xlsx")


@bp.post("/imports/members")
@doc("上传名册（.xlsx）先检查：逐行列出新建、更新、不变或出错（行和列），不写入任何党员", tag="imports", ok=ImportOut,
     status=201, query=ImportQuery, upload="file", upload_types=XLSX, errors=(403, 404, 413, 415))
async def check(request):
    principal = await authenticate(request)
    query = parse_query(request, ImportQuery)
    upload = request.files.get("file") if request.files else None
    if upload is None:
        raise ValidationFailed(fields={"file": "请选择要上传的名册文件（.xlsx）"})
    record = await imports.check(principal, query.org_id, upload.name or "", upload.body)
    return reply(await _out(record, request.app.ctx.store), 201)


@bp.get("/imports/<import_id:int>")
@doc("导入记录：检查结果，写入进度", tag="imports", ok=ImportOut, errors=(404,))
async def get_import(request, import_id: int):
    principal = await authenticate(request)
    return reply(await _out(await imports.get(principal, import_id), request.app.ctx.store))


@bp.post("/imports/<import_id:int>/commit")
@doc("确认写入（全部或全不）：500 行以内当场完成，更多则在后台写入（202，看进度）", tag="imports", ok=ImportOut,
     status=(200, 202), errors=(404, 409))
async def commit(request, import_id: int):
    principal = await authenticate(request)
    ctx = request.app.ctx
    record, finished = await imports.commit(principal, import_id, ctx.jobs, ctx.store)
    return reply(await _out(record, ctx.store), 200 if finished else 202)


@bp.get("/members/export.xlsx")
@doc("导出党员名册（与名册相同的筛选和 as_of；手机号默认打码）", tag="members", query=ExportQuery, errors=(409,), media=XLSX)
async def export(request):
    principal = await authenticate(request)
    query = parse_query(request, ExportQuery)
    filters = query.model_dump(exclude={"full_mobile"})
    body, day = await roster_export.export(principal, filters, bool(query.full_mobile))
    return _attachment(body, f"党员名册{day}.xlsx")
