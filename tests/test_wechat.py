"""The WeChat gateway: the fake answers like WeChat; the real one is tested over HTTP against a
stand-in server as strict as WeChat's documentation (tests/wechat_standin.py)."""
import asyncio
import time

import pytest

from server.accounts import service as accounts
from server.config import Settings
from server.kv import MemoryStore, RedisStore
from server.wechat import (
    FakeWeChat, PhoneCodeInvalid, RealWeChat, SubscribeRefused, WeChatBusy, WeChatCodeInvalid, WeChatLoginBlocked,
    WeChatRateLimited, WeChatRefused, WeChatUnavailable, make_gateway,
)
from tests.conftest import fresh_redis, redis_test_url
from tests.wechat_standin import TEMPLATE, StandIn

STABLE = "/cgi-bin/stable_token"
PHONE = "/wxa/business/getuserphonenumber"
CHECK = "/wxa/msg_sec_check"
SEND = "/cgi-bin/message/subscribe/send"
LOGIN = "/sns/jscode2session"


@pytest.fixture
def standin():
    with StandIn() as server:
        yield server


def gateway(standin, store=None, appid="wxappid", timeout=5.0, state="formal"):
    return RealWeChat(appid, "wxsecret", store or MemoryStore(), base_url=standin.base_url, timeout=timeout,
                      miniprogram_state=state)


# --- fake ---------------------------------------------------------------------------------------

async def test_fake_logs_dev_codes_in_and_refuses_others_like_wechat():
    fake = FakeWeChat()
    assert (await fake.code2session("dev:secretary1")).openid == "dev-secretary1"
    with pytest.raises(WeChatCodeInvalid) as exc:
        await fake.code2session("081abcDEF")
    assert exc.value.code == "wechat_code_invalid" and exc.value.status == 401
    assert (await fake.phone_number("dev-phone:13812345678")).pure_phone == "13812345678"
    with pytest.raises(PhoneCodeInvalid):
        await fake.phone_number("anything")
    with pytest.raises(PhoneCodeInvalid):
        await fake.phone_number("dev-phone:1３812345678")  # a full-width digit is not a digit here
    assert not (await fake.check_text("代开发票 请联系", "o")).passed
    assert (await fake.check_text("服务很好", "o")).passed


# --- login ----------------------------------------------------------------------------------------

async def test_code2session_returns_openid_without_any_access_token(standin):
    session = await gateway(standin).code2session("good-abc")
    assert session.openid == "o-abc" and session.unionid == "u-1"
    assert standin.stable_fetches == 0 and standin.legacy_fetches == 0


async def test_a_login_code_works_once(standin):
    gw = gateway(standin)
    await gw.code2session("good-once")
    with pytest.raises(WeChatCodeInvalid) as exc:  # WeChat: 40163 code been used
        await gw.code2session("good-once")
    assert exc.value.status == 401


@pytest.mark.parametrize("code, error, status", [
    ("bad", WeChatCodeInvalid, 401),
    ("risky-abc", WeChatLoginBlocked, 403),
    ("limit", WeChatRateLimited, 429),
    ("busy", WeChatBusy, 503),
])
async def test_code2session_errors_become_domain_errors_and_codes_are_never_retried(standin, code, error, status):
    with pytest.raises(error) as exc:
        await gateway(standin).code2session(code)
    assert exc.value.status == status
    assert standin.calls_to(LOGIN) == 1  # a code is single-use: trying it again cannot help


async def test_a_high_risk_user_is_told_so_and_not_counted_as_a_failed_login(standin):
    store, gw = MemoryStore(), gateway(standin)
    settings = Settings(login_rate_limit=1000)
    for _ in range(25):  # more than the failed-login limit
        with pytest.raises(WeChatLoginBlocked) as exc:
            await accounts.login("risky-x", client="10.1.1.1", gateway=gw, store=store, settings=settings)
    assert "安全风险" in exc.value.message
    assert await store.get("rate:login-failed:10.1.1.1") is None


# --- access token ---------------------------------------------------------------------------------

async def test_tokens_come_from_stable_token_in_normal_mode_and_never_the_legacy_call(standin):
    gw = gateway(standin)
    await gw.phone_number("phone-ok")
    assert standin.stable_fetches == 1 and standin.legacy_fetches == 0
    _, _, body = [c for c in standin.calls if c[0] == STABLE][0]
    assert body == {"grant_type": "client_credential", "appid": "wxappid", "secret": "wxsecret", "force_refresh": False}


async def test_twenty_concurrent_calls_on_a_cold_gateway_fetch_the_token_once(standin):
    standin.slow[STABLE] = 0.3  # a fetch that takes a while, so the callers really overlap
    gw = gateway(standin)
    verdicts = await asyncio.gather(*[gw.check_text(f"第{i}条", "o-1") for i in range(20)])
    assert all(v.passed for v in verdicts)
    assert standin.stable_fetches == 1


async def test_workers_share_one_token_and_fetch_it_once_through_redis(standin):
    # Gateways with their own Redis connections stand for worker processes, all cold at once.
    url = await fresh_redis(redis_test_url("wechat"))
    stores = [RedisStore(url) for _ in range(3)]
    standin.slow[STABLE] = 0.3
    try:
        gateways = [gateway(standin, store) for store in stores]
        await asyncio.gather(*[gw.check_text("a", "o") for gw in gateways for _ in range(5)])
        assert standin.stable_fetches == 1
        # The token dies; one worker's refusal refetches it and the others pick it up.
        standin.expire_all_tokens()
        await asyncio.gather(*[gw.check_text("b", "o") for gw in gateways])
        assert standin.stable_fetches <= 2 and standin.forced_refreshes == 0
    finally:
        for store in stores:
            await store.close()


@pytest.mark.parametrize("use_42001", [False, True])
async def test_a_refused_token_is_refetched_without_force_and_the_call_retried_once(standin, use_42001):
    gw = gateway(standin)
    await gw.phone_number("phone-ok")
    standin.used_codes.clear()
    standin.expire_with_42001 = use_42001
    standin.expire_all_tokens()  # WeChat invalidated our token
    number = await gw.phone_number("phone-ok")
    assert number.pure_phone == "13812345678"
    assert standin.stable_fetches == 2 and standin.forced_refreshes == 0
    assert standin.calls_to(PHONE) == 3  # first, refused, retried


async def test_a_token_refused_twice_fails_instead_of_looping(standin):
    standin.refuse_every_token = True
    with pytest.raises(WeChatRefused) as exc:
        await gateway(standin).phone_number("phone-ok")
    assert exc.value.extra["wechat_errcode"] == 40001
    assert standin.calls_to(PHONE) == 2  # one retry, not more
    assert standin.forced_refreshes == 0


# --- timeouts and retries ---------------------------------------------------------------------------

@pytest.mark.parametrize("slow_path", [STABLE, PHONE])
async def test_a_hanging_wechat_fails_within_the_timeout(standin, slow_path):
    standin.slow[slow_path] = 8
    started = time.monotonic()
    with pytest.raises(WeChatUnavailable):
        await gateway(standin, timeout=1).phone_number("phone-ok")
    assert time.monotonic() - started < 4  # the token fetch has its timeout too


async def test_the_configured_timeout_reaches_the_gateway(standin):
    settings = Settings.from_env({"DANGJIAN_WECHAT_MODE": "real", "DANGJIAN_WECHAT_APPID": "wxappid",
                                  "DANGJIAN_WECHAT_SECRET": "wxsecret", "DANGJIAN_WECHAT_TIMEOUT": "1",
                                  "DANGJIAN_WECHAT_API_BASE": standin.base_url})
    standin.slow[CHECK] = 8
    started = time.monotonic()
    with pytest.raises(WeChatUnavailable):
        await make_gateway(settings, MemoryStore()).check_text("x", "o-1")
    assert time.monotonic() - started < 6  # three bounded tries of 1 s, not 8 s


async def test_idempotent_calls_are_retried_on_busy_and_rate_limit(standin):
    gw = gateway(standin)
    standin.fail_next[STABLE] = [-1]
    standin.fail_next[CHECK] = [-1, 45011]
    assert (await gw.check_text("你好", "o-1")).passed
    assert standin.calls_to(CHECK) == 3 and standin.calls_to(STABLE) == 2
    standin.fail_next[CHECK] = [-1, -1, -1, -1]
    with pytest.raises(WeChatBusy):
        await gw.check_text("你好", "o-1")
    assert standin.calls_to(CHECK) == 6  # bounded: three tries, then the error


async def test_a_subscribe_message_is_never_sent_twice_by_a_retry(standin):
    standin.grant("o-1")
    standin.fail_next[SEND] = [-1]
    with pytest.raises(WeChatBusy):
        await gateway(standin).send_subscribe_message("o-1", TEMPLATE, {"thing1": {"value": "会"}})
    assert standin.calls_to(SEND) == 1


# --- other calls ----------------------------------------------------------------------------------

async def test_phone_number_by_code_and_a_used_code_refused(standin):
    gw = gateway(standin)
    number = await gw.phone_number("phone-ok")
    assert (number.pure_phone, number.country_code) == ("13812345678", "86")  # countryCode came as a number
    with pytest.raises(PhoneCodeInvalid):
        await gw.phone_number("phone-ok")
    with pytest.raises(PhoneCodeInvalid):
        await gw.phone_number("stale")


async def test_wrong_credentials_keep_wechats_errcode():
    with StandIn() as standin:
        with pytest.raises(WeChatRefused) as exc:
            await gateway(standin, appid="wrong").phone_number("phone-ok")
    assert exc.value.extra["wechat_errcode"] == 40013


async def test_unreachable_wechat_is_unavailable():
    gw = RealWeChat("wxappid", "wxsecret", MemoryStore(), base_url="http://127.0.0.1:9", timeout=2)
    with pytest.raises(WeChatUnavailable):
        await gw.code2session("good-x")


async def test_msg_sec_check_v2_reads_suggest_not_errcode(standin):
    gw = gateway(standin)
    risky = await gw.check_text("这里可以赌博", "o-1")
    assert risky.suggest == "risky" and not risky.passed  # errcode was 0
    review = await gw.check_text("这条待人工看看", "o-1")
    assert review.suggest == "review" and not review.passed
    assert (await gw.check_text("老板服务热情", "o-1")).passed
    _, _, body = [c for c in standin.calls if c[0] == CHECK][0]
    assert body["version"] == 2 and body["openid"] == "o-1" and body["scene"] == 2


async def test_subscribe_messages_are_refused_as_wechat_refuses_them(standin):
    gw = gateway(standin, state="trial")
    data = {"thing1": {"value": "支部党员大会"}}
    with pytest.raises(SubscribeRefused) as no_consent:
        await gw.send_subscribe_message("o-1", TEMPLATE, data, page="pages/activity/index?id=1")
    standin.grant("o-1")
    with pytest.raises(SubscribeRefused) as bad_page:
        await gw.send_subscribe_message("o-1", TEMPLATE, data, page="pages/activity/detail?id=1")
    with pytest.raises(SubscribeRefused) as too_long:
        await gw.send_subscribe_message("o-1", TEMPLATE, {"thing1": {"value": "二十一个字" * 5}})
    with pytest.raises(SubscribeRefused) as unknown_template:
        await gw.send_subscribe_message("o-1", "tpl-nobody-made", data)
    await gw.send_subscribe_message("o-1", TEMPLATE, data, page="pages/activity/index?id=1")
    with pytest.raises(SubscribeRefused) as consent_used:  # one consent, one message
        await gw.send_subscribe_message("o-1", TEMPLATE, data, page="pages/activity/index?id=1")
    assert [e.value.errcode for e in (no_consent, bad_page, too_long, unknown_template, consent_used)] == \
        [43101, 41030, 47003, 40037, 43101]
    assert bad_page.value.reason.startswith("41030 ")
    [delivered] = standin.delivered
    assert delivered["miniprogram_state"] == "trial" and delivered["page"] == "pages/activity/index?id=1"
