"""Registration records as the API shows them: with whether the mobile was verified by WeChat
and, once approved, the member they became."""
from __future__ import annotations

from server.members import category, history
from server.members.imported import imported_matches
from server.members.models import (
    BUSINESS_STATUSES, CATEGORIES, MEMBERSHIPS, PLACEMENTS, STANDINGS, Member, MemberEvent, Registration,
)
from server.members.schemas import MemberEventOut, RegistrationOut
from server.markets.models import Market
from server.orgs.models import Org, path_ids


async def registration_outs(registrations: list[Registration]) -> list[RegistrationOut]:
    """What each registration shows; a page of them costs a fixed number of queries: the pending
    ones' life orgs, the names of the orgs above them, their markets and their roster matches
    are each read once for the page."""
    approved = [r.id for r in registrations if r.status == "approved"]
    member_ids = dict(
        await Member.filter(registration_id__in=approved).values_list("registration_id", "id")
    ) if approved else {}
    pending = [r for r in registrations if r.status == "pending"]
    orgs = {org.id: org for org in await Org.filter(id__in={r.life_org_id for r in pending})} if pending else {}
    above = {org_id for org in orgs.values() for org_id in path_ids(org.path)}
    names = dict(await Org.filter(id__in=above).values_list("id", "name")) if above else {}
    market_ids = {r.market_id for r in pending if r.market_id}
    markets = dict(await Market.filter(id__in=market_ids).values_list("id", "district")) if market_ids else {}
    matches = await imported_matches(pending, orgs)
    outs = []
    for registration in registrations:
        if not hasattr(registration.user, "phone"):  # not loaded with select_related
            await registration.fetch_related("user")
        out = RegistrationOut.model_validate(registration)
        out.mobile_verified = registration.user.phone == registration.mobile
        out.member_id = member_ids.get(registration.id)
        if registration.status == "pending":
            life_org = orgs[registration.life_org_id]
            above_names = {names[org_id] for org_id in path_ids(life_org.path)}
            business = markets[registration.market_id] if registration.market_id in markets else life_org.district
            out.suggested_category, out.suggestion_reason = category.suggest(
                registration.home_org, registration.household_district, business, above_names)
            match = matches.get(registration.id)
            if match is not None:
                out.matching_member_id, out.matching_member_name = match["id"], match["name"]
        outs.append(out)
    return outs


async def registration_out(registration: Registration) -> RegistrationOut:
    return (await registration_outs([registration]))[0]


_VOCABULARIES = {"membership": MEMBERSHIPS, "category": CATEGORIES, "standing": STANDINGS, "placement": PLACEMENTS,
                 "business_status": BUSINESS_STATUSES}


async def history_outs(events: list[MemberEvent]) -> list[MemberEventOut]:
    """Each change with what a secretary reads: the attribute's name and the values in Chinese
    (org and market names, 停业/歇业, a date for 外出经营 or 已回来)."""
    ids = {"life_org_id": set(), "market_id": set()}
    for event in events:
        if event.field in ids:
            ids[event.field].update(int(v) for v in (event.old_value, event.new_value) if v)
    names = {"life_org_id": dict(await Org.filter(id__in=ids["life_org_id"] or [0]).values_list("id", "name")),
             "market_id": dict(await Market.filter(id__in=ids["market_id"] or [0]).values_list("id", "name"))}

    def label(field: str, value: str | None) -> str | None:
        if field in names:
            return names[field].get(int(value), value) if value else "无"
        if field == "away_since":
            return f"自 {value} 起外出经营" if value else "在本地经营"
        if field == "stall_no":
            return value or "无"
        return _VOCABULARIES.get(field, {}).get(value, value)

    return [MemberEventOut(id=e.id, field=e.field, field_label=history.LABELS.get(e.field, e.field),
                           old_value=e.old_value, new_value=e.new_value,
                           old_label=label(e.field, e.old_value) if e.old_value is not None or e.field in names else None,
                           new_label=label(e.field, e.new_value), effective_on=e.effective_on, reason=e.reason,
                           recorded_by_id=e.recorded_by_id, recorded_at=e.recorded_at) for e in events]
