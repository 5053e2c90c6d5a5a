"""The floating member's record: registration with the 身份证号 (encrypted, masked), the stamped
identity proof and its confirmation, the year's activity record, the secretary's comment."""
from __future__ import annotations

import datetime as dt

from server import audit, documents
from server.activities import attendance
from server.auth import Principal
from server.clock import now, today
from server.errors import Conflict, Forbidden, NotFound
from server.floating import idnumber
from server.floating.models import FloatingComment, FloatingRecord, Letter
from server.members.models import Member
from server.members.service import get_member


class NotAProof(documents.NotADocument):
    code, message = "proof_type", "身份证明请上传照片（JPG、PNG）或 PDF 文件"


class ProofTooLarge(documents.DocumentTooLarge):
    code = "proof_too_large"


async def clean_proof(data: bytes) -> tuple[bytes, str]:
    """The home branch's stamped proof or a paper receipt: a photo or a PDF, cleaned."""
    return await documents.clean(data, wrong_type=NotAProof, too_large=ProofTooLarge)


class NotFloating(Conflict):
    code, message = "not_floating", "该党员不是流动党员（组织关系、经营地、户籍地三分离），无需办理"


class IdNumberInvalid(Conflict):
    code, message = "id_number_invalid", "身份证号不正确，请核对"


class NotRegistered(NotFound):
    code, message = "floating_not_registered", "该流动党员还没有填写流动党员登记信息"


class NotFloatingStaff(Forbidden):
    code, message = "not_org_staff", "只有党员所在组织的书记、管理员可以进行此操作"


class ProofNotPending(Conflict):
    code, message = "proof_not_pending", "没有待确认的身份证明"


class InflowInFuture(Conflict):
    code, message = "date_in_future", "流入时间不能晚于今天"


async def floating_member(principal: Principal, member_id: int, *, staff: bool = False) -> Member:
    """The member (themself, or staff over them), who must be a floating member."""
    member = await get_member(principal, member_id)
    if staff and not principal.reaches(member.life_org):
        await audit.record("floating.denied", actor=principal.user, org=member.life_org_id, target=member)
        raise NotFloatingStaff()
    if member.category != "floating":
        raise NotFloating()
    return member


async def register(principal: Principal, member_id: int, data: dict, settings) -> FloatingRecord:
    member = await floating_member(principal, member_id)
    number = idnumber.normal(data.pop("id_number"))
    if problem := idnumber.problem(number, today()):
        raise IdNumberInvalid(fields={"id_number": problem})
    if data["inflow_on"] > today():
        raise InflowInFuture(fields={"inflow_on": "流入时间不能晚于今天"})
    values = {**data, "id_number_sealed": idnumber.encrypt(number, settings), "id_number_masked": idnumber.mask(number)}
    record, created = await FloatingRecord.update_or_create(member_id=member.id, defaults=values)
    # The audit keeps who changed what, never the number itself.
    await audit.record("floating.registered" if created else "floating.updated", actor=principal.user,
                       org=member.life_org_id, target=member, id_number=record.id_number_masked)
    return record


async def record_of(member: Member) -> FloatingRecord:
    record = await FloatingRecord.get_or_none(member_id=member.id)
    if record is None:
        raise NotRegistered()
    return record


def recheck_due(record: FloatingRecord) -> dt.date | None:
    """The proof is checked again each year, on the anniversary of its confirmation."""
    if record.proof_confirmed_on is None:
        return None
    day = record.proof_confirmed_on
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


async def view(principal: Principal, member_id: int) -> dict:
    member = await floating_member(principal, member_id)
    record = await FloatingRecord.get_or_none(member_id=member.id)
    comments = await FloatingComment.filter(member_id=member.id).order_by("-year")
    letters = await Letter.filter(member_id=member.id).select_related("org").order_by("-year")
    due = recheck_due(record) if record else None
    return {
        "member_id": member.id, "name": member.name, "registered": record is not None,
        "id_number": record.id_number_masked if record else None,
        **({k: getattr(record, k) for k in ("home_org_contact", "home_org_phone", "home_org_address", "inflow_on",
                                             "activity_card_no", "proof_state", "proof_reason", "proof_confirmed_on")}
           if record else {"proof_state": "missing"}),
        "home_org": member.home_org, "recheck_due": due, "recheck_overdue": bool(due and due <= today()),
        "comments": [comment_view(c) for c in comments],
        "letters": [letter_view(letter) for letter in letters],
    }


def comment_view(c: FloatingComment) -> dict:
    return {"year": c.year, "grade": c.grade, "text": c.text, "writer_name": c.writer_name, "updated_at": c.updated_at}


def letter_view(letter: Letter) -> dict:
    from server.floating.letters import letter_no, overdue

    return {"id": letter.id, "year": letter.year, "letter_no": letter_no(letter), "sent_on": letter.sent_on,
            "received_at": letter.received_at, "receipt_channel": letter.receipt_channel,
            "receiver_name": letter.receiver_name, "receiver_org": letter.receiver_org, "overdue": overdue(letter)}


async def reveal(principal: Principal, member_id: int, settings) -> str:
    """The full number, for the staff who ask for it; the asking is audited (the number is not)."""
    member = await floating_member(principal, member_id, staff=True)
    record = await record_of(member)
    await audit.record("floating.id_number.revealed", actor=principal.user, org=member.life_org_id, target=member)
    return idnumber.decrypt(record.id_number_sealed, settings)


async def upload_proof(principal: Principal, member_id: int, data: bytes, files) -> FloatingRecord:
    member = await floating_member(principal, member_id)
    record = await record_of(member)
    body, content_type = await clean_proof(data)
    old = record.proof_key
    record.proof_key = await files.put(body, documents.suffix(content_type))
    record.proof_type, record.proof_state, record.proof_uploaded_at = content_type, "pending", now()
    record.proof_reason = None
    await record.save()
    if old:
        await files.delete(old)
    await audit.record("floating.proof.added", actor=principal.user, org=member.life_org_id, target=member, type=content_type)
    return record


async def proof_file(principal: Principal, member_id: int, files) -> tuple[bytes, str]:
    member = await floating_member(principal, member_id)
    record = await record_of(member)
    data = await files.get(record.proof_key) if record.proof_key else None
    if data is None:
        raise NotFound("还没有上传身份证明")
    return data, record.proof_type


async def decide_proof(principal: Principal, member_id: int, confirm: bool, reason: str | None) -> FloatingRecord:
    member = await floating_member(principal, member_id, staff=True)
    record = await record_of(member)
    if record.proof_state != "pending":
        raise ProofNotPending()
    record.proof_state = "confirmed" if confirm else "rejected"
    record.proof_reason = None if confirm else reason
    record.proof_confirmed_on = today() if confirm else record.proof_confirmed_on
    record.proof_by_id = principal.user.id
    await record.save()
    await audit.record("floating.proof.approved" if confirm else "floating.proof.rejected", actor=principal.user,
                       org=member.life_org_id, target=member, reason=reason)
    return record


async def activity_record(principal: Principal, member_id: int, year: int) -> dict:
    """What the member took part in that year, from the records already kept: nothing typed twice."""
    member = await floating_member(principal, member_id)
    items = await attendance.year_list(member.id, year)
    figures = (await attendance.year_figures([member.id], year))[member.id]
    return {"member_id": member.id, "year": year, **figures, "items": items}


async def write_comment(principal: Principal, member_id: int, year: int, grade: str, text: str,
                        signed_by: str) -> FloatingComment:
    """The host secretary's comment of a year (one a year; writing again replaces it), signed by
    the name given or, without one, the secretary's own member record's."""
    member = await floating_member(principal, member_id, staff=True)
    if not signed_by:
        writer = await Member.get_or_none(user_id=principal.user.id)
        signed_by = writer.name if writer else ""
    comment, _ = await FloatingComment.update_or_create(member_id=member.id, year=year, defaults={
        "grade": grade, "text": text, "written_by_id": principal.user.id, "writer_name": signed_by})
    await audit.record("floating.comment.recorded", actor=principal.user, org=member.life_org_id, target=member, year=year)
    return comment
