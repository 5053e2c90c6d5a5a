"""Against a real server process, started the way `make run` starts it: migrate, demo data,
serve. In-process clients have hidden Tortoise start-up bugs before; these would not."""
import asyncio
import json
import os
import re
import signal
import subprocess

import httpx
import pytest

from server.__main__ import BACKLOG
from tests.conftest import fresh_postgres, fresh_redis, redis_test_url
from tests.serverproc import ServerProcess as Server

pytestmark = pytest.mark.e2e


async def announce_oversized_body(base: str, path: str, authorization: str) -> tuple[bytes, bytes]:
    """Announce a 13 MB body (past the largest upload) and send none of it: the server must refuse from the headers alone.
    (Sending the body too races the server closing the socket, and the client may see a reset.)"""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {authorization}\r\n"
                 f"Content-Type: application/json\r\nContent-Length: {13 * 1024 * 1024}\r\n\r\n".encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))
    body = await reader.readexactly(length)
    writer.close()
    return head, body


async def walk_the_spine(base: str):
    """A new vendor registers; the demo secretary of that branch approves; the other branch's
    secretary is refused; the vendor then sees their member record."""
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        async def login(code):
            response = await http.post("/api/v1/auth/wechat", json={"code": code})
            assert response.status_code == 200, response.text
            return {"Authorization": f"Bearer {response.json()['token']}"}

        sec1, sec2, vendor = await login("dev:secretary1"), await login("dev:secretary2"), await login("dev:e2e-vendor")
        orgs = (await http.get("/api/v1/orgs", headers=vendor)).json()["items"]
        market_org = next(o for o in orgs if o["name"] == "河坊街市场党支部")
        market = next(m for m in (await http.get("/api/v1/markets", headers=vendor)).json()["items"] if m["name"] == "河坊街商品市场")

        submitted = await http.post("/api/v1/registrations", headers=vendor, json={
            "unit_name": "赵记干货", "name": "赵强", "mobile": "13712345678", "is_owner": True,
            "household_district": "上城区", "life_org_id": market_org["id"], "home_org": "上城区小营街道党工委",
            "standing": "full", "placement": "in_market", "market_id": market["id"], "stall_no": "D-08"})
        assert submitted.status_code == 201, submitted.text
        registration_id = submitted.json()["id"]

        pending = (await http.get("/api/v1/registrations", params={"status": "pending"}, headers=sec1)).json()
        assert registration_id in [r["id"] for r in pending["items"]]
        refused = await http.post(f"/api/v1/registrations/{registration_id}/approve", headers=sec2, json={"category": "local"})
        assert refused.status_code == 404
        approved = await http.post(f"/api/v1/registrations/{registration_id}/approve", headers=sec1, json={"category": "local"})
        assert approved.status_code == 200, approved.text

        me = (await http.get("/api/v1/me", headers=vendor)).json()
        assert me["member"]["id"] == approved.json()["id"] and me["member"]["stall_no"] == "D-08"

        head, body = await announce_oversized_body(base, "/api/v1/registrations", vendor["Authorization"])
        assert head.startswith(b"HTTP/1.1 413") and b'"payload_too_large"' in body
        docs = await http.get("/docs/openapi.json")
        assert docs.status_code == 200 and "/api/v1/registrations" in docs.json()["paths"]


async def test_make_run_path_on_sqlite(tmp_path):
    with Server({"DANGJIAN_DATABASE_URL": f"sqlite://{tmp_path / 'e2e.sqlite3'}", "DANGJIAN_LOG_FORMAT": "json",
                 "DANGJIAN_ACCESS_LOG": "1"}) as server:
        await walk_the_spine(server.base)
        async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
            marked = await http.get("/api/v1/me", headers={"X-Request-ID": "drill-0000-abcd"})
    assert marked.headers["x-request-id"] == "drill-0000-abcd"
    lines = server.output().splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert records and len(records) == len([line for line in lines if line.strip() and not line.startswith("服务已启动")])
    mine = [r for r in records if r["request_id"] == "drill-0000-abcd"]
    assert mine and mine[0]["status"] == 401 and mine[0]["route"] == "api/v1/me" and mine[0]["logger"] == "dangjian.access"


async def test_two_workers_on_postgres_and_redis():
    database_url = await fresh_postgres("dangjian_e2e_test")
    redis_url = await fresh_redis(redis_test_url("e2e"))
    with Server({"DANGJIAN_DATABASE_URL": database_url, "DANGJIAN_REDIS_URL": redis_url, "DANGJIAN_WORKERS": "2"}) as server:
        # The listening socket takes a room's burst of connections, not Sanic's default 100.
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{server.base.rsplit(':', 1)[1]}"],
                                   capture_output=True, text=True, check=True).stdout.split()
        assert listening[2] == str(BACKLOG), listening  # ss shows a listener's backlog as its Send-Q
        await walk_the_spine(server.base)
        # A logout through one worker is seen by the other at once: the token cache is in Redis.
        # No keep-alive: each request opens its own connection, so they spread over both workers.
        no_keepalive = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server.base, timeout=10, limits=no_keepalive) as http:
            token = (await http.post("/api/v1/auth/wechat", json={"code": "dev:e2e-logout"})).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            for _ in range(6):  # the valid token is now cached
                assert (await http.get("/api/v1/me", headers=headers)).status_code == 200
            await http.post("/api/v1/auth/logout", headers=headers)
            after = [(await http.get("/api/v1/me", headers=headers)).status_code for _ in range(6)]
            # /metrics adds up both workers (prometheus_client's multiprocess files).
            for _ in range(20):
                await http.get("/healthz")
            metrics = (await http.get("/metrics")).text
            ready = await http.get("/readyz")
        assert after == [401] * 6
        healthz = re.search(r'dangjian_http_requests_total\{method="GET",route="healthz",status="200"\} (\d+)', metrics)
        assert healthz and float(healthz.group(1)) >= 20 + 1  # ours plus the start-up probe
        assert re.search(r'route="api/v1/me",status="401"\} 6', metrics)
        assert ready.status_code == 200 and ready.json() == {"status": "ready", "database": "ok", "store": "ok"}


async def test_an_unreachable_database_answers_503_not_500():
    # Nothing listens on port 9: every query fails to connect. The app still starts (Tortoise
    # connects lazily) and tells the phone to try again later instead of failing with a 500.
    with Server({"DANGJIAN_DATABASE_URL": "postgres://postgres@127.0.0.1:9/nothing"}, prepare=False) as server:
        async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
            login = await http.post("/api/v1/auth/wechat", json={"code": "dev:anyone"})
            me = await http.get("/api/v1/me", headers={"Authorization": "Bearer " + "x" * 43})
            health = await http.get("/healthz")
            ready = await http.get("/readyz")
    assert ready.status_code == 503 and ready.json()["error"]["code"] == "not_ready"
    assert ready.json()["error"]["fields"] == {"database": "unavailable", "store": "ok"}
    assert "127.0.0.1" not in ready.text and ":9" not in ready.text  # what failed, never where or how
    for response in (login, me):
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "backend_unavailable"
        assert response.headers["retry-after"] == "5"
    assert health.status_code == 200  # alive; readiness is another question


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and "spawn_main" in open(f"/proc/{entry}/cmdline").read():
                found.add(int(entry))
    return found


async def test_a_killed_worker_is_logged_and_replaced():
    database_url = await fresh_postgres("dangjian_e2e_test")
    redis_url = await fresh_redis(redis_test_url("e2e"))
    server = Server({"DANGJIAN_DATABASE_URL": database_url, "DANGJIAN_REDIS_URL": redis_url, "DANGJIAN_WORKERS": "2"})
    with server:
        # Both workers past start-up first: Sanic's manager does not recover a worker killed
        # before it acknowledged its start (it waits for the acknowledgement for ever).
        await asyncio.sleep(3)
        before = _children(server.process.pid)
        assert len(before) >= 2
        victim = max(before)
        os.kill(victim, signal.SIGKILL)
        for _ in range(50):  # the watchdog looks every second
            after = _children(server.process.pid)
            if victim not in after and len(after) == len(before):
                break
            await asyncio.sleep(0.2)
        async with httpx.AsyncClient(base_url=server.base, timeout=10,
                                     limits=httpx.Limits(max_keepalive_connections=0)) as http:
            answers = [(await http.get("/readyz")).status_code for _ in range(10)]
    assert victim not in after and len(after) == len(before), (before, after)
    assert answers == [200] * 10
    assert f"(pid {victim}) died with exit code -9; starting a new one" in server.output()


def test_a_sqlite_lock_held_past_the_busy_timeout_answers_503(tmp_path):
    import sqlite3

    path = tmp_path / "locked.sqlite3"
    with Server({"DANGJIAN_DATABASE_URL": f"sqlite://{path}", "DANGJIAN_UPLOAD_DIR": str(tmp_path / "up")}) as server:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another process writing for longer than SQLite waits (5 s)
        try:
            login = httpx.post(server.base + "/api/v1/auth/wechat", json={"code": "dev:locked-out"}, timeout=30)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        after = httpx.post(server.base + "/api/v1/auth/wechat", json={"code": "dev:locked-out"}, timeout=30)
    assert login.status_code == 503 and login.json()["error"]["code"] == "backend_unavailable", login.text
    assert login.headers["retry-after"] == "5"
    assert after.status_code == 200
