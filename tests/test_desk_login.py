"""The desk's QR login: the console asks, a phone confirms, the console alone gets a token, once;
desk tokens end after two idle hours and are listed and ended from the phone."""
from __future__ import annotations

import asyncio
import datetime as dt

from server import auth
from server.accounts.models import AuthToken
from server.audit import AuditEntry
from server.clock import now
from server.desk import service

UA = {"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/130 DeskTest"}


def key(world, who: str) -> str:
    return world.users[who].openid.removeprefix("dev-")


async def ask(world) -> dict:
    async with world.client() as console:
        response = await console.post("/api/v1/console/login-requests", headers=UA)
    assert response.status_code == 201, response.text
    return response.json()


async def poll(world, request: dict, secret: str | None = "same") -> object:
    headers = {} if secret is None else {"X-Login-Secret": request["secret"] if secret == "same" else secret}
    async with world.client() as console:
        return await console.get(f"/api/v1/console/login-requests/{request['code']}", headers=headers)


async def test_scan_confirm_and_the_console_alone_receives_one_desk_token(world, backend):
    request = await ask(world)
    assert request["url"] == f"{backend.settings.public_base_url}/l/{request['code']}"
    assert request["qr"].startswith("data:image/png;base64,") and request["expires_in"] == 120
    assert (await poll(world, request)).json()["state"] == "pending"

    async with world.client("sec_a") as phone:
        confirmed = await phone.post(f"/api/v1/console/login-requests/{request['code']}/confirm")
        again = await phone.post(f"/api/v1/console/login-requests/{request['code']}/confirm")
    assert confirmed.status_code == 200 and "DeskTest" in confirmed.json()["agent"]
    assert again.status_code == 409 and again.json()["error"]["code"] == "login_request_used"

    # Someone who photographed the QR knows the code but not the secret.
    stranger = await poll(world, request, secret="guessed-" + "x" * 30)
    assert stranger.status_code == 403 and stranger.json()["error"]["code"] == "login_secret_mismatch"
    assert (await poll(world, request, secret=None)).status_code == 403

    first = await poll(world, request)
    assert first.status_code == 200 and first.json()["state"] == "confirmed"
    token = first.json()["token"]
    second = await poll(world, request)
    assert second.status_code == 404 and second.json()["error"]["code"] == "login_request_expired"

    async with world.client(token=token) as desk:
        me = (await desk.get("/api/v1/me")).json()
    assert me["user"]["id"] == world.users["sec_a"].id and me["roles"][0]["role"] == "secretary"
    row = await AuthToken.get(token_hash=auth.hash_token(token))
    assert row.kind == "desk" and "DeskTest" in row.agent
    assert await AuditEntry.filter(action="desk.logged_in", actor_id=world.users["sec_a"].id).exists()


async def test_the_phone_lists_its_desk_sessions_and_ends_one_at_once(world, backend):
    request = await ask(world)
    async with world.client("sec_a") as phone:
        await phone.post(f"/api/v1/console/login-requests/{request['code']}/confirm")
    token = (await poll(world, request)).json()["token"]
    async with world.client("sec_a") as phone:
        listed = (await phone.get("/api/v1/me/desk-sessions")).json()["items"]
    assert len(listed) == 1 and "DeskTest" in listed[0]["agent"]
    async with world.client(token=token) as desk:
        assert (await desk.get("/api/v1/me")).status_code == 200  # now cached as valid
    async with world.client("sec_b") as other_phone:  # not hers to end
        assert (await other_phone.delete(f"/api/v1/me/desk-sessions/{listed[0]['id']}")).status_code == 404
    async with world.client("sec_a") as phone:
        ended = await phone.delete(f"/api/v1/me/desk-sessions/{listed[0]['id']}")
        assert ended.status_code == 200
        assert (await phone.get("/api/v1/me/desk-sessions")).json()["items"] == []
        assert (await phone.delete("/api/v1/me/desk-sessions/99999999999")).status_code == 404
    async with world.client(token=token) as desk:
        assert (await desk.get("/api/v1/me")).status_code == 401


async def test_a_desk_token_ends_after_two_idle_hours(world, backend):
    token = await service.dev_login(backend.settings, backend.store, key(world, "sec_a"), "浏览器")
    async with world.client(token=token) as desk:
        assert (await desk.get("/api/v1/me")).status_code == 200
    token_hash = auth.hash_token(token)
    await AuthToken.filter(token_hash=token_hash).update(last_used_at=now() - dt.timedelta(hours=2, minutes=1))
    await backend.store.near_delete(auth._cache_key(token_hash))  # the cache minute has passed
    async with world.client(token=token) as desk:
        assert (await desk.get("/api/v1/me")).status_code == 401
    # A mini-program token is not a desk token: no idle rule.
    app_token = await auth.issue_token(world.users["sec_a"], 30)
    await AuthToken.filter(token_hash=auth.hash_token(app_token)).update(last_used_at=None)
    await backend.store.near_delete(auth.token_cache_key(app_token))
    async with world.client(token=app_token) as phone:
        assert (await phone.get("/api/v1/me")).status_code == 200


async def test_used_within_the_idle_window_the_clock_restarts(world, backend):
    token = await service.dev_login(backend.settings, backend.store, key(world, "sec_a"), "浏览器")
    token_hash = auth.hash_token(token)
    await AuthToken.filter(token_hash=token_hash).update(last_used_at=now() - dt.timedelta(hours=1, minutes=59))
    await backend.store.near_delete(auth._cache_key(token_hash))
    async with world.client(token=token) as desk:
        assert (await desk.get("/api/v1/me")).status_code == 200
    assert (await AuthToken.get(token_hash=token_hash)).last_used_at > now() - dt.timedelta(minutes=1)


async def test_two_phones_confirming_at_once_one_wins_and_two_polls_get_one_token(world, backend):
    request = await ask(world)
    async with world.client("sec_a") as a, world.client("sec_b") as b:
        answers = await asyncio.gather(*[c.post(f"/api/v1/console/login-requests/{request['code']}/confirm")
                                         for c in (a, b, a, b)])
    assert sorted(r.status_code for r in answers) == [200, 409, 409, 409]
    polls = await asyncio.gather(*[poll(world, request) for _ in range(6)])
    tokens = [p.json().get("token") for p in polls if p.status_code == 200]
    assert len([t for t in tokens if t]) == 1
    assert await AuthToken.filter(kind="desk").count() == 1 + await AuthToken.filter(kind="desk").exclude(
        token_hash=auth.hash_token([t for t in tokens if t][0])).count()


async def test_an_expired_or_unknown_code_is_refused_everywhere(world, backend, monkeypatch):
    monkeypatch.setattr(service, "LOGIN_SECONDS", 1)
    request = await ask(world)
    await asyncio.sleep(1.2)
    async with world.client("sec_a") as phone:
        late = await phone.post(f"/api/v1/console/login-requests/{request['code']}/confirm")
        unknown = await phone.post("/api/v1/console/login-requests/nope/confirm")
        huge = await phone.post(f"/api/v1/console/login-requests/{'x' * 300}/confirm")
    assert late.status_code == unknown.status_code == huge.status_code == 404
    assert late.json()["error"]["message"].startswith("二维码已过期")
    assert (await poll(world, request)).status_code == 404
    async with world.client() as anonymous:  # confirming needs the phone's login
        assert (await anonymous.post(f"/api/v1/console/login-requests/{request['code']}/confirm")).status_code == 401


async def test_dev_login_only_with_the_fake_gateway(world, backend):
    async with world.client() as console:
        users = (await console.get("/api/v1/console/dev-users")).json()["items"]
        token = (await console.post("/api/v1/console/dev-login", json={"key": key(world, "sec_a")})).json()["token"]
        missing = await console.post("/api/v1/console/dev-login", json={"key": "nobody-here"})
    labels = {u["key"]: u["label"] for u in users}
    assert labels[key(world, "sec_a")] == f"{world.branch_a.name}书记"
    assert "无工作台权限" in labels[key(world, "vendor")]
    assert missing.status_code == 404
    async with world.client(token=token) as desk:
        assert (await desk.get("/api/v1/me")).json()["user"]["id"] == world.users["sec_a"].id
    real = backend.settings.model_copy(update={"wechat_mode": "real"})
    for call in (service.dev_users(real), service.dev_login(real, backend.store, "sec_a", "x")):
        try:
            await call
        except service.DevLoginOff as refused:
            assert refused.status == 404
        else:
            raise AssertionError("dev login answered outside fake mode")


async def test_login_requests_are_rate_limited_per_address(world, backend):
    async with world.client(ip="203.0.113.9") as console:
        answers = [await console.post("/api/v1/console/login-requests") for _ in range(service.REQUESTS_PER_MINUTE + 1)]
    assert [a.status_code for a in answers[-2:]] == [201, 429]


async def test_the_link_in_the_qr_opened_in_a_browser_says_to_scan_with_wechat(world):
    async with world.client() as browser:
        page = await browser.get("/l/anything")
    assert page.status_code == 200 and "微信扫一扫" in page.text and page.headers["cache-control"] == "no-store"


async def test_dev_login_keys_too_long_for_an_openid_are_refused_not_crashed(world):
    async with world.client() as console:
        longest = await console.post("/api/v1/console/dev-login", json={"key": "x" * 60})
        too_long = await console.post("/api/v1/console/dev-login", json={"key": "é" * 61})
    assert longest.status_code == 404 and too_long.status_code == 422
