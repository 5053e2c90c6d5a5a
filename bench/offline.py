"""Offline check-in at the size of a big market meeting: 500 members expected, the secretary's phone
downloads the pack (issuing 500 member codes the first time, then again with them issued), and
uploads 500 card scans at once, then the same upload again (a retry: nothing changes). The floor,
measured in the same run on the same server: the same 500 members checking in one by one with
the rotating code, which is what the cards replace.

    python -m bench.offline                 # PostgreSQL + Redis when they answer, else SQLite
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import time
import uuid

import httpx

from bench.__main__ import RESULTS, _backend_env, _org_ids, _token
from tests.resources import release
from tests.serverproc import ServerProcess


async def _prepare(database_url: str, org_id: int, count: int) -> tuple[int, int, list[str], str]:
    """Two meetings of the org starting now, and `count` members with logins."""
    from server import db
    from server.activities import tokens
    from server.activities.models import Activity
    from server.clock import now
    from server.codes import random_code
    from server.config import DEFAULT_SECRET
    from server.orgs.models import Org
    from tests.factories import make_logged_in_members

    await db.connect(database_url)
    try:
        org = await Org.get(id=org_id)
        made = [await Activity.create(org=org, kind="lecture", title=f"基准测试党课 {i}", starts_at=now() + dt.timedelta(minutes=5),
                                      ends_at=now() + dt.timedelta(hours=2), checkin_code=random_code(12)) for i in range(2)]
        bearer = await make_logged_in_members(org, count)
    finally:
        await db.close()
    token, _ = tokens.issue(DEFAULT_SECRET, made[1].checkin_code)
    return made[0].id, made[1].id, bearer, token


async def _codes(database_url: str) -> list[str]:
    from server import db
    from server.members.models import MemberCode

    await db.connect(database_url)
    try:
        return list(await MemberCode.filter(active_key__isnull=False).values_list("code", flat=True))
    finally:
        await db.close()


def _timed(call):
    started = time.perf_counter()
    response = call()
    response.raise_for_status()
    return time.perf_counter() - started, response.json()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.offline")
    parser.add_argument("--backend", choices=["auto", "postgres", "sqlite"], default="auto")
    parser.add_argument("--scans", type=int, default=500)
    args = parser.parse_args(argv)
    backend, env = asyncio.run(_backend_env(args.backend))
    try:
        with ServerProcess(env) as server:
            _, market_org = _org_ids(env["DANGJIAN_DATABASE_URL"])
            cards_meeting, code_meeting, bearer, token = asyncio.run(
                _prepare(env["DANGJIAN_DATABASE_URL"], market_org, args.scans))
            secretary = {"Authorization": f"Bearer {_token(server.base, 'dev:secretary1')}"}
            with httpx.Client(base_url=server.base, timeout=300, headers=secretary) as http:
                first_pack, pack = _timed(lambda: http.get(f"/api/v1/activities/{cards_meeting}/offline-pack"))
                second_pack, pack = _timed(lambda: http.get(f"/api/v1/activities/{cards_meeting}/offline-pack"))
                codes = asyncio.run(_codes(env["DANGJIAN_DATABASE_URL"]))
                at = dt.datetime.now(dt.timezone.utc)
                body = {"device_id": f"bench-{uuid.uuid4().hex[:12]}", "pack": pack["pack"],
                        "downloaded_at": at.isoformat(), "sent_at": at.isoformat(),
                        "scans": [{"seq": i + 1, "member_code": code, "scanned_at": (at + dt.timedelta(seconds=i)).isoformat()}
                                  for i, code in enumerate(codes[: args.scans])]}
                upload, answer = _timed(lambda: http.post(f"/api/v1/activities/{cards_meeting}/offline-scans", json=body))
                replay, again = _timed(lambda: http.post(f"/api/v1/activities/{cards_meeting}/offline-scans", json=body))
            started = time.perf_counter()
            with httpx.Client(base_url=server.base, timeout=30) as http:
                for member in bearer:  # the floor: the same members, one rotating-code check-in each
                    http.post("/api/v1/checkins", json={"token": token, "nonce": uuid.uuid4().hex},
                              headers={"Authorization": f"Bearer {member}"}).raise_for_status()
            floor = time.perf_counter() - started
    finally:
        release()
    result = {
        "backend": backend, "members": len(pack["members"]), "scans": len(body["scans"]),
        "pack_first_s": round(first_pack, 2), "pack_again_s": round(second_pack, 2),
        "upload_s": round(upload, 2), "upload_counts": answer["counts"], "replay_s": round(replay, 2),
        "replay_counts": again["counts"], "floor_code_checkins_s": round(floor, 2),
        "upload_over_floor": round(upload / floor, 3),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "offline.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
