"""Logging in at the desk by scanning with the mini-program, and the desk sessions a phone sees.

1. The console asks for a login request: a code (in the QR, `<PUBLIC_BASE_URL>/l/<code>`) and a
   secret that only that console holds. Both live two minutes in the key-value store.
2. A staff member scans the QR with WeChat; the mini-program's confirm page confirms the code
   with their own mini-program token.
3. The console, polling with its secret, receives a desk token once; the request is then gone.

A photographed QR confirmed on someone else's phone gives the photographer nothing: the token
goes only to whoever holds the secret, which never leaves the console that asked.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from server import audit, auth
from server.accounts.models import AuthToken, User
from server.clock import now
from server.codes import qr_data_url
from server.db import MAX_ID
from server.errors import Conflict, Forbidden, NotFound, RateLimited, UpstreamUnavailable
from server.kv import KeyValueStore
from server.orgs.models import Role

LOGIN_SECONDS = 120
DESK_TOKEN_DAYS = 1  # besides the two idle hours (auth.DESK_IDLE)
REQUESTS_PER_MINUTE = 30  # per client address: a console asks again only when a QR expires


class LoginRequestGone(NotFound):
    code, message = "login_request_expired", "二维码已过期或已使用，请在电脑上刷新二维码"


class LoginSecretMismatch(Forbidden):
    code, message = "login_secret_mismatch", "这个登录请求不是这台电脑发起的"


class LoginAlreadyConfirmed(Conflict):
    code, message = "login_request_used", "这个二维码已经确认过了"


class DevLoginOff(NotFound):
    code, message = "dev_login_off", "只有演示模式（模拟微信）才能直接选择用户登录"


class DeskSessionNotFound(NotFound):
    code, message = "desk_session_not_found", "找不到该电脑登录"


class StoreRefused(UpstreamUnavailable):
    code, message = "login_store_unavailable", "登录服务暂时不可用，请稍后再试"


def _key(code: str) -> str:
    return f"desk:login:{code}"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_request(store: KeyValueStore, *, public_base_url: str, agent: str, client: str) -> dict:
    allowed, retry_after = await store.hit(f"rate:desk-login:{client}", REQUESTS_PER_MINUTE, 60)
    if not allowed:
        raise RateLimited(extra={"retry_after": retry_after})
    code, secret = secrets.token_urlsafe(16), secrets.token_urlsafe(32)
    state = {"secret": _digest(secret), "state": "pending", "user_id": None, "agent": agent[:200]}
    if not await store.set(_key(code), json.dumps(state), LOGIN_SECONDS, only_if_absent=True):
        raise StoreRefused()
    url = f"{public_base_url}/l/{code}"
    return {"code": code, "secret": secret, "url": url, "qr": await qr_data_url(url), "expires_in": LOGIN_SECONDS}


async def _load(store: KeyValueStore, code: str) -> dict:
    raw = await store.get(_key(code)) if len(code) <= 64 else None
    if raw is None:
        raise LoginRequestGone()
    return json.loads(raw)


async def _left(store: KeyValueStore, code: str) -> int:
    left = await store.ttl(_key(code))
    return max(1, int(left)) if left else 1


async def confirm(store: KeyValueStore, code: str, user: User) -> dict:
    """The phone's side: the signed-in user confirms that the console may log in as them."""
    request = await _load(store, code)
    if request["state"] != "pending" or not await store.set(_key(code) + ":confirm", "1", LOGIN_SECONDS,
                                                           only_if_absent=True):
        raise LoginAlreadyConfirmed()
    request.update(state="confirmed", user_id=user.id)
    await store.set(_key(code), json.dumps(request), await _left(store, code))
    await audit.record("desk.login_confirmed", actor=user, agent=request["agent"])
    return {"state": "confirmed", "agent": request["agent"]}


async def poll(store: KeyValueStore, code: str, secret: str | None) -> dict:
    """The console's side: pending, or the desk token, handed out exactly once."""
    request = await _load(store, code)
    if not secret or not hmac.compare_digest(request["secret"], _digest(secret)):
        raise LoginSecretMismatch()
    left = await _left(store, code)
    if request["state"] != "confirmed":
        return {"state": request["state"], "expires_in": left}
    if not await store.set(_key(code) + ":claimed", "1", LOGIN_SECONDS, only_if_absent=True):
        raise LoginRequestGone()  # two polls at once: the other one has the token
    await store.delete(_key(code))
    user = await User.get(id=request["user_id"])
    token = await auth.issue_token(user, DESK_TOKEN_DAYS, store, kind="desk", agent=request["agent"])
    await audit.record("desk.logged_in", actor=user, agent=request["agent"], via="qr")
    return {"state": "confirmed", "expires_in": left, "token": token}


# Demo logins (fake WeChat only): the users seed-demo made, whose openids start with "dev-".
async def dev_users(settings) -> list[dict]:
    if settings.wechat_mode != "fake":
        raise DevLoginOff()
    newest = await User.filter(openid__startswith="dev-").order_by("-id").limit(50)  # demo-crowd adds thousands
    users = sorted(newest, key=lambda u: u.id)
    roles = await Role.filter(user_id__in=[u.id for u in users]).values_list("user_id", "role", "org__name")
    label = {"admin": "管理员", "secretary": "书记"}
    held: dict[int, list[str]] = {}
    for user_id, role, org_name in roles:
        held.setdefault(user_id, []).append(f"{org_name}{label.get(role, role)}")
    return [{"key": u.openid.removeprefix("dev-"), "label": "、".join(held.get(u.id, [])) or "普通用户（无工作台权限）"}
            for u in users]


async def dev_login(settings, store: KeyValueStore, key: str, agent: str) -> str:
    if settings.wechat_mode != "fake":
        raise DevLoginOff()
    user = await User.get_or_none(openid=f"dev-{key}")
    if user is None:
        raise NotFound("找不到该演示用户")
    token = await auth.issue_token(user, DESK_TOKEN_DAYS, store, kind="desk", agent=agent)
    await audit.record("desk.logged_in", actor=user, agent=agent[:200], via="dev")
    return token


async def sessions(user: User) -> list[AuthToken]:
    moment = now()
    return await AuthToken.filter(user=user, kind="desk", revoked_at=None, expires_at__gt=moment,
                                  last_used_at__gt=moment - auth.DESK_IDLE).order_by("-last_used_at")


async def revoke_session(store: KeyValueStore, user: User, session_id: int) -> None:
    token = await AuthToken.get_or_none(id=session_id, user=user, kind="desk", revoked_at=None) \
        if 0 < session_id <= MAX_ID else None
    if token is None:
        raise DeskSessionNotFound()
    await auth.revoke_token_hash(token.token_hash, store)
    await audit.record("desk.session_revoked", actor=user, target=token)
