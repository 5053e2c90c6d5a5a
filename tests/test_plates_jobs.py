"""Batch printing: a market's consenting members on one PDF, progress, and jobs whose worker died."""
import asyncio
import datetime as dt
import io

import pypdf
import zxingcpp

from server.auth import load_principal
from server.clock import now
from server.jobs import asked
from server.jobs.files import delete_expired
from server.plates import jobs
from server.plates.models import Plate, PlateJob
from tests.job_helpers import wait_done
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


async def test_a_markets_batch_prints_each_consenting_member_once(world):
    members = await market_members(world, 4, consenting=3)
    async with world.client("sec_a") as c:
        started = await c.post("/api/v1/plates/batch", json={"market_id": world.market.id})
        assert started.status_code == 202, started.text
        job = await wait_done(c, f"/api/v1/jobs/{started.json()['id']}")
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
        job = await wait_done(c, f"/api/v1/jobs/{started.json()['id']}")
        download = await c.get(f"/api/v1/jobs/{job['id']}/file")
    assert job["state"] == "done" and job["done"] == 0 and job["download_url"] is None and job["error"]
    assert download.status_code == 409 and download.json()["error"]["code"] == "job_empty"


async def stored_pdfs(backend) -> int:
    from server.storage import FileRecord

    if backend.settings.stores_files_in_database:
        return await FileRecord.filter(key__endswith=".pdf").count()
    return len(list(__import__("pathlib").Path(backend.settings.upload_dir).glob("*/*.pdf")))


async def test_two_attempts_racing_on_one_job_write_one_file_and_issue_each_plate_once(world):
    """A worker that stalled comes back while its job runs again elsewhere: both run at once. The
    later attempt owns the job; the earlier one is refused and stops; nobody gets two plates."""
    members = await market_members(world, 6, consenting=6)
    for member in members[3:]:  # half already hold a plate: it is printed as it is
        await Plate.filter(member=member).delete()
    before = {m.id: (await Plate.get_or_none(member=m, revoked_at=None)) for m in members}
    job = await PlateJob.create(requested_by=world.users["sec_a"], market=world.market, layout="a5-landscape",
                                total=6)
    files_before = await stored_pdfs(world.backend)
    ctx = world.backend.app.ctx
    outcomes = await asyncio.gather(*[jobs.run(job.id, attempt=i, files=ctx.files, settings=ctx.settings,
                                               store=ctx.store) for i in range(2)])
    await job.refresh_from_db()
    assert job.state == "done" and job.done == 6 and outcomes.count("done") == 1, outcomes
    assert await stored_pdfs(world.backend) == files_before + 1
    for member in members:
        plates = await Plate.filter(member=member)
        assert len(plates) == 1 and plates[0].revoked_at is None, [p.code for p in plates]
        if before[member.id] is not None:
            assert plates[0].code == before[member.id].code  # an existing plate is not replaced
    pdf = await ctx.files.get(job.file_key)
    decoded = {zxingcpp.read_barcodes(p.images[0].image)[0].text for p in pypdf.PdfReader(io.BytesIO(pdf)).pages}
    base = world.backend.settings.public_base_url
    assert decoded == {f"{base}/p/{(await Plate.get(member=m)).code}" for m in members}


async def test_an_attempt_after_the_last_fails_the_job_with_the_reason(world):
    job = await PlateJob.create(requested_by=world.users["sec_a"], org=world.party_a, layout="a5-landscape",
                                state="running", total=1, attempts=3)
    ctx = world.backend.app.ctx
    assert await jobs.run(job.id, attempt=jobs.MAX_ATTEMPTS, files=ctx.files, settings=ctx.settings,
                          store=ctx.store) == "failed"
    await job.refresh_from_db()
    assert job.state == "failed" and "中断 3 次" in job.error
    # Finished jobs are left alone by any later attempt.
    assert await jobs.run(job.id, attempt=0, files=ctx.files, settings=ctx.settings, store=ctx.store) is None


async def test_staff_of_the_org_see_its_jobs_and_the_file_expires(world):
    await market_members(world, 2, consenting=2)
    async with world.client("sec_a") as c:
        started = await c.post("/api/v1/plates/batch", json={"market_id": world.market.id})
        job = await wait_done(c, f"/api/v1/jobs/{started.json()['id']}")
    async with world.client("admin") as admin:  # staff above the org: sees it, lists it, downloads it
        seen = await admin.get(f"/api/v1/jobs/{job['id']}")
        listed = await admin.get("/api/v1/jobs", params={"org_id": world.branch_a.id})
        download = await admin.get(job["download_url"])
    async with world.client("sec_b") as other:
        refused = await other.get("/api/v1/jobs", params={"org_id": world.branch_a.id})
        theirs = await other.get("/api/v1/jobs", params={"org_id": world.branch_b.id})
    assert seen.status_code == 200 and download.status_code == 200 and download.content.startswith(b"%PDF")
    assert int(download.headers["content-length"]) == len(download.content) == job["file_size"]
    assert job["id"] in [item["id"] for item in listed.json()["items"]]
    assert refused.status_code == 403 and theirs.status_code == 200
    assert job["id"] not in [item["id"] for item in theirs.json()["items"]]
    assert job["expires_at"] is not None
    assert (job["org_id"], job["market_id"]) == (world.branch_a.id, world.market.id)  # the market's org
    # Past its retention period the periodic task deletes the file, and the job says so.
    await PlateJob.filter(id=job["id"]).update(expires_at=now() - dt.timedelta(seconds=1))
    files = world.backend.app.ctx.files
    key = (await PlateJob.get(id=job["id"])).file_key
    assert await delete_expired(PlateJob, files) >= 1
    assert await files.open(key) is None
    async with world.client("sec_a") as c:
        after = (await c.get(f"/api/v1/jobs/{job['id']}")).json()
        gone = await c.get(f"/api/v1/jobs/{job['id']}/file")
    assert after["file_deleted_at"] and after["download_url"] is None
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "job_file_expired"


async def test_one_batch_at_a_time_per_org(world):
    async with world.client("sec_a") as c:
        first = await c.post("/api/v1/plates/batch", json={"org_id": world.party_a.id})
        second = await c.post("/api/v1/plates/batch", json={"org_id": world.party_a.id})
    assert first.status_code == 202
    assert second.status_code == 409 and second.json()["error"]["code"] == "batch_running"
    assert await PlateJob.filter(org=world.party_a).count() == 1


async def test_a_batch_lost_with_its_worker_no_longer_holds_the_org(world):
    """On SQLite the queue lives in the web process: a batch queued when it stopped never runs."""
    lost = await PlateJob.create(requested_by=world.users["sec_a"], org=world.party_a, layout="a5-landscape", total=1,
                                 active_scope=f"plates:org:{world.party_a.id}")
    async with world.client("sec_a") as c:
        recent = await c.post("/api/v1/plates/batch", json={"org_id": world.party_a.id})
        await PlateJob.filter(id=lost.id).update(created_at=now() - asked.ABANDONED_AFTER - dt.timedelta(minutes=1))
        again = await c.post("/api/v1/plates/batch", json={"org_id": world.party_a.id})
    assert recent.status_code == 409 and recent.json()["error"]["code"] == "batch_running"
    assert again.status_code == 202 and again.json()["id"] != lost.id
    await lost.refresh_from_db()
    assert (lost.state, lost.active_scope, lost.error) == ("failed", None, "生成中断（后台任务丢失），请重新提交")


async def test_a_double_click_is_one_job(world):
    """Two requests at the same instant both pass the "already running?" look; one job starts."""
    ctx = world.backend.app.ctx
    principal = await load_principal(world.users["sec_a"])
    answers = await asyncio.gather(*[jobs.create(principal, None, world.party_a.id, None, ctx.settings, ctx.store,
                                                 ctx.jobs) for _ in range(2)], return_exceptions=True)
    assert sorted(type(a).__name__ for a in answers) == ["BatchRunning", "PlateJob"], answers
    assert await PlateJob.filter(org=world.party_a).count() == 1
