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
