"""Logging in with WeChat, logging out, binding a verified phone number, and "who am I"."""
from __future__ import annotations

import asyncio

from tortoise.exceptions import IntegrityError

from server import auth
from server.clock import now
from server.accounts.models import User
from server.accounts.schemas import MeOut
from server.errors import RateLimited, ValidationFailed
from server.kv import KeyValueStore, seconds_left
from server.members.imported import link_verified_phone
from server.members.models import Member
from server.members.service import latest_registration
from server.members.views import registration_out
from server.wechat import WeChatCodeInvalid, WeChatGateway


class PhoneNotMainland(ValidationFailed):
    code, message = "phone_not_mainland", "目前只支持中国大陆手机号"


# Failed logins (codes WeChat refuses) per client address per minute. Successful ones are limited
# far more loosely (settings.login_rate_limit): a whole market may share one address behind its
# Wi-Fi, and three hundred vendors open the mini-program at once when a meeting starts. So
# failures never block a good code: past the limit a failing attempt is answered late and with
# 429 (the failing client slows down), while a valid code from the same address still logs in.
FAILED_LOGINS_PER_MINUTE = 20
FAILING_CLIENT_DELAY = 1.0  # seconds a failure past the limit waits before its answer


async def login(code: str, *, client: str, gateway: WeChatGateway, store: KeyValueStore, settings) -> tuple[str, User, Member | None]:
    allowed, retry_after = await store.hit(f"rate:login:{client}", settings.login_rate_limit, 60)
    if not allowed:
        raise RateLimited(extra={"retry_after": retry_after})
    try:
        session = await gateway.code2session(code)
    except WeChatCodeInvalid:
        key = f"rate:login-failed:{client}"
        if await store.incr(key, 60) > FAILED_LOGINS_PER_MINUTE:
            await asyncio.sleep(FAILING_CLIENT_DELAY)
            raise RateLimited("登录失败次数太多，请稍后再试", extra={"retry_after": seconds_left(await store.ttl(key), 60)})
        raise
    user = await User.get_or_none(openid=session.openid)
    if user is None:
        try:
            user = await User.create(openid=session.openid, unionid=session.unionid)
        except IntegrityError:  # the same new user logging in twice at once
            user = await User.get(openid=session.openid)
    user.last_login_at = now()
    await user.save(update_fields=["last_login_at"])
    token = await auth.issue_token(user, settings.token_ttl_days, store)
    return token, user, await Member.get_or_none(user=user)


async def bind_phone(user: User, code: str, gateway: WeChatGateway) -> User:
    number = await gateway.phone_number(code)
    if number.country_code != "86":
        raise PhoneNotMainland()
    user.phone, user.phone_verified_at = number.pure_phone, now()
    await user.save(update_fields=["phone", "phone_verified_at"])
    await auth.forget_principal(user.id)
    await link_verified_phone(user)  # a member imported from the roster with this mobile is theirs
    return user


ME_SECONDS = auth.PRINCIPAL_SECONDS


async def me_document(user_id: int, store: KeyValueStore) -> str:
    """`GET /me` as JSON text: one near-cache read when nothing it shows has changed. Dropped in
    every process by auth.forget_principal (roles, org names, the account, the member record, a
    registration). Only a caller with a registration under review is never cached: the desk's
    suggestion and roster match in it change with other people's records."""
    key = auth.me_key(user_id)
    body = await store.near_get(key)
    if body is None:
        document = await me(await auth.principal_for(user_id, store))
        body = MeOut.model_validate(document, from_attributes=True).model_dump_json()
        if document["registration"] is None:
            await store.set(key, body, ME_SECONDS)
    return body


async def me(principal: auth.Principal) -> dict:
    member = await Member.get_or_none(user=principal.user)
    registration = None if member else await latest_registration(principal.user)
    return {
        "user": principal.user,
        "roles": [{"role": g.role, "org_id": g.org_id, "org_name": g.org_name} for g in principal.roles],
        "member": member,
        "registration": await registration_out(registration) if registration else None,
    }
