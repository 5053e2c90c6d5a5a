"""The roster over time: a 10 000-row import through the server (dry run, then the commit as a
job of the worker), and the roster of a past day (GET /members?as_of=) over 20 000 members with
history beside the list of today."""
from __future__ import annotations

import io
import time

import httpx
from openpyxl import Workbook

from bench.plates import _group_memory_mb
from server.members.roster import HEADERS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST_HISTORY_MOBILE = 13500000000  # add_history's members: this mobile and the next ones


def roster_file(count: int, org_name: str, first_mobile: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("名册")
    sheet.append(HEADERS)
    for i in range(count):
        values = {"党员姓名": f"导入党员{i}", "手机号码": str(first_mobile + i), "性别": "男" if i % 2 else "女",
                  "单位名称": f"第{i}号商行", "是否业主": "是", "户籍所在地（区县）": "上城区",
                  "组织生活所在党组织": org_name, "组织关系所在地党组织": "上城区个私协会党委", "党员类别": "隶属党员",
                  "正式/预备": "正式党员", "党员分布": "个体工商户", "入党日期": "2005/7/1", "转正日期": "2006年7月1日",
                  "列入名册日期": "2020-01-01"}
        sheet.append([values.get(h) for h in HEADERS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def check_rows(base: str, token: str, org_id: int, data: bytes) -> tuple[dict, float]:
    """The import's dry run (POST /imports/members): its report and the seconds it took."""
    started = time.perf_counter()
    checked = httpx.post(f"{base}/api/v1/imports/members", params={"org_id": org_id},
                         headers={"Authorization": f"Bearer {token}"}, files={"file": ("名册.xlsx", data, XLSX)},
                         timeout=600)
    checked.raise_for_status()
    return checked.json(), time.perf_counter() - started


def import_rows(server, worker, token: str, org_id: int, org_name: str, count: int) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    data = roster_file(count, org_name, 13600000000)
    runner = (worker or server).process.pid
    report, dry_seconds = check_rows(server.base, token, org_id, data)
    server_peak, _ = _group_memory_mb(server.process.pid)
    started = time.perf_counter()
    state = httpx.post(f"{server.base}/api/v1/imports/{report['id']}/commit", headers=headers, timeout=600).json()
    while state["state"] == "committing":
        time.sleep(0.5)
        state = httpx.get(f"{server.base}/api/v1/imports/{report['id']}", headers=headers, timeout=60).json()
    commit_seconds = time.perf_counter() - started
    worker_peak, _ = _group_memory_mb(runner)
    return {"rows": count, "file_kb": len(data) // 1024, "created": report["created"], "errors": report["errors"],
            "dry_run_seconds": round(dry_seconds, 1), "server_peak_mb": server_peak, "state": state["state"],
            "commit_seconds": round(commit_seconds, 1), "commit_peak_mb": worker_peak,
            "committed_in": "worker" if worker else "server"}


async def add_history(database_url: str, org_id: int, count: int) -> int:
    """`count` more members on the roster since 2020, a tenth of them with a change recorded late
    (a move, a closed business, an absence) so the periods are not all alike."""
    import datetime as dt

    from server import db
    from server.members import history
    from server.members.models import Member

    await db.connect(database_url)
    try:
        members = []
        for first in range(0, count, 10_000):  # PostgreSQL takes at most 32 767 parameters a statement
            last = min(first + 10_000, count)
            await Member.bulk_create([Member(
                name=f"历史党员{i}", mobile=str(FIRST_HISTORY_MOBILE + i), unit_name=f"历史商行{i}", is_owner=True,
                household_district="上城区", life_org_id=org_id, home_org="党委", category="local", standing="full",
                placement="standalone") for i in range(first, last)], batch_size=2000)
            batch = await Member.filter(mobile__gte=str(FIRST_HISTORY_MOBILE + first),
                                        mobile__lt=str(FIRST_HISTORY_MOBILE + last))
            await history.start_many(batch, on=dt.date(2020, 1, 1), by=None, reason="基准测试")
            members += batch
        for i, member in enumerate(members[::10]):
            change = [{"business_status": "closed"}, {"away_since": dt.date(2026, 3, 1)}, {"category": "floating"}][i % 3]
            await history.record(member, change, effective_on=dt.date(2026, 1 + i % 10, 15), by=None, reason="基准测试")
        if database_url.startswith("postgres"):
            # What autovacuum does within a minute of a bulk load: statistics, the visibility map
            # (counts from the index alone) and the trigram indexes' pending entries merged. The
            # figures are of that steady state, not of the minute after a load.
            import asyncpg

            connection = await asyncpg.connect(database_url)
            try:
                for table in ("members", "member_periods"):
                    await connection.execute(f"VACUUM ANALYZE {table}")  # one statement: no transaction
            finally:
                await connection.close()
        return await Member.all().count()
    finally:
        await db.close()
