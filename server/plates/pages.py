"""The public page behind a plate's QR code: server-rendered HTML that reads with JavaScript off,
the photo on it, and the rating form's plain POST (answered with a redirect back to the page)."""
from __future__ import annotations

import secrets

from pydantic import BaseModel, Field, ValidationError
from sanic import Blueprint
from sanic.response import html as text_html, raw, redirect

from server.apidoc import doc
from server.errors import DomainError, ValidationFailed
from server.plates import html, public, ratings, visitors
from server.plates.schemas import RatingIn
from server.validation import field_errors

pages = Blueprint("plate_pages")
NOTICES = ratings.THANKS
HEADINGS = {"plate_replaced": "三亮牌已更换", "profile_not_public": "信息暂未公开", "plate_not_found": "找不到这块三亮牌"}
# The page answers for the person at the stall: shared caches must not keep it (consent can be
# withdrawn at any moment), and each answer carries its own form nonce.
NO_STORE_SHARED = {"Cache-Control": "private, no-cache"}


def _message_page(error: DomainError):
    body = html.message_page(HEADINGS.get(error.code, "出错了"), error.message)
    return text_html(body, status=error.status, headers=NO_STORE_SHARED)


def _profile_page(entry: public.Entry, *, notice: str | None = None, error: str | None = None, status: int = 200):
    nonce = secrets.token_urlsafe(12)
    if notice or error:
        body = html.profile_page(entry.profile(), nonce=nonce, notice=notice, error=error)
    else:  # the common case, a scan: the cached page with this answer's nonce
        body = entry.page_body(nonce)
    return text_html(body, status=status, headers=NO_STORE_SHARED)


@pages.get("/p/<code:str>")
@doc("三亮牌公开页面（扫码打开；无需 JavaScript）", tag="pages", auth=False, media="text/html", errors=(404,),
     html_errors=True)
async def profile_page(request, code: str):
    try:
        entry = await public.public_profile(code, request.app.ctx.store)
    except DomainError as exc:
        return _message_page(exc)
    # No cookie here: a scan that only looks stays anonymous; the first rating posted sets it.
    return _profile_page(entry, notice=NOTICES.get(request.args.get("rated", "")))


@pages.get("/p/<code:str>/photo.jpg")
@doc("三亮牌公开页面上的照片", tag="pages", auth=False, media="image/jpeg", errors=(404,))
async def profile_photo(request, code: str):
    entry = await public.public_profile(code, request.app.ctx.store)
    key = entry.photo_key
    data = await request.app.ctx.files.get(key) if key else None
    if data is None:
        raise public.PlateNotFound("没有照片")
    etag = f'"{key[:16]}"'
    if request.headers.get("if-none-match") == etag:
        return raw(b"", status=304, headers={"ETag": etag, **NO_STORE_SHARED})
    return raw(data, content_type="image/jpeg", headers={"ETag": etag, **NO_STORE_SHARED})


SCORES = ("1", "2", "3", "4", "5")


def _form_rating(request) -> RatingIn:
    form = request.form or {}
    raw_score = form.get("score", "")
    try:
        return RatingIn.model_validate({
            # Only the five the form offers: str.isdigit() also takes "²" and other scripts' digits.
            "score": int(raw_score) if raw_score in SCORES else raw_score,
            "comment": form.get("comment", ""),
            "complaint": form.get("complaint") == "1",
            "nonce": form.get("nonce", ""),
        })
    except ValidationError as exc:
        raise ValidationFailed(fields=field_errors(exc)) from exc


class RatingForm(BaseModel):
    """The page's form as the browser sends it: every value is text."""

    score: str = Field(description="1 到 5")
    comment: str = ""
    complaint: str = Field("", description="勾选投诉时为 1")
    nonce: str


FORM_ERRORS = {"score": "请先点星星打分（1 到 5 分）", "comment": "想说的话最多 200 字", "nonce": "页面已过期，请刷新后再提交"}


@pages.post("/p/<code:str>/ratings")
@doc("三亮牌公开页面的评价表单（提交后以 303 跳回页面）", tag="pages", auth=False, media="text/html", status=303,
     form=RatingForm, errors=(403, 404, 409, 422, 429), html_errors=True)
async def rate_form(request, code: str):
    ctx = request.app.ctx
    try:
        entry = await public.public_profile(code, ctx.store)
    except DomainError as exc:
        return _message_page(exc)
    cookie = None
    try:
        answer, cookie = await visitors.rate(request, code, _form_rating(request))
    except DomainError as exc:
        first_field = next(iter(exc.fields), None)
        message = FORM_ERRORS.get(first_field, exc.message) if exc.code == "validation_failed" else exc.message
        response = _profile_page(entry, error=message, status=exc.status)
    else:
        response = redirect(f"/p/{code}?rated={ratings.thanks_key(answer)}#rate", status=303)
    visitors.set_cookie(request, response, cookie)
    return response
