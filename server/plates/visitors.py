"""Who a rating customer is, without an account: their WeChat openid when they come through the
mini-program with a token, else a random id in a signed, HTTP-only cookie."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from server import security
from server.auth import bearer_token, user_id_for_token
from server.accounts.models import User
from server.errors import Unauthorized
from server.plates import ratings
from server.plates.ratings import Customer

COOKIE = "dj_customer"
COOKIE_MAX_AGE = 400 * 24 * 3600


def _signature(value: str, secret: str) -> str:
    return hmac.new(secret.encode(), f"customer:{value}".encode(), hashlib.sha256).hexdigest()[:24]


def new_cookie(secret: str) -> str:
    value = secrets.token_urlsafe(16)
    return f"{value}.{_signature(value, secret)}"


def cookie_identity(cookie: str | None, secret: str) -> str | None:
    """The random id in a cookie we signed, or None for a missing or forged one."""
    if not cookie or cookie.count(".") != 1 or len(cookie) > 100:
        return None
    value, signature = cookie.split(".")
    return value if hmac.compare_digest(signature, _signature(value, secret)) else None


async def customer(request) -> tuple[Customer, str | None]:
    """(the customer, a cookie to set or None)."""
    ctx = request.app.ctx
    if bearer_token(request) is not None:  # the mini-program: known by openid
        user_id = await user_id_for_token(bearer_token(request), ctx.store)
        user = await User.get_or_none(id=user_id) if user_id else None
        if user is None:
            raise Unauthorized("登录已失效，请重新登录")
        return Customer("miniprogram", user.openid, user_id=user.id), None
    identity = cookie_identity(request.cookies.get(COOKIE), ctx.settings.secret_key)
    if identity is not None:
        return Customer("web", identity), None
    cookie = new_cookie(ctx.settings.secret_key)
    return Customer("web", cookie.split(".")[0]), cookie


def set_cookie(request, response, cookie: str | None) -> None:
    if cookie:
        secure = request.app.ctx.settings.public_base_url.startswith("https")
        response.add_cookie(COOKIE, cookie, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax", secure=secure,
                            path="/")


async def rate(request, code: str, data) -> tuple[dict, str | None]:
    """A rating from this request's customer, for the JSON route and the page's form alike.
    Returns (the answer, a cookie to set or None). The visitor's cookie is sent by the browser
    whoever's page posts, so a post from another site is refused first."""
    security.same_site(request)
    who, cookie = await customer(request)
    ctx = request.app.ctx
    answer, _created = await ratings.submit(
        code, score=data.score, comment=data.comment, complaint=data.complaint, nonce=data.nonce, customer=who,
        client=request.remote_addr or request.ip, store=ctx.store, gateway=ctx.wechat, secret=ctx.settings.secret_key)
    return answer, cookie
