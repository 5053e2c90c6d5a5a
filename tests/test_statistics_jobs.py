"""Snapshots taken by the job engine, as the desk asks for them: what is refused at once (and
queues nothing), the same thing asked twice is one job, something else of the same day waits, and
what a worker does when the asker lost the post, when the half-year task took the day first,
when the snapshot was submitted meanwhile, and when an attempt is made again after a crash."""
import datetime as dt

from server.audit import AuditEntry
from server.auth import load_principal
from server.clock import today
from server.orgs.models import Role
from server.statistics import snapshots, taking
from server.statistics.models import Snapshot, SnapshotCorrection, SnapshotJob
from tests.factories import make_member
from tests.job_helpers import wait_done
from tests.test_statistics import JUNE

URL = "/api/v1/statistics/snapshots"


def key(world, day=JUNE) -> str:
    return f"snapshot:{world.branch_a.id}:{day.isoformat()}"


async def test_what_is_refused_is_refused_at_once_and_nothing_is_queued(world):
    mine = {"org_id": world.branch_a.id, "as_of": JUNE.isoformat()}
    await snapshots.take(world.branch_a, JUNE - dt.timedelta(days=1))
    async with world.client("sec_a") as c:
        future = await c.post(URL, json={**mine, "as_of": (today() + dt.timedelta(days=1)).isoformat()})
        exists = await c.post(URL, json={**mine, "as_of": (JUNE - dt.timedelta(days=1)).isoformat()})
        bad = [await c.post(URL, json=body) for body in (
            {**mine, "as_of": "6月30日"}, {"org_id": world.branch_a.id}, {**mine, "org_id": "一"}, {**mine, "extra": 1},
            [mine])]
        missing = await c.post(URL, json={**mine, "org_id": 2_000_000_000})
        no_reason = await c.post(f"{URL}/{(await Snapshot.get(org=world.branch_a)).id}/retake", json={"reason": ""})
        unknown = await c.get("/api/v1/statistics/snapshot-jobs/2000000000")
    async with world.client("sec_b") as other:
        outside = await other.post(URL, json=mine)
    async with world.client("vendor") as vendor:
        not_staff = await vendor.post(URL, json=mine)
    assert future.status_code == 409 and future.json()["error"]["code"] == "as_of_in_future"
    assert exists.status_code == 409 and exists.json()["error"]["code"] == "snapshot_exists"
    assert [r.status_code for r in bad] == [422] * 4 + [400] and all(r.json()["error"]["message"] for r in bad)
    assert no_reason.status_code == 422
    assert missing.status_code == unknown.status_code == outside.status_code == 404
    assert unknown.json()["error"]["code"] == "snapshot_job_not_found"
    assert not_staff.status_code in (403, 404)
    assert not await SnapshotJob.filter(org_id__in=[world.root.id, world.branch_a.id, world.branch_b.id]).exists()


async def test_the_same_asked_twice_is_one_job_and_anything_else_of_that_day_waits(world):
    waiting = await SnapshotJob.create(kind="take", requested_by=world.users["sec_a"], org=world.branch_a, as_of=JUNE,
                                       active_key=key(world))
    async with world.client("admin") as c:
        again = await c.post(URL, json={"org_id": world.branch_a.id, "as_of": JUNE.isoformat()})
        seen = await c.get(f"/api/v1/statistics/snapshot-jobs/{waiting.id}")
    async with world.client("sec_b") as other:
        hidden = await other.get(f"/api/v1/statistics/snapshot-jobs/{waiting.id}")
    assert again.status_code == 200 and again.json()["id"] == waiting.id and again.json()["state"] == "queued"
    assert seen.json()["org_name"] == world.branch_a.name and seen.json()["snapshot_id"] is None
    assert hidden.status_code == 404
    assert await SnapshotJob.filter(org=world.branch_a).count() == 1

    # A retake under way: the same reason joins it; another reason, or a take, waits for it.
    await SnapshotJob.filter(id=waiting.id).delete()
    snapshot = await snapshots.take(world.branch_a, JUNE)
    running = await SnapshotJob.create(kind="retake", requested_by=world.users["sec_a"], org=world.branch_a, as_of=JUNE,
                                       snapshot=snapshot, reason="核对", state="running", active_key=key(world))
    async with world.client("sec_a") as c:
        same = await c.post(f"{URL}/{snapshot.id}/retake", json={"reason": "核对"})
        other_reason = await c.post(f"{URL}/{snapshot.id}/retake", json={"reason": "补录转正"})
    assert same.status_code == 200 and same.json()["id"] == running.id
    assert other_reason.status_code == 409 and other_reason.json()["error"]["code"] == "snapshot_busy"
    assert await SnapshotJob.filter(org=world.branch_a).count() == 1


async def test_a_secretary_who_lost_the_post_before_the_worker_ran_takes_nothing(world):
    job = await SnapshotJob.create(kind="take", requested_by=world.users["sec_a"], org=world.branch_a, as_of=JUNE,
                                   active_key=key(world))
    await Role.filter(user=world.users["sec_a"]).delete()
    assert await taking.run(job.id, attempt=0) == "failed"
    await job.refresh_from_db()
    assert job.error == "找不到这份统计" and job.active_key is None and job.snapshot_id is None
    assert not await Snapshot.filter(org=world.branch_a).exists()
    assert await taking.run(job.id, attempt=1) is None  # decided: a late attempt changes nothing


async def test_a_day_the_half_year_task_took_first_is_the_days_snapshot(world):
    job = await SnapshotJob.create(kind="take", requested_by=world.users["sec_a"], org=world.branch_a, as_of=JUNE,
                                   active_key=key(world))
    scheduled = await snapshots.take(world.branch_a, JUNE, source="scheduled")
    assert await taking.run(job.id, attempt=0) == "done"
    await job.refresh_from_db()
    assert job.snapshot_id == scheduled.id and await Snapshot.filter(org=world.branch_a).count() == 1


async def test_a_snapshot_submitted_while_its_retake_computed_keeps_the_figures_the_parent_has(world, monkeypatch):
    snapshot = await snapshots.take(world.branch_a, JUNE)
    before = snapshot.figures
    await make_member(None, world.party_a, name="补录党员", mobile="13800007777")
    job = await SnapshotJob.create(kind="retake", requested_by=world.users["sec_a"], org=world.branch_a, as_of=JUNE,
                                   snapshot=snapshot, reason="补录", active_key=key(world))
    compute = snapshots.compute_figures.compute

    async def submitted_meanwhile(org, day):
        figures = await compute(org, day)
        async with world.client("sec_a") as c:  # the secretary submits while the worker computes
            assert (await c.post(f"{URL}/{snapshot.id}/submit")).json()["state"] == "submitted"
        return figures

    monkeypatch.setattr(snapshots.compute_figures, "compute", submitted_meanwhile)
    assert await taking.run(job.id, attempt=0) == "failed"
    await job.refresh_from_db()
    assert job.error == snapshots.SnapshotSubmitted.message
    after = await Snapshot.get(id=snapshot.id)
    assert after.state == "submitted" and after.figures == before and after.figures["totals"]["members"] == 1
    assert await snapshot.members.all().count() == 1
    assert not await SnapshotCorrection.filter(snapshot_id=snapshot.id).exists()


async def test_a_retake_made_again_after_a_crash_still_shows_its_correction(world):
    snapshot = await snapshots.take(world.branch_a, JUNE)
    await make_member(None, world.party_a, name="补录党员", mobile="13800007777")
    job = await SnapshotJob.create(kind="retake", requested_by=world.users["sec_a"], org=world.branch_a, as_of=JUNE,
                                   snapshot=snapshot, reason="补录", active_key=key(world))
    # The first attempt stored its correction, then its worker died before deciding the job.
    principal = await load_principal(world.users["sec_a"])
    _, correction = await snapshots.retake(principal, snapshot.id, "补录")
    assert correction is not None
    assert await taking.run(job.id, attempt=1) == "done"
    await job.refresh_from_db()
    assert job.correction_id == correction.id
    assert await AuditEntry.filter(action="statistics.snapshot.retaken", target_id=snapshot.id).count() == 1


async def test_a_take_asked_from_the_desk_is_audited_as_taken_by_who_asked(world):
    async with world.client("sec_a") as c:
        asked = await c.post(URL, json={"org_id": world.branch_a.id, "as_of": JUNE.isoformat()})
        assert asked.status_code == 202 and asked.json()["kind"] == "take", asked.text
        job = await wait_done(c, f"/api/v1/statistics/snapshot-jobs/{asked.json()['id']}")
    assert job["state"] == "done" and job["started_at"] and job["finished_at"]
    snapshot = await Snapshot.get(id=job["snapshot_id"])
    assert (snapshot.org_id, snapshot.as_of, snapshot.source, snapshot.taken_by_id) == (
        world.branch_a.id, JUNE, "manual", world.users["sec_a"].id)
    entry = await AuditEntry.get(action="statistics.snapshot.taken", target_id=snapshot.id)
    assert entry.actor_id == world.users["sec_a"].id
    assert (await SnapshotJob.get(id=job["id"])).active_key is None
