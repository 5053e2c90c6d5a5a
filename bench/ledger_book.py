"""One party branch's 台账 for a busy year: 200 meetings with their records (topics, minutes,
resolutions for the congresses, a photo for every tenth) and 20 000 sign-ins of its 120 members;
then `GET /reports/ledger.xlsx` and `GET /reports/ledger.pdf`, each from a fresh one-worker
server, timed, with the server's peak memory before and after, and the files read back.

    python -m bench.ledger_book                 # PostgreSQL + Redis when they answer, else SQLite
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import random
import sys
import time

import httpx
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from bench.__main__ import RESULTS, _backend_env, _token
from bench.members import add_history
from bench.plates import _group_memory_mb
from tests.resources import release
from tests.serverproc import ServerProcess

KINDS = ["party_congress", "committee", "group", "lecture", "theme_day"]
MINUTES = "一、传达学习上级文件精神。\n二、讨论市场党员先锋岗设置和明码标价检查安排。\n三、" + "发言要点：诚信经营，亮明身份，接受群众监督。" * 12


def _photo(seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.effect_noise((1600, 1200), 40).convert("RGB")
    image.paste((rng.randrange(256), 80, 60), (0, 0, 800, 600))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


async def add_meetings(database_url: str, org_id: int, meetings: int, signins: int, files_root: str | None) -> tuple[int, int, int]:
    from server import db
    from server.activities.models import Activity, ActivityPhoto, Attendance
    from server.clock import SHANGHAI
    from server.codes import random_code
    from server.config import Settings
    from server.members.models import Member
    from server.storage import make_storage

    await db.connect(database_url)
    try:
        rng = random.Random(17)
        members = await Member.filter(life_org_id=org_id).values_list("id", flat=True)
        host, recorder = members[0], members[1]
        rows = []
        for i in range(meetings):
            starts = dt.datetime(2026, 1, 3, 19, tzinfo=SHANGHAI) + dt.timedelta(days=i * 355 // meetings)
            kind = KINDS[i % len(KINDS)]
            rows.append(Activity(
                org_id=org_id, kind=kind, title=f"台账基准会议{i}", place="市场党员活动室", starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2), checkin_code=random_code(12), host_id=host, recorder_id=recorder,
                topics=["学习上级文件", "讨论先锋岗设置"], minutes=MINUTES, guests="湖滨分会 赵会长",
                resolutions=[{"text": "同意设立党员先锋岗", "votes_for": 60, "votes_against": 2, "abstaining": 1}]
                if kind in ("party_congress", "committee") else []))
        await Activity.bulk_create(rows, batch_size=500)
        made = await Activity.filter(org_id=org_id, title__startswith="台账基准会议").values_list("id", "starts_at")
        per = max(1, signins // len(made))
        count = 0
        for activity_id, starts_at in made:
            chosen = rng.sample(list(members), min(per, len(members)))
            await Attendance.bulk_create([Attendance(
                activity_id=activity_id, member_id=m, status=rng.choice(["present"] * 8 + ["leave", "absent"]),
                method="scan", recorded_at=starts_at, note="外出进货" if rng.random() < 0.05 else "") for m in chosen],
                batch_size=2000)
            count += len(chosen)
        photos = 0
        settings = Settings(database_url=database_url, **({"upload_dir": files_root} if files_root else {}))
        storage = make_storage(settings)
        for activity_id, _ in made[::10]:
            jpeg = _photo(activity_id)
            key = await storage.put(jpeg, ".jpg")
            await ActivityPhoto.create(activity_id=activity_id, key=key, width=1600, height=1200, size=len(jpeg))
            photos += 1
        return len(made), count, photos
    finally:
        await db.close()


def _export(env: dict, org_id: int, kind: str) -> dict:
    server = ServerProcess(env)
    with server:
        admin = _token(server.base, "dev:admin")
        httpx.get(server.base + "/api/v1/me", headers={"Authorization": f"Bearer {admin}"}).raise_for_status()
        before, _ = _group_memory_mb(server.process.pid)
        started = time.perf_counter()
        response = httpx.get(f"{server.base}/api/v1/reports/ledger.{kind}", params={"org_id": org_id, "year": 2026},
                             headers={"Authorization": f"Bearer {admin}"}, timeout=600)
        seconds = time.perf_counter() - started
        peak, after = _group_memory_mb(server.process.pid)
    if response.status_code != 200:
        raise SystemExit(f"ledger.{kind}: {response.status_code}\n" + server.output()[-4000:])
    result = {"seconds": round(seconds, 2), "kb": len(response.content) // 1024, "rss_before_mb": before,
              "peak_mb": peak, "rss_after_mb": after}
    if kind == "xlsx":
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        result["sheets"] = len(book.sheetnames)
        result["detail_rows"] = sum(1 for _ in book["签到明细"].iter_rows(min_row=3))
    else:
        reader = PdfReader(io.BytesIO(response.content))
        result["pages"] = len(reader.pages)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger_book")
    parser.add_argument("--backend", choices=["auto", "postgres", "sqlite"], default="auto")
    parser.add_argument("--members", type=int, default=120)
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument("--signins", type=int, default=20_000)
    args = parser.parse_args(argv)
    backend, env = asyncio.run(_backend_env(args.backend))
    try:
        with ServerProcess(env):  # migrates and loads the demo
            pass
        from bench.__main__ import _org_ids

        _, market_org = _org_ids(env["DANGJIAN_DATABASE_URL"])
        members = asyncio.run(add_history(env["DANGJIAN_DATABASE_URL"], market_org, args.members))
        meetings, signins, photos = asyncio.run(add_meetings(
            env["DANGJIAN_DATABASE_URL"], market_org, args.meetings, args.signins, env.get("DANGJIAN_UPLOAD_DIR")))
        workbook = _export(env, market_org, "xlsx")
        book = _export(env, market_org, "pdf")
    finally:
        release()
    result = {"backend": backend, "members": members, "meetings": meetings, "signins": signins, "photos": photos,
              "xlsx": workbook, "pdf": book}
    print(json.dumps(result, ensure_ascii=False, indent=1))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ledger_book.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
