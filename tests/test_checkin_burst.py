"""Exactly once under real concurrency: 500 members scanning at once through two server
worker processes on PostgreSQL + Redis, a fifth of them retrying with the same nonce."""
import asyncio
import uuid

import httpx
import pytest

from server.activities import tokens
from server.activities.models import Attendance
from tests.factories import make_activity, make_logged_in_members
from tests.serverproc import ServerProcess

pytestmark = pytest.mark.e2e
MEMBERS = 500


async def test_500_members_two_workers_exactly_once(world, backend):
    if not backend.is_postgres:
        pytest.skip("two workers share state through PostgreSQL + Redis; the SQLite run has one process")
    activity = await make_activity(world)
    bearer = await make_logged_in_members(world.party_a, MEMBERS)
    env = {"DANGJIAN_DATABASE_URL": backend.settings.database_url, "DANGJIAN_REDIS_URL": backend.settings.redis_url,
           "DANGJIAN_WORKERS": "2"}
    with ServerProcess(env) as server:
        token, _ = tokens.issue(backend.settings.secret_key, activity.checkin_code)
        nonces = [uuid.uuid4().hex for _ in bearer]
        plan = [(i, nonces[i]) for i in range(MEMBERS)] + [(i, nonces[i]) for i in range(0, MEMBERS, 5)]
        limits = httpx.Limits(max_connections=len(plan), max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server.base, timeout=60, limits=limits) as http:
            async def scan(i, n):
                return i, await http.post("/api/v1/checkins", json={"token": token, "nonce": n},
                                          headers={"Authorization": f"Bearer {bearer[i]}"})
            results = await asyncio.gather(*[scan(i, n) for i, n in plan])
    assert [r.status_code for _, r in results].count(201) == len(plan), \
        {r.status_code: r.text for _, r in results if r.status_code != 201}
    assert await Attendance.filter(activity=activity).count() == MEMBERS
    first = {}
    for i, response in results:
        first.setdefault(i, response.json())
        assert response.json() == first[i]  # the retry replayed the first answer exactly
