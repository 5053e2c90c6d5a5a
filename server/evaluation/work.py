"""The member's side: their tasks, self-evaluation, grading peers, and objecting to the
announcement (anyone logged in may object)."""
from __future__ import annotations

from server import audit, limits
from server.auth import Principal
from server.clock import now, today
from server.db import MAX_ID
from server.errors import Conflict, NotFound
from server.evaluation import cycles, scheme as schemes
from server.evaluation.models import Cycle, Evaluation, Objection, PeerGrade
from server.members.models import Member


class EvaluationNotFound(NotFound):
    code, message = "evaluation_not_found", "找不到该考评记录"


class DeadlinePassed(Conflict):
    code, message = "deadline_passed", "已经过了截止日期，不能再提交"


class PeerNotAssigned(NotFound):
    code, message = "peer_not_assigned", "本次互评没有安排您评价这位党员"


class SelfRating(Conflict):
    code, message = "self_rating", "不能给自己互评"


class PointsInvalid(Conflict):
    code, message = "points_invalid", "请为每个考评项目打分，分数不超过该项满分"


class AnnouncementClosed(Conflict):
    code, message = "announcement_closed", "公示期已经结束，不能再提出异议"


async def own_evaluation(principal: Principal, evaluation_id: int) -> Evaluation:
    """The caller's own evaluation; anyone else's is not found (not even that it exists)."""
    evaluation = await Evaluation.get_or_none(id=evaluation_id, member__user_id=principal.user.id) \
        .select_related("cycle") if 0 < evaluation_id <= MAX_ID else None
    if evaluation is None:
        raise EvaluationNotFound()
    return evaluation


def _open_for(evaluation: Evaluation, until) -> None:
    if evaluation.exclusion is not None:
        raise cycles.NotEligible()
    cycle = evaluation.cycle
    if cycle.announced_on is not None or today() > until:
        raise DeadlinePassed(extra={"deadline": until.isoformat()})


async def save_self(principal: Principal, evaluation_id: int, items: dict, summary: str) -> Evaluation:
    """Handed in or changed until the deadline; the same answer sent twice is one."""
    evaluation = await own_evaluation(principal, evaluation_id)
    _open_for(evaluation, evaluation.cycle.self_until)
    if problems := schemes.item_problems(evaluation.cycle.scheme, items, "items"):
        raise PointsInvalid(fields=problems)
    evaluation.self_items, evaluation.self_summary, evaluation.self_at = items, summary, now()
    await evaluation.save(update_fields=["self_items", "self_summary", "self_at"])
    return evaluation


async def grade_peer(principal: Principal, evaluation_id: int, peer_evaluation_id: int, grade: str) -> PeerGrade:
    """One grade per assigned peer, changeable until the deadline."""
    evaluation = await own_evaluation(principal, evaluation_id)
    if peer_evaluation_id == evaluation.id:
        raise SelfRating()
    _open_for(evaluation, evaluation.cycle.peer_until)
    pair = await PeerGrade.get_or_none(rater_id=evaluation.id, ratee_id=peer_evaluation_id) \
        if 0 < peer_evaluation_id <= MAX_ID else None
    if pair is None:
        raise PeerNotAssigned()
    if pair.grade != grade:
        pair.grade, pair.graded_at = grade, now()
        await pair.save(update_fields=["grade", "graded_at"])
    return pair


async def peers_of(evaluation_ids: list[int]) -> dict[int, list[dict]]:
    """For each rater, the peers they grade with their own grade (only ever shown to the rater)."""
    rows = await PeerGrade.filter(rater_id__in=evaluation_ids).order_by("ratee__member__name", "ratee_id").values(
        "rater_id", "ratee_id", "grade", name="ratee__member__name", unit_name="ratee__member__unit_name",
        stall_no="ratee__member__stall_no")
    out: dict[int, list[dict]] = {i: [] for i in evaluation_ids}
    for row in rows:
        out[row.pop("rater_id")].append({"peer_evaluation_id": row.pop("ratee_id"), **row})
    return out


async def my_tasks(principal: Principal) -> list[dict]:
    """The caller's evaluations: those of cycles still running, and the latest final one."""
    member = await Member.get_or_none(user_id=principal.user.id)
    if member is None:
        return []
    evaluations = await Evaluation.filter(member_id=member.id).select_related("cycle", "cycle__org") \
        .order_by("-cycle__year", "-id")
    running = [e for e in evaluations if e.cycle.finalized_at is None]
    final = [e for e in evaluations if e.cycle.finalized_at is not None][:1]
    peers = await peers_of([e.id for e in running if e.exclusion is None])
    day = today()
    out = []
    for e in running + final:
        cycle = e.cycle
        open_ = e.exclusion is None and cycle.announced_on is None
        final_now = cycle.finalized_at is not None
        out.append({
            "evaluation_id": e.id, "cycle": cycles.view(cycle), "exclusion": e.exclusion,
            "items": cycle.scheme["items"],
            "self": {"items": e.self_items, "summary": e.self_summary, "submitted_at": e.self_at,
                     "editable": open_ and day <= cycle.self_until},
            "peers": peers.get(e.id, []), "peers_editable": open_ and day <= cycle.peer_until,
            "stars": None if e.veto_reason or not final_now else e.stars,
            "outstanding": e.outstanding and final_now,
        })
    return out


async def object_to(principal: Principal, cycle_id: int, evaluation_id: int | None, reason: str, store) -> Objection:
    cycle = await cycles.get_cycle(cycle_id)
    if cycle.announced_on is None:
        raise cycles.NotAnnounced()
    if cycle.finalized_at is not None or today() > cycle.announce_until:
        raise AnnouncementClosed()
    if evaluation_id is not None and not await Evaluation.filter(
            id=evaluation_id, cycle_id=cycle.id, exclusion=None, veto_reason=None).exists():
        raise cycles.NotOnRoster("公示名单中没有这位党员", fields={"evaluation_id": "公示名单中没有这位党员"})
    await limits.charge(store, principal.user.id, "evaluation.objection")
    objection = await Objection.create(cycle=cycle, evaluation_id=evaluation_id, user=principal.user, reason=reason)
    await audit.record("evaluation.objection.submitted", actor=principal.user, org=cycle.org_id, target=objection)
    return objection


def _public_rows(cycle: Cycle):
    return Evaluation.filter(cycle_id=cycle.id, exclusion=None, veto_reason=None, stars__isnull=False)


async def announcement(code: str) -> dict | None:
    """The public list of an announced cycle: names, units, markets, stalls and stars only."""
    cycle = await Cycle.get_or_none(public_code=code).select_related("org") if code.isalnum() and len(code) <= 16 else None
    if cycle is None or cycle.announced_on is None:
        return None
    rows = await _public_rows(cycle).order_by("org__name", "member__name", "id").values(
        "id", "stars", name="member__name", unit_name="member__unit_name", org_name="org__name",
        market_name="market__name", stall_no="member__stall_no", placement="placement")
    return {"cycle_id": cycle.id, "org_name": cycle.org.name, "year": cycle.year,
            "announced_on": cycle.announced_on, "announce_until": cycle.announce_until,
            "open": cycle.finalized_at is None and today() <= cycle.announce_until,
            "items": [{"evaluation_id": r["id"], "name": r["name"], "unit_name": r["unit_name"], "org_name": r["org_name"],
                       "market": r["market_name"], "stall_no": r["stall_no"] if r["placement"] == "in_market" else None,
                       "stars": r["stars"]} for r in rows]}
