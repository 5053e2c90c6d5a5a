"""Plate figures: one plate's render time against its bare floor, and a batch PDF's seconds and
peak memory.

The floor is what no layout can avoid: the QR code, one blank page of the same size, the QR
pasted onto it, the JPEG encode. The batch runs in its own process (as a job runs in a
worker) and reports that process's peak resident memory (VmHWM), so nothing else is counted.

    python -m bench.plates --batch 500
"""
from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from PIL import Image

import plates
from plates.render import qr_image

URL = "https://dj.example.cn/p/hfjwjgdemxz8"


def sample(i: int = 0, photo: bytes | None = None) -> plates.PlateData:
    return plates.PlateData(
        name=f"王建国{i or ''}", url=f"https://dj.example.cn/p/{i:012d}" if i else URL, code=f"{i:012d}",
        unit_name="建国南北货商行", market="河坊街商品市场", stall=f"A-{i % 1000:03d}",
        pledge="诚信经营，明码标价，足斤足两，不卖假冒伪劣商品，热情服务每一位顾客，接受群众监督。", photo=photo)


def phone_photo() -> bytes:
    """A phone's portrait photo, 1 920 × 2 560."""
    out = io.BytesIO()
    grey = Image.effect_mandelbrot((480, 640), (-2, -1.2, 0.8, 1.2), 60).resize((1920, 2560), Image.BICUBIC)
    Image.merge("RGB", (grey, grey.transpose(Image.FLIP_LEFT_RIGHT), grey.transpose(Image.FLIP_TOP_BOTTOM))) \
        .save(out, "JPEG", quality=90)
    return out.getvalue()


def photo_bytes(whole: bool = False) -> bytes:
    """The phone's photo as the upload stores it: cut and scaled to plates.PHOTO_PX (since
    2026-11-29), or with `whole` kept whole up to 2 560 a side, as it was stored before."""
    from server.images import reencode

    return reencode(phone_photo(), None if whole else plates.PHOTO_PX)[0]


NAME_CHARACTERS = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾建国明华红英芳军伟秀兰霞平杰丽强磊洋艳勇娟涛敏燕超"
UNIT_WORDS = ("南北货", "水产", "蔬菜", "鲜肉", "干货", "粮油", "水果", "豆制品", "熟食", "茶叶", "日杂", "调味品")


def members(count: int, photo: bytes, seed: int = 20261129) -> list[plates.PlateData]:
    """`count` different members of one market, as a batch has them: their own names, shops
    and stalls, so each plate's text is drawn from glyphs the batch has or has not met yet."""
    rng = random.Random(seed)
    made = []
    for i in range(count):
        name = "".join(rng.choice(NAME_CHARACTERS) for _ in range(rng.choice((2, 3, 3, 4))))
        made.append(replace(sample(i + 1, photo), name=name, unit_name=f"{name[-2:]}{rng.choice(UNIT_WORDS)}商行"))
    return made


def floor_once(layout: plates.Layout) -> None:
    page = Image.new("RGB", layout.pixel_size, "#FFFFFF")
    side = layout.px(54)
    page.paste(qr_image(URL, side).convert("RGB"), (layout.px(155), layout.px(39)))
    page.save(io.BytesIO(), "JPEG", quality=plates.JPEG_QUALITY, subsampling=0)


def _ms(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _median_ms(action, repeat: int) -> float:
    return statistics.median(_ms(action) for _ in range(repeat))


def render_vs_floor(repeat: int = 31) -> dict:
    """One plate's median against the floor's, for `repeat` different members of a batch
    (after its first `repeat`, as the middle of a batch renders), and with the photo stored
    whole as it was before 2026-11-29. Floor and plate alternate, so a machine that slows down
    or speeds up meanwhile moves both."""
    layout, fonts = plates.DEFAULT_LAYOUT, plates.find_fonts()
    photo = photo_bytes()
    batch_members = iter(members(2 * repeat, photo))
    whole = sample(photo=photo_bytes(whole=True))
    for _ in range(repeat):  # fonts loaded; the glyphs the first plates of a batch meet
        plates.render_jpeg(next(batch_members), layout, fonts)
    floors, renders = [], []
    for data in batch_members:
        floors.append(_ms(lambda: floor_once(layout)))
        renders.append(_ms(lambda: plates.render_jpeg(data, layout, fonts)))
    floor, render = statistics.median(floors), statistics.median(renders)
    render_whole = _median_ms(lambda: plates.render_jpeg(whole, layout, fonts), repeat // 2)
    one = sample(photo=photo)
    png = _median_ms(lambda: plates.render(one, "png", layout, fonts), max(3, repeat // 6))
    return {"floor_ms": round(floor, 1), "render_jpeg_ms": round(render, 1), "render_png_ms": round(png, 1),
            "ratio_to_floor": round(render / floor, 2), "render_whole_photo_ms": round(render_whole, 1),
            "whole_photo_ratio_to_floor": round(render_whole / floor, 2)}


BATCH_SCRIPT = """
import sys, time
from bench.plates import members, photo_bytes
import plates
count, path = int(sys.argv[1]), sys.argv[2]
photo = photo_bytes()
started = time.perf_counter()
with open(path, "wb") as out:
    pages = plates.write_pdf(members(count, photo), out)
seconds = time.perf_counter() - started
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(pages, round(seconds, 2), peak // 1024)
"""


def batch(count: int) -> dict:
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "batch.pdf"
        result = subprocess.run([sys.executable, "-c", BATCH_SCRIPT, str(count), str(target)], cwd=root,
                                capture_output=True, text=True, check=True)
        pages, seconds, peak_mb = result.stdout.split()
        size_mb = target.stat().st_size / 1024 / 1024
    return {"plates": int(pages), "seconds": float(seconds), "peak_mb": int(peak_mb), "file_mb": round(size_mb, 1),
            "seconds_per_plate": round(float(seconds) / int(pages), 3)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.plates")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args(argv)
    print(json.dumps({"render": render_vs_floor(), "batch": batch(args.batch)}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())


# ---------------------------------------------------------------------------------------------
# The same batch through the server: a job for a market of `count` consenting members.

def _group_memory_mb(pgid: int) -> tuple[int, int]:
    """(peak, current) resident memory in MB of the largest process in the server's group."""
    peak = current = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:  # field 5 of stat: the process group
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue  # a process that ended while we looked
        values = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        peak = max(peak, int(values["VmHWM"].split()[0]) // 1024)
        current = max(current, int(values["VmRSS"].split()[0]) // 1024)
    return peak, current


async def _prepare_market(env: dict, count: int) -> int:
    from server import db
    from server.clock import now
    from server.config import Settings
    from server.members.models import Member
    from server.markets.models import Market
    from server.plates.models import Profile
    from server.storage import make_storage

    settings = Settings.from_env(env)
    await db.connect(settings.database_url)
    try:
        market = await Market.create(name=f"基准测试市场{count}", kind="farmers", district="上城区",
                                     org=await (await Market.get(name="河坊街商品市场")).org)
        photo_key = await make_storage(settings).put(photo_bytes(), ".jpg")  # the store the server uses
        await Member.bulk_create([Member(
            name=f"摊主{i}", mobile="13900000000", unit_name=f"第{i}号摊位商行", is_owner=True, household_district="上城区",
            life_org_id=market.org_id, home_org="党委", category="local", standing="full", placement="in_market",
            market=market, stall_no=f"{i:04d}") for i in range(count)])
        from server.clock import today
        from server.members import history

        await history.start_many(await Member.filter(market=market), on=today(), by=None, reason="基准测试")
        ids = await Member.filter(market=market).values_list("id", flat=True)
        moment = now()
        await Profile.bulk_create([Profile(member_id=i, pledge=sample().pledge, photo_key=photo_key, consent_at=moment)
                                   for i in ids])
        return market.id
    finally:
        await db.close()


def server_batch(server, worker, env: dict, token: str, count: int) -> dict:
    """POST /plates/batch to done. `worker`: the job worker process that runs it (PostgreSQL),
    else None (SQLite: the server runs it). Memory is that process's."""
    import asyncio

    import httpx

    market_id = asyncio.run(_prepare_market(env, count))
    headers = {"Authorization": f"Bearer {token}"}
    runner = (worker or server).process.pid
    _, before = _group_memory_mb(runner)
    started = time.perf_counter()
    job = httpx.post(f"{server.base}/api/v1/plates/batch", json={"market_id": market_id}, headers=headers).json()
    while job["state"] in ("queued", "running"):
        time.sleep(0.5)
        job = httpx.get(f"{server.base}/api/v1/jobs/{job['id']}", headers=headers).json()
    seconds = time.perf_counter() - started
    peak, _ = _group_memory_mb(runner)
    return {"plates": job["done"], "state": job["state"], "seconds": round(seconds, 1),
            "rss_before_mb": before, "peak_mb": peak, "ran_in": "worker" if worker else "server"}
