"""Rules of the 党建信息登记表 and of the member records it becomes.

A registration waits for a secretary (or admin) whose subtree holds its life_org. Staff outside
that subtree get 404, never a hint that the record exists.
"""
from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from server import audit
from server.accounts.models import User
from server.auth import Principal
from server.clock import now, today
from server.db import MAX_ID
from server.errors import Conflict, Forbidden, NotFound, ReferenceNotFound
from server.members.models import Member, Registration
from server.orgs.models import Market, Org
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


async def _within_org(query, org_id: int | None):
    """Narrow a query of registrations or members to one org's subtree (nothing if it is unknown)."""
    if not org_id:
        return query
    org = await Org.get_or_none(id=org_id)
    return query.filter(life_org__path__startswith=org.path) if org else query.filter(id__in=[])


def _visible_registrations(principal: Principal):
    return Registration.filter(principal.scope("life_org"))


async def list_registrations(principal: Principal, *, status=None, org_id=None, limit=50, offset=0):
    query = _visible_registrations(principal)
    if status:
        query = query.filter(status=status)
    query = await _within_org(query, org_id)
    total = await query.count()
    items = await query.order_by("created_at", "id").offset(offset).limit(limit).select_related("user")
    return items, total


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
        member = await Member.create(
            user_id=registration.user_id, registration=registration, life_org_id=registration.life_org_id,
            market_id=registration.market_id, category=category, **fields,
        )
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


async def list_members(principal: Principal, *, org_id=None, category=None, standing=None, placement=None,
                       market_id=None, q=None, limit=50, offset=0):
    query = await _within_org(Member.filter(principal.scope("life_org")), org_id)
    for name, value in (("category", category), ("standing", standing), ("placement", placement), ("market_id", market_id)):
        if value:
            query = query.filter(**{name: value})
    if q:
        query = query.filter(Q(name__icontains=q) | Q(unit_name__icontains=q) | Q(mobile__contains=q) | Q(stall_no__icontains=q))
    total = await query.count()
    return await query.order_by("name", "id").offset(offset).limit(limit), total


async def get_member(principal: Principal, member_id: int) -> Member:
    """A member sees their own record; staff see members in their subtree."""
    member = None
    if 0 < member_id <= MAX_ID:
        member = await Member.get_or_none(id=member_id).select_related("life_org")
    if member is None or not (member.user_id == principal.user.id or principal.reaches(member.life_org)):
        raise MemberNotFound()
    return member


async def update_member(principal: Principal, member_id: int, changes: dict) -> Member:
    member = await get_member(principal, member_id)
    if not principal.reaches(member.life_org):  # the member may read, only staff may edit
        await audit.record("member.update.denied", actor=principal.user, target=member)
        raise MemberNotFound()
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
    changed = sorted(k for k, v in changes.items() if getattr(member, k) != v)
    if changed:
        member.update_from_dict(changes)
        await member.save()
        await audit.record("member.updated", actor=principal.user, org=member.life_org_id, target=member, fields=changed)
    return member
