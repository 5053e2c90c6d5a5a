"""The WeChat gateway: the fake answers like WeChat; the real one is tested over HTTP against
a stand-in server on loopback."""
import asyncio

import pytest

from server.kv import MemoryStore, RedisStore
from server.wechat import (
    FakeWeChat, PhoneCodeInvalid, RealWeChat, WeChatBusy, WeChatCodeInvalid, WeChatRateLimited, WeChatUnavailable,
)
from tests.conftest import REDIS_TEST_URL, fresh_redis
from tests.wechat_standin import StandIn


@pytest.fixture
def standin():
    with StandIn() as server:
        yield server


def gateway(standin, store=None, appid="wxappid"):
    return RealWeChat(appid, "wxsecret", store or MemoryStore(), base_url=standin.base_url, timeout=5)


# --- fake ---------------------------------------------------------------------------------------

async def test_fake_logs_dev_codes_in_and_refuses_others_like_wechat():
    fake = FakeWeChat()
    assert (await fake.code2session("dev:secretary1")).openid == "dev-secretary1"
    with pytest.raises(WeChatCodeInvalid) as exc:
        await fake.code2session("081abcDEF")
    assert exc.value.code == "wechat_code_invalid" and exc.value.status == 400
    assert (await fake.phone_number("dev-phone:13812345678")).pure_phone == "13812345678"
    with pytest.raises(PhoneCodeInvalid):
        await fake.phone_number("anything")
    assert not (await fake.check_text("代开发票 请联系", "o")).passed
    assert (await fake.check_text("服务很好", "o")).passed


# --- real, against the stand-in ------------------------------------------------------------------

async def test_code2session_returns_openid_without_fetching_a_token(standin):
    session = await gateway(standin).code2session("good-abc")
    assert session.openid == "o-abc" and session.unionid == "u-1"
    assert standin.token_fetches == 0  # jscode2session needs appid+secret, not an access token


@pytest.mark.parametrize("code, error, status", [
    ("bad", WeChatCodeInvalid, 400),
    ("limit", WeChatRateLimited, 429),
    ("busy", WeChatBusy, 503),
])
async def test_code2session_errors_become_domain_errors(standin, code, error, status):
    with pytest.raises(error) as exc:
        await gateway(standin).code2session(code)
    assert exc.value.status == status


async def test_phone_number_by_code(standin):
    gw = gateway(standin)
    number = await gw.phone_number("phone-ok")
    assert (number.pure_phone, number.country_code) == ("13812345678", "86")
    with pytest.raises(PhoneCodeInvalid):
        await gw.phone_number("stale")


@pytest.mark.parametrize("use_42001", [False, True])
async def test_expired_token_is_refreshed_and_the_call_retried_once(standin, use_42001):
    gw = gateway(standin)
    await gw.phone_number("phone-ok")
    assert standin.token_fetches == 1
    standin.expire_with_42001 = use_42001
    standin.expire_all_tokens()  # WeChat invalidated our token (another fetch, or it expired)
    number = await gw.phone_number("phone-ok")
    assert number.pure_phone == "13812345678"
    assert standin.token_fetches == 2
    assert standin.calls_to("/wxa/business/getuserphonenumber") == 3  # first, refused, retried


async def test_a_token_refused_twice_fails_instead_of_looping(standin):
    standin.refuse_every_token = True
    with pytest.raises(WeChatUnavailable):
        await gateway(standin).phone_number("phone-ok")
    assert standin.calls_to("/wxa/business/getuserphonenumber") == 2  # one retry, not more
    assert standin.token_fetches == 2


async def test_wrong_credentials_fail_cleanly(standin):
    with pytest.raises(WeChatUnavailable) as exc:
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
    assert (await gw.check_text("老板服务热情", "o-1")).passed
    _, _, body = [c for c in standin.calls if c[0] == "/wxa/msg_sec_check"][0]
    assert body["version"] == 2 and body["openid"] == "o-1"


async def test_subscribe_message(standin):
    gw = gateway(standin)
    assert await gw.send_subscribe_message("o-1", "tpl", {"thing1": {"value": "支部党员大会"}}, page="pages/a") is True
    assert await gw.send_subscribe_message("unsubscribed", "tpl", {}) is False


async def test_workers_share_one_access_token_through_redis(standin):
    # Two gateways with their own Redis connections stand for two worker processes.
    url = await fresh_redis(REDIS_TEST_URL.rsplit("/", 1)[0] + "/13")
    stores = [RedisStore(url), RedisStore(url)]
    try:
        first, second = gateway(standin, stores[0]), gateway(standin, stores[1])
        await asyncio.gather(first.check_text("a", "o"))
        await asyncio.gather(*[second.check_text("b", "o") for _ in range(5)])
        assert standin.token_fetches == 1  # the second worker used the first one's token
        # One worker refreshes after expiry; the other picks up the new token without fetching.
        standin.expire_all_tokens()
        await first.check_text("c", "o")
        await second.check_text("d", "o")
        assert standin.token_fetches == 2
    finally:
        for store in stores:
            await store.close()
