"""HTTP for activities, the rotating check-in code, check-ins, attendance and leave."""
from sanic import Blueprint
from sanic.response import html, raw

from server.activities import attendance, checkin, offline, photos, plan, record, reminders, service
from server.activities.offline_schemas import PackOut, UploadIn, UploadOut
from server.activities.record_schemas import PlanReminderOut, PlanSettings, PlanSettingsIn, RecordIn, RecordOut
from server.activities.schemas import (
    ActivityIn, ActivityList, ActivityOut, ActivityPatch, ActivityQuery, AttendanceOut,
    CancelIn, CheckinCodeOut, CheckinIn, CheckinOut, LeaveIn, LeaveList, LeaveOut, MarkIn, MemberAttendanceList, MyLeaveOut,
    MemberAttendanceOut, MemberAttendanceQuery, PhotoList, PhotoOut, ReminderOut,
)
from server.apidoc import doc, reply
from server.auth import authenticate, bearer_token
from server.errors import Unauthorized, ValidationFailed
from server.validation import parse_body, parse_query

bp = Blueprint("activities")
pages = Blueprint("checkin_pages")


def _out(activity) -> ActivityOut:
    return ActivityOut.model_validate(service.view(activity))


@bp.post("/activities")
@doc("安排活动（三会一课、培训等）", tag="activities", ok=ActivityOut, status=201, body=ActivityIn, errors=(403, 404))
async def create(request):
    principal = await authenticate(request)
    data = parse_body(request, ActivityIn)
    return reply(_out(await service.create_activity(principal, data.model_dump())), 201)


@bp.get("/activities")
@doc("活动列表（书记：管辖范围；党员：应参加的）", tag="activities", ok=ActivityList, query=ActivityQuery)
async def list_(request):
    principal = await authenticate(request)
    query = parse_query(request, ActivityQuery)
    items, total = await service.list_activities(principal, **query.model_dump())
    return reply(ActivityList(items=[_out(a) for a in items], total=total))


@bp.get("/activities/<activity_id:int>")
@doc("活动详情", tag="activities", ok=ActivityOut, errors=(404,))
async def detail(request, activity_id: int):
    principal = await authenticate(request)
    return reply(_out(await service.get_activity(principal, activity_id)))


@bp.patch("/activities/<activity_id:int>")
@doc("修改活动、填写会议记录（书记）", tag="activities", ok=ActivityOut, body=ActivityPatch, errors=(404, 409))
async def update(request, activity_id: int):
    principal = await authenticate(request)
    data = parse_body(request, ActivityPatch)
    activity = await service.update_activity(principal, activity_id, data.model_dump(exclude_unset=True), request.app.ctx.store)
    return reply(_out(activity))


@bp.get("/activities/<activity_id:int>/record")
@doc("会议记录（主持人、记录人、议题、决议、法定人数、缺席原因）", tag="activities", ok=RecordOut, errors=(404,))
async def read_record(request, activity_id: int):
    principal = await authenticate(request)
    return reply(RecordOut(**await record.read(principal, activity_id)))


@bp.put("/activities/<activity_id:int>/record")
@doc("填写会议记录（书记，整份提交）", tag="activities", ok=RecordOut, body=RecordIn, errors=(404, 409))
async def write_record(request, activity_id: int):
    principal = await authenticate(request)
    data = parse_body(request, RecordIn)
    return reply(RecordOut(**await record.write(principal, activity_id, data.model_dump(), request.app.ctx.store)))


@bp.get("/orgs/<org_id:int>/meeting-plan")
@doc("组织的三会一课频次要求（未设置的按默认）", tag="activities", ok=PlanSettings, errors=(403, 404))
async def plan_settings(request, org_id: int):
    principal = await authenticate(request)
    org = await plan.plan_org(principal, org_id)
    return reply(PlanSettings(**plan.settings_view(org, await plan.settings_of(org))))


@bp.put("/orgs/<org_id:int>/meeting-plan")
@doc("修改三会一课频次要求（书记、管理员）", tag="activities", ok=PlanSettings, body=PlanSettingsIn, errors=(403, 404))
async def change_plan(request, org_id: int):
    principal = await authenticate(request)
    data = parse_body(request, PlanSettingsIn)
    org = await plan.plan_org(principal, org_id)
    settings = await plan.change_settings(principal, org, [item.model_dump() for item in data.items])
    return reply(PlanSettings(**plan.settings_view(org, settings)))


@bp.post("/orgs/<org_id:int>/meeting-plan/reminder")
@doc("订阅会议计划提醒（期末前一周仍有应开未开的会议时提醒一次）", tag="activities", ok=PlanReminderOut,
     status=(200, 201), errors=(403, 404))
async def subscribe_plan_reminder(request, org_id: int):
    principal = await authenticate(request)
    reminder, created = await plan.subscribe(principal, org_id)
    return reply(PlanReminderOut.model_validate(reminder), 201 if created else 200)


@bp.post("/activities/<activity_id:int>/cancel")
@doc("取消活动（书记）", tag="activities", ok=ActivityOut, body=CancelIn, errors=(404,))
async def cancel(request, activity_id: int):
    principal = await authenticate(request)
    data = parse_body(request, CancelIn)
    return reply(_out(await service.cancel_activity(principal, activity_id, data.reason, request.app.ctx.store)))


@bp.get("/activities/<activity_id:int>/checkin-code")
@doc("当前签到码（约 20 秒更换一次）", tag="activities", ok=CheckinCodeOut, errors=(404, 409))
async def checkin_code(request, activity_id: int):
    principal = await authenticate(request)
    settings = request.app.ctx.settings
    code = await service.checkin_code(principal, activity_id, secret=settings.secret_key,
                                      public_base_url=settings.public_base_url)
    return reply(CheckinCodeOut(**code))


@bp.post("/checkins")
@doc("扫码签到（同一 nonce 重试返回首次结果）", tag="activities", ok=CheckinOut, status=201, body=CheckinIn,
     errors=(403, 409, 429))
async def check_in(request):
    bearer = bearer_token(request)
    if bearer is None:
        raise Unauthorized()
    data = parse_body(request, CheckinIn)
    ctx = request.app.ctx
    answer, _created = await checkin.audited_check_in(
        bearer=bearer, token=data.token, nonce=data.nonce,
        location=data.location.model_dump() if data.location else None,
        secret=ctx.settings.secret_key, store=ctx.store)
    # A replay answers 201 like the first time: the phone cannot tell a retry from the original.
    return reply(CheckinOut(**answer), 201)


@bp.get("/activities/<activity_id:int>/attendance")
@doc("签到情况：应到、实到、请假、缺席及每人记录方式", tag="activities", ok=AttendanceOut, errors=(404,))
async def attendance_sheet(request, activity_id: int):
    principal = await authenticate(request)
    return reply(AttendanceOut(**await attendance.sheet(principal, activity_id)))


@bp.get("/members/<member_id:int>/attendance")
@doc("党员的活动出勤（本人或其书记）", tag="activities", ok=MemberAttendanceList, query=MemberAttendanceQuery, errors=(404,))
async def member_attendance(request, member_id: int):
    principal = await authenticate(request)
    query = parse_query(request, MemberAttendanceQuery)
    rows, total = await attendance.member_attendance(principal, member_id, limit=query.limit, offset=query.offset)
    return reply(MemberAttendanceList(items=[MemberAttendanceOut(**row) for row in rows], total=total))


@bp.put("/activities/<activity_id:int>/attendance/<member_id:int>")
@doc("书记登记出席、请假或缺席", tag="activities", ok=AttendanceOut, body=MarkIn, errors=(404, 409))
async def mark(request, activity_id: int, member_id: int):
    principal = await authenticate(request)
    data = parse_body(request, MarkIn)
    await attendance.mark(principal, activity_id, member_id, data.status, data.note)
    return reply(AttendanceOut(**await attendance.sheet(principal, activity_id)))


@bp.post("/activities/<activity_id:int>/leave")
@doc("党员请假（活动开始前）", tag="activities", ok=LeaveOut, status=(200, 201), body=LeaveIn, errors=(403, 404, 409))
async def request_leave(request, activity_id: int):
    principal = await authenticate(request)
    data = parse_body(request, LeaveIn)
    leave, created = await attendance.request_leave(principal, activity_id, data.reason)
    return reply(LeaveOut.model_validate(leave), 201 if created else 200)


@bp.get("/activities/<activity_id:int>/offline-pack")
@doc("下载离线签到名单（书记手机，无网络时扫党员签到卡）", tag="activities", ok=PackOut, errors=(404, 409))
async def offline_pack(request, activity_id: int):
    principal = await authenticate(request)
    return reply(PackOut(**await offline.pack(principal, activity_id, request.app.ctx.settings.secret_key)))


@bp.post("/activities/<activity_id:int>/offline-scans")
@doc("上传离线扫码签到（按设备和序号去重，重复上传不改变结果）", tag="activities", ok=UploadOut, body=UploadIn,
     errors=(404, 409, 429))
async def offline_scans(request, activity_id: int):
    principal = await authenticate(request)
    data = parse_body(request, UploadIn).model_dump()
    ctx = request.app.ctx
    return reply(UploadOut(**await offline.upload(principal, activity_id, data, ctx.settings.secret_key, ctx.store)))


@bp.get("/activities/<activity_id:int>/leave/mine")
@doc("我的请假申请（没有则为 null）", tag="activities", ok=MyLeaveOut, errors=(403, 404))
async def my_leave(request, activity_id: int):
    principal = await authenticate(request)
    leave = await attendance.my_leave(principal, activity_id)
    return reply(MyLeaveOut(leave=LeaveOut.model_validate(leave) if leave else None))


@bp.get("/activities/<activity_id:int>/leave")
@doc("请假申请列表（书记）", tag="activities", ok=LeaveList, errors=(404,))
async def leave_list(request, activity_id: int):
    principal = await authenticate(request)
    items = await attendance.list_leave(principal, activity_id)
    return reply(LeaveList(items=[LeaveOut.model_validate(leave) for leave in items]))


@bp.post("/activities/<activity_id:int>/leave/<leave_id:int>/approve")
@doc("批准请假（书记）", tag="activities", ok=LeaveOut, errors=(404, 409))
async def approve_leave(request, activity_id: int, leave_id: int):
    principal = await authenticate(request)
    return reply(LeaveOut.model_validate(await attendance.decide_leave(principal, activity_id, leave_id, True)))


@bp.post("/activities/<activity_id:int>/leave/<leave_id:int>/reject")
@doc("不批准请假（书记）", tag="activities", ok=LeaveOut, errors=(404, 409))
async def reject_leave(request, activity_id: int, leave_id: int):
    principal = await authenticate(request)
    return reply(LeaveOut.model_validate(await attendance.decide_leave(principal, activity_id, leave_id, False)))


@bp.post("/activities/<activity_id:int>/reminder")
@doc("订阅活动提醒（小程序订阅消息授权后调用）", tag="activities", ok=ReminderOut, status=(200, 201), errors=(403, 404, 409))
async def subscribe_reminder(request, activity_id: int):
    principal = await authenticate(request)
    reminder, created = await reminders.subscribe(principal, activity_id)
    return reply(ReminderOut.model_validate(reminder), 201 if created else 200)


@bp.post("/activities/<activity_id:int>/photos")
@doc("上传会议照片（multipart 字段 photo；重新编码并去除 EXIF）", tag="activities", ok=PhotoOut, status=201,
     errors=(404, 409, 413, 415, 429), upload="photo")
async def upload_photo(request, activity_id: int):
    principal = await authenticate(request)
    upload = request.files.get("photo") if request.files else None
    if upload is None:
        raise ValidationFailed(fields={"photo": "请选择要上传的照片"})
    photo = await photos.upload(principal, activity_id, upload.body, request.app.ctx.files, request.app.ctx.store)
    return reply(PhotoOut.model_validate(photo), 201)


@bp.get("/activities/<activity_id:int>/photos")
@doc("会议照片列表", tag="activities", ok=PhotoList, errors=(404,))
async def list_photos(request, activity_id: int):
    principal = await authenticate(request)
    items = await photos.list_photos(principal, activity_id)
    return reply(PhotoList(items=[PhotoOut.model_validate(p) for p in items]))


@bp.get("/activities/<activity_id:int>/photos/<photo_id:int>")
@doc("会议照片（JPEG）", tag="activities", errors=(404,), media="image/jpeg")
async def photo_file(request, activity_id: int, photo_id: int):
    principal = await authenticate(request)
    data = await photos.read(principal, activity_id, photo_id, request.app.ctx.files)
    return raw(data, content_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})


def _notice_page(title: str, heading: str, text: str) -> str:
    """A page for a QR opened in a browser instead of WeChat: what it is, nothing personal."""
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title>\n'
            '<style>body{font:20px/1.6 system-ui,sans-serif;margin:0;padding:2em 1.2em;text-align:center;color:#222}\n'
            f'h1{{font-size:1.4em;color:#c00}}</style></head><body><h1>{heading}</h1>\n<p>{text}</p></body></html>')


CHECKIN_PAGE = _notice_page("活动签到", "请用微信扫一扫签到",
                            "这是党员活动的签到码。请打开微信，点“扫一扫”，对准书记手机上的二维码完成签到。")
MEMBER_CARD_PAGE = _notice_page("党员签到卡", "这是党员签到卡", "开会时由党支部书记用小程序扫这张卡签到。捡到此卡请交给所在市场或党支部。")


@pages.get("/m/<code:str>")
@doc("党员签到卡上的二维码：在浏览器中打开时说明用途（不显示任何个人信息）", tag="pages", auth=False, media="text/html")
async def member_card_link(request, code: str):
    return html(MEMBER_CARD_PAGE)


@pages.get("/c/<token:str>")
@doc("签到码链接：在浏览器中打开时提示用微信扫码", tag="pages", auth=False, media="text/html")
async def checkin_link(request, token: str):
    # WeChat's "scan an ordinary link to open the mini-program" rule sends /c/<token> to the
    # check-in page; a browser that opens it instead only learns to use WeChat.
    return html(CHECKIN_PAGE)
