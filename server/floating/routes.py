"""HTTP for floating members' feedback, and the 回执 page at /r/<code>."""
from pathlib import Path

from sanic import Blueprint
from sanic.response import html, raw

from server import pagetemplates
from server.apidoc import doc, reply
from server.auth import authenticate
from server.clock import today
from server.errors import DomainError, NotFound, ValidationFailed
from server.floating import letters, receipts, reminders, service
from server.floating.schemas import (
    BatchOut, CommentIn, CommentOut, FloatingIn, FloatingOut, FloatingReport, LetterOut, LettersIn, FloatingRecordOut, ProofRejectIn,
    ReceiptForm, ReceiptReminderIn, ReceiptReminderOut, FloatingReportQuery, RevealOut, YearQuery,
)
from server.validation import MOBILE_PATTERN, parse_body, parse_query, strip_control

bp = Blueprint("floating")
pages = Blueprint("floating_pages")
TAG = "floating"
PROOF_TYPES = "image/jpeg, image/png, image/webp, application/pdf"
_templates = pagetemplates.environment(Path(__file__).parent / "templates")
NO_STORE = {"Cache-Control": "private, no-store"}


async def _view(request, principal, member_id: int) -> FloatingOut:
    return FloatingOut(**await service.view(principal, member_id))


def _upload(request) -> bytes:
    upload = request.files.get("file") if request.files else None
    if upload is None:
        raise ValidationFailed(fields={"file": "请选择要上传的照片或 PDF"})
    return upload.body


@bp.get("/members/<member_id:int>/floating")
@doc("流动党员登记信息：身份证号（打码）、原籍党组织、身份证明、评语和反馈函", tag=TAG, ok=FloatingOut, errors=(404, 409))
async def get_floating(request, member_id: int):
    principal = await authenticate(request)
    return reply(await _view(request, principal, member_id))


@bp.put("/members/<member_id:int>/floating")
@doc("填写流动党员登记信息（本人或书记）", tag=TAG, ok=FloatingOut, body=FloatingIn, errors=(404, 409))
async def register(request, member_id: int):
    principal = await authenticate(request)
    data = parse_body(request, FloatingIn)
    await service.register(principal, member_id, data.model_dump(), request.app.ctx.settings)
    return reply(await _view(request, principal, member_id))


@bp.post("/members/<member_id:int>/floating/reveal")
@doc("查看完整身份证号（书记、管理员；记入操作记录）", tag=TAG, ok=RevealOut, errors=(403, 404, 409))
async def reveal(request, member_id: int):
    principal = await authenticate(request)
    number = await service.reveal(principal, member_id, request.app.ctx.settings)
    response = reply(RevealOut(id_number=number))
    response.headers.update(NO_STORE)
    return response


@bp.post("/members/<member_id:int>/floating/proof")
@doc("上传原籍党组织盖章的身份证明（照片或 PDF，10 MB 以内；照片重新编码，PDF 逐页重写）", tag=TAG, ok=FloatingOut,
     errors=(404, 409, 413, 415), upload="file", upload_types=PROOF_TYPES)
async def upload_proof(request, member_id: int):
    principal = await authenticate(request)
    await service.upload_proof(principal, member_id, _upload(request), request.app.ctx.files)
    return reply(await _view(request, principal, member_id))


@bp.get("/members/<member_id:int>/floating/proof")
@doc("身份证明文件（本人或书记）", tag=TAG, errors=(404, 409), media="application/octet-stream")
async def proof_file(request, member_id: int):
    principal = await authenticate(request)
    data, content_type = await service.proof_file(principal, member_id, request.app.ctx.files)
    return raw(data, content_type=content_type, headers=NO_STORE)


@bp.post("/members/<member_id:int>/floating/proof/confirm")
@doc("确认身份证明（书记）", tag=TAG, ok=FloatingOut, errors=(403, 404, 409))
async def confirm_proof(request, member_id: int):
    principal = await authenticate(request)
    await service.decide_proof(principal, member_id, True, None)
    return reply(await _view(request, principal, member_id))


@bp.post("/members/<member_id:int>/floating/proof/reject")
@doc("退回身份证明，写明原因（书记）", tag=TAG, ok=FloatingOut, body=ProofRejectIn, errors=(403, 404, 409))
async def reject_proof(request, member_id: int):
    principal = await authenticate(request)
    data = parse_body(request, ProofRejectIn)
    await service.decide_proof(principal, member_id, False, data.reason)
    return reply(await _view(request, principal, member_id))


@bp.get("/members/<member_id:int>/floating/record")
@doc("一年里参加的组织生活、培训和志愿服务（来自签到记录，不重复填写）", tag=TAG, ok=FloatingRecordOut, query=YearQuery, errors=(404, 409))
async def record(request, member_id: int):
    principal = await authenticate(request)
    query = parse_query(request, YearQuery)
    return reply(FloatingRecordOut(**await service.activity_record(principal, member_id, query.year or today().year)))


@bp.put("/members/<member_id:int>/floating/comments/<year:int>")
@doc("书记写本年度评语和等次（每年一份，再写替换）", tag=TAG, ok=CommentOut, body=CommentIn, errors=(403, 404, 409))
async def comment(request, member_id: int, year: int):
    principal = await authenticate(request)
    if not 2000 <= year <= 2100:
        raise NotFound("没有这一年的评语")
    data = parse_body(request, CommentIn)
    written = await service.write_comment(principal, member_id, year, data.grade, data.text, data.signed_by)
    return reply(CommentOut(**service.comment_view(written)))


def _batch_out(batch) -> BatchOut:
    return BatchOut.model_validate(batch, from_attributes=True)


@bp.post("/floating/letters")
@doc("打印反馈函（后台生成一份 PDF：每人一份函、回执和反馈表）", tag=TAG, ok=BatchOut, status=202, body=LettersIn,
     errors=(403, 404, 409, 429))
async def print_letters(request):
    principal = await authenticate(request)
    data = parse_body(request, LettersIn)
    batch = await letters.create_batch(principal, data.model_dump(), request.app.ctx.store, request.app.ctx.jobs)
    return reply(_batch_out(batch), 202)


@bp.get("/floating/letters/batches/<batch_id:int>")
@doc("反馈函打印进度", tag=TAG, ok=BatchOut, errors=(404,))
async def batch(request, batch_id: int):
    principal = await authenticate(request)
    return reply(_batch_out(await letters.get_batch(principal, batch_id)))


@bp.get("/floating/letters/batches/<batch_id:int>/file")
@doc("下载反馈函 PDF", tag=TAG, errors=(404, 409), media="application/pdf")
async def batch_file(request, batch_id: int):
    from urllib.parse import quote

    principal = await authenticate(request)
    done, data = await letters.batch_file(principal, batch_id, request.app.ctx.files)
    name = quote(f"{done.org.name}{done.year}年流动党员反馈函.pdf")
    return raw(data, content_type="application/pdf", headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}", **NO_STORE})


@bp.post("/floating/letters/<letter_id:int>/receipt")
@doc("上传寄回的纸质回执（照片或 PDF）", tag=TAG, ok=LetterOut, errors=(404, 413, 415), upload="file", upload_types=PROOF_TYPES)
async def paper_receipt(request, letter_id: int):
    principal = await authenticate(request)
    letter = await receipts.paper(principal, letter_id, _upload(request), request.app.ctx.files)
    return reply(LetterOut(**service.letter_view(letter)))


@bp.get("/reports/floating")
@doc("流动党员双向反馈进度：登记、身份确认、评语、发函、回执、逾期（超过30天未回）", tag="reports", ok=FloatingReport,
     query=FloatingReportQuery, errors=(403, 404))
async def report(request):
    principal = await authenticate(request)
    query = parse_query(request, FloatingReportQuery)
    return reply(FloatingReport(**await receipts.report(principal, query.org_id, query.year or today().year)))


@bp.post("/floating/reminders")
@doc("订阅回执逾期提醒（有反馈函超过30天未回执时提醒一次）", tag=TAG, ok=ReceiptReminderOut, status=(200, 201), body=ReceiptReminderIn,
     errors=(403, 404))
async def subscribe_reminder(request):
    principal = await authenticate(request)
    data = parse_body(request, ReceiptReminderIn)
    reminder, created = await reminders.subscribe(principal, data.org_id)
    return reply(ReceiptReminderOut.model_validate(reminder, from_attributes=True), 201 if created else 200)


# --- the 回执 page ------------------------------------------------------------------------------------

def _page(name: str, status: int = 200, **values):
    return html(_templates.get_template(name).render(**values), status=status, headers=NO_STORE)


def _unknown():
    return _page("message.html", 404, heading="找不到这份回执", message="二维码或网址不对，或回执已作废。请核对反馈函上的回执网址。")


EMPTY = {"receiver_name": "", "receiver_org": "", "receiver_phone": ""}


@pages.get("/r/<code:str>")
@doc("反馈函回执页面（扫回执上的二维码打开；无需 JavaScript）", tag="pages", auth=False, media="text/html", errors=(404,),
     html_errors=True)
async def receipt_page(request, code: str):
    letter = await receipts.by_code(code)
    if letter is None:
        return _unknown()
    return _page("receipt.html", r=receipts.public_view(letter), code=code, form=EMPTY, error=None)


def _form(request) -> tuple[dict, str | None]:
    form = request.form or {}
    values = {key: strip_control(form.get(key, ""))[:100] for key in EMPTY}
    if not values["receiver_name"] or len(values["receiver_name"]) > 50:
        return values, "请填写收件人姓名（50 字以内）"
    if not values["receiver_org"]:
        return values, "请填写收件党组织"
    phone = values["receiver_phone"]
    if phone and not (len(phone) <= 20 and all(c.isascii() and (c.isdigit() or c == "-") for c in phone)):
        return values, "电话只能是数字和“-”"
    return values, None


@pages.post("/r/<code:str>")
@doc("确认收到反馈函（同一回执确认两次只算一次）", tag="pages", auth=False, media="text/html", form=ReceiptForm,
     errors=(404, 422, 429), html_errors=True)
async def confirm_receipt(request, code: str):
    letter = await receipts.by_code(code)
    if letter is None:
        return _unknown()
    values, problem = _form(request)
    if problem:
        return _page("receipt.html", 422, r=receipts.public_view(letter), code=code, form=values, error=problem)
    try:
        letter, _ = await receipts.confirm(code, values, request.remote_addr or request.ip, request.app.ctx.store)
    except DomainError as exc:
        return _page("receipt.html", exc.status, r=receipts.public_view(letter), code=code, form=values, error=exc.message)
    return _page("receipt.html", r=receipts.public_view(letter), code=code, form=EMPTY, error=None)


__all__ = ["MOBILE_PATTERN"]
