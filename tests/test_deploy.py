"""deploy/: the backup script restores what it saved, database and uploads together, and the
env template names every setting the service reads."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import asyncpg
import pytest

from server.config import PREFIX, Settings
from tests.conftest import REQUIRE_SERVICES, fresh_postgres

ROOT = Path(__file__).resolve().parent.parent


def test_env_template_explains_every_setting():
    template = (ROOT / "deploy" / "dangjian.env.example").read_text()
    named = set(re.findall(rf"^{PREFIX}([A-Z_]+)=", template, re.M))
    read = {name.upper() for name in Settings.model_fields}
    assert len(read) > 20 and not read - named, f"settings missing from the template: {sorted(read - named)}"
    assert not named - read, f"the template names settings the service does not have: {sorted(named - read)}"


async def test_backup_then_restore_brings_back_database_and_uploads(tmp_path):
    if not shutil.which("pg_dump"):
        if REQUIRE_SERVICES:
            pytest.fail("pg_dump is missing (Debian: postgresql-client-15)")
        pytest.skip("pg_dump is not installed: the backup test was skipped")
    url = await fresh_postgres("dangjian_backup_test")
    conn = await asyncpg.connect(url)
    await conn.execute("CREATE TABLE orgs (id int primary key, name text)")
    await conn.execute("INSERT INTO orgs VALUES (1, '湖滨分会')")
    uploads = tmp_path / "uploads"
    (uploads / "ab").mkdir(parents=True)
    (uploads / "ab" / "abcd.jpg").write_bytes(b"photo-bytes")
    env = {**os.environ, "DANGJIAN_DATABASE_URL": url, "DANGJIAN_UPLOAD_DIR": str(uploads)}
    saved = subprocess.run([str(ROOT / "deploy" / "backup"), "save", str(tmp_path / "backups")], env=env,
                           capture_output=True, text=True, check=True).stdout.split()
    dump, archive = saved
    # Lose data: a row changed, a row added, a photo gone, a stray file left.
    await conn.execute("UPDATE orgs SET name = '改错了' WHERE id = 1")
    await conn.execute("INSERT INTO orgs VALUES (2, '多出来的')")
    (uploads / "ab" / "abcd.jpg").unlink()
    (uploads / "stray.txt").write_text("x")
    await conn.close()
    subprocess.run([str(ROOT / "deploy" / "backup"), "restore", dump, archive], env=env, capture_output=True,
                   text=True, check=True)
    conn = await asyncpg.connect(url)
    rows = await conn.fetch("SELECT id, name FROM orgs ORDER BY id")
    await conn.close()
    assert [tuple(r) for r in rows] == [(1, "湖滨分会")]
    assert (uploads / "ab" / "abcd.jpg").read_bytes() == b"photo-bytes"
    assert not (uploads / "stray.txt").exists()
