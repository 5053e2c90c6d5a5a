"""Login, /me, logout and phone binding over HTTP (fake WeChat gateway)."""
import datetime as dt

import pytest

from server import auth
from server.accounts.models import AuthToken, User
from server.clock import now
from tests.asgi import client
from tests.factories import unique


async def login(backend, code: str, ip: str = "127.0.0.1"):
    async with client(backend.app, ip=ip) as c:
        return await c.post("/api/v1/auth/wechat", json={"code": code})


async def test_new_wechat_user_logs_in_and_gets_a_token(backend):
    name = unique("newbie")
    response = await login(backend, f"dev:{name}")
    assert response.status_code == 200
    body = response.json()
    assert body["member"] is None and body["user"]["phone"] is None
    user = await User.get(openid=f"dev-{name}")
    assert body["user"]["id"] == user.id
    # Only the hash is stored: the token itself appears nowhere in the database.
    assert not await AuthToken.filter(token_hash=body["token"]).exists()
    assert await AuthToken.filter(user=user).count() == 1

    async with client(backend.app, body["token"]) as c:
        me = (await c.get("/api/v1/me")).json()
    assert me["user"]["id"] == user.id and me["roles"] == [] and me["member"] is None and me["registration"] is None


async def test_logging_in_twice_is_the_same_user(backend):
    name = unique("twice")
    first = (await login(backend, f"dev:{name}")).json()
    second = (await login(backend, f"dev:{name}")).json()
    assert first["user"]["id"] == second["user"]["id"] and first["token"] != second["token"]


async def test_member_logs_in_and_sees_their_record(world):
    async with world.client("member_a") as c:
        me = (await c.get("/api/v1/me")).json()
    assert me["member"]["id"] == world.member_a.id
    assert me["member"]["life_org_id"] == world.party_a.id


async def test_invalid_code_is_refused_with_its_code(backend):
    response = await login(backend, "081xYz")
    assert response.status_code == 401  # an authentication failure, not a malformed request
    assert response.json()["error"]["code"] == "wechat_code_invalid"


async def test_logout_revokes_the_token_at_once(world):
    async with world.client("vendor") as c:
        assert (await c.get("/api/v1/me")).status_code == 200  # now cached as valid
        out = await c.post("/api/v1/auth/logout")
        assert out.json() == {"status": "logged_out"}
        after = await c.get("/api/v1/me")
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "unauthorized"


async def test_a_token_past_its_expiry_is_refused_once_its_cache_entry_is_gone(backend):
    token = (await login(backend, f"dev:{unique('expiring')}")).json()["token"]
    row = AuthToken.filter(token_hash=auth.hash_token(token))
    for expires_in, status in ((dt.timedelta(minutes=1), 200), (dt.timedelta(seconds=-1), 401)):
        await row.update(expires_at=now() + expires_in)
        await backend.store.near_delete(auth.token_cache_key(token))  # the minute's cache has run out
        async with client(backend.app, token) as c:
            response = await c.get("/api/v1/me")
        assert response.status_code == status, expires_in
    assert response.json()["error"]["code"] == "unauthorized"


async def test_missing_malformed_and_unknown_tokens_get_401(backend):
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "},
                    {"Authorization": "Bearer not-a-token"}, {"Authorization": "Bearer " + "x" * 5000}):
        async with client(backend.app) as c:
            response = await c.get("/api/v1/me", headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.json()["error"]["message"]


async def test_login_is_rate_limited_per_client_address(backend):
    app = backend.app
    original = app.ctx.settings
    app.ctx.settings = original.model_copy(update={"login_rate_limit": 3})
    try:
        statuses = [(await login(backend, f"dev:{unique('flood')}", ip="127.0.0.77")).status_code for _ in range(6)]
        other = await login(backend, f"dev:{unique('calm')}", ip="127.0.0.78")
    finally:
        app.ctx.settings = original
    assert statuses == [200, 200, 200, 429, 429, 429]
    assert other.status_code == 200  # another address is not affected


async def test_bind_phone_with_wechat_code(world):
    async with world.client("vendor") as c:
        bad = await c.post("/api/v1/me/phone", json={"code": "guess"})
        good = await c.post("/api/v1/me/phone", json={"code": "dev-phone:13812345678"})
    assert bad.status_code == 403 and bad.json()["error"]["code"] == "phone_code_invalid"
    assert good.status_code == 200 and good.json()["phone"] == "13812345678"
    assert good.json()["phone_verified_at"].endswith("+08:00")
    assert (await User.get(id=world.users["vendor"].id)).phone == "13812345678"


async def test_a_token_from_login_is_revoked_at_once_too(backend):
    # Login puts the new token in the cache straight away; logout must take it out again.
    token = (await login(backend, f"dev:{unique('quick')}")).json()["token"]
    async with client(backend.app, token) as c:
        assert (await c.get("/api/v1/me")).status_code == 200
        await c.post("/api/v1/auth/logout")
        assert (await c.get("/api/v1/me")).status_code == 401


async def test_failed_logins_slow_the_failing_client_and_never_block_a_good_code(backend):
    # A market's Wi-Fi is one address: twenty forged codes there must not lock every vendor out.
    from server.accounts.service import FAILED_LOGINS_PER_MINUTE

    bad = [(await login(backend, "forged-code", ip="127.0.0.91")).status_code for _ in range(FAILED_LOGINS_PER_MINUTE + 3)]
    same_wifi = await login(backend, f"dev:{unique('honest')}", ip="127.0.0.91")
    still_bad = await login(backend, "forged-code", ip="127.0.0.91")
    assert bad == [401] * FAILED_LOGINS_PER_MINUTE + [429] * 3
    assert same_wifi.status_code == 200 and same_wifi.json()["token"]
    assert still_bad.status_code == 429 and still_bad.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(still_bad.headers["retry-after"]) <= 60  # what is left of the failures' minute


async def test_the_principal_is_cached_with_the_token_and_dropped_when_its_roles_change(world, backend):
    from server import auth
    from server.orgs.models import Role

    async with world.client("vendor") as c:
        assert (await c.get("/api/v1/me")).json()["roles"] == []
        # A role written behind the service's back is not seen: the principal is cached...
        sneaked = await Role.create(user=world.users["vendor"], org=world.branch_a, role="secretary")
        assert (await c.get("/api/v1/me")).json()["roles"] == []
        assert (await c.get(f"/api/v1/orgs/{world.branch_a.id}/roles")).status_code == 403
        # ...until something that changes roles says so, as the org service does.
        await auth.forget_principal(world.users["vendor"].id)
        assert [r["org_id"] for r in (await c.get("/api/v1/me")).json()["roles"]] == [world.branch_a.id]
    await sneaked.delete()
    async with world.client("admin") as admin:
        granted = await admin.post(f"/api/v1/orgs/{world.party_b.id}/roles",
                                   json={"role": "secretary", "user_id": world.users["vendor"].id})
    async with world.client("vendor") as c:
        roles = (await c.get("/api/v1/me")).json()["roles"]
        assert [r["org_id"] for r in roles] == [world.party_b.id]  # the revoked one gone, the granted one there
    async with world.client("admin") as admin:
        await admin.patch(f"/api/v1/orgs/{world.party_b.id}", json={"name": "清波党支部（改名）"})
        await admin.delete(f"/api/v1/orgs/{world.party_b.id}/roles/{granted.json()['id']}")
    async with world.client("vendor") as c:
        assert (await c.get("/api/v1/me")).json()["roles"] == []
        assert (await c.get(f"/api/v1/members?org_id={world.party_b.id}")).json()["items"] == []


async def test_the_cached_reach_takes_in_an_org_added_under_it(world, backend):
    """The org ids a secretary reaches are cached with the principal: an org added under their
    branch (through the org service, as every org is) is in reach at once, with its members."""
    from server.orgs.models import Org
    from tests.factories import make_member, make_org, make_user

    async with world.client("sec_a") as c:
        before = (await c.get("/api/v1/members")).json()
        # The cached list is really used: an org row written behind the service's back is not in reach...
        sneaked = await Org.create(name=unique("暗加支部"), kind="party_branch", district="上城区",
                                   parent=world.branch_a, path=f"{world.branch_a.path}999999/")
        assert sneaked.id not in (await auth_org_ids(backend, world))
        # ...while one added by the service is, with its member, and only under branch A's secretaries.
        added = await make_org("湖滨新支部", "party_branch", world.branch_a)
        newcomer = await make_member(await make_user("newcomer"), added)
        after = (await c.get("/api/v1/members")).json()
        narrowed = (await c.get(f"/api/v1/members?org_id={added.id}")).json()
    assert after["total"] == before["total"] + 1 and newcomer.id in [m["id"] for m in after["items"]]
    assert [m["id"] for m in narrowed["items"]] == [newcomer.id]
    async with world.client("sec_b") as other:
        assert newcomer.id not in [m["id"] for m in (await other.get("/api/v1/members")).json()["items"]]
    await sneaked.delete()


async def auth_org_ids(backend, world) -> list[int]:
    from server.auth import principal_for

    return await (await principal_for(world.users["sec_a"].id, backend.store)).org_ids()


async def test_a_cached_principal_is_a_real_user_row(world, backend):
    """The cached user saves as an update of its row, never as a new user."""
    async with world.client("vendor") as c:
        await c.get("/api/v1/me")
        bound = await c.post("/api/v1/me/phone", json={"code": "dev-phone:13512340000"})
        me = (await c.get("/api/v1/me")).json()
    assert bound.status_code == 200 and me["user"]["phone"] == "13512340000"
    assert me["user"]["id"] == world.users["vendor"].id
    from server.accounts.models import User

    assert await User.filter(openid=world.users["vendor"].openid).count() == 1


async def test_a_read_between_a_save_and_its_commit_is_not_left_cached(world, backend):
    """A save's signal drops /me before its transaction commits; a request answered from another
    connection in between caches the old row again. The second drop after the commit corrects it
    within AFTER_COMMIT_SECONDS, not the cache's minute."""
    import asyncio

    from tortoise.transactions import in_transaction

    from server import auth
    from server.members.models import Member

    if not backend.is_postgres:
        pytest.skip("SQLite here is one connection, which reads its own uncommitted write: no gap to race")
    old = world.member_a.unit_name
    saved, read = asyncio.Event(), asyncio.Event()
    async with world.client("member_a") as c:
        assert (await c.get("/api/v1/me")).json()["member"]["unit_name"] == old

        async def reader() -> str:  # started outside the transaction: its queries use the pool
            await saved.wait()
            unit_name = (await c.get("/api/v1/me")).json()["member"]["unit_name"]
            read.set()
            return unit_name

        in_gap = asyncio.get_running_loop().create_task(reader())
        async with in_transaction() as connection:
            member = await Member.get(id=world.member_a.id).using_db(connection)
            member.unit_name = "提交后的店名"
            await member.save(using_db=connection, update_fields=["unit_name"])
            saved.set()
            await read.wait()
        right_after = (await c.get("/api/v1/me")).json()["member"]["unit_name"]
        await asyncio.sleep(auth.AFTER_COMMIT_SECONDS + 0.5)
        later = (await c.get("/api/v1/me")).json()["member"]["unit_name"]
    assert (await in_gap, right_after, later) == (old, old, "提交后的店名")


async def test_me_is_one_cached_document_dropped_by_every_change_it_shows(world, backend):
    from server.members.models import Member, Registration
    from tests.factories import registration_payload

    member = world.member_a
    async with world.client("member_a") as c:
        first = (await c.get("/api/v1/me")).json()
        assert first["member"]["unit_name"] == member.unit_name
        # Written behind the services' back (a bulk update fires no signal): the cached document stands...
        await Member.filter(id=member.id).update(unit_name="没人告诉缓存的名字")
        assert (await c.get("/api/v1/me")).json() == first
        # ...and any save of the record through the domain drops it at once.
        async with world.client("sec_a") as sec:
            changed = await sec.patch(f"/api/v1/members/{member.id}", json={"home_org": "西湖区北山街道党工委"})
        assert changed.status_code == 200, changed.text
        now_shown = (await c.get("/api/v1/me")).json()["member"]
        assert (now_shown["home_org"], now_shown["unit_name"]) == ("西湖区北山街道党工委", "没人告诉缓存的名字")

    async with world.client("vendor") as vendor:
        assert (await vendor.get("/api/v1/me")).json()["registration"] is None  # cached: no record, no registration
        sent = await vendor.post("/api/v1/registrations", json=registration_payload(world, mobile="13812340099"))
        assert sent.status_code == 201, sent.text
        shown = (await vendor.get("/api/v1/me")).json()["registration"]
        assert shown["id"] == sent.json()["id"] and shown["status"] == "pending"
        # A registration under review is never cached: the desk's suggestion in it follows other records.
        await Registration.filter(id=shown["id"]).update(stall_no="Z-99")
        assert (await vendor.get("/api/v1/me")).json()["registration"]["stall_no"] == "Z-99"
        async with world.client("sec_a") as sec:
            approved = await sec.post(f"/api/v1/registrations/{shown['id']}/approve", json={"category": "local"})
        assert approved.status_code == 200, approved.text
        after = (await vendor.get("/api/v1/me")).json()
        assert after["member"]["name"] == "李秀英" and after["registration"] is None


async def test_a_cached_me_is_dropped_in_every_worker(world, backend):
    """Two processes on one Redis: the one that did not make the change drops its copy too."""
    import asyncio

    if not backend.is_postgres:
        pytest.skip("the SQLite run has one process and an in-memory store: no other worker to reach")
    from server.accounts.service import me_document
    from server.kv import make_store

    from server import auth

    other = make_store(backend.settings.redis_url, prefix=backend.settings.redis_prefix)
    near = other.inner._near  # the other worker's memory
    user_id = world.users["member_a"].id
    try:
        before = await me_document(user_id, other)
        for _ in range(100):  # once its deletion channel is heard, it keeps the document in memory
            if near.get(auth.me_key(user_id)) is not None:
                break
            await me_document(user_id, other)
            await asyncio.sleep(0.02)
        assert near.get(auth.me_key(user_id)) == before
        async with world.client("sec_a") as sec:
            assert (await sec.patch(f"/api/v1/members/{world.member_a.id}", json={"household_district": "拱墅区"})).status_code == 200
        for _ in range(100):  # the deletion arrives over pub/sub
            if near.get(auth.me_key(user_id)) is None:
                break
            await asyncio.sleep(0.02)
        after = await me_document(user_id, other)
        assert '"household_district":"拱墅区"' in after and after != before
    finally:
        await other.close()


async def test_a_token_logged_out_through_one_worker_is_refused_at_once_by_another(backend):
    """Each process keeps a token's caller in memory (no Redis round trip a request); logout in
    one process drops that copy in every other before it answers again."""
    import asyncio

    if not backend.is_postgres:
        pytest.skip("the SQLite run has one process and an in-memory store: no other worker to reach")
    from server.kv import make_store

    token = (await login(backend, f"dev:{unique('two-workers')}")).json()["token"]
    key = auth.token_cache_key(token)
    other = make_store(backend.settings.redis_url, prefix=backend.settings.redis_prefix)
    near = other.inner._near  # the other worker's memory
    try:
        for _ in range(100):  # once its deletion channel is heard, it keeps the caller in memory
            caller = await auth.caller_for_token(token, other)
            if near.get(key) is not None:
                break
            await asyncio.sleep(0.02)
        assert caller is not None and near.get(key) is not None
        kept = await auth.caller_for_token(token, other)
        assert kept == caller and await auth.caller_for_token(token, other) is kept  # decoded once, then shared
        garbage = "g" * 43
        assert await auth.caller_for_token(garbage, other) is None  # asks the database once, caches the refusal
        await auth.caller_for_token(garbage, other)
        assert near.get(auth.token_cache_key(garbage)) is not None  # the refusal is kept, not taken for a miss
        assert await auth.caller_for_token(garbage, other) is None
        async with client(backend.app, token) as c:
            assert (await c.post("/api/v1/auth/logout")).status_code == 200
        for _ in range(100):  # the deletion arrives over pub/sub
            if near.get(key) is None:
                break
            await asyncio.sleep(0.02)
        assert near.get(key) is None
        assert await auth.caller_for_token(token, other) is None  # read afresh: the row is revoked
    finally:
        await other.close()
