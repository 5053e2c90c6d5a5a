"""A snapshot's 登记表 roster workbook made by the job engine, as the desk asks for it: the same
workbook as the one made at once, cell for cell; one export per snapshot at a time; who sees it;
what the worker does when the asker lost the post; a file past its retention."""
import io

from openpyxl import load_workbook

from server.audit import AuditEntry
from server.clock import now
from server.jobs.files import delete_expired
from server.orgs.models import Role
from server.statistics import roster_exports, snapshots
from server.statistics.models import RosterExport
from tests.job_helpers import wait_done
from tests.test_statistics import JUNE, populate


def cells(content: bytes) -> list[list]:
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(content)).active.iter_rows()]


async def test_the_roster_is_made_by_a_worker_and_is_the_workbook_made_at_once(world):
    await populate(world)
    snapshot = await snapshots.take(world.branch_a, JUNE, by=world.users["sec_a"])
    async with world.client("sec_a") as c:
        asked = await c.post(f"/api/v1/statistics/snapshots/{snapshot.id}/roster-exports")
        assert asked.status_code == 202, asked.text
        assert asked.json()["rows"] == 4 and asked.json()["download_url"] is None
        done = await wait_done(c, f"/api/v1/statistics/roster-exports/{asked.json()['id']}")
        assert done["state"] == "done", done
        file = await c.get(done["download_url"])
        direct = await c.get(f"/api/v1/statistics/snapshots/{snapshot.id}/roster.xlsx")
    assert file.status_code == 200 and file.headers["content-disposition"] == direct.headers["content-disposition"]
    assert done["file_size"] == len(file.content)
    made, at_once = cells(file.content), cells(direct.content)
    assert made == at_once and any("甲摊主" in row for row in made)
    async with world.client("sec_b") as other:
        assert (await other.get(f"/api/v1/statistics/roster-exports/{done['id']}")).status_code == 404
        hidden = await other.get(done["download_url"])
        refused = await other.post(f"/api/v1/statistics/snapshots/{snapshot.id}/roster-exports")
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "roster_export_not_found"
    assert refused.status_code == 404
    async with world.client("admin") as above:
        assert (await above.get(done["download_url"])).status_code == 200
    # Each download, by the worker's file or at once, is a download of the table: three here.
    downloads = await AuditEntry.filter(action="statistics.tables.downloaded", target_id=snapshot.id).count()
    assert downloads == 3
    assert not await RosterExport.filter(snapshot=snapshot, active_key__not_isnull=True).exists()


async def test_the_same_snapshot_asked_again_while_it_is_made_is_the_same_export(world):
    snapshot = await snapshots.take(world.branch_a, JUNE)
    waiting = await RosterExport.create(requested_by=world.users["sec_a"], snapshot=snapshot, active_key=f"roster:{snapshot.id}")
    async with world.client("admin") as c:
        again = await c.post(f"/api/v1/statistics/snapshots/{snapshot.id}/roster-exports")
        early = await c.get(f"/api/v1/statistics/roster-exports/{waiting.id}/file")
        unknown = await c.get("/api/v1/statistics/roster-exports/2000000000")
    assert again.status_code == 200 and again.json()["id"] == waiting.id and again.json()["state"] == "queued"
    assert early.status_code == 409 and early.json()["error"]["code"] == "job_not_finished"
    assert unknown.status_code == 404
    assert await RosterExport.filter(snapshot=snapshot).count() == 1


async def test_a_secretary_who_lost_the_post_before_the_worker_ran_gets_no_file(world):
    snapshot = await snapshots.take(world.branch_a, JUNE)
    export = await RosterExport.create(requested_by=world.users["sec_a"], snapshot=snapshot, active_key="roster:test")
    await Role.filter(user=world.users["sec_a"]).delete()
    files, settings = world.backend.app.ctx.files, world.backend.settings
    assert await roster_exports.run(export.id, attempt=0, files=files, settings=settings) == "failed"
    await export.refresh_from_db()
    assert export.file_key is None and export.active_key is None and export.error == "找不到这份统计"
    async with world.client("admin") as c:
        download = await c.get(f"/api/v1/statistics/roster-exports/{export.id}/file")
    assert download.status_code == 409 and download.json()["error"]["code"] == "export_failed"
    assert await roster_exports.run(export.id, attempt=1, files=files, settings=settings) is None


async def test_a_file_past_its_retention_is_deleted_and_says_so(world):
    snapshot = await snapshots.take(world.branch_a, JUNE)
    files = world.backend.app.ctx.files
    key = await files.put(b"PK", ".xlsx")
    export = await RosterExport.create(requested_by=world.users["sec_a"], snapshot=snapshot, state="done", file_key=key,
                                       file_size=2, expires_at=now())
    assert await delete_expired(RosterExport, files) >= 1
    assert await files.get(key) is None
    async with world.client("sec_a") as c:
        gone = await c.get(f"/api/v1/statistics/roster-exports/{export.id}/file")
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "job_file_expired"
