"""The same migration files build the schema from zero on SQLite and on PostgreSQL, and they
describe the models as they are now (a model edited without its migration fails here).

Each check runs in a child process: Tortoise keeps model metadata on the classes, and this test
process already has the app's database open through them.
"""
import sqlite3
import subprocess
import sys

import asyncpg

from server.config import PROJECT_ROOT
from tests.conftest import fresh_postgres

TABLES = {"users", "auth_tokens", "orgs", "roles", "markets", "registrations", "members", "audit_entries"}


def run_command(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "DANGJIAN_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "server", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_migrations_apply_from_zero_on_sqlite(tmp_path):
    path = tmp_path / "zero.sqlite3"
    first = run_command("migrate", database_url=f"sqlite://{path}")
    assert first.returncode == 0, first.stderr
    tables = {row[0] for row in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert TABLES <= tables
    again = run_command("migrate", database_url=f"sqlite://{path}")  # nothing left to apply, no error
    assert again.returncode == 0, again.stderr


async def test_migrations_apply_from_zero_on_postgres():
    url = await fresh_postgres("dangjian_migrations_test")
    first = run_command("migrate", database_url=url)
    assert first.returncode == 0, first.stderr
    conn = await asyncpg.connect(url)
    try:
        tables = {r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
        unique_open = await conn.fetchval(
            "SELECT count(*) FROM pg_indexes WHERE tablename='registrations' AND indexdef LIKE '%UNIQUE%open_key%'")
    finally:
        await conn.close()
    assert TABLES <= tables
    assert unique_open == 1  # one open registration per user is enforced by the database itself
    again = run_command("migrate", database_url=url)
    assert again.returncode == 0, again.stderr


DETECT = """
import asyncio
from tortoise.cli.cli import tortoise_cli_context
from tortoise.migrations.autodetector import MigrationAutodetector
from server import db

async def main():
    config = db.tortoise_config("sqlite://:memory:")
    async with tortoise_cli_context(config) as ctx:
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    print([w.name for w in writers])

asyncio.run(main())
"""


def test_models_have_no_unmigrated_changes():
    # What `tortoise makemigrations` does, without writing files.
    result = subprocess.run([sys.executable, "-c", DETECT], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]", "models changed without a migration: run tortoise makemigrations"


# An old database made at a migration, rows put in with SQL, then migrated to the newest: the scripts
# run in a process of their own (Tortoise is global), starting from this.
SCRIPT_HEAD = """
import asyncio, sys
from tortoise import Tortoise, connections
from tortoise.migrations.api.migrate import migrate
from server import db

url = sys.argv[1]

async def sql(query):
    await Tortoise.init(config=db.tortoise_config(url))
    try:
        return await connections.get("default").execute_query_dict(query)
    finally:
        await db.close()
"""

BACKFILL = SCRIPT_HEAD + """
def text(value):
    return value.isoformat() if hasattr(value, "isoformat") else value

async def main():
    await migrate(config=db.tortoise_config(url), target="models.0005_jobs_engine")
    await db.close()
    await sql("INSERT INTO orgs (id, name, kind, district, path, created_at) VALUES "
              "(1, '协会', 'association', '上城区', '/1/', '2024-01-01 00:00:00+00:00')")
    await sql("INSERT INTO members (id, name, mobile, unit_name, is_owner, household_district, life_org_id, home_org, "
              "category, standing, placement, created_at, updated_at) VALUES (7, '老党员', '13900000000', '店', true, "
              "'上城区', 1, '党委', 'local', 'full', 'standalone', '2024-03-01 17:00:00+00:00', '2024-03-01 17:00:00+00:00')")
    await migrate(config=db.tortoise_config(url))
    await db.close()
    events = await sql("SELECT field, effective_on FROM member_events WHERE member_id = 7")
    periods = await sql("SELECT valid_from, valid_to, life_org_id, category, membership FROM member_periods")
    member = await sql("SELECT on_roster_since, business_status, membership FROM members WHERE id = 7")
    print(len(events), sorted({text(e["effective_on"]) for e in events}),
          [tuple(text(v) for v in p.values()) for p in periods], tuple(text(v) for v in member[0].values()))

asyncio.run(main())
"""


def _run(script: str, url: str) -> str:
    result = subprocess.run([sys.executable, "-c", script, url], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def _backfill(url: str) -> str:
    return _run(BACKFILL, url)


EXPECTED = "9 ['2024-03-02'] [('2024-03-02', None, 1, 'local', 'active')] ('2024-03-02', 'operating', 'active')"


def test_the_history_of_members_already_on_the_roster_starts_on_their_day_on_sqlite(tmp_path):
    """Migration 0006 on a database with members: the new NOT NULL columns get their defaults,
    and every member one event per tracked attribute and one period, from the day (Shanghai)
    their record was made: 2024-03-01 17:00 UTC is 2 March there."""
    assert _backfill(f"sqlite://{tmp_path / 'old.sqlite3'}") == EXPECTED


async def test_the_history_of_members_already_on_the_roster_starts_on_their_day_on_postgres():
    assert _backfill(await fresh_postgres("dangjian_backfill_test")) == EXPECTED


MEETING_RECORD = SCRIPT_HEAD + """
from server.activities.models import Activity

async def main():
    await migrate(config=db.tortoise_config(url), target="models.0009_query_indexes")
    await db.close()
    await sql("INSERT INTO orgs (id, name, kind, district, path, created_at) VALUES "
              "(1, '支部', 'party_branch', '上城区', '/1/', '2024-01-01 00:00:00+00:00')")
    await sql("INSERT INTO activities (id, org_id, kind, title, place, starts_at, ends_at, counts_as_training, "
              "checkin_opens_before, checkin_closes_after, checkin_code, status, minutes, created_at, updated_at) VALUES "
              "(5, 1, 'lecture', '旧党课', '', '2025-03-01 11:00:00+00:00', '2025-03-01 13:00:00+00:00', true, 30, 0, "
              "'oldcode12345', 'scheduled', '旧记录', '2025-03-01 00:00:00+00:00', '2025-03-01 00:00:00+00:00')")
    await migrate(config=db.tortoise_config(url))
    await Tortoise.init(config=db.tortoise_config(url))
    try:
        a = await Activity.get(id=5)
        print(repr((a.topics, a.resolutions, a.guests, a.speaker_name, a.host_id, a.minutes)))
    finally:
        await db.close()

asyncio.run(main())
"""


def _meeting_record(url: str) -> str:
    return _run(MEETING_RECORD, url)


def test_meetings_held_before_the_record_fields_have_an_empty_record_on_sqlite(tmp_path):
    """Migration 0010 on a database with meetings: the record's new columns are empty, not null."""
    assert _meeting_record(f"sqlite://{tmp_path / 'old.sqlite3'}") == "([], [], '', '', None, '旧记录')"


async def test_meetings_held_before_the_record_fields_have_an_empty_record_on_postgres():
    assert _meeting_record(await fresh_postgres("dangjian_record_test")) == "([], [], '', '', None, '旧记录')"
