"""Request ids, JSON log lines, metrics and readiness, in-process (the e2e tests check them on
real server processes, two workers included)."""
import gc
import io
import json
import logging
import re

from server import heap
from server.observe import REQUEST_ID, JsonFormatter, RequestIdFilter
from tests.factories import make_activity


async def test_every_response_carries_a_request_id_and_a_well_formed_one_is_kept(world):
    async with world.client() as c:
        fresh = await c.get("/healthz")
        kept = await c.get("/api/v1/me", headers={"X-Request-ID": "nginx-1234abcd"})
        hostile = await c.get("/healthz", headers={"X-Request-ID": "bad id\\r\\n<script>"})
        not_found = await c.get("/no/such/page")
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["x-request-id"])
    assert kept.headers["x-request-id"] == "nginx-1234abcd" and kept.status_code == 401
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["x-request-id"])
    assert re.fullmatch(r"[0-9a-f]{32}", not_found.headers["x-request-id"])


def test_json_log_lines_carry_the_request_id_and_extra_fields():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("dangjian.test-json")
    logger.addHandler(handler)
    logger.propagate = False
    token = REQUEST_ID.set("req-abcdef12")
    try:
        logger.warning("签到 %s 次", 3, extra={"route": "api/v1/checkins", "ms": 4.2})
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")
    finally:
        REQUEST_ID.reset(token)
        logger.removeHandler(handler)
    first, second = [json.loads(line) for line in out.getvalue().splitlines()]
    assert first["message"] == "签到 3 次" and first["level"] == "WARNING" and first["request_id"] == "req-abcdef12"
    assert first["route"] == "api/v1/checkins" and first["ms"] == 4.2 and first["ts"].endswith("+00:00")
    assert "ValueError: boom" in second["exception"]


def _sample(text: str, name: str, **labels) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    match = re.search(rf"^{name}\{{{re.escape(wanted)}\}} (\S+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


async def test_metrics_count_requests_by_route_pattern_and_checkins_by_outcome(world, backend):
    from tests.test_checkin import code_for, scan

    async with world.client() as c:
        before = (await c.get("/metrics")).text
    activity = await make_activity(world)
    code = await code_for(world, activity)
    await scan(world, code["token"], nonce_value="metrics-nonce-1")
    await scan(world, code["token"], nonce_value="metrics-nonce-1")  # a retry: replayed
    await scan(world, "forged.token.value")
    async with world.client("member_a") as c:
        for member_id in (123, 456):
            await c.get(f"/api/v1/members/{member_id}")
        after = (await c.get("/metrics")).text
    route = "api/v1/members/<member_id:int>"
    assert _sample(after, "dangjian_http_requests_total", method="GET", route=route, status="404") - \
        _sample(before, "dangjian_http_requests_total", method="GET", route=route, status="404") == 2
    assert "/api/v1/members/123" not in after  # a label per pattern, never per path
    for outcome, count in (("created", 1), ("replayed", 1), ("token_invalid", 1)):
        grown = _sample(after, "dangjian_checkins_total", outcome=outcome) - _sample(before, "dangjian_checkins_total", outcome=outcome)
        assert grown == count, outcome
    assert _sample(after, "dangjian_http_request_seconds_count", method="POST", route="api/v1/checkins") >= 3


async def test_readyz_names_what_does_not_answer(world):
    from server import observe
    from server.kv import RedisStore

    async with world.client() as c:
        ready = await c.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "database": "ok", "store": "ok"}
    # Redis on a port where nothing listens. (The e2e tests do the same for an unreachable database.)
    unreachable = RedisStore("redis://127.0.0.1:9/0")
    try:
        checks = await observe.readiness(unreachable)
    finally:
        await unreachable.close()
    assert checks == {"database": "ok", "store": "unavailable"}  # what failed, not where: no host or port


async def test_behind_one_proxy_the_clients_address_comes_from_x_forwarded_for(tmp_path):
    """Rate limits count per client address: behind nginx that must be the phone's, not nginx's."""
    from server.accounts.service import FAILED_LOGINS_PER_MINUTE
    from server.config import Settings
    from tests.serverproc import ServerProcess

    import httpx

    env = {"DANGJIAN_DATABASE_URL": f"sqlite://{tmp_path / 'proxy.sqlite3'}", "DANGJIAN_PROXIES": "1"}
    assert Settings.from_env({"DANGJIAN_PROXIES": "1"}).proxies == 1
    with ServerProcess(env) as server:
        with httpx.Client(base_url=server.base, timeout=10) as http:
            def bad_login(address):
                return http.post("/api/v1/auth/wechat", json={"code": "wrong"}, headers={"X-Forwarded-For": address}).status_code
            first = [bad_login("203.0.113.7") for _ in range(FAILED_LOGINS_PER_MINUTE + 1)]
            other_phone = bad_login("203.0.113.8")
    assert first[-1] == 429 and set(first[:-1]) == {401}
    assert other_phone == 401  # another phone behind the same nginx is not blocked


def test_a_request_whose_client_hung_up_is_counted_as_499_not_as_a_server_error():
    """Sanic answers a request cancelled by a lost connection with a 500 that nobody receives;
    the metrics and the access log count it as the client's 499."""
    from types import SimpleNamespace

    from prometheus_client import generate_latest

    from server.observe import finish, start

    def request(lost: bool):
        return SimpleNamespace(headers={}, ctx=SimpleNamespace(), method="GET", path="/api/v1/members",
                               route=SimpleNamespace(path="api/v1/members-hangup-test"),
                               conn_info=SimpleNamespace(lost=lost))

    def counted(status: str) -> float:
        return _sample(generate_latest().decode(), "dangjian_http_requests_total", method="GET",
                       route="api/v1/members-hangup-test", status=status)

    for lost in (True, True, False):
        asked = request(lost)
        start(asked)
        finish(asked, SimpleNamespace(status=500, headers={}))
    assert (counted("499"), counted("500")) == (2.0, 1.0)


def _walked(thing) -> bool:
    """Whether the collector walks `thing` (frozen objects are in none of its generations)."""
    return any(candidate is thing for candidate in gc.get_objects())


async def test_a_started_app_has_set_its_start_up_heap_aside_from_the_collector(backend):
    """A full collection walking start-up's 230 000 objects held every request for 0.1 s, 16
    times in 8 s of load (server/heap.py): once started, the app is frozen, not walked."""
    assert not _walked(backend.app) and not _walked(backend.app.router)
    assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD


def test_settling_freezes_what_is_alive_and_unsettling_gives_it_back_with_the_thresholds():
    frozen_already = gc.get_freeze_count() > 0  # the started app's, in this process: kept so
    old = [[]]
    old.append(old)  # a cycle: only the collector would ever free it
    previous = heap.settle()
    try:
        young = [[]]
        assert not _walked(old) and _walked(young)
        assert gc.get_threshold() == (heap.YOUNG_THRESHOLD, *previous[1:])
    finally:
        heap.unsettle(previous)
    assert _walked(old) and gc.get_threshold() == previous and gc.get_freeze_count() == 0
    if frozen_already:
        heap.settle()


def test_response_headers_are_cleaned_exactly_as_sanic_cleans_them_by_our_faster_check(monkeypatch):
    """server/wire.py replaces Sanic's header cleaning: the same text for every text, CR, LF and
    NUL gone (no header ends early, none is smuggled in), and Sanic still calls it by that name."""
    from sanic.headers import format_http1_response
    from sanic.response import raw, types

    from server import wire

    wire.install()
    assert types.BaseHTTPResponse._sanitize_header_value is wire.clean
    for value in ["plain", "a\r\nSet-Cookie: x=1", "nul\x00here", "tab\tkept", "中文 值", "\n", "", "\r\r\n\x00x",
                  "x" * 300 + "\r"]:
        assert wire.clean(value) == value.translate(types.HEADER_TRANSLATION_TABLE)
    calls = []
    monkeypatch.setattr(types.BaseHTTPResponse, "_sanitize_header_value",
                        staticmethod(lambda value: calls.append(value) or wire.clean(value)))
    block = format_http1_response(200, raw(b"", headers={"X-Test": "a\r\nSet-Cookie: x=1"}).processed_headers)
    assert b"\r\nSet-Cookie" not in block and b"aSet-Cookie: x=1\r\n" in block
    assert "a\r\nSet-Cookie: x=1" in calls  # an upgrade that renames the method fails here
