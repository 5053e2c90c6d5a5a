"""The WeChat gateway: the only module that talks to WeChat's server API.

Two implementations behind one interface:
- `RealWeChat` on wechatpy (synchronous, so every call runs in a worker thread). The access
  token lives in the shared key-value store, so several workers use one token instead of
  each fetching its own and invalidating the others'.
- `FakeWeChat` for development and tests: `dev:<name>` logs in as WeChat user `dev-<name>`,
  and every other code is refused the way WeChat refuses it (errcode 40029).
"""
from __future__ import annotations

import abc
import asyncio
import logging
import re
from dataclasses import dataclass

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from server.errors import DomainError
from server.kv import KeyValueStore

log = logging.getLogger("dangjian.wechat")


class WeChatCodeInvalid(DomainError):
    status, code, message = 400, "wechat_code_invalid", "微信登录凭证无效或已使用，请重新打开小程序再试"


class PhoneCodeInvalid(DomainError):
    status, code, message = 400, "phone_code_invalid", "手机号授权已失效，请重新点击获取手机号"


class WeChatRateLimited(DomainError):
    status, code, message = 429, "wechat_rate_limited", "微信接口调用太频繁，请一分钟后再试"


class WeChatBusy(DomainError):
    status, code, message = 503, "wechat_busy", "微信服务繁忙，请稍后再试"


class WeChatUnavailable(DomainError):
    status, code, message = 502, "wechat_unavailable", "暂时无法连接微信服务，请稍后再试"


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
    async def send_subscribe_message(self, openid: str, template_id: str, data: dict, page: str | None = None) -> bool:
        """Send one subscribe message. False when the user has not (or no longer) subscribed."""

    @abc.abstractmethod
    async def check_text(self, content: str, openid: str, scene: int = 2) -> ContentVerdict:
        """msg_sec_check v2. scene: 1 profile, 2 comment, 3 forum, 4 social log."""


# ---------------------------------------------------------------------------------------------
# Fake

_DEV_CODE = re.compile(r"^dev:([A-Za-z0-9_\-]{1,40})$")
_DEV_PHONE_CODE = re.compile(r"^dev-phone:(1[3-9]\d{9})$")
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

    async def send_subscribe_message(self, openid, template_id, data, page=None) -> bool:
        self.sent.append({"touser": openid, "template_id": template_id, "data": data, "page": page})
        log.info("fake subscribe message to %s: %s", openid, template_id)
        return True

    async def check_text(self, content, openid, scene=2) -> ContentVerdict:
        if any(word in content for word in FAKE_RISKY_WORDS):
            return ContentVerdict("risky", 20001)
        return ContentVerdict("pass", 100)


# ---------------------------------------------------------------------------------------------
# Real

# 40001 invalid credential, 40014 invalid token, 42001 expired token: refresh and retry once.
TOKEN_ERRORS = {40001, 40014, 42001}
CODE_ERRORS = {40029, 40163, 40226}  # invalid code, code already used, high-risk user
NOT_SUBSCRIBED = 43101


class _SharedTokenStorage(SessionStorage):
    """wechatpy's session storage, backed by our async key-value store.

    wechatpy calls it from a worker thread; each call is handed to the event loop and waited on.
    """

    def __init__(self, store: KeyValueStore, loop: asyncio.AbstractEventLoop) -> None:
        self._store, self._loop = store, loop

    def _run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    def get(self, key, default=None):
        value = self._run(self._store.get(f"wechat:{key}"))
        return default if value is None else value

    def set(self, key, value, ttl=None):
        # Keep a minute's margin so no worker uses a token in its last seconds.
        ttl = max(int(ttl) - 60, 1) if ttl else None
        self._run(self._store.set(f"wechat:{key}", value, ttl))

    def delete(self, key):
        self._run(self._store.delete(f"wechat:{key}"))


class _Client(WeChatClient):
    """wechatpy's client pointed at a configurable API base (a stand-in server in tests)."""

    def __init__(self, appid, secret, base_url, session, timeout):
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)
        self.base_url = base_url
        self.API_BASE_URL = base_url + "/"

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=f"{self.base_url}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


class RealWeChat(WeChatGateway):
    def __init__(self, appid: str, secret: str, store: KeyValueStore, *, base_url: str, timeout: float = 5.0) -> None:
        self._appid, self._secret, self._store = appid, secret, store
        self._base_url, self._timeout = base_url, timeout
        self._client: _Client | None = None

    def _get_client(self) -> _Client:
        # Built on first use, inside the running loop, so the storage bridge can reach it.
        if self._client is None:
            storage = _SharedTokenStorage(self._store, asyncio.get_running_loop())
            self._client = _Client(self._appid, self._secret, self._base_url, storage, self._timeout)
        return self._client

    async def _call(self, method: str, path: str, *, with_token: bool = True, **kwargs) -> dict:
        client = self._get_client()
        return await asyncio.to_thread(self._call_sync, client, method, path, with_token, kwargs)

    def _call_sync(self, client: _Client, method: str, path: str, with_token: bool, kwargs: dict) -> dict:
        try:
            return self._attempt(client, method, path, with_token, kwargs, retry=with_token)
        except WeChatClientException as exc:
            raise self._translate(exc, path) from exc
        except requests.RequestException as exc:
            log.warning("WeChat %s unreachable: %s", path, exc)
            raise WeChatUnavailable() from exc

    def _attempt(self, client: _Client, method: str, path: str, with_token: bool, kwargs: dict, *, retry: bool) -> dict:
        params = dict(kwargs.get("params", {}))
        # wechatpy adds an access token unless the key is present; requests drops None values.
        used_token = client.access_token if with_token else None
        params["access_token"] = used_token
        try:
            result = client._request(method, f"{self._base_url}/{path}", params=params, data=kwargs.get("data"))
        except WeChatClientException as exc:
            if retry and exc.errcode in TOKEN_ERRORS:
                self._refresh_token(client, used_token)
                return self._attempt(client, method, path, with_token, kwargs, retry=False)
            raise
        if not isinstance(result, dict):  # wechatpy hands back the raw response when it is not JSON
            log.warning("WeChat %s answered something that is not JSON", path)
            raise WeChatUnavailable()
        return result

    @staticmethod
    def _refresh_token(client: _Client, stale: str | None) -> None:
        # Another worker may already have replaced the token we were refused with: use theirs
        # rather than fetching again (each fetch shortens the life of everyone else's token).
        current = client.session.get(client.access_token_key)
        if current and current != stale:
            return
        log.info("WeChat access token refused, fetching a new one")
        client.fetch_access_token()

    @staticmethod
    def _translate(exc: WeChatClientException, path: str) -> DomainError:
        errcode = exc.errcode
        log.warning("WeChat %s answered errcode=%s errmsg=%s", path, errcode, exc.errmsg)
        if errcode == -1:
            return WeChatBusy()
        if errcode == 45011:
            return WeChatRateLimited()
        return WeChatUnavailable(extra={"wechat_errcode": errcode})

    async def code2session(self, code: str) -> WeChatSession:
        try:
            result = await self._call(
                "get", "sns/jscode2session", with_token=False,
                params={"appid": self._appid, "secret": self._secret, "js_code": code, "grant_type": "authorization_code"},
            )
        except WeChatUnavailable as exc:
            if exc.extra.get("wechat_errcode") in CODE_ERRORS:
                raise WeChatCodeInvalid() from exc
            raise
        return WeChatSession(openid=result["openid"], unionid=result.get("unionid"))

    async def phone_number(self, code: str) -> PhoneNumber:
        try:
            result = await self._call("post", "wxa/business/getuserphonenumber", data={"code": code})
        except WeChatUnavailable as exc:
            if exc.extra.get("wechat_errcode") in CODE_ERRORS:
                raise PhoneCodeInvalid() from exc
            raise
        info = result["phone_info"]
        return PhoneNumber(pure_phone=info["purePhoneNumber"], country_code=str(info["countryCode"]))

    async def send_subscribe_message(self, openid, template_id, data, page=None) -> bool:
        body = {"touser": openid, "template_id": template_id, "data": data}
        if page:
            body["page"] = page
        try:
            await self._call("post", "cgi-bin/message/subscribe/send", data=body)
        except WeChatUnavailable as exc:
            if exc.extra.get("wechat_errcode") == NOT_SUBSCRIBED:
                return False
            raise
        return True

    async def check_text(self, content, openid, scene=2) -> ContentVerdict:
        # Version 2 answers errcode 0 even for risky text: the verdict is in result.suggest.
        result = await self._call(
            "post", "wxa/msg_sec_check", data={"content": content, "version": 2, "scene": scene, "openid": openid}
        )
        verdict = result.get("result") or {}
        return ContentVerdict(suggest=verdict.get("suggest", "review"), label=int(verdict.get("label", 100)))


def make_gateway(settings, store: KeyValueStore) -> WeChatGateway:
    if settings.wechat_mode == "real":
        return RealWeChat(
            settings.wechat_appid, settings.wechat_secret, store,
            base_url=settings.wechat_api_base, timeout=settings.wechat_timeout,
        )
    return FakeWeChat()
