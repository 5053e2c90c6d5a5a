"""The WeChat gateway: the only module that talks to WeChat's server API.

Two implementations behind one interface:
- `RealWeChat` on wechatpy, through its client's public `get`/`post` (synchronous, so every
  call runs in a worker thread). The access token comes from getStableAccessToken
  (`POST /cgi-bin/stable_token`, normal mode) and lives in the shared key-value store; one
  caller at a time fetches it, across all workers, under a lock in the store. Every request has
  a timeout; an idempotent call that WeChat answers with "busy" (-1) or "too frequent" (45011)
  is tried again a bounded number of times with backoff.
- `FakeWeChat` for development and tests: `dev:<name>` logs in as WeChat user `dev-<name>`,
  and every other code is refused the way WeChat refuses it (errcode 40029).
"""
from __future__ import annotations

import abc
import asyncio
import logging
import re
import time
from dataclasses import dataclass

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from server.errors import DomainError
from server.kv import KeyValueStore
from server.observe import WECHAT_ERRORS, WECHAT_SECONDS

log = logging.getLogger("dangjian.wechat")


class WeChatCodeInvalid(DomainError):
    # An authentication failure: the login code is WeChat's proof of who is calling.
    status, code, message = 401, "wechat_code_invalid", "微信登录凭证无效或已使用，请重新打开小程序再试"


class WeChatLoginBlocked(DomainError):
    status, code, message = (403, "wechat_user_blocked",
                             "微信判断这个账号存在安全风险，暂时不能登录。请在微信里完成安全验证后再试")


class PhoneCodeInvalid(DomainError):
    status, code, message = 403, "phone_code_invalid", "手机号授权已失效，请重新点击获取手机号"


class WeChatRateLimited(DomainError):
    status, code, message = 429, "wechat_rate_limited", "微信接口调用太频繁，请一分钟后再试"


class WeChatBusy(DomainError):
    status, code, message = 503, "wechat_busy", "微信服务繁忙，请稍后再试"


class WeChatUnavailable(DomainError):
    """WeChat could not be reached, timed out, or answered something that is not its JSON."""
    status, code, message = 502, "wechat_unavailable", "暂时无法连接微信服务，请稍后再试"


class WeChatRefused(DomainError):
    """WeChat answered with an errcode this gateway does not turn into something more specific."""
    status, code, message = 502, "wechat_refused", "微信拒绝了这次请求，请稍后再试"

    def __init__(self, errcode: int, errmsg: str = "") -> None:
        super().__init__(extra={"wechat_errcode": errcode})
        self.errcode, self.errmsg = errcode, errmsg


# subscribeMessage.send refusals, kept on the reminder with what they mean.
SUBSCRIBE_ERRORS = {
    43101: "用户未订阅或这次订阅已用过",
    41030: "page 不是已发布小程序里的页面",
    47003: "模板参数不合规（如 thing 超过 20 个字）",
    40037: "模板 id 不正确",
    40003: "openid 不正确",
}
NOT_SUBSCRIBED = 43101
MINIPROGRAM_STATES = ("developer", "trial", "formal")


class SubscribeRefused(DomainError):
    status, code, message = 502, "wechat_subscribe_refused", "微信没有发送这条订阅消息"

    def __init__(self, errcode: int, errmsg: str = "") -> None:
        super().__init__(extra={"wechat_errcode": errcode})
        self.errcode, self.errmsg = errcode, errmsg

    @property
    def reason(self) -> str:
        """What the reminder row keeps: WeChat's errcode first, then what it means."""
        return f"{self.errcode} {SUBSCRIBE_ERRORS.get(self.errcode, self.errmsg)}"[:200]


@dataclass(frozen=True)
class WeChatSession:
    openid: str
    unionid: str | None = None


@dataclass(frozen=True)
class PhoneNumber:
    pure_phone: str  # without country code, e.g. 13800138000
    country_code: str


@dataclass(frozen=True)
class ContentVerdict:
    suggest: str  # pass | review | risky
    label: int = 100

    @property
    def passed(self) -> bool:
        return self.suggest == "pass"


class WeChatGateway(abc.ABC):
    @abc.abstractmethod
    async def code2session(self, code: str) -> WeChatSession: ...

    @abc.abstractmethod
    async def phone_number(self, code: str) -> PhoneNumber: ...

    @abc.abstractmethod
    async def send_subscribe_message(self, openid: str, template_id: str, data: dict, page: str | None = None) -> None:
        """Send one subscribe message; SubscribeRefused carries WeChat's errcode (43101: not subscribed)."""

    @abc.abstractmethod
    async def check_text(self, content: str, openid: str, scene: int = 2) -> ContentVerdict:
        """msg_sec_check v2. scene: 1 profile, 2 comment, 3 forum, 4 social log."""


# ---------------------------------------------------------------------------------------------
# Fake

_DEV_CODE = re.compile(r"^dev:([A-Za-z0-9_\-]{1,40})$")
_DEV_PHONE_CODE = re.compile(r"^dev-phone:(1[3-9][0-9]{9})$")
FAKE_RISKY_WORDS = ("赌博", "代开发票", "fake-risky")


class FakeWeChat(WeChatGateway):
    """Answers like WeChat does, errors included, without any network."""

    def __init__(self) -> None:
        self.sent: list[dict] = []  # subscribe messages, for development logs and tests

    async def code2session(self, code: str) -> WeChatSession:
        match = _DEV_CODE.match(code)
        if not match:
            raise WeChatCodeInvalid()
        return WeChatSession(openid=f"dev-{match.group(1)}")

    async def phone_number(self, code: str) -> PhoneNumber:
        match = _DEV_PHONE_CODE.match(code)
        if not match:
            raise PhoneCodeInvalid()
        return PhoneNumber(pure_phone=match.group(1), country_code="86")

    async def send_subscribe_message(self, openid, template_id, data, page=None) -> None:
        self.sent.append({"touser": openid, "template_id": template_id, "data": data, "page": page})
        log.info("fake subscribe message to %s: %s", openid, template_id)

    async def check_text(self, content, openid, scene=2) -> ContentVerdict:
        if any(word in content for word in FAKE_RISKY_WORDS):
            return ContentVerdict("risky", 20001)
        return ContentVerdict("pass", 100)


# ---------------------------------------------------------------------------------------------
# Real

# 40001 invalid credential (or not the latest), 40014 invalid token, 42001 expired token.
TOKEN_ERRORS = {40001, 40014, 42001}
BUSY, TOO_FREQUENT = -1, 45011
CODE_INVALID = {40029, 40163}  # invalid code, code already used
HIGH_RISK_USER = 40226
RETRY_DELAYS = (0.2, 0.6)  # an idempotent call is tried at most 1 + len(RETRY_DELAYS) times


class _StoreBridge(SessionStorage):
    """wechatpy's session storage on our async key-value store, shared by all workers.

    wechatpy calls it from a worker thread; each call is handed to the event loop and waited
    on for a bounded time."""

    def __init__(self, store: KeyValueStore, loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        self._store, self._loop, self._timeout = store, loop, timeout

    def _run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=self._timeout)

    def get(self, key, default=None):
        value = self._run(self._store.get(f"wechat:{key}"))
        return default if value is None else value

    def set(self, key, value, ttl=None):
        self._run(self._store.set(f"wechat:{key}", value, ttl))

    def delete(self, key):
        self._run(self._store.delete(f"wechat:{key}"))

    def claim(self, key, ttl) -> bool:
        """Set only if absent: the lock that lets one caller fetch the token at a time."""
        return bool(self._run(self._store.set(f"wechat:{key}", "1", ttl, only_if_absent=True)))


class _Client(WeChatClient):
    """wechatpy's client on a configurable API base (a stand-in server in tests) whose token
    comes from getStableAccessToken in normal mode, fetched by one caller at a time."""

    def __init__(self, appid, secret, *, base_url: str, session: _StoreBridge, timeout: float) -> None:
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = base_url + "/"

    @property
    def lock_key(self) -> str:
        return f"{self.appid}_access_token_lock"

    def token(self) -> str:
        return self.session.get(self.access_token_key) or self.fetch_access_token()["access_token"]

    def fetch_access_token(self) -> dict:
        # Wait up to one timeout for whoever holds the lock to store the token; past that, fetch
        # anyway: normal mode hands every caller the same token, so a second fetch costs only a
        # call of the daily quota (and a store that is down cannot hold a lock at all).
        deadline = time.monotonic() + self.timeout
        while True:
            token = self.session.get(self.access_token_key)
            if token:
                return {"access_token": token}
            if self.session.claim(self.lock_key, ttl=self.timeout * 3):
                try:
                    token = self.session.get(self.access_token_key)  # stored while we asked for the lock
                    return {"access_token": token} if token else self._fetch_stable_token()
                finally:
                    self.session.delete(self.lock_key)
            if time.monotonic() >= deadline:
                return self._fetch_stable_token()
            time.sleep(0.05)

    def _fetch_stable_token(self) -> dict:
        log.info("fetching WeChat's stable access token")
        # params as a list, not a dict: wechatpy adds an access token to dict params only.
        result = with_retries(lambda: self.post(
            "cgi-bin/stable_token", params=[],
            data={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret,
                  "force_refresh": False}))  # never force: it is limited to 20 a day and kills the old token
        # Stop using a token a minute before WeChat does (normal mode renews in the last 5 minutes).
        ttl = max(int(result.get("expires_in", 7200)) - 60, 1)
        self.session.set(self.access_token_key, result["access_token"], ttl)
        return result

    def drop_token(self, stale: str) -> None:
        """WeChat refused `stale`: forget it unless another caller has already replaced it."""
        if self.session.get(self.access_token_key) == stale:
            self.session.delete(self.access_token_key)


def with_retries(call):
    """Run an idempotent call; on WeChat's "busy" (-1) or "too frequent" (45011), wait and try again."""
    for delay in (*RETRY_DELAYS, None):
        try:
            return call()
        except WeChatClientException as exc:
            if exc.errcode not in (BUSY, TOO_FREQUENT) or delay is None:
                raise
            log.info("WeChat answered %s, trying again in %.1f s", exc.errcode, delay)
            time.sleep(delay)


class RealWeChat(WeChatGateway):
    def __init__(self, appid: str, secret: str, store: KeyValueStore, *, base_url: str, timeout: float = 5.0,
                 miniprogram_state: str = "formal") -> None:
        self._appid, self._secret, self._store = appid, secret, store
        self._base_url, self._timeout, self._state = base_url, timeout, miniprogram_state
        self._client: _Client | None = None

    def _get_client(self) -> _Client:
        # Built on first use, inside the running loop, so the storage bridge can reach it.
        if self._client is None:
            bridge = _StoreBridge(self._store, asyncio.get_running_loop(), timeout=self._timeout)
            self._client = _Client(self._appid, self._secret, base_url=self._base_url, session=bridge,
                                   timeout=self._timeout)
        return self._client

    async def _call(self, method: str, path: str, *, with_token: bool = True, idempotent: bool = False,
                    params: dict | list | None = None, data: dict | None = None) -> dict:
        client = self._get_client()

        def attempt():
            return self._with_token(client, method, path, params, data) if with_token else \
                self._checked(getattr(client, method)(path, params=params or [], data=data), path)

        started = time.perf_counter()
        try:
            return await asyncio.to_thread(with_retries if idempotent else _once, attempt)
        except WeChatClientException as exc:
            WECHAT_ERRORS.labels(path, str(exc.errcode if exc.errcode is not None else "http")).inc()
            raise self._translate(exc, path) from exc
        except (requests.RequestException, TimeoutError) as exc:  # TimeoutError: the store bridge
            WECHAT_ERRORS.labels(path, "unreachable").inc()
            log.warning("WeChat %s unreachable: %s", path, exc.__class__.__name__)
            raise WeChatUnavailable() from exc
        finally:
            WECHAT_SECONDS.labels(path).observe(time.perf_counter() - started)

    def _with_token(self, client: _Client, method: str, path: str, params, data) -> dict:
        send = getattr(client, method)
        token = client.token()
        try:
            return self._checked(send(path, params={**(params or {}), "access_token": token}, data=data), path)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            # Refused token (another fetch replaced it, or it expired early): forget it, get the
            # current one in normal mode (never force_refresh) and try once more.
            log.info("WeChat refused the access token (%s), fetching the current one", exc.errcode)
            client.drop_token(token)
            return self._checked(send(path, params={**(params or {}), "access_token": client.token()}, data=data),
                                 path)

    @staticmethod
    def _checked(result, path: str) -> dict:
        if not isinstance(result, dict):  # wechatpy hands back the raw response when it is not JSON
            log.warning("WeChat %s answered something that is not JSON", path)
            raise WeChatUnavailable()
        return result

    @staticmethod
    def _translate(exc: WeChatClientException, path: str) -> DomainError:
        errcode = exc.errcode
        log.warning("WeChat %s answered errcode=%s errmsg=%s", path, errcode, exc.errmsg)
        if errcode is None:  # an HTTP error status, not WeChat's JSON
            return WeChatUnavailable()
        if errcode == BUSY:
            return WeChatBusy()
        if errcode == TOO_FREQUENT:
            return WeChatRateLimited()
        return WeChatRefused(errcode, str(exc.errmsg or ""))

    async def code2session(self, code: str) -> WeChatSession:
        # No access token here (appid + secret instead), and a code is single-use: never retried.
        try:
            result = await self._call(
                "get", "sns/jscode2session", with_token=False,
                params=[("appid", self._appid), ("secret", self._secret), ("js_code", code),
                        ("grant_type", "authorization_code")],
            )
        except WeChatRefused as exc:
            if exc.errcode == HIGH_RISK_USER:
                raise WeChatLoginBlocked() from exc
            if exc.errcode in CODE_INVALID:
                raise WeChatCodeInvalid() from exc
            raise
        return WeChatSession(openid=result["openid"], unionid=result.get("unionid"))

    async def phone_number(self, code: str) -> PhoneNumber:
        try:
            result = await self._call("post", "wxa/business/getuserphonenumber", data={"code": code})
        except WeChatRefused as exc:
            if exc.errcode in CODE_INVALID:
                raise PhoneCodeInvalid() from exc
            raise
        info = result["phone_info"]
        return PhoneNumber(pure_phone=info["purePhoneNumber"], country_code=str(info["countryCode"]))

    async def send_subscribe_message(self, openid, template_id, data, page=None) -> None:
        body = {"touser": openid, "template_id": template_id, "data": data, "miniprogram_state": self._state,
                "lang": "zh_CN"}
        if page:
            body["page"] = page
        try:
            await self._call("post", "cgi-bin/message/subscribe/send", data=body)  # not idempotent: no retry
        except WeChatRefused as exc:
            raise SubscribeRefused(exc.errcode, exc.errmsg) from exc

    async def check_text(self, content, openid, scene=2) -> ContentVerdict:
        # Version 2 answers errcode 0 even for risky text: the verdict is in result.suggest.
        result = await self._call("post", "wxa/msg_sec_check", idempotent=True,
                                  data={"content": content, "version": 2, "scene": scene, "openid": openid})
        verdict = result.get("result") or {}
        return ContentVerdict(suggest=verdict.get("suggest", "review"), label=int(verdict.get("label", 100)))


def _once(call):
    return call()


def make_gateway(settings, store: KeyValueStore) -> WeChatGateway:
    if settings.wechat_mode == "real":
        return RealWeChat(
            settings.wechat_appid, settings.wechat_secret, store, base_url=settings.wechat_api_base,
            timeout=settings.wechat_timeout, miniprogram_state=settings.wechat_miniprogram_state,
        )
    return FakeWeChat()


async def send_once(gateway: "WeChatGateway", template_id: str, openid: str | None, data: dict, page: str) -> tuple[str, str]:
    """One subscribe message against a one-time permission: (status, error). "pending": WeChat was
    busy or limited and nothing was sent (try again another day); "skipped": no login, or the
    user did not allow it (43101); "failed": refused otherwise, or no answer (it may have arrived,
    so it is not sent again)."""
    if not openid:
        return "skipped", "no WeChat login"
    try:
        await gateway.send_subscribe_message(openid, template_id, data, page=page)
    except SubscribeRefused as exc:
        return ("skipped" if exc.errcode == NOT_SUBSCRIBED else "failed"), exc.reason
    except (WeChatBusy, WeChatRateLimited) as exc:
        return "pending", exc.code
    except DomainError as exc:
        return "failed", exc.code
    return "sent", ""

