"""Member codes: each member's personal sign-in code, on a printed card and as 我的签到码.

Opaque and without look-alikes like plate codes, one current code per member (issued when first
asked for), revoked and replaced when a card is lost. The QR holds <PUBLIC_BASE_URL>/m/<code>:
the secretary's phone reads the code from it, and anyone else who scans it is told what it is.
An offline check-in pack carries only digests of the codes, one set per activity.
"""
from __future__ import annotations

import hashlib

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server import audit, limits
from server.auth import Principal
from server.clock import now
from server.codes import random_code
from server.members.models import Member, MemberCode
from server.members.service import get_member

CODE_LENGTH = 12


def card_url(code: str, public_base_url: str) -> str:
    return f"{public_base_url}/m/{code}"


def digest(activity_id: int, code: str) -> str:
    """What an offline pack holds for a code: the phone computes the same from a scanned card
    (miniprogram/src/utils/sha256.js), and a pack copied off a phone gives no code away."""
    return hashlib.sha256(f"{activity_id}:{code}".encode()).hexdigest()[:24]


async def current(member_id: int) -> MemberCode | None:
    return await MemberCode.get_or_none(active_key=member_id)


async def _issue(member: Member, user, *, keep_current: bool) -> tuple[MemberCode, MemberCode | None]:
    for _attempt in range(3):
        try:
            async with in_transaction():
                await Member.filter(id=member.id).select_for_update(no_key=True).first()
                old = await MemberCode.filter(active_key=member.id).first()
                if old is not None and keep_current:
                    return old, None
                if old is not None:
                    old.active_key, old.revoked_at = None, now()
                    await old.save(update_fields=["active_key", "revoked_at"])
                code = await MemberCode.create(member=member, code=random_code(CODE_LENGTH), active_key=member.id,
                                               issued_by=user)
            return code, old
        except IntegrityError:
            continue  # a code already taken, or a racing first issue: look again
    raise RuntimeError("could not issue a member code in three attempts")


async def ensure(member: Member, user=None) -> MemberCode:
    """The member's current code, issued now if they have none."""
    return await current(member.id) or (await _issue(member, user, keep_current=True))[0]


async def ensure_many(member_ids: list[int]) -> dict[int, str]:
    """member id → current code for many members at once (an offline pack), issuing the missing."""
    found = dict(await MemberCode.filter(active_key__in=member_ids).values_list("active_key", "code"))
    for member in await Member.filter(id__in=[i for i in member_ids if i not in found]):
        found[member.id] = (await ensure(member)).code
    return found


async def of_member(principal: Principal, member_id: int) -> MemberCode:
    """The member's own code, or one their secretary looks after."""
    return await ensure(await get_member(principal, member_id), principal.user)


async def reissue(principal: Principal, member_id: int, store) -> MemberCode:
    """A lost card: the old code stops working at once (scans of it are unknown_code), a new one is issued."""
    member = await get_member(principal, member_id)
    await limits.charge(store, principal.user.id, "member_code.reissue")
    code, old = await _issue(member, principal.user, keep_current=False)
    await audit.record("member_code.reissued", actor=principal.user, org=member.life_org_id, target=member,
                       replaced=old.id if old else None)
    return code


async def resolve(code: str) -> MemberCode | None:
    """A scanned code, current or revoked (None: never issued)."""
    if not code or len(code) > 16:
        return None
    return await MemberCode.get_or_none(code=code)
