"""Helpers for the 先锋指数 tests: members of every kind the roster must tell apart, a cycle set
up over HTTP, and days passing (a deadline or the announcement's end moved into the past)."""
from __future__ import annotations

import datetime as dt

from server.clock import today
from server.evaluation.models import Cycle
from tests.factories import make_member, make_user

DEADLINES = {"self_until": None, "peer_until": None, "review_until": None}


def deadlines(days: int = 3) -> dict:
    day = today()
    last = min(day + dt.timedelta(days=days), dt.date(day.year + 1, 3, 31))
    return {"self_until": last.isoformat(), "peer_until": last.isoformat(), "review_until": last.isoformat()}


async def logged_in_member(world, who: str, org, **overrides):
    user = await world.add_user(who)
    return await make_member(user, org, **overrides)


async def create_cycle(world, who: str = "admin", org=None, **body):
    org = org or world.root
    async with world.client(who) as c:
        response = await c.post("/api/v1/evaluations/cycles", json={
            "org_id": org.id, "year": today().year, "deadlines": deadlines(), **body})
    assert response.status_code == 201, response.text
    return response.json()


async def pass_days(cycle_id: int, **fields) -> None:
    """Move a cycle's dates into the past, as if the days had gone by."""
    yesterday = today() - dt.timedelta(days=1)
    await Cycle.filter(id=cycle_id).update(**{name: yesterday for name in fields})


async def review_everyone(world, cycle_id: int, points: dict[int, dict], who: str = "sec_a") -> None:
    """points: evaluation id -> items."""
    async with world.client(who) as c:
        for evaluation_id, items in points.items():
            response = await c.put(f"/api/v1/evaluations/{evaluation_id}/review", json={"items": items})
            assert response.status_code == 200, response.text


def items(political=20, integrity=30, org_life=20, service=20, study=10) -> dict:
    return {"political": political, "integrity": integrity, "org_life": org_life, "service": service, "study": study}


__all__ = ["make_user"]
