"""The staff's side: the review table with every input side by side, the org's review and the
score it settles, vetoes, objections answered, outstanding members, follow-ups and corrections."""
from __future__ import annotations

from collections import Counter, defaultdict

from tortoise.transactions import in_transaction

from server import audit
from server.activities import attendance
from server.auth import Principal
from server.clock import now
from server.db import MAX_ID
from server.errors import Conflict, NotFound
from server.evaluation import cycles, scheme as schemes
from server.evaluation.models import GRADES, Correction, Cycle, Evaluation, FollowUp, Objection, PeerGrade
from server.evaluation.work import EvaluationNotFound, PointsInvalid
from server.plates import cache, ratings


class StarsTooLow(Conflict):
    code, message = "stars_too_low", "优秀党员只能从四星、五星党员中推选"


class NotFinal(Conflict):
    code, message = "not_finalized", "考评结果确定后才能进行此操作"


class NoFollowUp(Conflict):
    code, message = "no_follow_up", "只有一星、二星党员需要谈心谈话和结对帮扶"


class MentorNotFound(cycles.NotOnRoster):
    code, message = "mentor_not_found", "帮扶人应是同一党组织本次考评的党员"


class MentorStarsTooLow(Conflict):
    code, message = "mentor_stars_too_low", "帮扶人应是四星、五星党员"


class ObjectionNotFound(NotFound):
    code, message = "objection_not_found", "找不到该异议"


class AlreadyAnswered(Conflict):
    code, message = "objection_answered", "该异议已经答复过了"


async def staff_evaluation(principal: Principal, evaluation_id: int) -> Evaluation:
    """An evaluation of a member in the caller's reach; anything else is not found."""
    evaluation = await Evaluation.get_or_none(id=evaluation_id).select_related("cycle", "cycle__org", "org", "member") \
        if 0 < evaluation_id <= MAX_ID else None
    if evaluation is None or not principal.reaches(evaluation.org):
        raise EvaluationNotFound()
    return evaluation


async def _inputs(cycle: Cycle, evaluations: list[Evaluation]) -> dict[int, dict]:
    """Per evaluation: the peer grades received (counts) and the customer figures of the year."""
    ids = [e.id for e in evaluations]
    grades: dict[int, list[str]] = defaultdict(list)
    assigned: Counter = Counter()
    for ratee, grade in await PeerGrade.filter(ratee_id__in=ids).values_list("ratee_id", "grade"):
        assigned[ratee] += 1
        if grade:
            grades[ratee].append(grade)
    customers = await ratings.year_figures([e.member_id for e in evaluations], cycle.year)
    return {e.id: {"grades": grades[e.id], "assigned": assigned[e.id], "customer": customers[e.member_id]}
            for e in evaluations}


def _score(cycle: Cycle, e: Evaluation, got: dict) -> tuple:
    parts = schemes.inputs(cycle.scheme, self_items=e.self_items, peer_grades=got["grades"],
                           customer_average=got["customer"]["average"], review_items=e.review_items)
    value = schemes.score(cycle.scheme, parts, e.adjustments or [])
    return parts, value, (None if e.veto_reason else schemes.stars(cycle.scheme, value))


def row(cycle: Cycle, e: Evaluation, got: dict) -> dict:
    parts, value, stars = _score(cycle, e, got)
    return {
        "id": e.id, "member_id": e.member_id, "name": e.member.name, "unit_name": e.member.unit_name,
        "org_id": e.org_id, "placement": e.placement, "category": e.category, "exclusion": e.exclusion,
        "veto_reason": e.veto_reason, "self_total": sum(e.self_items.values()) if e.self_items else None,
        "peer_counts": {g: got["grades"].count(g) for g in GRADES}, "peer_assigned": got["assigned"],
        "customer": got["customer"], "review_total": sum(e.review_items.values()) if e.review_items else None,
        "inputs": {name: (float(v.quantize(schemes.Decimal("0.1"))) if v is not None else None) for name, v in parts.items()},
        "score": float(value) if value is not None else None, "stars": stars if cycle.finalized_at is None else e.stars,
        "reviewed_at": e.reviewed_at, "outstanding": e.outstanding,
    }


async def table(principal: Principal, cycle_id: int, *, org_id=None, status=None, limit=50, offset=0) -> tuple[Cycle, list[dict], int]:
    cycle = await cycles.staff_cycle(principal, cycle_id)
    query = Evaluation.filter(cycle_id=cycle.id).filter(await principal.scope("org"))
    if org_id:
        query = query.filter(org_id=org_id)
    query = {"eligible": query.filter(exclusion=None), "excluded": query.filter(exclusion__isnull=False),
             "to_review": query.filter(exclusion=None, veto_reason=None, reviewed_at=None),
             "vetoed": query.filter(veto_reason__isnull=False)}.get(status, query)
    total = await query.count()
    page = await query.select_related("member").order_by("org_id", "member__name", "id").offset(offset).limit(limit)
    got = await _inputs(cycle, page)
    return cycle, [row(cycle, e, got[e.id]) for e in page], total


async def detail(principal: Principal, evaluation_id: int) -> dict:
    e = await staff_evaluation(principal, evaluation_id)
    got = (await _inputs(e.cycle, [e]))[e.id]
    record = (await attendance.year_figures([e.member_id], e.cycle.year))[e.member_id]
    follow_up = await FollowUp.get_or_none(evaluation_id=e.id).select_related("mentor__member")
    return {**row(e.cycle, e, got), "cycle_id": e.cycle_id, "scheme": e.cycle.scheme, "self_items": e.self_items,
            "self_summary": e.self_summary, "review_items": e.review_items, "adjustments": e.adjustments,
            "record": record, "follow_up": follow_up_view(follow_up) if follow_up else None}


async def review(principal: Principal, evaluation_id: int, items: dict, adjustments: list[dict]) -> dict:
    e = await staff_evaluation(principal, evaluation_id)
    if e.exclusion is not None:
        raise cycles.NotEligible()
    if e.cycle.finalized_at is not None:
        raise cycles.CycleFinalized()
    if e.cycle.announced_on is not None:
        raise cycles.AlreadyAnnounced()
    if problems := schemes.item_problems(e.cycle.scheme, items, "items"):
        raise PointsInvalid(fields=problems)
    e.review_items, e.adjustments, e.reviewed_by_id, e.reviewed_at = items, adjustments, principal.user.id, now()
    _, value, e.stars = _score(e.cycle, e, (await _inputs(e.cycle, [e]))[e.id])
    e.score = value
    await e.save(update_fields=["review_items", "adjustments", "reviewed_by_id", "reviewed_at", "score", "stars"])
    await audit.record("evaluation.reviewed", actor=principal.user, org=e.org_id, target=e, score=float(value))
    return await detail(principal, e.id)


async def rescore(cycle: Cycle) -> None:
    """Every reviewed evaluation's score and stars from the inputs as they stand now."""
    evaluations = await Evaluation.filter(cycle_id=cycle.id, exclusion=None, reviewed_at__isnull=False)
    for start in range(0, len(evaluations), 1000):
        chunk = evaluations[start:start + 1000]
        got = await _inputs(cycle, chunk)
        for e in chunk:
            _, e.score, e.stars = _score(cycle, e, got[e.id])
        await Evaluation.bulk_update(chunk, fields=["score", "stars"], batch_size=1000)


async def veto(principal: Principal, cycle_id: int, member_id: int, reason: str) -> Evaluation:
    cycle = await cycles.staff_cycle(principal, cycle_id)
    e = await Evaluation.get_or_none(cycle_id=cycle.id, member_id=member_id).select_related("cycle", "org") \
        if 0 < member_id <= MAX_ID else None
    if e is None or not principal.reaches(e.org):
        raise cycles.NotOnRoster(fields={"member_id": "本次考评名单中没有这位党员"})
    return await cycles.veto(principal, e, reason)


async def objections(principal: Principal, cycle_id: int) -> list[dict]:
    cycle = await cycles.staff_cycle(principal, cycle_id)
    rows = await Objection.filter(cycle_id=cycle.id).order_by("answered_at", "id").values(
        "id", "evaluation_id", "reason", "answer", "answered_at", "created_at", about="evaluation__member__name",
        objector="user__member__name")
    return rows


async def answer(principal: Principal, objection_id: int, text: str) -> Objection:
    objection = await Objection.get_or_none(id=objection_id).select_related("cycle__org") if 0 < objection_id <= MAX_ID else None
    if objection is None or not principal.reaches(objection.cycle.org):
        raise ObjectionNotFound()
    async with in_transaction():
        objection = await Objection.select_for_update().get(id=objection.id)
        if objection.answered_at is not None:
            raise AlreadyAnswered()
        objection.answer, objection.answered_by_id, objection.answered_at = text, principal.user.id, now()
        await objection.save(update_fields=["answer", "answered_by_id", "answered_at"])
    await audit.record("evaluation.objection.replied", actor=principal.user, target=objection)
    return objection


async def nominate(principal: Principal, evaluation_id: int, outstanding: bool) -> Evaluation:
    e = await staff_evaluation(principal, evaluation_id)
    if e.cycle.finalized_at is None:
        raise NotFinal()
    if outstanding and (e.veto_reason or (e.stars or 0) < 4):
        raise StarsTooLow()
    e.outstanding = outstanding
    await e.save(update_fields=["outstanding"])
    await audit.record("evaluation.outstanding", actor=principal.user, org=e.org_id, target=e, outstanding=outstanding)
    return e


def follow_up_view(f: FollowUp) -> dict:
    mentor = f.mentor.member.name if f.mentor_id and f.mentor else None
    return {"evaluation_id": f.evaluation_id, "talk_on": f.talk_on, "talk_by": f.talk_by, "talk_notes": f.talk_notes,
            "mentor_evaluation_id": f.mentor_id, "mentor_name": mentor, "due_on": f.due_on,
            "done": bool(f.talk_on and f.mentor_id)}


async def set_follow_up(principal: Principal, evaluation_id: int, data: dict) -> dict:
    e = await staff_evaluation(principal, evaluation_id)
    follow_up = await FollowUp.get_or_none(evaluation_id=e.id)
    if follow_up is None:
        raise NoFollowUp() if e.cycle.finalized_at else NotFinal()
    mentor_id = data.get("mentor_evaluation_id")
    if mentor_id is not None:
        mentor = await Evaluation.get_or_none(id=mentor_id, cycle_id=e.cycle_id) if mentor_id <= MAX_ID else None
        if mentor is None or mentor.org_id != e.org_id or mentor.id == e.id:
            raise MentorNotFound(fields={"mentor_evaluation_id": MentorNotFound.message})
        if mentor.veto_reason or (mentor.stars or 0) < 4:
            raise MentorStarsTooLow(fields={"mentor_evaluation_id": MentorStarsTooLow.message})
    follow_up.update_from_dict({("mentor_id" if k == "mentor_evaluation_id" else k): v for k, v in data.items()})
    await follow_up.save()
    await audit.record("evaluation.follow_up.updated", actor=principal.user, org=e.org_id, target=e)
    await follow_up.fetch_related("mentor__member")
    return follow_up_view(follow_up)


async def follow_ups(principal: Principal, cycle_id: int, open_only: bool) -> list[dict]:
    cycle = await cycles.staff_cycle(principal, cycle_id)
    rows = await FollowUp.filter(evaluation__cycle_id=cycle.id).filter(await principal.scope("evaluation__org")) \
        .select_related("evaluation__member", "mentor__member").order_by("evaluation__member__name", "id")
    out = [{**follow_up_view(f), "name": f.evaluation.member.name, "stars": f.evaluation.stars,
            "org_id": f.evaluation.org_id} for f in rows]
    return [f for f in out if not f["done"]] if open_only else out


async def correct(principal: Principal, evaluation_id: int, stars: int | None, reason: str, store) -> Evaluation:
    e = await staff_evaluation(principal, evaluation_id)
    if e.cycle.finalized_at is None:
        raise NotFinal()
    old = e.stars
    await Correction.create(evaluation=e, old_stars=old, new_stars=stars, reason=reason, by=principal.user)
    e.stars = stars
    if e.outstanding and (stars or 0) < 4:
        e.outstanding = False
    await e.save(update_fields=["stars", "outstanding"])
    if (stars or 3) <= 2 and not await FollowUp.filter(evaluation_id=e.id).exists():
        await FollowUp.create(evaluation=e)
    await audit.record("evaluation.corrected", actor=principal.user, org=e.org_id, target=e, old=old, new=stars, reason=reason)
    await cache.forget_member(e.member_id, store)
    return e
