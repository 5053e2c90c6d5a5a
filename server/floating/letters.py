"""The letters (函) to the home branches: a batch for an org and a year takes each ready member's
letter (one a member a year, its 函号 the next of the issuing org's year, never reused) and a job
prints them all, each 函 with its detachable 回执 and the 反馈表, into one PDF.

Ready: a floating member whose identity proof is confirmed and whose comment for the year is
written; the others are listed with the reason (identity_unconfirmed, comment_missing). The 回执's
QR holds <PUBLIC_BASE_URL>/r/<code>: the home branch confirms receipt there (server/floating/
receipts.py), or the paper slip comes back and is uploaded. Unanswered after 30 days: overdue.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging

import procrastinate
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server import audit, limits
from server.activities import attendance
from server.auth import Principal
from server.clock import now, today
from server.codes import random_code
from server.db import MAX_ID
from server.errors import Conflict, Forbidden, NotFound, ReferenceNotFound
from server.evaluation.cycles import stars_of
from server.floating import idnumber
from server.floating.models import FloatingComment, FloatingRecord, Letter, LetterBatch, LetterCounter
from server.jobs import engine
from server.members.models import Member
from server.markets.models import Market
from server.orgs.models import Org
from server.orgs.service import get_org

log = logging.getLogger("dangjian.floating.letters")
OVERDUE_DAYS = 30
MAX_LETTERS = 500


class NotLetterStaff(Forbidden):
    code, message = "not_org_staff", "只能为你所管辖范围内的组织打印反馈函"


class LettersNotReady(Conflict):
    code, message = "letters_not_ready", "有党员还不能出具反馈函：身份未确认或没有写评语（见名单）"


class NothingToPrint(Conflict):
    code, message = "no_letters", "没有可以出具反馈函的流动党员：要先确认身份、写好本年度评语"


class BatchNotFound(NotFound):
    code, message = "letter_batch_not_found", "找不到该打印任务"


class BatchNotDone(Conflict):
    code, message = "letter_batch_not_done", "反馈函还在生成中，请稍后再下载"


class LetterNotFound(NotFound):
    code, message = "letter_not_found", "找不到该反馈函"


def letter_no(letter: Letter) -> str:
    return f"{letter.org.name}函〔{letter.year}〕{letter.number}号"


def overdue(letter: Letter, day: dt.date | None = None) -> bool:
    return letter.received_at is None and (day or today()) - letter.sent_on > dt.timedelta(days=OVERDUE_DAYS)


async def readiness(member_ids: list[int], year: int) -> dict[int, str | None]:
    """Per member: None when a letter can be printed, else why not."""
    confirmed = set(await FloatingRecord.filter(member_id__in=member_ids, proof_state="confirmed").values_list("member_id", flat=True))
    commented = set(await FloatingComment.filter(member_id__in=member_ids, year=year).values_list("member_id", flat=True))
    return {m: None if m in confirmed and m in commented else "identity_unconfirmed" if m not in confirmed else "comment_missing"
            for m in member_ids}


REASONS = {"identity_unconfirmed": "身份证明未确认", "comment_missing": "没有本年度评语", "not_floating": "不是流动党员"}


async def _candidates(principal: Principal, org: Org, member_ids: list[int] | None) -> list[Member]:
    scope = Member.filter(await principal.scope("life_org", within=org), membership="active")
    if member_ids is None:
        return await scope.filter(category="floating").order_by("name", "id")
    found = {m.id: m for m in await scope.filter(id__in=[i for i in member_ids if 0 < i <= MAX_ID])}
    if missing := [i for i in member_ids if i not in found]:
        raise ReferenceNotFound(fields={"member_ids": f"该组织没有这些党员：{', '.join(map(str, missing[:10]))}"})
    return [found[i] for i in dict.fromkeys(member_ids)]


async def create_batch(principal: Principal, data: dict, store, jobs_app) -> LetterBatch:
    org = await get_org(data["org_id"])
    if not principal.reaches(org):
        await audit.record("floating.letters.requested.denied", actor=principal.user, org=org)
        raise NotLetterStaff()
    year, chosen = data["year"], data.get("member_ids")
    members = await _candidates(principal, org, chosen)
    ready = await readiness([m.id for m in members], year)
    skipped = [{"member_id": m.id, "name": m.name, "code": "not_floating" if m.category != "floating" else ready[m.id]}
               for m in members if m.category != "floating" or ready[m.id]]
    for entry in skipped:
        entry["reason"] = REASONS[entry["code"]]
    printing = [m for m in members if m.category == "floating" and not ready[m.id]]
    if chosen is not None and skipped:
        raise LettersNotReady(extra={"members": skipped})
    if not printing:
        raise NothingToPrint(extra={"members": skipped})
    if len(printing) > MAX_LETTERS:
        raise Conflict(f"一次最多打印 {MAX_LETTERS} 份反馈函，请按支部分批打印")
    await limits.charge(store, principal.user.id, "letters.batch")
    async with in_transaction():
        batch = await LetterBatch.create(org=org, year=year, requested_by=principal.user, total=len(printing),
                                         skipped=skipped, full_id_numbers=data.get("full_id_numbers", False))
        await _letters(batch, org, year, printing)
    await engine.defer(jobs_app, "floating:letters", queueing_lock=f"floating:letters:{batch.id}", batch_id=batch.id)
    # Printing the full 身份证号 is an export of it: audited as such.
    await audit.record("floating.letters.requested", actor=principal.user, org=org, target=batch, year=year,
                       total=len(printing), full_id_numbers=batch.full_id_numbers)
    return batch


async def _letters(batch: LetterBatch, org: Org, year: int, members: list[Member]) -> None:
    """Each member's letter of the year: the one they have, or a new one with the next number."""
    have = set(await Letter.filter(member_id__in=[m.id for m in members], year=year).values_list("member_id", flat=True))
    await Letter.filter(member_id__in=list(have), year=year).update(batch_id=batch.id)
    new = [m for m in members if m.id not in have]
    if not new:
        return
    counter = await LetterCounter.select_for_update().get_or_none(org_id=org.id, year=year)
    if counter is None:
        try:
            async with in_transaction():
                await LetterCounter.create(org_id=org.id, year=year)
        except IntegrityError:
            pass  # another batch made it first
        counter = await LetterCounter.select_for_update().get(org_id=org.id, year=year)
    first = counter.last_number + 1
    counter.last_number += len(new)
    await counter.save(update_fields=["last_number"])
    await Letter.bulk_create([Letter(member_id=m.id, org_id=org.id, year=year, number=first + i, code=random_code(12),
                                     batch_id=batch.id, sent_on=today()) for i, m in enumerate(new)])


async def get_batch(principal: Principal, batch_id: int) -> LetterBatch:
    batch = await LetterBatch.get_or_none(id=batch_id).select_related("org") if 0 < batch_id <= MAX_ID else None
    if batch is None or not principal.reaches(batch.org):
        raise BatchNotFound()
    return batch


async def batch_file(principal: Principal, batch_id: int, files) -> tuple[LetterBatch, bytes]:
    batch = await get_batch(principal, batch_id)
    data = await files.get(batch.file_key) if batch.state == "done" and batch.file_key else None
    if data is None:
        raise BatchNotDone(extra={"state": batch.state})
    await audit.record("floating.letters.downloaded", actor=principal.user, org=batch.org_id, target=batch,
                       full_id_numbers=batch.full_id_numbers)
    return batch, data


# --- printing (a job) -------------------------------------------------------------------------------

def blueprint() -> procrastinate.Blueprint:
    tasks = procrastinate.Blueprint()

    @tasks.task(name="letters", queue="floating", pass_context=True,
                retry=procrastinate.RetryStrategy(max_attempts=2, exponential_wait=5))
    async def letters(context: procrastinate.JobContext, batch_id: int) -> None:
        parts = engine.resources(context)
        await run(batch_id, parts.files, parts.settings, final=context.job.attempts >= 2)

    return tasks


async def run(batch_id: int, files, settings, *, final: bool = True) -> None:
    """Print a batch. Letters and their numbers exist already: another attempt prints the same."""
    batch = await LetterBatch.get_or_none(id=batch_id).select_related("org")
    if batch is None or batch.state == "done":
        return
    await LetterBatch.filter(id=batch_id).update(state="running", done=0)
    try:
        key = await _print(batch, files, settings)
    except Exception as exc:
        log.exception("letter batch %s failed", batch_id)
        if not final:
            raise
        await LetterBatch.filter(id=batch_id).update(state="failed", error=f"{exc.__class__.__name__}: {exc}"[:300], finished_at=now())
        return
    await LetterBatch.filter(id=batch_id).update(state="done", file_key=key, finished_at=now())


async def _print(batch: LetterBatch, files, settings) -> str:
    from server.floating.letterbook import LetterBook

    letters = await Letter.filter(batch_id=batch.id).select_related("member", "org").order_by("number")
    ids = [letter.member_id for letter in letters]
    records = {r.member_id: r for r in await FloatingRecord.filter(member_id__in=ids)}
    comments = {c.member_id: c for c in await FloatingComment.filter(member_id__in=ids, year=batch.year)}
    figures = await attendance.year_figures(ids, batch.year)
    stars = await stars_of(ids)
    markets = dict(await Market.filter(id__in={l.member.market_id for l in letters if l.member.market_id}).values_list("id", "name"))
    book = await asyncio.to_thread(LetterBook, batch.org.name, batch.year, settings.plate_font or None)
    for done, letter in enumerate(letters, 1):
        member, record = letter.member, records[letter.member_id]
        number = idnumber.decrypt(record.id_number_sealed, settings) if batch.full_id_numbers else record.id_number_masked
        page = {
            "letter_no": letter_no(letter), "name": member.name, "gender": member.gender, "mobile": member.mobile,
            "id_number": number, "home_org": member.home_org, "home_contact": record.home_org_contact,
            "home_phone": record.home_org_phone, "home_address": record.home_org_address, "inflow_on": record.inflow_on,
            "unit_name": member.unit_name, "place": (f"{markets.get(member.market_id, '')} {member.stall_no or ''}".strip()
                                                      if member.placement == "in_market" else member.unit_name),
            "activity_card_no": record.activity_card_no, "figures": figures[letter.member_id],
            "items": await attendance.year_list(letter.member_id, batch.year), "stars": stars.get(letter.member_id),
            "comment": comments[letter.member_id], "sent_on": letter.sent_on,
            "receipt_url": f"{settings.public_base_url.rstrip('/')}/r/{letter.code}",
        }
        await asyncio.to_thread(book.letter, page)
        if done % 20 == 0 or done == len(letters):
            await LetterBatch.filter(id=batch.id).update(done=done)
    body = await asyncio.to_thread(book.finish)
    return await files.put(body, ".pdf")
