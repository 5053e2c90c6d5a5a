"""流动党员双向反馈 end to end: a floating member registered with a 身份证号 that is checked, kept
encrypted and shown masked (searched for in every answer, log line, audit entry and the letters'
PDF), the stamped proof uploaded (a PDF with a script rewritten, a non-file refused) and confirmed,
a year of attendance, the comment, a batch of letters printed by the job engine and read back
(text, page images, the 回执's QR decoded by zxing-cpp), receipts through /r/<code> (once, and a
flood stopped), the paper receipt, and the overdue list before and after."""
import asyncio
import datetime as dt
import io
import logging
import subprocess

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader, PdfWriter

from server.audit import AuditEntry
from server.clock import today
from server.floating import idnumber
from server.floating.models import FloatingRecord, Letter
from tests.factories import make_activity, make_member
from tests.plate_helpers import fresh_ip, photo_jpeg


def id_number(body: str = "33010619800101123") -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


ID = id_number()
REGISTRATION = {"id_number": ID, "home_org_contact": "程书记", "home_org_phone": "0559-6512345",
                "home_org_address": "安徽省歙县徽城镇党委组织办", "inflow_on": "2024-03-01", "activity_card_no": "皖黄2024031"}


async def floating_member(world, who="floater", name="张伟"):
    user = await world.add_user(who)
    return await make_member(user, world.party_a, name=name, category="floating", home_org="歙县徽城镇党委",
                             placement="in_market", market=world.market, stall_no="B-003", mobile="13900000003")


async def ready_member(world, who="floater", name="张伟", id_body="33010619800101123"):
    member = await floating_member(world, who, name)
    async with world.client(who) as c:
        assert (await c.put(f"/api/v1/members/{member.id}/floating", json={**REGISTRATION, "id_number": id_number(id_body)})).status_code == 200
        assert (await c.post(f"/api/v1/members/{member.id}/floating/proof",
                             files={"file": ("证明.jpg", photo_jpeg(), "image/jpeg")})).status_code == 200
    async with world.client("sec_a") as sec:
        assert (await sec.post(f"/api/v1/members/{member.id}/floating/proof/confirm")).status_code == 200
        assert (await sec.put(f"/api/v1/members/{member.id}/floating/comments/{today().year}",
                              json={"grade": "excellent", "text": "积极参加组织生活，诚信经营。", "signed_by": "王书记"})).status_code == 200
    return member


def test_id_numbers_are_checked_masked_and_sealed():
    assert idnumber.problem(ID, today()) is None
    assert "校验位" in idnumber.problem(ID[:-1] + ("0" if ID[-1] != "0" else "1"), today())
    future = id_number(f"330106{today().year + 1}0101123")
    assert "出生日期" in idnumber.problem(future, today())
    assert "出生日期" in idnumber.problem(id_number("33010619800231123"), today())  # 31 February
    assert idnumber.mask(ID) == "330106********" + ID[-4:]

    class S:
        id_number_key, secret_key = "", "s" * 40

    sealed = idnumber.encrypt(ID, S)
    assert ID not in sealed and idnumber.decrypt(sealed, S) == ID and idnumber.encrypt(ID, S) != sealed  # fresh nonce
    S.secret_key = "another"
    with pytest.raises(ValueError):
        idnumber.decrypt(sealed, S)


async def test_registration_proof_and_comment(world, backend, caplog):
    caplog.set_level(logging.DEBUG)
    member = await floating_member(world)
    answers = []
    async with world.client("floater") as me:
        wrong = await me.put(f"/api/v1/members/{member.id}/floating", json={**REGISTRATION, "id_number": ID[:-1] + ("1" if ID[-1] == "0" else "0")})
        assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "id_number_invalid" and "校验位" in wrong.json()["error"]["fields"]["id_number"]
        assert (await me.put(f"/api/v1/members/{member.id}/floating", json={**REGISTRATION, "id_number": "12345"})).status_code == 422
        assert not await FloatingRecord.filter(member_id=member.id).exists()
        saved = await me.put(f"/api/v1/members/{member.id}/floating", json=REGISTRATION)
        assert saved.status_code == 200, saved.text
        assert saved.json()["id_number"] == idnumber.mask(ID) and saved.json()["proof_state"] == "missing"
        answers += [saved.text, (await me.get(f"/api/v1/members/{member.id}/floating")).text]
        assert (await me.post(f"/api/v1/members/{member.id}/floating/reveal")).status_code == 403  # staff only
        not_a_file = await me.post(f"/api/v1/members/{member.id}/floating/proof", files={"file": ("a.txt", b"hello", "text/plain")})
        assert not_a_file.status_code == 415 and not_a_file.json()["error"]["code"] == "proof_type"
        huge = await me.post(f"/api/v1/members/{member.id}/floating/proof", files={"file": ("a.pdf", b"%PDF-1.4" + b"0" * (11 * 1024 * 1024), "application/pdf")})
        assert huge.status_code == 413
        uploaded = await me.post(f"/api/v1/members/{member.id}/floating/proof", files={"file": ("证明.pdf", scripted_pdf(), "application/pdf")})
        assert uploaded.status_code == 200 and uploaded.json()["proof_state"] == "pending"
        stored = await me.get(f"/api/v1/members/{member.id}/floating/proof")
        assert stored.headers["content-type"] == "application/pdf"
        assert b"/JavaScript" not in stored.content and b"/OpenAction" not in stored.content and len(PdfReader(io.BytesIO(stored.content)).pages) == 1
    row = await FloatingRecord.get(member_id=member.id)
    assert ID not in row.id_number_sealed and idnumber.decrypt(row.id_number_sealed, backend.settings) == ID

    async with world.client("sec_b") as outsider:
        assert (await outsider.post(f"/api/v1/members/{member.id}/floating/reveal")).status_code == 404
        assert (await outsider.post(f"/api/v1/members/{member.id}/floating/proof/confirm")).status_code == 404
    async with world.client("sec_a") as sec:
        assert (await sec.post(f"/api/v1/members/{member.id}/floating/proof/reject", json={"reason": " "})).status_code == 422
        confirmed = await sec.post(f"/api/v1/members/{member.id}/floating/proof/confirm")
        assert confirmed.json()["proof_state"] == "confirmed"
        assert confirmed.json()["recheck_due"] == today().replace(year=today().year + 1).isoformat()
        assert (await sec.post(f"/api/v1/members/{member.id}/floating/proof/confirm")).json()["error"]["code"] == "proof_not_pending"
        revealed = await sec.post(f"/api/v1/members/{member.id}/floating/reveal")
        assert revealed.json() == {"id_number": ID} and revealed.headers["cache-control"] == "private, no-store"
        assert await AuditEntry.filter(action="floating.id_number.revealed", target_id=member.id).count() == 1
        bad_grade = await sec.put(f"/api/v1/members/{member.id}/floating/comments/{today().year}", json={"grade": "great", "text": "x"})
        assert bad_grade.status_code == 422
        not_floating = await sec.put(f"/api/v1/members/{world.member_a.id}/floating/comments/{today().year}",
                                     json={"grade": "qualified", "text": "x"})
        assert not_floating.json()["error"]["code"] == "not_floating"
        comment = await sec.put(f"/api/v1/members/{member.id}/floating/comments/{today().year}",
                                json={"grade": "qualified", "text": "按时参加组织生活"})
        assert comment.status_code == 200 and comment.json()["grade"] == "qualified"
        answers += [comment.text, (await sec.get(f"/api/v1/members/{member.id}/floating")).text,
                    (await sec.get(f"/api/v1/members/{member.id}")).text,
                    (await sec.get(f"/api/v1/reports/floating?org_id={world.branch_a.id}")).text]
    for text in answers:
        assert ID not in text and ID[6:14] not in text  # neither the number nor the birth date in it
    audit = [str(row) for row in await AuditEntry.filter(target_id=member.id).values_list("data", flat=True)]
    assert audit and not any(ID in text for text in audit)
    assert ID not in caplog.text


def scripted_pdf() -> bytes:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(210, 297)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('x');")})
    out = io.BytesIO()
    writer.write(out)
    assert b"/JavaScript" in out.getvalue()
    return out.getvalue()


async def test_the_record_comes_from_attendance(world):
    member = await floating_member(world)
    from server.activities.models import Attendance
    from server.clock import now

    meeting = await make_activity(world, title="十一月支部党员大会", starts_in_minutes=-600)
    await Attendance.create(activity=meeting, member=member, status="present", method="scan", recorded_at=now())
    async with world.client("floater") as me:
        record = (await me.get(f"/api/v1/members/{member.id}/floating/record")).json()
    assert record["attended"] == 1 and [i["title"] for i in record["items"]] == ["十一月支部党员大会"]


async def test_letters_receipts_and_the_overdue_list(world, backend, tmp_path):
    ready = await ready_member(world)
    second = await ready_member(world, "floater2", "李明", "33010619850505432")
    unready = await floating_member(world, "floater3", "未确认")
    year = today().year
    async with world.client("sec_a") as sec:
        refused = await sec.post("/api/v1/floating/letters", json={"org_id": world.branch_a.id, "year": year, "member_ids": [ready.id, unready.id]})
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "letters_not_ready"
        assert refused.json()["error"]["members"] == [{"member_id": unready.id, "name": "未确认", "code": "identity_unconfirmed", "reason": "身份证明未确认"}]
        assert not await Letter.filter(member_id=ready.id).exists()
        batch = await sec.post("/api/v1/floating/letters", json={"org_id": world.branch_a.id, "year": year})
        assert batch.status_code == 202, batch.text
        assert [s["name"] for s in batch.json()["skipped"]] == ["未确认"] and batch.json()["total"] == 2
        done = await wait(sec, batch.json()["id"])
        assert done["state"] == "done", done
        pdf = await sec.get(f"/api/v1/floating/letters/batches/{done['id']}/file")
        assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
        # printed again: the same letters, the same numbers
        again = await wait(sec, (await sec.post("/api/v1/floating/letters", json={"org_id": world.branch_a.id, "year": year, "member_ids": [ready.id]})).json()["id"])
        assert again["state"] == "done"
    letters = {letter.member_id: letter for letter in await Letter.filter(member_id__in=[ready.id, second.id]).select_related("org")}
    assert sorted(letter.number for letter in letters.values()) == [1, 2] and await Letter.filter(member_id=ready.id).count() == 1
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 4  # 函 with 回执, 反馈表: per member
    text = pdf_text(pdf.content, tmp_path)
    assert "关于张伟同志" in text and f"函〔{year}〕" in text and "回" in text and "双重管理反馈表" in text
    assert ID not in text and idnumber.mask(ID) in text  # masked unless an audited export asks
    if True:  # poppler-utils comes with `make test` (scripts/system-packages)
        path = tmp_path / "letters.pdf"
        path.write_bytes(pdf.content)
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True)
        page = Image.open(next(tmp_path.glob("page*.png")))
        urls = [r.text for r in zxingcpp.read_barcodes(page)]
        first = letters[ready.id] if letters[ready.id].number == 1 else letters[second.id]
        assert urls == [f"{backend.settings.public_base_url}/r/{first.code}"]

    code = letters[ready.id].code
    async with world.client(ip=fresh_ip()) as phone:  # the home branch's secretary, not logged in
        page = await phone.get(f"/r/{code}")
        assert page.status_code == 200 and "张伟" in page.text and letters[ready.id].org.name in page.text
        assert "B-003" not in page.text and "13900000003" not in page.text and ID[-4:] not in page.text
        assert (await phone.get("/r/0OIl1abcdefg")).status_code == 404
        unknown = await phone.post("/r/abcdefghjkmn", data={"receiver_name": "程", "receiver_org": "x"})
        assert unknown.status_code == 404 and "找不到" in unknown.text
        empty = await phone.post(f"/r/{code}", data={"receiver_name": "", "receiver_org": "歙县徽城镇党委"})
        assert empty.status_code == 422 and "收件人" in empty.text
        answers = await asyncio.gather(*(phone.post(f"/r/{code}", data={"receiver_name": "程书记", "receiver_org": "歙县徽城镇党委"}) for _ in range(3)))
        assert all(a.status_code == 200 and "已确认收到" in a.text for a in answers)
    assert await AuditEntry.filter(action="floating.receipt.confirmed", target_id=letters[ready.id].id).count() == 1
    async with world.client(ip=fresh_ip()) as flood:
        statuses = [(await flood.post(f"/r/{letters[second.id].code}", data={"receiver_name": "", "receiver_org": ""})).status_code
                    for _ in range(3)]
        assert statuses == [422, 422, 422]
        for _ in range(10):
            await flood.post(f"/r/{letters[ready.id].code}", data={"receiver_name": "a", "receiver_org": "b"})
        assert (await flood.post(f"/r/{letters[second.id].code}", data={"receiver_name": "a", "receiver_org": "b"})).status_code == 429
    assert (await Letter.get(id=letters[second.id].id)).received_at is None

    # Thirty-one days later the other letter is overdue; its paper slip comes back.
    await Letter.filter(id=letters[second.id].id).update(sent_on=today() - dt.timedelta(days=31))
    async with world.client("sec_a") as sec:
        report = (await sec.get(f"/api/v1/reports/floating?org_id={world.branch_a.id}")).json()
        assert (report["floating"], report["identity_confirmed"], report["letters_sent"], report["receipts_returned"], report["overdue"]) == (3, 2, 2, 1, 1)
        assert [m["name"] for m in report["members"] if m["overdue"]] == ["李明"]
        slip = await sec.post(f"/api/v1/floating/letters/{letters[second.id].id}/receipt", files={"file": ("回执.jpg", photo_jpeg(), "image/jpeg")})
        assert slip.status_code == 200 and slip.json()["receipt_channel"] == "paper"
        after = (await sec.get(f"/api/v1/reports/floating?org_id={world.branch_a.id}")).json()
        assert (after["receipts_returned"], after["overdue"]) == (2, 0)
    async with world.client("sec_b") as outsider:
        assert (await outsider.get(f"/api/v1/floating/letters/batches/{done['id']}/file")).status_code == 404
        assert (await outsider.post("/api/v1/floating/letters", json={"org_id": world.branch_a.id, "year": year})).status_code == 403


def pdf_text(data: bytes, folder) -> str:
    path = folder / "read.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


async def test_full_numbers_only_in_an_audited_export(world, tmp_path):
    member = await ready_member(world)
    async with world.client("sec_a") as sec:
        batch = await sec.post("/api/v1/floating/letters", json={"org_id": world.party_a.id, "year": today().year,
                                                                  "member_ids": [member.id], "full_id_numbers": True})
        done = await wait(sec, batch.json()["id"])
        pdf = await sec.get(f"/api/v1/floating/letters/batches/{done['id']}/file")
    assert ID in pdf_text(pdf.content, tmp_path)
    entry = await AuditEntry.get(action="floating.letters.requested", target_id=done["id"])
    assert entry.data["full_id_numbers"] is True
    assert await AuditEntry.filter(action="floating.letters.downloaded", target_id=done["id"]).count() == 1


async def wait(c, batch_id: int) -> dict:
    for _ in range(400):
        batch = (await c.get(f"/api/v1/floating/letters/batches/{batch_id}")).json()
        if batch["state"] in ("done", "failed"):
            return batch
        await asyncio.sleep(0.05)
    raise AssertionError(batch)



async def test_late_receipts_remind_the_secretary_once_through_a_strict_wechat(world, backend):
    from server.floating import reminders
    from server.floating.models import ReceiptReminder
    from server.wechat import RealWeChat
    from tests.wechat_standin import TEMPLATE, StandIn

    member = await ready_member(world)
    async with world.client("sec_a") as sec:
        batch = await sec.post("/api/v1/floating/letters", json={"org_id": world.party_a.id, "year": today().year})
        await wait(sec, batch.json()["id"])
        first = await sec.post("/api/v1/floating/reminders", json={"org_id": world.party_a.id})
        again = await sec.post("/api/v1/floating/reminders", json={"org_id": world.party_a.id})
    async with world.client("sec_b") as other:
        assert (await other.post("/api/v1/floating/reminders", json={"org_id": world.party_a.id})).status_code == 403
    assert (first.status_code, again.status_code) == (201, 200)
    openid = world.users["sec_a"].openid
    with StandIn() as standin:
        standin.grant(openid, TEMPLATE)
        gateway = RealWeChat("wxappid", "wxsecret", backend.store, base_url=standin.base_url, timeout=5)
        early = await reminders.remind_all(gateway, template_id=TEMPLATE)  # sent today: nothing late
        await Letter.filter(member_id=member.id).update(sent_on=today() - dt.timedelta(days=31))
        outcomes = await asyncio.gather(*[reminders.remind_all(gateway, template_id=TEMPLATE) for _ in range(4)])
        later = await reminders.remind_all(gateway, template_id=TEMPLATE)
        delivered = [m for m in standin.delivered if m["touser"] == openid]
    assert early["sent"] == 0 and sum(o["sent"] for o in outcomes) == 1 and later["sent"] == 0
    [message] = delivered
    assert message["page"] == f"pages/floating-queue/index?org_id={world.party_a.id}"
    assert message["data"]["thing2"]["value"] == "1份反馈函超30天未回执"
    assert (await ReceiptReminder.get(user=world.users["sec_a"])).status == "sent"
