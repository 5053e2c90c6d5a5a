"""Floors for the authenticated hot paths: what the least a server could do costs here.

A standalone Sanic app, one process, on the bench's own PostgreSQL database and Redis number:

- `GET /me`: the caller's document (the bytes our `/me` answers, stored by the bench in Redis
  under the token's hash, read once and then kept in the process's memory, as our near cache
  keeps the token's caller and the document) and the answer. No framework of ours, no
  middleware. (Until 2026-11-29 the floor read Redis on every request, as our `/me` did.)
- `POST /checkins`: the JSON body parsed, one Redis pipeline (the token's member, the activity's
  snapshot, the rate limit's INCR and EXPIRE) and one `INSERT … ON CONFLICT DO NOTHING` into a
  table of its own shaped like attendance (unique activity+member and nonce), answered with 201.
- `GET /members`: the least a roster page read from the database can cost. The caller's org ids
  (stored by the bench; read once, then from memory, as our principal is) and one query for
  the page with its total (a window count), the same columns our `/members` answers, dumped as
  JSON. No roles, no filters checked.

    python -m bench.floors serve --port N     # DANGJIAN_DATABASE_URL, DANGJIAN_REDIS_URL from the env

The bench starts it beside the real server and loads both the same way (wrk for /me, the same
burst of distinct members for check-ins); our route's figure over the floor's is the ratio.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from datetime import date, datetime, timezone

from tests.serverproc import answers, free_port

TABLE = "bench_floor_attendance"


def _members_page() -> str:
    """The first page of active members in the given orgs with their total: the columns our
    `/members` answers (MemberOut's fields, each a column of members)."""
    from server.members.schemas import MemberOut

    return (f"SELECT {', '.join(MemberOut.model_fields)}, count(*) OVER () AS total FROM members"
            " WHERE life_org_id = ANY($1::int[]) AND membership = 'active' ORDER BY name, id LIMIT 50")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _app():
    import asyncpg
    from redis import asyncio as aioredis
    from sanic import Sanic, response

    app = Sanic("floor")
    app.config.ACCESS_LOG = False
    # Bare: Sanic would load sanic-ext (installed for the server) into this app too, and its
    # dependency injection runs a signal handler on every request (until 2026-11-29 the floors
    # paid that cost, and so did the server).
    app.config.AUTO_EXTEND = False
    members_page = _members_page()

    kept: dict[str, bytes] = {}

    async def cached(request, kind: str) -> bytes | None:
        """What the bench stored under the bearer token's hash for this kind of answer: read from
        Redis the first time, then from this process's memory."""
        token = request.headers.get("authorization", "").partition(" ")[2]
        key = f"floor:{kind}:{_hash(token)}"
        if key not in kept:
            value = await request.app.ctx.redis.get(key)
            if value is None:
                return None
            kept[key] = value
        return kept[key]

    @app.before_server_start
    async def connect(app_, _loop):
        app_.ctx.redis = aioredis.Redis.from_url(os.environ["DANGJIAN_REDIS_URL"], max_connections=50)
        app_.ctx.pg = await asyncpg.create_pool(os.environ["DANGJIAN_DATABASE_URL"], min_size=4, max_size=20)
        await app_.ctx.pg.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, activity_id int NOT NULL, member_id int NOT NULL,"
            " nonce varchar(64) NOT NULL UNIQUE, recorded_at timestamptz NOT NULL, UNIQUE (activity_id, member_id))")

    @app.get("/healthz")
    async def healthz(_request):
        return response.json({"status": "ok"})

    @app.get("/me")
    async def me(request):
        body = await cached(request, "me")
        if body is None:
            return response.json({"error": "unknown"}, status=401)
        return response.raw(body, content_type="application/json")

    @app.get("/members")
    async def members(request):
        scope = await cached(request, "scope")
        if scope is None:
            return response.json({"error": "unknown"}, status=401)
        rows = await request.app.ctx.pg.fetch(members_page, json.loads(scope))
        items = [{name: value.isoformat() if isinstance(value, (date, datetime)) else value
                  for name, value in row.items() if name != "total"} for row in rows]
        return response.json({"items": items, "total": rows[0]["total"] if rows else 0, "as_of": None})

    @app.post("/checkins")
    async def checkin(request):
        token = request.headers.get("authorization", "").partition(" ")[2]
        data = json.loads(request.body)
        token_hash = _hash(token)
        pipe = request.app.ctx.redis.pipeline(transaction=False)
        pipe.get(f"floor:member:{token_hash}")
        pipe.get(f"floor:activity:{data['token']}")
        pipe.incr(f"floor:rate:{token_hash}")
        pipe.expire(f"floor:rate:{token_hash}", 60)
        member, activity, _count, _ = await pipe.execute()
        if member is None or activity is None:
            return response.json({"error": "unknown"}, status=403)
        activity = json.loads(activity)
        moment = datetime.now(timezone.utc)
        inserted = await request.app.ctx.pg.fetchval(
            f"INSERT INTO {TABLE} (activity_id, member_id, nonce, recorded_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT DO NOTHING RETURNING id", activity["id"], int(member), data["nonce"], moment)
        return response.json({"status": "checked_in" if inserted else "replayed", "activity_id": activity["id"],
                              "activity_title": activity["title"], "member_id": int(member),
                              "checked_in_at": moment.isoformat()}, status=201)

    return app


class FloorServer:
    """The floor app in a process of its own, on the given environment's database and Redis."""

    def __init__(self, env: dict) -> None:
        self.port = free_port()
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "FloorServer":
        self.process = subprocess.Popen([sys.executable, "-m", "bench.floors", "serve", "--port", str(self.port)],
                                        env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if answers(self.base):
            return self
        self.__exit__()
        raise RuntimeError("the floor server did not start")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


async def seed_me(redis_url: str, token: str, body: bytes) -> None:
    from redis import asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url)
    await client.set(f"floor:me:{_hash(token)}", body)
    await client.aclose()


async def seed_checkins(redis_url: str, bearer: dict[str, int], checkin_token: str, activity: dict) -> None:
    """Each bearer token's member id and the activity's snapshot, as the floor reads them."""
    from redis import asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url)
    pipe = client.pipeline(transaction=False)
    for token, member_id in bearer.items():
        pipe.set(f"floor:member:{_hash(token)}", member_id)
    pipe.set(f"floor:activity:{checkin_token}", json.dumps(activity))
    await pipe.execute()
    await client.aclose()


async def seed_scope(redis_url: str, database_url: str, token: str) -> None:
    """The org ids the token's caller reaches as staff, as the members floor reads them."""
    from redis import asyncio as aioredis

    from server import db
    from server.accounts.models import AuthToken
    from server.auth import hash_token, load_principal

    await db.connect(database_url)
    try:
        user = (await AuthToken.get(token_hash=hash_token(token)).select_related("user")).user
        ids = await (await load_principal(user)).org_ids()
    finally:
        await db.close()
    client = aioredis.Redis.from_url(redis_url)
    await client.set(f"floor:scope:{_hash(token)}", json.dumps(ids))
    await client.aclose()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floors")
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    _app().run(host="127.0.0.1", port=args.port, single_process=True, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
