"""Tortoise ORM set-up: one app ("models") whose schema history lives in the top-level
`migrations/` package, written with Tortoise's own migration framework so that the same
files apply on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api.migrate import migrate as tortoise_migrate

MODEL_MODULES = [
    "server.accounts.models",
    "server.orgs.models",
    "server.markets.models",
    "server.members.models",
    "server.activities.models",
    "server.plates.models",
    "server.evaluation.models",
    "server.floating.models",
    "server.statistics.models",
    "server.reports.models",
    "server.audit",
    "server.storage",
]

# Largest id a 32-bit INTEGER column holds. Ids above it cannot exist; asking PostgreSQL
# for one raises "out of range", so lookups refuse them first.
MAX_ID = 2**31 - 1
# Stored in UTC. SQLite keeps datetimes as text and compares them as text, so every stored value
# and every filter value must carry the same offset: UTC, with clock.utc() applied to filters
# built from local times. The API shows Asia/Shanghai (clock.LocalDatetime).
TIMEZONE = "UTC"


def normalise_url(url: str) -> str:
    """Accept postgresql:// as well as Tortoise's postgres:// and create the SQLite folder."""
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://"):]
    if url.startswith("sqlite://") and ":memory:" not in url:
        Path(url[len("sqlite://"):].split("?")[0]).parent.mkdir(parents=True, exist_ok=True)
    return url


POOL_MAX = 20


async def _keep_session(_connection) -> None:
    """asyncpg runs RESET ALL, UNLISTEN and friends on every pool release: a round trip per
    query. We never change session state (no SET, LISTEN or advisory locks), so skip it."""


def _connection(url: str) -> str | dict:
    if not url.startswith("postgres://"):
        return url
    config = expand_db_url(url)
    config["engine"] = "server.pgpool"  # asyncpg's, behind a gate where no request waits long behind newcomers
    config["credentials"].setdefault("maxsize", POOL_MAX)
    config["credentials"]["reset"] = _keep_session
    return config


def tortoise_config(database_url: str) -> dict:
    return {
        "connections": {"default": _connection(normalise_url(database_url))},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": TIMEZONE,
    }


async def connect(database_url: str) -> None:
    # The global fallback lets request tasks, started outside the listener that ran this,
    # find the connections (Tortoise 1.x keeps them in a context variable otherwise).
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str) -> None:
    """Apply every migration not yet applied (the same files on SQLite and PostgreSQL), and on
    PostgreSQL the job engine's tables (server/jobs/engine.py)."""
    try:
        await tortoise_migrate(config=tortoise_config(database_url))
    finally:
        # aiosqlite's worker thread keeps the process alive until its connection is closed.
        await close()
    if not database_url.startswith("sqlite://"):
        from server.jobs.engine import apply_schema

        await apply_schema(database_url)


async def page_of(query, order_by: tuple[str, ...], offset: int, limit: int, fields: tuple[str, ...] = ()):
    """One page of `query` (as dicts of `fields` if given, else as model instances) and how many
    rows the whole query holds. A page that is not full ends the list, so its total is known
    without asking: most branches' lists are one statement. Otherwise COUNT runs as its own
    statement, which PostgreSQL answers from an index, rather than as a window count on the page
    (`count(*) OVER ()`), which reads every matching row before the first is returned: 50 000
    rows for a city's first page."""
    page = query.order_by(*order_by).offset(offset).limit(limit)
    rows = await (page.values(*fields) if fields else page)
    if 0 < len(rows) < limit or (not rows and not offset and limit):
        return rows, offset + len(rows)
    return rows, await query.count()


_NUMBERED = re.compile(r"\$(\d+)")


async def fetch(sql: str, values: list) -> list:
    """The rows of one plain statement, written with PostgreSQL's numbered parameters ($1, $2;
    SQLite's ?1, ?2 stand in for them there), each row indexed by position: for hot paths where
    Tortoise's query building costs several times the query (a token's caller: 860 µs through
    the ORM, 170 µs plain). Timestamps come back as the driver gives them: see `aware`."""
    connection = connections.get("default")
    if connection.capabilities.dialect != "postgres":
        sql = _NUMBERED.sub(r"?\1", sql)
    return (await connection.execute_query(sql, values))[1]


def aware(value) -> dt.datetime | None:
    """A timestamp as a plain query returns it: asyncpg a datetime, SQLite its ISO text (UTC)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
