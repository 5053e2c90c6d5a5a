"""HTTP for the desk's QR login, its demo login, and the desk sessions a phone lists and ends."""
from sanic import Blueprint
from sanic.response import html

from server.apidoc import doc, reply
from server.auth import authenticate
from server.desk import service
from server.desk.schemas import (
    DeskLoginOut, DeskSessionList, DeskSessionOut, DevLoginIn, DevUserList, LoginConfirmOut, LoginPollOut,
    LoginRequestOut, RevokedOut, Vocabularies,
)
from server.accounts.models import TOKEN_KINDS
from server.activities.models import ACTIVITY_KINDS, ATTENDANCE_METHODS, ATTENDANCE_STATUSES
from server.activities.plan import PLAN_EVERY, PLAN_STATUSES
from server.evaluation.models import EXCLUSIONS, GRADES, STAGES
from server.floating.models import BATCH_STATES, COMMENT_GRADES, PROOF_STATES
from server.members.models import (
    BUSINESS_STATUSES, CATEGORIES, GENDERS, IMPORT_STATES, LEFT_REASONS, MEMBERSHIPS, PLACEMENTS, REGISTRATION_STATUSES,
    STANDINGS,
)
from server.markets.models import MARKET_KINDS, ORG_FORMS, ORG_LEVELS, SCOPES
from server.statistics.models import SNAPSHOT_SOURCES, SNAPSHOT_STATES
from server.orgs.models import ORG_KINDS, ROLES
from server.jobs.files import JOB_STATES
from server.plates.models import RATING_STATUSES
from server.validation import parse_body, strip_control

bp = Blueprint("desk")
pages = Blueprint("desk_pages")


def _agent(request) -> str:
    return strip_control(request.headers.get("user-agent", ""))[:200] or "未知浏览器"


@bp.post("/console/login-requests")
@doc("工作台扫码登录：生成二维码（两分钟有效）", tag="desk", ok=LoginRequestOut, status=201, errors=(429,), auth=False)
async def create_login_request(request):
    ctx = request.app.ctx
    data = await service.create_request(ctx.store, public_base_url=ctx.settings.public_base_url, agent=_agent(request),
                                        client=request.remote_addr or request.ip)
    return reply(LoginRequestOut(**data), 201)


@bp.get("/console/login-requests/<code:str>")
@doc("工作台轮询扫码结果（确认后只给一次令牌）", tag="desk", ok=LoginPollOut, errors=(403, 404), auth=False,
     headers={"X-Login-Secret": "生成二维码时返回的 secret"})
async def poll_login_request(request, code: str):
    data = await service.poll(request.app.ctx.store, code, request.headers.get("x-login-secret"))
    return reply(LoginPollOut(**data))


@bp.post("/console/login-requests/<code:str>/confirm")
@doc("在小程序里确认电脑登录（扫码后）", tag="desk", ok=LoginConfirmOut, errors=(404, 409))
async def confirm_login_request(request, code: str):
    principal = await authenticate(request)
    return reply(LoginConfirmOut(**await service.confirm(request.app.ctx.store, code, principal.user)))


@bp.get("/console/dev-users")
@doc("演示用户列表（仅模拟微信模式）", tag="desk", ok=DevUserList, errors=(404,), auth=False)
async def dev_users(request):
    return reply(DevUserList(items=await service.dev_users(request.app.ctx.settings)))


@bp.post("/console/dev-login")
@doc("以演示用户登录工作台（仅模拟微信模式）", tag="desk", ok=DeskLoginOut, body=DevLoginIn, errors=(404,), auth=False)
async def dev_login(request):
    data = parse_body(request, DevLoginIn)
    ctx = request.app.ctx
    return reply(DeskLoginOut(token=await service.dev_login(ctx.settings, ctx.store, data.key, _agent(request))))


@bp.get("/me/desk-sessions")
@doc("我在电脑上的工作台登录", tag="desk", ok=DeskSessionList)
async def list_desk_sessions(request):
    principal = await authenticate(request)
    rows = await service.sessions(principal.user)
    return reply(DeskSessionList(items=[DeskSessionOut.model_validate(row, from_attributes=True) for row in rows]))


@bp.delete("/me/desk-sessions/<session_id:int>")
@doc("退出某台电脑上的工作台", tag="desk", ok=RevokedOut, errors=(404,))
async def revoke_desk_session(request, session_id: int):
    principal = await authenticate(request)
    await service.revoke_session(request.app.ctx.store, principal.user, session_id)
    return reply(RevokedOut())


VOCABULARIES = Vocabularies(
    category=CATEGORIES, standing=STANDINGS, placement=PLACEMENTS, registration_status=REGISTRATION_STATUSES,
    gender=GENDERS, business_status=BUSINESS_STATUSES, membership=MEMBERSHIPS, left_reason=LEFT_REASONS,
    import_state=IMPORT_STATES, activity_kind=ACTIVITY_KINDS, attendance_status=ATTENDANCE_STATUSES,
    attendance_method=ATTENDANCE_METHODS, rating_status=RATING_STATUSES, job_state=JOB_STATES, org_kind=ORG_KINDS,
    role=ROLES, market_kind=MARKET_KINDS, token_kind=TOKEN_KINDS, plan_every=PLAN_EVERY, plan_status=PLAN_STATUSES,
    evaluation_stage=STAGES, exclusion=EXCLUSIONS, grade=GRADES, proof_state=PROOF_STATES, comment_grade=COMMENT_GRADES,
    letter_batch_state=BATCH_STATES, market_scope=SCOPES, market_org_form=ORG_FORMS, market_org_level=ORG_LEVELS,
    snapshot_state=SNAPSHOT_STATES, snapshot_source=SNAPSHOT_SOURCES,
)


@bp.get("/vocabularies")
@doc("所有代码值的中文名称（工作台显示用）", tag="desk", ok=Vocabularies, auth=False)
async def vocabularies(request):
    return reply(VOCABULARIES)


LOGIN_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>登录党建工作台</title>
<style>body{font:20px/1.6 system-ui,sans-serif;margin:0;padding:2em 1.2em;text-align:center;color:#222}
h1{font-size:1.4em;color:#c00}</style></head><body><h1>请用微信扫一扫</h1>
<p>这是电脑上“党建工作台”的登录二维码。请打开微信，点“扫一扫”，对准电脑屏幕上的二维码，在小程序里确认登录。</p>
</body></html>"""


@pages.get("/l/<code:str>")
@doc("工作台登录二维码链接：在浏览器中打开时提示用微信扫码", tag="pages", auth=False, media="text/html")
async def desk_login_link(request, code: str):
    # WeChat's "scan an ordinary link" rule sends /l/<code> to the mini-program's confirm page.
    return html(LOGIN_PAGE, headers={"Cache-Control": "no-store"})
