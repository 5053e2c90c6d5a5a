"""Receipts (回执), two ways: the home branch's secretary scans the slip's QR with any phone and
confirms at /r/<code> (no JavaScript; the page shows the letter number, the member's name and the
issuing org, nothing else; the same code twice is one receipt; confirmations are rate-limited per
address), or the host secretary uploads the returned paper slip. And the report of the year."""
from __future__ import annotations

import re

from tortoise.transactions import in_transaction

from server import audit, documents
from server.auth import Principal
from server.clock import SHANGHAI, now, today
from server.db import MAX_ID
from server.errors import RateLimited
from server.floating import service
from server.floating.letters import LetterNotFound, NotLetterStaff, letter_no, overdue, readiness
from server.floating.models import FloatingComment, FloatingRecord, Letter
from server.members.models import Member
from server.orgs.service import get_org

CODE = re.compile(r"^[23456789abcdefghjkmnpqrstuvwxyz]{12}$")
CONFIRMS_PER_ADDRESS = (10, 600)  # a home branch confirms a handful; a flood stops here


async def by_code(code: str) -> Letter | None:
    if not CODE.fullmatch(code):
        return None  # malformed: not even a query
    return await Letter.get_or_none(code=code).select_related("member", "org")


def public_view(letter: Letter) -> dict:
    received = letter.received_at.astimezone(SHANGHAI).date() if letter.received_at else None
    return {"letter_no": letter_no(letter), "name": letter.member.name, "org_name": letter.org.name,
            "received_on": received, "receiver_org": letter.receiver_org}


async def confirm(code: str, data: dict, client: str, store) -> tuple[Letter | None, bool]:
    """(letter, newly confirmed). None: no such letter."""
    allowed, _ = await store.hit(f"rate:receipt:{client}", *CONFIRMS_PER_ADDRESS)
    if not allowed:
        raise RateLimited("提交太频繁了，请稍后再试")
    letter = await by_code(code)
    if letter is None:
        return None, False
    async with in_transaction():
        claimed = await Letter.filter(id=letter.id, received_at=None).update(
            received_at=now(), receipt_channel="web", receiver_name=data["receiver_name"],
            receiver_org=data["receiver_org"], receiver_phone=data.get("receiver_phone") or None)
    if claimed:
        await audit.record("floating.receipt.confirmed", org=letter.org_id, target=letter, channel="web")
    return await Letter.get(id=letter.id).select_related("member", "org"), bool(claimed)


async def paper(principal: Principal, letter_id: int, data: bytes, files) -> Letter:
    letter = await Letter.get_or_none(id=letter_id).select_related("org", "member") if 0 < letter_id <= MAX_ID else None
    if letter is None or not principal.reaches(letter.org):
        raise LetterNotFound()
    body, content_type = await service.clean_proof(data)
    key = await files.put(body, documents.suffix(content_type))
    received = letter.received_at or now()
    await Letter.filter(id=letter.id).update(receipt_file_key=key, received_at=received,
                                             receipt_channel=letter.receipt_channel or "paper")
    await audit.record("floating.receipt.added", actor=principal.user, org=letter.org_id, target=letter, channel="paper")
    return await Letter.get(id=letter.id).select_related("org", "member")


async def report(principal: Principal, org_id: int, year: int) -> dict:
    """The year's floating members of an org's subtree, each with how far they are, and the sums."""
    org = await get_org(org_id)
    if not principal.reaches(org):
        raise NotLetterStaff("只能查看你所管辖范围内的流动党员")
    members = await Member.filter(await principal.scope("life_org", within=org), category="floating",
                                  membership="active").order_by("name", "id").values("id", "name", "unit_name", "home_org")
    ids = [m["id"] for m in members]
    records = {r["member_id"]: r for r in await FloatingRecord.filter(member_id__in=ids).values(
        "member_id", "proof_state", "proof_confirmed_on")}
    commented = set(await FloatingComment.filter(member_id__in=ids, year=year).values_list("member_id", flat=True))
    letters = {letter.member_id: letter for letter in await Letter.filter(member_id__in=ids, year=year).select_related("org")}
    ready = await readiness(ids, year)
    day = today()
    rows = []
    for m in members:
        record, letter = records.get(m["id"]), letters.get(m["id"])
        rows.append({**m, "registered": record is not None, "proof_state": record["proof_state"] if record else "missing",
                     "commented": m["id"] in commented, "ready": ready[m["id"]] is None,
                     "letter_id": letter.id if letter else None, "letter_no": letter_no(letter) if letter else None,
                     "sent_on": letter.sent_on if letter else None, "received_at": letter.received_at if letter else None,
                     "overdue": bool(letter and overdue(letter, day))})
    return {"org_id": org.id, "org_name": org.name, "year": year, "floating": len(rows),
            "registered": sum(r["registered"] for r in rows),
            "identity_confirmed": sum(r["proof_state"] == "confirmed" for r in rows),
            "comments_written": sum(r["commented"] for r in rows), "letters_sent": sum(r["letter_id"] is not None for r in rows),
            "receipts_returned": sum(r["received_at"] is not None for r in rows), "overdue": sum(r["overdue"] for r in rows),
            "members": rows}
