"""Rules of the 党建信息登记表 and of the member records it becomes.

A registration waits for a secretary (or admin) whose subtree holds its life_org. Staff outside
that subtree get 404, never a hint that the record exists.
"""
from __future__ import annotations

import datetime as dt

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from server import audit
from server.accounts.models import User
from server.auth import Principal
from server.clock import now, today
from server.db import MAX_ID, page_of
from server.errors import Conflict, Forbidden, NotFound, ReferenceNotFound
from server.members import history
from server.members.imported import imported_match
from server.members.models import Member, Registration
from server.members.schemas import MemberOut
from server.markets.models import Market
from server.orgs.models import Org
from server.orgs.service import org_for_field

# A member takes part in org life at a branch-level org, not at an association.
LIFE_ORG_KINDS = ("branch", "party_branch", "market_org")


class OutsideYourOrgs(Forbidden):
    code, message = "outside_your_orgs", "只能转到你所管辖范围内的组织"


class PlacementIncomplete(Conflict):
    # The change and what the record already holds do not fit together.
    code, message = "placement_incomplete", "市场内个体工商户须填写市场和摊位号"


class RegistrationNotFound(NotFound):
    code, message = "registration_not_found", "找不到该登记表"


class MemberNotFound(NotFound):
    code, message = "member_not_found", "找不到该党员"


class RegistrationAlreadyOpen(Conflict):
    code, message = "registration_already_open", "你已有一份登记表正在审核中，请等待书记审核"


class AlreadyAMember(Conflict):
    code, message = "already_a_member", "你已经是登记在册的党员，无需再次登记"


class RegistrationNotPending(Conflict):
    code = "registration_not_pending"

    def __init__(self, status: str):
        label = {"approved": "已通过", "rejected": "已退回"}.get(status, status)
        super().__init__(f"该登记表{label}，不能再次审核", extra={"status": status})


async def _life_org(org_id: int, field: str) -> Org:
    org = await org_for_field(org_id, field)
    if org.kind not in LIFE_ORG_KINDS:
        raise ReferenceNotFound(fields={field: "请选择基层分会或党支部，而不是协会"})
    return org


async def _market(market_id: int | None) -> Market | None:
    if market_id is None:
        return None
    market = await Market.get_or_none(id=market_id)
    if market is None:
        raise ReferenceNotFound(fields={"market_id": "找不到该市场"})
    return market


# ---------------------------------------------------------------------------------------------
# Registrations


async def submit_registration(user: User, data: dict) -> Registration:
    if await Member.exists(user=user):
        raise AlreadyAMember()
    await _life_org(data["life_org_id"], "life_org_id")
    await _market(data.get("market_id"))
    data = {**data, "filled_on": data.get("filled_on") or today()}
    try:
        registration = await Registration.create(user=user, status="pending", open_key=user.id, **data)
    except IntegrityError as exc:  # open_key is unique: a second open registration, even sent at once
        raise RegistrationAlreadyOpen() from exc
    await audit.record("registration.submitted", actor=user, org=data["life_org_id"], target=registration)
    return registration


async def latest_registration(user: User) -> Registration | None:
    return await Registration.filter(user=user).order_by("-id").first()


async def _in_reach(principal: Principal, org_id: int | None, field: str = "life_org") -> Q:
    """The caller's subtrees, narrowed to one org's subtree when asked (nothing if it is unknown)."""
    if not org_id:
        return await principal.scope(field)
    org = await Org.get_or_none(id=org_id) if 0 < org_id <= MAX_ID else None
    return await principal.scope(field, within=org) if org else Q(id__in=[])


async def list_registrations(principal: Principal, *, status=None, org_id=None, limit=50, offset=0):
    query = Registration.filter(await _in_reach(principal, org_id))
    if status:
        query = query.filter(status=status)
    return await page_of(query.select_related("user"), ("created_at", "id"), offset, limit)


async def get_registration(principal: Principal, registration_id: int) -> Registration:
    """The registrant sees their own; staff see those in their subtree; nobody else learns it exists."""
    if not 0 < registration_id <= MAX_ID:
        raise RegistrationNotFound()
    registration = await Registration.get_or_none(id=registration_id).select_related("user", "life_org")
    if registration is None or not (
        registration.user_id == principal.user.id or principal.reaches(registration.life_org)
    ):
        raise RegistrationNotFound()
    return registration


async def _check_reviewer(principal: Principal, registration_id: int, action: str) -> None:
    """404 unless the caller's subtree holds the registration. Runs before the review's
    transaction so that the audit entry of a denial is not rolled back with it."""
    registration = None
    if 0 < registration_id <= MAX_ID:
        registration = await Registration.get_or_none(id=registration_id).select_related("life_org")
    if registration is None or not principal.reaches(registration.life_org):
        if registration is not None:
            await audit.record(f"registration.{action}.denied", actor=principal.user, target=registration)
        raise RegistrationNotFound()


async def _locked(registration_id: int) -> Registration:
    # FOR UPDATE on PostgreSQL serialises concurrent reviews; SQLite has one writer anyway.
    return await Registration.filter(id=registration_id).select_for_update().get()


async def approve_registration(principal: Principal, registration_id: int, category: str) -> Member:
    """Create the member. Approving again (a phone's retry) answers with the same member."""
    await _check_reviewer(principal, registration_id, "approve")
    async with in_transaction():
        registration = await _locked(registration_id)
        if registration.status == "approved":
            return await Member.get(registration_id=registration.id)
        if registration.status != "pending":
            raise RegistrationNotPending(registration.status)
        fields = {
            name: getattr(registration, name)
            for name in ("name", "mobile", "unit_name", "is_owner", "household_district", "home_org",
                         "standing", "placement", "stall_no")
        }
        imported = await imported_match(registration)
        if imported is None:
            member = await Member.create(
                user_id=registration.user_id, registration=registration, life_org_id=registration.life_org_id,
                market_id=registration.market_id, category=category, **fields,
            )
            await history.start(member, on=today(), by=principal.user, reason="登记表审核通过")
        else:  # the same person, already on the roster from an import: one record, now with a login
            member = await Member.filter(id=imported.id).select_for_update().get()
            tracked = {"life_org_id": registration.life_org_id, "market_id": registration.market_id,
                       "category": category, **{k: fields.pop(k) for k in ("standing", "placement", "stall_no")}}
            member.update_from_dict({**fields, "user_id": registration.user_id, "registration_id": registration.id})
            await member.save()
            await history.record(member, tracked, effective_on=today(), by=principal.user,
                                 reason="登记表审核通过（与名册中导入的记录合并）")
        registration.status, registration.open_key = "approved", None
        registration.category = category
        registration.reviewed_by, registration.reviewed_at = principal.user, now()
        await registration.save()
        await audit.record("registration.approved", actor=principal.user, org=registration.life_org_id,
                           target=registration, member_id=member.id, category=category)
    return member


async def reject_registration(principal: Principal, registration_id: int, reason: str) -> Registration:
    """Send the form back with a reason; the vendor corrects it and submits again."""
    await _check_reviewer(principal, registration_id, "reject")
    async with in_transaction():
        registration = await _locked(registration_id)
        if registration.status == "rejected":
            return registration
        if registration.status != "pending":
            raise RegistrationNotPending(registration.status)
        registration.status, registration.open_key, registration.reject_reason = "rejected", None, reason
        registration.reviewed_by, registration.reviewed_at = principal.user, now()
        await registration.save()
        await audit.record("registration.rejected", actor=principal.user, org=registration.life_org_id,
                           target=registration, reason=reason)
    return registration


# ---------------------------------------------------------------------------------------------
# Members


async def _roster(principal: Principal, *, org_id=None, category=None, standing=None, placement=None,
                  market_id=None, business_status=None, membership="active", as_of=None, q=None):
    """(query, prefix): the members of today in reach and matching, or with as_of the periods of
    that day (history.on_day), whose member's fields are under the prefix `member__`."""
    filters = {k: v for k, v in {"category": category, "standing": standing, "placement": placement,
                                 "market_id": market_id, "business_status": business_status}.items() if v}
    if as_of is None:
        query = Member.filter(await _in_reach(principal, org_id), membership=membership).filter(**filters)
        return (query.filter(_matching(q)) if q else query), ""
    periods = history.on_day(as_of, membership=membership, **filters).filter(await _in_reach(principal, org_id))
    return (periods.filter(_matching(q, prefix="member__")) if q else periods), "member__"


def _keyset(query, after: tuple | None, prefix: str = ""):
    """The rows after (name, id) in the roster's order."""
    if after is None:
        return query
    name, key = f"{prefix}name", "member_id" if prefix else "id"
    return query.filter(Q(**{f"{name}__gt": after[0]}) | Q(**{name: after[0], f"{key}__gt": after[1]}))


async def _period_items(periods) -> list[dict]:
    """MemberOut fields of periods: the attributes a period tracks and the rest from its
    member, read as values (as model instances, three times as long)."""
    return await periods.values(**{f: f for f in history.TRACKED},
                                **{f: f"member__{f}" for f in MEMBER_FIELDS if f not in history.TRACKED})


async def _period_page(periods, limit: int, offset: int) -> list[dict]:
    """One page of a day's periods by their members' (name, id): the members with a period in
    effect are walked in that order and the page's periods read. Sorting a city's 22 000 periods
    joined to their members cost 35–65 ms a page, this 4–28 (a branch's, 7–8 ms either way)."""
    ids = await Member.filter(id__in=Subquery(periods.values("member_id"))).order_by("name", "id") \
        .offset(offset).limit(limit).values_list("id", flat=True)
    by_member = {item["id"]: item for item in await _period_items(periods.filter(member_id__in=ids))}
    return [by_member[i] for i in ids if i in by_member]


async def list_members(principal: Principal, *, limit=50, offset=0, **filters) -> tuple[list[dict], int]:
    """The roster of today, or with as_of the roster of that day with the attributes of that day
    (history.on_day): one page by name, and how many there are. Items are MemberOut fields."""
    query, prefix = await _roster(principal, **filters)
    if not prefix:
        return await page_of(query, ("name", "id"), offset, limit, MEMBER_FIELDS)
    total = await query.count()
    return (await _period_page(query, limit, offset) if total > offset else []), total


async def members_in_chunks(principal: Principal, *, most: int, chunk: int = 1000, **filters):
    """The whole roster list_members pages through, by name, `chunk` members a read: each read
    is a few milliseconds of the event loop and other requests go between them (a city's 20 000
    in one read held the loop for half a second). First yields how many there are; nothing more
    when that is over `most`. A chunk of a day's periods is read joined and sorted: walking the
    members as a page does would spell a thousand ids out in SQL on the loop (the one run that
    tried it: the as-of export of 20 000 in 2.55 s, against 1.2–2.0 s this way)."""
    query, prefix = await _roster(principal, **filters)
    total = await query.count()
    yield total
    if total > most:
        return
    after = None
    while True:
        page = _keyset(query, after, prefix)
        if prefix:
            items = await _period_items(page.order_by("member__name", "member_id").limit(chunk))
        else:
            items = await page.order_by("name", "id").limit(chunk).values(*MEMBER_FIELDS)
        if items:
            yield items
        if len(items) < chunk:
            return
        after = items[-1]["name"], items[-1]["id"]


def _matching(q: str, prefix: str = "") -> Q:
    found = Q(**{f"{prefix}name__icontains": q}) | Q(**{f"{prefix}unit_name__icontains": q}) | \
        Q(**{f"{prefix}stall_no__icontains": q})
    if q.isascii() and q.isdigit():  # a mobile is digits: nothing else can be inside one
        # Without case like the others (digits have none): its trigram index is on UPPER(mobile),
        # so that an equality on the mobile can only take its b-tree (migration 0022).
        found |= Q(**{f"{prefix}mobile__icontains": q})
    return found


MEMBER_FIELDS = tuple(MemberOut.model_fields)


async def get_member(principal: Principal, member_id: int) -> Member:
    """A member sees their own record; staff see members in their subtree."""
    member = None
    if 0 < member_id <= MAX_ID:
        member = await Member.get_or_none(id=member_id).select_related("life_org")
    if member is None or not (member.user_id == principal.user.id or principal.reaches(member.life_org)):
        raise MemberNotFound()
    return member


# Well-formed dates that do not fit today or what the record holds: 409, like the placement rule
# (422 is for fields the schema itself refuses).
class DateInFuture(Conflict):
    code, message = "date_in_future", "日期不能晚于今天"


class DatesOutOfOrder(Conflict):
    code, message = "dates_out_of_order", "日期前后顺序不对，请检查标出的项目"


class LeftReasonMissing(Conflict):
    code, message = "left_reason_missing", "请选择离开的原因：组织关系转出或其他"


def _check_dates(member: Member, changes: dict, effective_on: dt.date) -> None:
    """No day in the future; away and full membership not before joining the party; a change
    not before the member came onto the roster."""
    future = {name: "不能晚于今天" for name in ("joined_party_on", "full_member_on", "away_since", "effective_on")
              if ({**changes, "effective_on": effective_on}.get(name) or dt.date.min) > today()}
    if future:
        raise DateInFuture(fields=future)
    merged = {name: changes.get(name, getattr(member, name)) for name in ("joined_party_on", "full_member_on",
                                                                         "away_since")}
    joined = merged["joined_party_on"]
    wrong = {}
    if joined and merged["full_member_on"] and merged["full_member_on"] < joined:
        wrong["full_member_on"] = "转正日期不能早于入党日期"
    if joined and merged["away_since"] and merged["away_since"] < joined:
        wrong["away_since"] = "外出经营开始日期不能早于入党日期"
    if member.on_roster_since and effective_on < member.on_roster_since:
        wrong["effective_on"] = f"生效日期不能早于该党员进入名册的日期（{member.on_roster_since.isoformat()}）"
    if wrong:
        raise DatesOutOfOrder(fields=wrong)


def _effective_day(changes: dict, given: dt.date | None) -> dt.date:
    if given is not None:
        return given
    if changes.get("away_since"):
        return changes["away_since"]  # away from that day
    return today()


async def update_member(principal: Principal, member_id: int, changes: dict) -> Member:
    member = await get_member(principal, member_id)
    if not principal.reaches(member.life_org):  # the member may read, only staff may edit
        await audit.record("member.update.denied", actor=principal.user, target=member)
        raise MemberNotFound()
    given_day, reason = changes.pop("effective_on", None), changes.pop("reason", None) or ""
    left_reason = changes.pop("left_reason", None)
    if "life_org_id" in changes:
        new_org = await _life_org(changes["life_org_id"], "life_org_id")
        if not principal.reaches(new_org):  # moving a member out of one's own subtree is not an edit
            raise OutsideYourOrgs(fields={"life_org_id": "只能转到你所管辖范围内的组织"})
    if "market_id" in changes:
        await _market(changes["market_id"])
    merged = {**{k: getattr(member, k) for k in ("placement", "market_id", "stall_no")}, **changes}
    if merged["placement"] == "in_market" and (merged["market_id"] is None or not merged["stall_no"]):
        raise PlacementIncomplete(fields={"market_id": "市场内个体工商户须填写市场和摊位号"})
    if merged["placement"] == "standalone":
        changes.update(market_id=None, stall_no=None)
    if changes.get("membership") == "left" and not (left_reason or member.left_reason):
        raise LeftReasonMissing(fields={"left_reason": "请选择：transferred_out（组织关系转出）或 other（其他）"})
    effective_on = _effective_day(changes, given_day)
    _check_dates(member, changes, effective_on)
    tracked = {k: v for k, v in changes.items() if k in history.TRACKED}
    plain = {k: v for k, v in changes.items() if k not in history.TRACKED and getattr(member, k) != v}
    if left_reason and changes.get("membership", member.membership) == "left":
        plain["left_reason"] = left_reason
    async with in_transaction():
        member = await Member.filter(id=member.id).select_for_update().get()
        if plain:
            member.update_from_dict(plain)
            await member.save()
        moved = await history.record(member, tracked, effective_on=effective_on, by=principal.user, reason=reason)
    changed = sorted({*plain, *moved})
    if changed:
        await audit.record("member.updated", actor=principal.user, org=member.life_org_id, target=member,
                           fields=changed, effective_on=effective_on.isoformat(), reason=reason or None)
    return member


async def member_history(principal: Principal, member_id: int) -> list:
    """What changed when, who recorded it and why: the member themselves, or staff over them."""
    member = await get_member(principal, member_id)
    return await member.events.all().order_by("effective_on", "id")
