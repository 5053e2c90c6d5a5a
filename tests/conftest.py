"""Fixtures. Every test that touches storage runs twice: on SQLite with the in-process store,
and on PostgreSQL with Redis. Where those servers do not answer, their run is skipped with the
reason; with DANGJIAN_TEST_REQUIRE_SERVICES=1 (CI) it fails instead.

Two checkouts can test at once on one machine: see tests/resources.py."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from server.app import create_app
from server.config import Settings
from tests.asgi import Lifespan
from tests.resources import (  # noqa: F401 — re-exported for the tests and bench/
    PG_ADMIN_URL, PG_TEST_DB, REQUIRE_SERVICES, fresh_postgres, fresh_redis, pg_url, redis_test_url, release,
    unavailable,
)


def pytest_sessionfinish(session, exitstatus):
    release()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Under `pytest -n N --dist loadgroup` (make test): each backend's tests go to one worker, so
    each backend is set up once a run; every other test goes out on its own, as with `load` (the
    three schemathesis runs and the drill, grouped by module, ran one after another: 797 s
    against 700). xdist 3.8 groups by an "@group" suffix on the node id, which it writes to
    `item._nodeid` for xdist_group marks; pytest 9.2 keeps the id in `item._id` (a NodeId) and
    ignores that, so those marks are silently not honoured: the suffix is written here."""
    if not getattr(config.option, "loadgroup", False):  # set in xdist's workers only; absent without -n
        return
    from _pytest.nodeid import NodeId

    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "backend" in callspec.params:
            item._id = NodeId.parse(f"{item.nodeid}@{callspec.params['backend']}")


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
        redis_url = await fresh_redis(redis_test_url("app"))
    await db.migrate(database_url)
    # The job engine's worker runs inside the test app on both (on PostgreSQL, the real one on
    # procrastinate's tables; deploy/drill.py runs it as its own process).
    settings = Settings(database_url=database_url, redis_url=redis_url, login_rate_limit=1_000_000,
                        upload_dir=str(tmp_path_factory.mktemp("uploads")), worker_in_process=True)
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

