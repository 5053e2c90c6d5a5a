"""HTTP for the 党建信息登记表, member records, and members' sign-in codes and cards."""
from sanic import Blueprint
from sanic.response import raw

from server.apidoc import doc, reply
from server.auth import authenticate
from server.members import attachments, cards, codes, service
from server.members.schemas import (
    ApproveIn, AttachmentIn, AttachmentList, AttachmentOut, MemberCodeOut, MemberHistory, MemberList, MemberOut, MemberPatch,
    MemberQuery, RegistrationIn, RegistrationList,
    RegistrationOut, RegistrationQuery, RejectIn,
)
from server.members.views import history_outs, registration_out, registration_outs
from server.validation import parse_body, parse_query

bp = Blueprint("members")


@bp.post("/registrations")
@doc("提交党建信息登记表", tag="registrations", ok=RegistrationOut, status=201, body=RegistrationIn, errors=(404, 409))
async def submit(request):
    principal = await authenticate(request)
    data = parse_body(request, RegistrationIn)
    registration = await service.submit_registration(principal.user, data.model_dump(exclude_none=True))
    return reply(await registration_out(registration), 201)


@bp.get("/registrations")
@doc("待审核等登记表（书记管辖范围内）", tag="registrations", ok=RegistrationList, query=RegistrationQuery)
async def list_registrations(request):
    principal = await authenticate(request)
    query = parse_query(request, RegistrationQuery)
    items, total = await service.list_registrations(principal, **query.model_dump())
    return reply(RegistrationList(items=await registration_outs(items), total=total))


@bp.get("/registrations/<registration_id:int>")
@doc("登记表详情", tag="registrations", ok=RegistrationOut, errors=(404,))
async def get_registration(request, registration_id: int):
    principal = await authenticate(request)
    registration = await service.get_registration(principal, registration_id)
    return reply(await registration_out(registration))


@bp.post("/registrations/<registration_id:int>/approve")
@doc("审核通过，确认党员类别（重复提交返回同一党员）", tag="registrations", ok=MemberOut, body=ApproveIn, errors=(404, 409))
async def approve(request, registration_id: int):
    principal = await authenticate(request)
    data = parse_body(request, ApproveIn)
    member = await service.approve_registration(principal, registration_id, data.category)
    return reply(MemberOut.model_validate(member))


@bp.post("/registrations/<registration_id:int>/reject")
@doc("退回登记表（须写明原因）", tag="registrations", ok=RegistrationOut, body=RejectIn, errors=(404, 409))
async def reject(request, registration_id: int):
    principal = await authenticate(request)
    data = parse_body(request, RejectIn)
    registration = await service.reject_registration(principal, registration_id, data.reason)
    return reply(await registration_out(registration))


@bp.get("/members")
@doc("党员名册（管辖范围内）；as_of=某天 得到那一天的名册", tag="members", ok=MemberList, query=MemberQuery)
async def list_members(request):
    principal = await authenticate(request)
    query = parse_query(request, MemberQuery)
    items, total = await service.list_members(principal, **query.model_dump())
    return reply(MemberList(items=items, total=total, as_of=query.as_of))


@bp.get("/members/<member_id:int>")
@doc("党员详情（本人或管辖范围内的书记）", tag="members", ok=MemberOut, errors=(404,))
async def get_member(request, member_id: int):
    principal = await authenticate(request)
    return reply(MemberOut.model_validate(await service.get_member(principal, member_id)))


@bp.patch("/members/<member_id:int>")
@doc("修改党员信息（书记）：组织、类别、经营状态、外出、离开等变动记入历史，可补记过去的生效日期", tag="members", ok=MemberOut,
     body=MemberPatch, errors=(403, 404, 409))
async def update_member(request, member_id: int):
    principal = await authenticate(request)
    data = parse_body(request, MemberPatch)
    member = await service.update_member(principal, member_id, data.model_dump(exclude_unset=True))
    return reply(MemberOut.model_validate(member))


@bp.get("/members/<member_id:int>/history")
@doc("党员情况的变动历史：何时生效、谁记录、原因（本人或管辖范围内的书记）", tag="members", ok=MemberHistory, errors=(404,))
async def member_history(request, member_id: int):
    principal = await authenticate(request)
    events = await service.member_history(principal, member_id)
    return reply(MemberHistory(member_id=member_id, items=await history_outs(events)))


@bp.post("/members/<member_id:int>/attachments")
@doc("一方隶属、多重管理：让党员也参加另一组织的活动（党员所在支部的书记）", tag="members", ok=AttachmentOut, status=201,
     body=AttachmentIn, errors=(404,))
async def attach(request, member_id: int):
    principal = await authenticate(request)
    data = parse_body(request, AttachmentIn)
    return reply(AttachmentOut.model_validate(await attachments.attach(principal, member_id, data.org_id)), 201)


@bp.get("/members/<member_id:int>/attachments")
@doc("党员还参加哪些组织的活动（本人或所在支部的书记）", tag="members", ok=AttachmentList, errors=(404,))
async def list_attachments(request, member_id: int):
    principal = await authenticate(request)
    items = await attachments.list_attachments(principal, member_id)
    return reply(AttachmentList(items=[AttachmentOut.model_validate(a) for a in items]))


@bp.delete("/members/<member_id:int>/attachments/<org_id:int>")
@doc("不再参加该组织的活动（党员所在支部的书记）", tag="members", ok=AttachmentList, errors=(404,))
async def detach(request, member_id: int, org_id: int):
    principal = await authenticate(request)
    items = await attachments.detach(principal, member_id, org_id)
    return reply(AttachmentList(items=[AttachmentOut.model_validate(a) for a in items]))


# --- member codes and cards (offline check-in) ----------------------------------------------

async def _code_out(request, code) -> MemberCodeOut:
    return MemberCodeOut(**await codes.view(code, request.app.ctx.settings.public_base_url))


@bp.get("/members/<member_id:int>/member-code")
@doc("我的签到码（本人或书记；没有则生成）", tag="members", ok=MemberCodeOut, errors=(404,))
async def member_code(request, member_id: int):
    principal = await authenticate(request)
    return reply(await _code_out(request, await codes.of_member(principal, member_id)))


@bp.post("/members/<member_id:int>/member-code")
@doc("补办签到码（旧卡、旧码立即作废）", tag="members", ok=MemberCodeOut, status=201, errors=(404, 429))
async def reissue_member_code(request, member_id: int):
    principal = await authenticate(request)
    return reply(await _code_out(request, await codes.reissue(principal, member_id, request.app.ctx.store)), 201)


def _pdf(body: bytes, filename: str):
    return raw(body, content_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private, no-cache"})


@bp.get("/members/<member_id:int>/member-card.pdf")
@doc("党员签到卡（PDF，85.6×54 毫米，含出血）", tag="members", errors=(404, 429, 503), media="application/pdf")
async def member_card(request, member_id: int):
    principal = await authenticate(request)
    ctx = request.app.ctx
    return _pdf(await cards.one(principal, member_id, ctx.settings, ctx.files, ctx.store), f"member-card-{member_id}.pdf")


@bp.get("/orgs/<org_id:int>/member-cards.pdf")
@doc(f"组织全部在册党员的签到卡（PDF，一人一页，至多 {cards.MAX_CARDS} 张）", tag="members",
     errors=(403, 404, 409, 429, 503), media="application/pdf")
async def org_member_cards(request, org_id: int):
    principal = await authenticate(request)
    ctx = request.app.ctx
    return _pdf(await cards.of_org(principal, org_id, ctx.settings, ctx.files, ctx.store), f"member-cards-{org_id}.pdf")
