"""一方隶属，多重管理: a member also takes part in another org's activities (attachment).

Only the member's own secretary (staff whose subtree holds the member's life_org) attaches
them, lists and removes their attachments: an attachment puts the member's name on the other
org's attendance sheets and their attendance into its training rates, so another branch's
secretary must not be able to pull someone in. The target org may be any org (a market's party
org, a neighbouring branch). Attempts outside one's members are audited.
"""
from __future__ import annotations

from server import audit
from server.auth import Principal, forget_principal
from server.db import MAX_ID
from server.errors import NotFound
from server.members.models import Attachment, Member
from server.members.service import MemberNotFound, get_member
from server.orgs.service import org_for_field


class AttachmentNotFound(NotFound):
    code, message = "attachment_not_found", "该党员没有参加这个组织的活动"


async def _own_member(principal: Principal, member_id: int, action: str) -> Member:
    member = await get_member(principal, member_id)  # 404 outside the caller's reach
    if not principal.reaches(member.life_org):  # the member themself may read, not attach
        await audit.record(f"attachment.{action}.denied", actor=principal.user, target=member)
        raise MemberNotFound()
    return member


async def attach(principal: Principal, member_id: int, org_id: int) -> Attachment:
    member = await _own_member(principal, member_id, "create")
    org = await org_for_field(org_id, "org_id")
    attachment, created = await Attachment.get_or_create(member=member, org=org, defaults={"created_by": principal.user})
    if created:
        if member.user_id:  # their activities list takes in the org's
            await forget_principal(member.user_id)
        await audit.record("attachment.created", actor=principal.user, org=org, target=member)
    return attachment


async def list_attachments(principal: Principal, member_id: int) -> list[Attachment]:
    member = await get_member(principal, member_id)  # the member sees their own, staff theirs
    return await Attachment.filter(member=member).order_by("id")


async def detach(principal: Principal, member_id: int, org_id: int) -> list[Attachment]:
    """Remove one attachment; returns the member's remaining ones."""
    member = await _own_member(principal, member_id, "delete")
    attachment = await Attachment.get_or_none(member=member, org_id=org_id) if 0 < org_id <= MAX_ID else None
    if attachment is None:
        raise AttachmentNotFound()
    await attachment.delete()
    if member.user_id:
        await forget_principal(member.user_id)
    await audit.record("attachment.deleted", actor=principal.user, org=org_id, target=member)
    return await Attachment.filter(member=member).order_by("id")
