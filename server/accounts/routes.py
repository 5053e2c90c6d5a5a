"""HTTP for login, logout and the caller's own account."""
from sanic import Blueprint
from sanic.response import raw

from server.accounts import service
from server.accounts.schemas import CodeIn, LoginOut, LogoutOut, MeOut, UserOut
from server.apidoc import doc, reply
from server.auth import authenticate, authenticated_user_id, bearer_token, revoke_token
from server.validation import parse_body

bp = Blueprint("accounts")


@bp.post("/auth/wechat")
@doc("微信登录（wx.login 的 code 换取令牌）", tag="auth", ok=LoginOut, body=CodeIn, errors=(401, 403, 429, 502, 503),
     auth=False)
async def login(request):
    data = parse_body(request, CodeIn)
    ctx = request.app.ctx
    token, user, member = await service.login(
        data.code, client=request.remote_addr or request.ip, gateway=ctx.wechat, store=ctx.store, settings=ctx.settings
    )
    return reply(LoginOut(token=token, user=UserOut.model_validate(user), member=member))


@bp.post("/auth/logout")
@doc("退出登录（令牌立即失效）", tag="auth", ok=LogoutOut)
async def logout(request):
    await authenticate(request)
    await revoke_token(bearer_token(request), request.app.ctx.store)
    return reply(LogoutOut())


@bp.get("/me")
@doc("我的账号、角色、党员信息或登记表", tag="auth", ok=MeOut)
async def me(request):
    user_id = await authenticated_user_id(request)
    return raw(await service.me_document(user_id, request.app.ctx.store), content_type="application/json")


@bp.post("/me/phone")
@doc("绑定微信验证过的手机号（getPhoneNumber 的 code）", tag="auth", ok=UserOut, body=CodeIn, errors=(403, 429, 502, 503))
async def bind_phone(request):
    principal = await authenticate(request)
    data = parse_body(request, CodeIn)
    user = await service.bind_phone(principal.user, data.code, request.app.ctx.wechat)
    return reply(UserOut.model_validate(user))
