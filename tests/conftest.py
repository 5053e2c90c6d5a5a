"""Fixtures. Every test that touches storage runs twice: on SQLite with the in-process store,
and on PostgreSQL with Redis. Where those servers do not answer, their run is skipped with the
reason; with DANGJIAN_TEST_REQUIRE_SERVICES=1 (CI) it fails instead."""
from __future__ import annotations

import os
from dataclasses import dataclass

import asyncpg
import pytest
import redis.asyncio as redis

from server.app import create_app
from server.config import Settings
from tests.asgi import Lifespan

PG_ADMIN_URL = os.environ.get("DANGJIAN_TEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_TEST_DB = os.environ.get("DANGJIAN_TEST_PG_DB", "dangjian_test")
REDIS_TEST_URL = os.environ.get("DANGJIAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("DANGJIAN_TEST_REQUIRE_SERVICES") == "1"


def pg_url(database: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


def unavailable(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (DANGJIAN_TEST_REQUIRE_SERVICES=1: the PostgreSQL + Redis run is required)")
    pytest.skip(f"{reason}: the PostgreSQL + Redis run of this test was skipped")


async def fresh_postgres(database: str) -> str:
    """Drop and create `database`, or skip/fail saying why PostgreSQL cannot be used."""
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


async def fresh_redis(url: str = REDIS_TEST_URL) -> str:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3)
        await client.flushdb()
        await client.aclose()
    except (OSError, redis.RedisError) as exc:
        unavailable(f"Redis not reachable at {url} ({exc.__class__.__name__}: {exc})")
    return url


@dataclass
class Backend:
    name: str
    settings: Settings
    app: object

    @property
    def store(self):
        return self.app.ctx.store

    @property
    def wechat(self):
        return self.app.ctx.wechat

    @property
    def is_postgres(self) -> bool:
        return self.name == "postgres"


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def backend(request, tmp_path_factory):
    """The app started through its own listeners on a freshly migrated database."""
    from tortoise.backends.base import executor

    from server import db

    # Tortoise caches each model's SQL per connection name ("default" on both backends), so
    # SQLite's "?" placeholders would follow us onto PostgreSQL. A server only ever talks to
    # one database; this suite talks to two in one process, so start each with an empty cache.
    executor.EXECUTOR_CACHE.clear()
    if request.param == "sqlite":
        database_url = f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        redis_url = None
    else:
        database_url = await fresh_postgres(PG_TEST_DB)
        redis_url = await fresh_redis()
    await db.migrate(database_url)
    settings = Settings(database_url=database_url, redis_url=redis_url, login_rate_limit=1_000_000,
                        upload_dir=str(tmp_path_factory.mktemp("uploads")))
    app = create_app(settings, name=f"dangjian_test_{request.param}")
    # Sanic's TouchUp rewrites class-level methods at start-up and breaks on the second app
    # started in one process (KeyError '_run_response_middleware'); servers start one app each.
    app.config.TOUCHUP = False
    lifespan = Lifespan(app)
    await lifespan.startup()
    yield Backend(request.param, settings, app)
    await lifespan.shutdown()


@pytest.fixture
async def world(backend):
    from tests.factories import make_world

    return await make_world(backend)
