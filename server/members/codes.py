"""Member codes: each member's personal sign-in code, on a printed card and as 我的签到码.

Opaque and without look-alikes like plate codes, one current code per member (issued when first
asked for), revoked and replaced when a card is lost. The QR holds <PUBLIC_BASE_URL>/m/<code>:
the secretary's phone reads the code from it, and anyone else who scans it is told what it is.
An offline check-in pack carries only digests of the codes, one set per activity.
"""
from __future__ import annotations

import hashlib

from server import audit, limits
from server.auth import Principal
from server.codes import qr_data_url, rotate
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


async def ensure(member: Member, user=None) -> MemberCode:
    """The member's current code, issued now if they have none."""
    return await current(member.id) or (await rotate(MemberCode, member, user, length=CODE_LENGTH, keep_current=True))[0]


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
    code, old, _issued = await rotate(MemberCode, member, principal.user, length=CODE_LENGTH)
    await audit.record("member_code.reissued", actor=principal.user, org=member.life_org_id, target=member,
                       replaced=old.id if old else None)
    return code


async def view(code: MemberCode, public_base_url: str) -> dict:
    """What the member's phone shows: the code, its URL and the QR drawn from it."""
    url = card_url(code.code, public_base_url)
    return {"code": code.code, "url": url, "qr": await qr_data_url(url), "issued_at": code.issued_at}


async def resolve(code: str) -> MemberCode | None:
    """A scanned code, current or revoked (None: never issued)."""
    if not code or len(code) > 16:
        return None
    return await MemberCode.get_or_none(code=code)
