"""HTTP for 三亮 under /api/v1: profiles and consent, plates, ratings and their moderation,
batch print jobs, and the public JSON profile the mini-program shows."""
from sanic import Blueprint
from sanic.response import raw

from server import storage
from server.apidoc import doc, reply
from server.auth import authenticate
from server.errors import ValidationFailed
from server.plates import issuing, jobs, profiles, public, ratings, visitors
from server.plates.schemas import (
    BatchIn, ConsentIn, ConsentText, HideIn, JobList, JobOut, JobQuery, PageQuery, PlateOut, PlateQuery, PledgeIn, ProfileOut, PublicProfile,
    RatingAnswer, RatingIn, RatingList, RatingOut, RatingQuery, ReplyIn,
)
from server.validation import parse_body, parse_query

bp = Blueprint("plates")


async def _profile_out(request, member, profile) -> ProfileOut:
    plate = await issuing.current_plate(member.id)
    base = request.app.ctx.settings.public_base_url
    return ProfileOut(member_id=member.id, pledge=profile.pledge, pledge_max=profiles.PLEDGE_MAX,
                      has_photo=bool(profile.photo_key), public=profile.consent_at is not None,
                      consent_at=profile.consent_at, plate_code=plate.code if plate else None,
                      plate_url=issuing.plate_url(plate.code, base) if plate else None)


async def _managed_profile_out(request, member_id: int, principal) -> ProfileOut:
    member, profile = await profiles.view(principal, member_id)
    return await _profile_out(request, member, profile)


def _job_out(job) -> JobOut:
    out = JobOut.model_validate({**{name: getattr(job, name) for name in JobOut.model_fields if hasattr(job, name)},
                                 "org_id": jobs.owner_org_id(job)})
    if job.state == "done" and job.file_key:
        out.download_url = f"/api/v1/jobs/{job.id}/file"
    return out


# --- profile and consent ---------------------------------------------------------------------

@bp.get("/profile-consent")
@doc("公开个人信息同意书（单独同意，PIPL 第二十五条）", tag="plates", ok=ConsentText)
async def consent_text(request):
    await authenticate(request)
    return reply(ConsentText(version=profiles.CONSENT_VERSION, text=profiles.CONSENT_TEXT))


@bp.get("/members/<member_id:int>/profile")
@doc("我的三亮资料：承诺、照片、是否公开、三亮牌", tag="plates", ok=ProfileOut, errors=(404,))
async def get_profile(request, member_id: int):
    principal = await authenticate(request)
    return reply(await _managed_profile_out(request, member_id, principal))


@bp.patch("/members/<member_id:int>/profile")
@doc("修改承诺（内容安全检测）", tag="plates", ok=ProfileOut, body=PledgeIn, errors=(404,))
async def update_pledge(request, member_id: int):
    principal = await authenticate(request)
    data = parse_body(request, PledgeIn)
    ctx = request.app.ctx
    await profiles.update_pledge(principal, member_id, data.pledge, ctx.wechat, ctx.store)
    return reply(await _managed_profile_out(request, member_id, principal))


@bp.post("/members/<member_id:int>/profile/photo")
@doc("上传形象照（multipart 字段 photo；重新编码并去除 EXIF）", tag="plates", ok=ProfileOut,
     errors=(404, 413, 415, 429), upload="photo")
async def upload_photo(request, member_id: int):
    principal = await authenticate(request)
    upload = request.files.get("photo") if request.files else None
    if upload is None:
        raise ValidationFailed(fields={"photo": "请选择要上传的照片"})
    ctx = request.app.ctx
    await profiles.upload_photo(principal, member_id, upload.body, ctx.files, ctx.store)
    return reply(await _managed_profile_out(request, member_id, principal))


@bp.get("/members/<member_id:int>/profile/photo.jpg")
@doc("形象照（JPEG，本人或书记）", tag="plates", errors=(404,), media="image/jpeg")
async def photo(request, member_id: int):
    principal = await authenticate(request)
    _member, profile = await profiles.view(principal, member_id)
    data = await profiles.read_photo(profile, request.app.ctx.files)
    return raw(data, content_type="image/jpeg", headers={"Cache-Control": "private, no-cache"})


@bp.post("/members/<member_id:int>/profile/consent")
@doc("本人同意公开三亮信息（提交所阅读同意书的版本）", tag="plates", ok=ProfileOut, body=ConsentIn, errors=(403, 404, 409))
async def give_consent(request, member_id: int):
    principal = await authenticate(request)
    data = parse_body(request, ConsentIn)
    await profiles.give_consent(principal, member_id, data.version, request.app.ctx.store)
    return reply(await _managed_profile_out(request, member_id, principal))


@bp.delete("/members/<member_id:int>/profile/consent")
@doc("撤回同意：公开页面立即下线", tag="plates", ok=ProfileOut, errors=(403, 404))
async def withdraw_consent(request, member_id: int):
    principal = await authenticate(request)
    await profiles.withdraw_consent(principal, member_id, request.app.ctx.store)
    return reply(await _managed_profile_out(request, member_id, principal))


# --- plates ----------------------------------------------------------------------------------

@bp.post("/members/<member_id:int>/plate")
@doc("生成三亮牌二维码（再次生成则旧码作废）", tag="plates", ok=PlateOut, status=201, errors=(404, 429))
async def issue_plate(request, member_id: int):
    principal = await authenticate(request)
    ctx = request.app.ctx
    plate, public_now = await issuing.issue(principal, member_id, ctx.store)
    return reply(PlateOut(code=plate.code, url=issuing.plate_url(plate.code, ctx.settings.public_base_url),
                          public=public_now), 201)


async def _plate_file(request, member_id: int, fmt: str):
    principal = await authenticate(request)
    query = parse_query(request, PlateQuery)
    ctx = request.app.ctx
    filename, mimetype, body = await issuing.render(principal, member_id, fmt, query.layout, ctx.files, ctx.settings,
                                                    ctx.store)
    return raw(body, content_type=mimetype, headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private, no-cache"})


@bp.get("/members/<member_id:int>/plate.png")
@doc("三亮牌图片（PNG，300 DPI，含出血）", tag="plates", query=PlateQuery, errors=(404, 429, 503), media="image/png")
async def plate_png(request, member_id: int):
    return await _plate_file(request, member_id, "png")


@bp.get("/members/<member_id:int>/plate.pdf")
@doc("三亮牌打印文件（PDF，含裁切框）", tag="plates", query=PlateQuery, errors=(404, 429, 503), media="application/pdf")
async def plate_pdf(request, member_id: int):
    return await _plate_file(request, member_id, "pdf")


@bp.post("/plates/batch")
@doc("批量打印三亮牌（按市场或组织，已同意公开的党员）", tag="plates", ok=JobOut, status=202, body=BatchIn,
     errors=(403, 404, 409, 429, 503))
async def batch(request):
    principal = await authenticate(request)
    data = parse_body(request, BatchIn)
    ctx = request.app.ctx
    job = await jobs.create(principal, data.market_id, data.org_id, data.layout, ctx.settings, ctx.store, ctx.jobs)
    return reply(_job_out(job), 202)


@bp.get("/jobs")
@doc("组织的批量打印任务（本组织及下级、其市场；最新的在前）", tag="plates", ok=JobList, query=JobQuery,
     errors=(403, 404))
async def job_list(request):
    principal = await authenticate(request)
    query = parse_query(request, JobQuery)
    items, total = await jobs.of_org(principal, query.org_id, query.limit, query.offset)
    return reply(JobList(items=[_job_out(job) for job in items], total=total))


@bp.get("/jobs/<job_id:int>")
@doc("批量打印任务进度（提交人和该组织的管理人员可见）", tag="plates", ok=JobOut, errors=(404,))
async def job_status(request, job_id: int):
    principal = await authenticate(request)
    return reply(_job_out(await jobs.get(principal, job_id)))


@bp.get("/jobs/<job_id:int>/file")
@doc("下载批量打印的 PDF（保留期过后 410）", tag="plates", errors=(404, 409, 410), media="application/pdf")
async def job_file(request, job_id: int):
    principal = await authenticate(request)
    stored = await jobs.open_file(principal, job_id, request.app.ctx.files)
    await storage.send(request, stored, "application/pdf", f'attachment; filename="plates-{job_id}.pdf"')


# --- ratings ---------------------------------------------------------------------------------

@bp.get("/members/<member_id:int>/ratings")
@doc("党员收到的评价（本人：已公开的；书记：全部）", tag="ratings", ok=RatingList, query=PageQuery, errors=(404,))
async def member_ratings(request, member_id: int):
    principal = await authenticate(request)
    query = parse_query(request, PageQuery)
    items, total = await ratings.member_ratings(principal, member_id, limit=query.limit, offset=query.offset)
    return reply(RatingList(items=[RatingOut.model_validate(r) for r in items], total=total))


@bp.get("/ratings")
@doc("评价管理（书记管辖范围内；status=flagged 为待处理）", tag="ratings", ok=RatingList, query=RatingQuery)
async def list_ratings(request):
    principal = await authenticate(request)
    query = parse_query(request, RatingQuery)
    items, total = await ratings.list_ratings(principal, **query.model_dump())
    return reply(RatingList(items=[RatingOut.model_validate(r) for r in items], total=total))


@bp.post("/ratings/<rating_id:int>/publish")
@doc("公开评价（书记）", tag="ratings", ok=RatingOut, errors=(404,))
async def publish_rating(request, rating_id: int):
    principal = await authenticate(request)
    return reply(RatingOut.model_validate(await ratings.publish(principal, rating_id, request.app.ctx.store)))


@bp.post("/ratings/<rating_id:int>/hide")
@doc("隐藏评价（书记，须写明原因）", tag="ratings", ok=RatingOut, body=HideIn, errors=(404,))
async def hide_rating(request, rating_id: int):
    principal = await authenticate(request)
    data = parse_body(request, HideIn)
    return reply(RatingOut.model_validate(await ratings.hide(principal, rating_id, data.reason, request.app.ctx.store)))


@bp.put("/ratings/<rating_id:int>/reply")
@doc("回复评价（书记；回复显示在评价下方）", tag="ratings", ok=RatingOut, body=ReplyIn, errors=(404,))
async def reply_rating(request, rating_id: int):
    principal = await authenticate(request)
    data = parse_body(request, ReplyIn)
    ctx = request.app.ctx
    return reply(RatingOut.model_validate(await ratings.reply(principal, rating_id, data.reply, ctx.store, ctx.wechat)))


# --- public ----------------------------------------------------------------------------------

@bp.get("/public/plates/<code:str>")
@doc("三亮牌公开信息（扫码页面的数据）", tag="public", ok=PublicProfile, errors=(404,), auth=False)
async def public_profile(request, code: str):
    entry = await public.public_profile(code, request.app.ctx.store)
    # Validated as PublicProfile when it was built; served as the cached entry's bytes.
    return raw(entry.profile_body, content_type="application/json")


@bp.post("/public/plates/<code:str>/ratings")
@doc("顾客评价（小程序带登录凭证则按微信身份，否则按浏览器 Cookie；同一 nonce 重试返回首次结果）", tag="public",
     ok=RatingAnswer, status=201, body=RatingIn, errors=(401, 403, 404, 409, 429), auth=False)
async def rate(request, code: str):
    data = parse_body(request, RatingIn)
    answer, cookie = await visitors.rate(request, code, data)
    response = reply(RatingAnswer(**answer), 201)
    visitors.set_cookie(request, response, cookie)
    return response
