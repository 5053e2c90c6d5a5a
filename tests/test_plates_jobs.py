"""Batch printing: a market's consenting members on one PDF, progress, and jobs whose worker died."""
import asyncio
import datetime as dt
import io

import pypdf
import zxingcpp

from server.clock import now
from server.plates import jobs
from server.plates.models import Plate, PlateJob
from tests.factories import make_member
from tests.plate_helpers import publish_member


async def market_members(world, count: int, consenting: int) -> list:
    members = []
    for i in range(count):
        user = await world.add_user(f"stall{i}")
        member = await make_member(user, world.party_a, name=f"摊主{i}", placement="in_market", market=world.market,
                                   stall_no=f"B-{i:03d}")
        if i < consenting:
            await publish_member(world, f"stall{i}", member, photo=i == 0)
        members.append(member)
    return members


async def wait_done(c, job_id: int) -> dict:
    for _ in range(300):
        job = (await c.get(f"/api/v1/jobs/{job_id}")).json()
        if job["state"] in ("done", "failed"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


async def test_a_markets_batch_prints_each_consenting_member_once(world):
    members = await market_members(world, 4, consenting=3)
    async with world.client("sec_a") as c:
        started = await c.post("/api/v1/plates/batch", json={"market_id": world.market.id})
        assert started.status_code == 202, started.text
        job = await wait_done(c, started.json()["id"])
        assert (job["state"], job["done"], job["skipped"], job["total"]) == ("done", 3, 1, 4)
        pdf = await c.get(job["download_url"])
        async with world.client("sec_b") as other:
            assert (await other.get(f"/api/v1/jobs/{job['id']}")).status_code == 404
            assert (await other.get(job["download_url"])).status_code == 404
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    pages = pypdf.PdfReader(io.BytesIO(pdf.content)).pages
    codes = {m.id: (await Plate.get(member=m, revoked_at=None)).code for m in members[:3]}
    base = world.backend.settings.public_base_url
    decoded = [zxingcpp.read_barcodes(p.images[0].image)[0].text for p in pages]
    assert sorted(decoded) == sorted(f"{base}/p/{code}" for code in codes.values())
    assert not await Plate.filter(member=members[3]).exists()  # no consent: no plate, no page


async def test_batch_scope_is_the_callers_subtree_and_input_is_checked(world):
    async with world.client("sec_b") as other:
        outside = await other.post("/api/v1/plates/batch", json={"market_id": world.market.id})
        org_outside = await other.post("/api/v1/plates/batch", json={"org_id": world.branch_a.id})
    async with world.client("sec_a") as c:
        both = await c.post("/api/v1/plates/batch", json={"market_id": world.market.id, "org_id": world.branch_a.id})
        neither = await c.post("/api/v1/plates/batch", json={})
        missing = await c.post("/api/v1/plates/batch", json={"market_id": 2_000_000_000})
        layout = await c.post("/api/v1/plates/batch", json={"org_id": world.branch_a.id, "layout": "a0"})
    async with world.client("member_a") as member:
        not_staff = await member.post("/api/v1/plates/batch", json={"org_id": world.party_a.id})
    assert outside.status_code == org_outside.status_code == not_staff.status_code == 403
    assert outside.json()["error"]["code"] == "not_org_staff"
    assert both.status_code == neither.status_code == layout.status_code == 422
    assert missing.status_code == 404 and missing.json()["error"]["fields"] == {"market_id": "找不到该市场"}
    assert not await PlateJob.filter(requested_by__id__in=[world.users["sec_b"].id, world.users["member_a"].id]).exists()


async def test_a_batch_with_nobody_consenting_finishes_empty_with_a_reason(world):
    async with world.client("sec_a") as c:
        started = await c.post("/api/v1/plates/batch", json={"org_id": world.party_a.id})
        job = await wait_done(c, started.json()["id"])
        download = await c.get(f"/api/v1/jobs/{job['id']}/file")
    assert job["state"] == "done" and job["done"] == 0 and job["download_url"] is None and job["error"]
    assert download.status_code == 409 and download.json()["error"]["code"] == "job_empty"


async def test_a_job_whose_worker_died_is_run_again_once_then_failed_with_the_reason(world):
    await publish_member(world)
    stale = now() - dt.timedelta(minutes=10)
    again = await PlateJob.create(requested_by=world.users["sec_a"], org=world.party_a, layout="a5-landscape",
                                  state="running", total=1, done=0, attempts=1, heartbeat_at=stale)
    given_up = await PlateJob.create(requested_by=world.users["sec_a"], org=world.party_a, layout="a5-landscape",
                                     state="running", total=1, attempts=2, heartbeat_at=stale)
    fresh = await PlateJob.create(requested_by=world.users["sec_a"], org=world.party_a, layout="a5-landscape",
                                  state="running", total=1, attempts=1, heartbeat_at=now())
    counts = await jobs.sweep(world.backend.app)
    assert counts["restarted"] >= 1 and counts["failed"] >= 1
    await given_up.refresh_from_db()
    assert given_up.state == "failed" and "中断" in given_up.error
    async with world.client("sec_a") as c:
        finished = await wait_done(c, again.id)
    assert finished["state"] == "done" and finished["done"] == 1
    await fresh.refresh_from_db()
    assert fresh.state == "running"  # a live worker's job is left alone
    await PlateJob.filter(id=fresh.id).update(state="failed", error="test clean-up")


async def test_one_batch_at_a_time_per_org(world):
    async with world.client("sec_a") as c:
        first = await c.post("/api/v1/plates/batch", json={"org_id": world.party_a.id})
        second = await c.post("/api/v1/plates/batch", json={"org_id": world.party_a.id})
    assert first.status_code == 202
    assert second.status_code == 409 and second.json()["error"]["code"] == "batch_running"
    assert await PlateJob.filter(org=world.party_a).count() == 1
