"""The 台账 made by the job engine, as the desk asks for it: asked for, followed, downloaded; the
same ledger asked twice is one export; refusals at once; what a worker does when the asker lost
the right, when the file has expired, when it is not made yet."""
import datetime as dt
import io

from openpyxl import load_workbook
from pypdf import PdfReader

from server.audit import AuditEntry
from server.clock import now
from server.jobs import asked
from server.jobs.files import delete_expired
from server.orgs.models import Role
from server.reports import exports, ledger
from server.reports.models import LedgerExport
from tests.job_helpers import wait_done
from tests.test_ledger import year_of_meetings


async def test_a_ledger_is_made_by_a_worker_and_downloaded_when_ready(world):
    await year_of_meetings(world)
    async with world.client("sec_a") as c:
        asked = await c.post("/api/v1/reports/ledger-exports", json={"org_id": world.party_a.id, "year": 2026,
                                                                      "format": "xlsx"})
        assert asked.status_code == 202, asked.text
        assert asked.json()["state"] in ("queued", "running") and asked.json()["download_url"] is None
        assert asked.json()["meetings"] == 2 and asked.json()["org_name"] == world.party_a.name
        done = await wait_done(c, f"/api/v1/reports/ledger-exports/{asked.json()['id']}")
        assert done["state"] == "done" and done["download_url"] == f"/api/v1/reports/ledger-exports/{done['id']}/file"
        file = await c.get(done["download_url"])
        direct = await c.get("/api/v1/reports/ledger.xlsx", params={"org_id": world.party_a.id, "year": 2026})
    assert file.status_code == 200 and file.headers["content-type"] == exports.MEDIA["xlsx"]
    assert file.headers["content-disposition"] == direct.headers["content-disposition"]
    assert done["file_size"] == len(file.content)
    made, at_once = load_workbook(io.BytesIO(file.content)), load_workbook(io.BytesIO(direct.content))
    assert made.sheetnames == at_once.sheetnames == ["会议一览", "计划完成情况", "签到明细", "001 03-20 支部党员大会",
                                                      "002 05-08 党课"]
    for name in made.sheetnames:  # every cell as the workbook made at once has it
        assert [[c.value for c in r] for r in made[name].iter_rows()] == \
               [[c.value for c in r] for r in at_once[name].iter_rows()], name
    # The staff above see it and may download it; another branch's secretary does not know it exists.
    async with world.client("sec_b") as other:
        assert (await other.get(f"/api/v1/reports/ledger-exports/{done['id']}")).status_code == 404
        hidden = await other.get(done["download_url"])
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "export_not_found"
    async with world.client("admin") as above:
        assert (await above.get(done["download_url"])).status_code == 200
    downloads = await AuditEntry.filter(action="ledger.exported", target_type="ledger_exports", target_id=done["id"]).count()
    assert downloads == 2


async def test_the_printable_book_comes_the_same_way(world):
    await year_of_meetings(world)
    async with world.client("sec_a") as c:
        asked = await c.post("/api/v1/reports/ledger-exports", json={"org_id": world.party_a.id, "year": 2026,
                                                                      "format": "pdf"})
        done = await wait_done(c, f"/api/v1/reports/ledger-exports/{asked.json()['id']}")
        file = await c.get(done["download_url"])
    assert file.status_code == 200 and file.headers["content-type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(file.content)).pages) >= 3  # a cover, the contents, the meetings


async def test_the_same_ledger_asked_again_while_it_is_made_is_the_same_export(world):
    waiting = await LedgerExport.create(requested_by=world.users["sec_a"], org=world.party_a, year=2026, format="xlsx",
                                        active_key=f"ledger:{world.party_a.id}:2026:xlsx")
    async with world.client("admin") as c:
        again = await c.post("/api/v1/reports/ledger-exports", json={"org_id": world.party_a.id, "year": 2026,
                                                                      "format": "xlsx"})
        other_format = await c.post("/api/v1/reports/ledger-exports", json={"org_id": world.party_a.id, "year": 2026,
                                                                             "format": "pdf"})
        early = await c.get(f"/api/v1/reports/ledger-exports/{waiting.id}/file")
    assert again.status_code == 200 and again.json()["id"] == waiting.id and again.json()["state"] == "queued"
    assert other_format.status_code == 202 and other_format.json()["id"] != waiting.id
    assert early.status_code == 409 and early.json()["error"]["code"] == "job_not_finished"
    assert await LedgerExport.filter(org=world.party_a, format="xlsx").count() == 1


async def test_an_export_lost_with_its_worker_does_not_hold_up_the_next_request(world):
    lost = await LedgerExport.create(requested_by=world.users["sec_a"], org=world.party_a, year=2026, format="xlsx",
                                     active_key=f"ledger:{world.party_a.id}:2026:xlsx")
    await LedgerExport.filter(id=lost.id).update(created_at=now() - asked.ABANDONED_AFTER - dt.timedelta(minutes=1))
    async with world.client("sec_a") as c:
        again = await c.post("/api/v1/reports/ledger-exports", json={"org_id": world.party_a.id, "year": 2026,
                                                                      "format": "xlsx"})
        done = await wait_done(c, f"/api/v1/reports/ledger-exports/{again.json()['id']}")
    assert again.status_code == 202 and again.json()["id"] != lost.id and done["state"] == "done"
    await lost.refresh_from_db()
    assert lost.state == "failed" and lost.active_key is None and lost.error.startswith("生成中断")


async def test_what_is_refused_is_refused_at_once_and_nothing_is_queued(world, monkeypatch):
    await year_of_meetings(world)
    monkeypatch.setattr(ledger, "PAGES_LIMIT", 1)
    body = {"org_id": world.party_a.id, "year": 2026}
    async with world.client("sec_a") as c:
        too_large = await c.post("/api/v1/reports/ledger-exports", json={**body, "format": "pdf"})
        bad = [await c.post("/api/v1/reports/ledger-exports", json=payload) for payload in (
            {**body, "format": "docx"}, {**body, "format": "xlsx", "year": 1999}, {"format": "xlsx"},
            {**body, "format": "xlsx", "org_id": "一"}, [body])]
        missing = await c.post("/api/v1/reports/ledger-exports", json={**body, "format": "xlsx", "org_id": 2_000_000_000})
        unknown = await c.get("/api/v1/reports/ledger-exports/2000000000")
    async with world.client("sec_b") as other:
        outside = await other.post("/api/v1/reports/ledger-exports", json={**body, "format": "xlsx"})
    async with world.client("vendor") as vendor:
        not_staff = await vendor.post("/api/v1/reports/ledger-exports", json={**body, "format": "xlsx"})
    assert too_large.status_code == 409 and too_large.json()["error"]["code"] == "ledger_too_large"
    assert too_large.json()["error"]["fields"] == {"org_id": "该组织这一年有 2 次会议"}
    assert [r.status_code for r in bad] == [422] * 4 + [400] and all(r.json()["error"]["message"] for r in bad)
    assert missing.status_code == unknown.status_code == 404
    assert outside.status_code == not_staff.status_code == 403
    assert not await LedgerExport.filter(org=world.party_a).exists()


async def test_a_secretary_who_lost_the_post_before_the_worker_ran_gets_no_file(world):
    export = await LedgerExport.create(requested_by=world.users["sec_a"], org=world.party_a, year=2026, format="xlsx",
                                       active_key="ledger:test")
    await Role.filter(user=world.users["sec_a"]).delete()
    files, settings = world.backend.app.ctx.files, world.backend.settings
    assert await exports.run(export.id, attempt=0, files=files, settings=settings) == "failed"
    await export.refresh_from_db()
    assert export.file_key is None and export.active_key is None and export.error == "只能查看你所管辖组织的报表"
    async with world.client("admin") as c:
        shown = (await c.get(f"/api/v1/reports/ledger-exports/{export.id}")).json()
        download = await c.get(f"/api/v1/reports/ledger-exports/{export.id}/file")
    assert shown["state"] == "failed" and shown["error"] == export.error
    assert download.status_code == 409 and download.json()["error"]["code"] == "export_failed"
    # Decided: a late attempt of the same job changes nothing.
    assert await exports.run(export.id, attempt=1, files=files, settings=settings) is None


async def test_a_file_past_its_retention_is_deleted_and_says_so(world):
    files = world.backend.app.ctx.files
    key = await files.put(b"PK", ".xlsx")
    export = await LedgerExport.create(requested_by=world.users["sec_a"], org=world.party_a, year=2026, format="xlsx",
                                       state="done", file_key=key, file_size=2, expires_at=now())
    kept = await LedgerExport.create(requested_by=world.users["sec_a"], org=world.party_a, year=2025, format="xlsx",
                                     state="done", file_key=await files.put(b"PK", ".xlsx"), file_size=2,
                                     expires_at=now().replace(year=now().year + 1))
    assert await delete_expired(LedgerExport, files) == 1
    assert await files.get(key) is None and await files.get(kept.file_key) == b"PK"
    async with world.client("sec_a") as c:
        gone = await c.get(f"/api/v1/reports/ledger-exports/{export.id}/file")
        still = await c.get(f"/api/v1/reports/ledger-exports/{kept.id}/file")
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "job_file_expired"
    assert still.status_code == 200 and still.content == b"PK"
