"""The meeting record (会议记录) a secretary files after a meeting: host, recorder, speaker, guests,
topics, resolutions with their votes, minutes; and what the ledger says of it: the headcounts,
who was absent and why, and for a 支部党员大会 whether it had its quorum.

Quorum (党章, and the 三会一课 notebooks: "到会人数须超过应到会人数的一半"): more than half of
the full members expected that day must be present; probationary members neither count nor vote.
A meeting without quorum keeps its record and is flagged, never hidden.
"""
from __future__ import annotations

from server import audit
from server.activities import attendance, service as activities
from server.activities.models import DECIDING_KINDS, QUORUM_KINDS, Activity, Attendance
from server.auth import Principal
from server.errors import Conflict, ReferenceNotFound
from server.members import history
from server.members.models import Member

PEOPLE = {"host_id": "主持人", "recorder_id": "记录人", "speaker_id": "主讲人"}


# A person outside the meeting's audience is a reference to no one it can name (404, the field
# named, like attendance for someone outside the audience); a record the meeting's kind or its
# attendance cannot hold is a conflict with them (409).
class NotOrgMember(ReferenceNotFound):
    code, message = "not_org_member", "主持人、记录人和主讲人须是参加本次会议的本组织党员"


class ResolutionsNotAllowed(Conflict):
    code, message = "resolutions_not_allowed", "只有支部党员大会和支委会作出决议，其他会议请把内容写在会议记录里"


class VotesExceedPresent(Conflict):
    code, message = "votes_exceed_present", "表决票数之和超过了到会有表决权的正式党员人数"


class SpeakerTwice(Conflict):
    code, message = "speaker_twice", "主讲人请选择本组织党员或填写外请主讲人，只填一项"


def quorum_of(kind: str, full_expected: int, full_present: int) -> dict | None:
    if kind not in QUORUM_KINDS:
        return None
    required = full_expected // 2 + 1
    return {"full_expected": full_expected, "required": required, "present": full_present,
            "met": full_present >= required}


async def _full_counts(activity: Activity, present_ids: set[int]) -> tuple[int, int]:
    """(full members expected, full members present) on the meeting's day."""
    day = activities.activity_day(activity)
    audience = (await history.audience_members({(activity.org_id, activity.org.path, day)}))[(activity.org_id, day)]
    present_full = sum(1 for member_id in present_ids if audience.get(member_id, ("", ""))[1] == "full")
    return history.full_count(audience), present_full


async def _people(activity: Activity) -> dict[str, dict | None]:
    ids = [i for i in (activity.host_id, activity.recorder_id, activity.speaker_id) if i]
    names = dict(await Member.filter(id__in=ids).values_list("id", "name")) if ids else {}

    def person(member_id):
        return {"member_id": member_id, "name": names[member_id]} if member_id in names else None

    speaker = person(activity.speaker_id) or (
        {"member_id": None, "name": activity.speaker_name} if activity.speaker_name else None)
    return {"host": person(activity.host_id), "recorder": person(activity.recorder_id), "speaker": speaker}


async def view(principal: Principal, activity: Activity, *, staff: bool) -> dict:
    tally = await attendance.tally(activity)
    present_ids = {e["member_id"] for e in tally["entries"] if e["status"] == "present"}
    full_expected, full_present = await _full_counts(activity, present_ids) if activity.kind in QUORUM_KINDS else (0, 0)
    absences = [{"member_id": e["member_id"], "name": e["name"], "status": e["status"] or "unrecorded",
                 "reason": e["note"]} for e in tally["entries"] if e["status"] != "present"] if staff else []
    return {"activity_id": activity.id, "kind": activity.kind, "decides": activity.kind in DECIDING_KINDS,
            **await _people(activity), "guests": activity.guests, "topics": activity.topics,
            "resolutions": activity.resolutions, "minutes": activity.minutes,
            **{k: tally[k] for k in ("expected", "present", "leave", "absent", "unrecorded")},
            "quorum": quorum_of(activity.kind, full_expected, full_present), "absences": absences}


async def read(principal: Principal, activity_id: int) -> dict:
    """Staff of the org see the whole record; a member expected at it sees it without the
    absentees' reasons (a leave reason can be a private matter)."""
    activity = await activities.get_activity(principal, activity_id)
    return await view(principal, activity, staff=principal.reaches(activity.org))


async def _check(activity: Activity, data: dict) -> None:
    wrong = {}
    for field, label in PEOPLE.items():
        member_id = data.get(field)
        if member_id is not None and await activities.expected_member(activity, member_id) is None:
            wrong[field] = f"{label}须是参加本次会议的本组织党员"
    if wrong:
        raise NotOrgMember(fields=wrong)
    if data.get("speaker_id") and data.get("speaker_name"):
        raise SpeakerTwice(fields={"speaker_name": SpeakerTwice.message})
    resolutions = data.get("resolutions") or []
    if resolutions and activity.kind not in DECIDING_KINDS:
        raise ResolutionsNotAllowed(fields={"resolutions": ResolutionsNotAllowed.message})
    if any(any(r.get(k) for k in ("votes_for", "votes_against", "abstaining")) for r in resolutions):
        present = set(await Attendance.filter(activity_id=activity.id, status="present").values_list("member_id", flat=True))
        _, voters = await _full_counts(activity, present)
        for index, resolution in enumerate(resolutions):
            votes = sum(resolution.get(k) or 0 for k in ("votes_for", "votes_against", "abstaining"))
            if votes > voters:
                raise VotesExceedPresent(
                    f"第 {index + 1} 项决议的表决票数（{votes}）超过了到会正式党员人数（{voters}）",
                    fields={f"resolutions.{index}": f"票数之和 {votes} 超过到会正式党员 {voters} 人"})


async def write(principal: Principal, activity_id: int, data: dict, store) -> dict:
    activity = await activities.staff_activity(principal, activity_id, "record")
    if activity.status == "cancelled":
        raise activities.ActivityCancelled()
    await _check(activity, data)
    changed = sorted(k for k, v in data.items() if getattr(activity, k) != v)
    if changed:
        activity.update_from_dict(data)
        await activity.save()
        await activities.forget_snapshot(store, activity)
        await audit.record("activity.recorded", actor=principal.user, org=activity.org_id, target=activity, fields=changed)
    return await view(principal, activity, staff=True)
