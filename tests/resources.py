"""PostgreSQL databases and Redis database numbers of this test run's own.

Two checkouts can test at once on one machine: every PostgreSQL database a run creates carries
the run's suffix (and is dropped at the end), and every Redis database number is claimed for the
run with a key only one run can set. One module, imported by conftest and the tests alike, so
that what a run took is known where the run ends (pytest_sessionfinish in conftest).
"""
from __future__ import annotations

import asyncio
import os

import asyncpg
import pytest
import redis
import redis.asyncio as aioredis

PG_ADMIN_URL = os.environ.get("DANGJIAN_TEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_SERVER = os.environ.get("DANGJIAN_TEST_REDIS_SERVER", "redis://127.0.0.1:6379")
REQUIRE_SERVICES = os.environ.get("DANGJIAN_TEST_REQUIRE_SERVICES") == "1"
RUN = f"r{os.getpid()}"  # this run's suffix
PG_TEST_DB = "dangjian_test"
CLAIM_KEY, CLAIM_TTL = "dangjian:test-run-claim", 2 * 3600  # a killed run's claims lapse
_created_databases: set[str] = set()
_claimed_redis: dict[str, int] = {}


def pg_url(database: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


def unavailable(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (DANGJIAN_TEST_REQUIRE_SERVICES=1: the PostgreSQL + Redis run is required)")
    pytest.skip(f"{reason}: the PostgreSQL + Redis run of this test was skipped")


async def fresh_postgres(database: str) -> str:
    """Drop and create `database` with this run's suffix, or skip/fail saying why PostgreSQL
    cannot be used. Dropped again when the run ends."""
    database = f"{database}_{RUN}"
    _created_databases.add(database)
    try:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        unavailable(f"PostgreSQL not reachable at {PG_ADMIN_URL} ({exc.__class__.__name__}: {exc})")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    return pg_url(database)


# Purposes that only one test at a time uses (each empties it with fresh_redis first) share a
# number: with `make test`'s two workers a run then claims at most six (app, scratch, scratch-2 in
# each), and two runs at once fit in 1–15.
_SHARED = {"kv": "scratch", "e2e": "scratch", "wechat": "scratch", "kv-other-deployment": "scratch-2"}


def redis_test_url(purpose: str) -> str:
    """A Redis database number of this run's own for `purpose` (1–15; 0 is left to real use):
    claimed with SET NX, so a second checkout testing at the same time takes other numbers."""
    purpose = _SHARED.get(purpose, purpose)
    if purpose in _claimed_redis:
        return f"{REDIS_SERVER}/{_claimed_redis[purpose]}"
    for number in range(1, 16):
        if number in _claimed_redis.values():
            continue
        try:
            client = redis.Redis.from_url(f"{REDIS_SERVER}/{number}", socket_connect_timeout=3)
            claimed = client.set(CLAIM_KEY, f"{RUN}:{purpose}", nx=True, ex=CLAIM_TTL)
            client.close()
        except (OSError, redis.RedisError) as exc:
            unavailable(f"Redis not reachable at {REDIS_SERVER} ({exc.__class__.__name__}: {exc})")
        if claimed:
            _claimed_redis[purpose] = number
            return f"{REDIS_SERVER}/{number}"
    pytest.fail("every Redis database 1–15 is claimed by other test runs (key dangjian:test-run-claim)")


async def fresh_redis(url: str) -> str:
    """Empty a database this run claimed (redis_test_url), keeping the claim."""
    number = int(url.rsplit("/", 1)[1])
    if number not in _claimed_redis.values():
        raise AssertionError(f"{url} is not claimed by this run: use redis_test_url()")
    try:
        client = aioredis.Redis.from_url(url, socket_connect_timeout=3)
        await client.flushdb()
        await client.set(CLAIM_KEY, RUN, ex=CLAIM_TTL)
        await client.aclose()
    except (OSError, aioredis.RedisError) as exc:
        unavailable(f"Redis not reachable at {url} ({exc.__class__.__name__}: {exc})")
    return url


def release() -> None:
    """Give back what this run took: its databases, its Redis numbers."""
    for number in _claimed_redis.values():
        try:
            client = redis.Redis.from_url(f"{REDIS_SERVER}/{number}", socket_connect_timeout=3)
            client.flushdb()
            client.close()
        except (OSError, redis.RedisError):
            pass
    if _created_databases:
        asyncio.run(_drop_databases())


async def _drop_databases() -> None:
    try:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return
    try:
        for database in _created_databases:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await conn.close()
