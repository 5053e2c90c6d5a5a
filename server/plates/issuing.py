"""Issuing a member's plate (its QR code) and drawing it.

A plate's code is random, 12 characters from an alphabet without look-alikes, and is all the
QR code carries: `<PUBLIC_BASE_URL>/p/<code>`. Issuing again revokes the old code, whose page
then says the plate was replaced and shows nothing personal.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import functools
from pathlib import Path

from tortoise.expressions import Q, Subquery

import plates
from server import audit, limits
from server.auth import Principal
from server.codes import rotate
from server.errors import DomainError, NotFound
from server.evaluation.cycles import stars_of
from server.members.models import Member
from server.members.service import get_member
from server.markets.models import Market
from server.plates import cache
from server.plates.models import Plate, Profile
from server.plates.profiles import profile_of
from server.storage import FileStorage

CODE_LENGTH = 12


class FontMissing(DomainError):
    status, code = 503, "plate_font_missing"
    message = "服务器缺少中文字体，暂时无法生成三亮牌，请联系管理员安装 fonts-noto-cjk"


class PlateNotIssued(NotFound):
    code, message = "plate_not_issued", "还没有生成三亮牌，请先生成"


def plate_url(code: str, public_base_url: str) -> str:
    return f"{public_base_url}/p/{code}"


async def current_plate(member_id: int) -> Plate | None:
    return await Plate.get_or_none(active_key=member_id)


async def issue_for(member: Member, user, store, *, keep_current: bool = False) -> Plate:
    """Revoke the member's current plate, if any, and issue a new one, in one transaction.
    The member's row is locked first, so simultaneous issues for one member queue (on SQLite,
    transactions are serial anyway); the unique active_key guards the rule all the same.
    keep_current: a plate the member already has is returned as it is (batch printing)."""
    plate, old, issued = await rotate(Plate, member, user, length=CODE_LENGTH, keep_current=keep_current)
    if not issued:
        return plate
    await audit.record("plate.issued", actor=user, org=member.life_org_id, target=member, plate_id=plate.id,
                       replaced=old.code if old else None)
    # The new code's page and the old one's (now 已更换): not every code the member ever had.
    await cache.forget([plate.code, *([old.code] if old else [])], store)
    return plate


async def ensure_plate(member: Member, user, store) -> Plate:
    """The member's current plate, issued now if they have none: under the member's row lock,
    so two jobs printing the same member never issue them two plates."""
    return await current_plate(member.id) or await issue_for(member, user, store, keep_current=True)


async def issue(principal: Principal, member_id: int, store) -> tuple[Plate, bool]:
    """(the new plate, whether its page is public yet: without consent it shows nothing personal)."""
    member = await get_member(principal, member_id)  # the member, or staff over their branch
    await limits.charge(store, principal.user.id, "plate.issue")
    plate = await issue_for(member, principal.user, store)
    return plate, (await profile_of(member)).consent_at is not None


@functools.lru_cache(maxsize=4)
def emblem(path: str) -> bytes | None:
    return Path(path).read_bytes() if path else None


async def plate_data(member: Member, profile: Profile, plate: Plate, files: FileStorage, settings) -> plates.PlateData:
    market = await Market.get_or_none(id=member.market_id).values_list("name", flat=True) if member.market_id else None
    photo = await files.get(profile.photo_key) if profile.photo_key else None
    return plates.PlateData(
        name=member.name, url=plate_url(plate.code, settings.public_base_url), code=plate.code,
        unit_name=member.unit_name, market=market or "", stall=member.stall_no or "", pledge=profile.pledge,
        photo=photo, emblem=emblem(settings.plate_emblem), stars=(await stars_of([member.id])).get(member.id),
    )


def layout(name: str | None, settings) -> plates.Layout:
    return plates.LAYOUTS[name or settings.plate_layout]


def fonts(settings) -> plates.FontSet:
    try:
        return plates.find_fonts(settings.plate_font or None)
    except plates.FontMissing as exc:
        raise FontMissing(extra={"detail": str(exc)}) from exc


async def render(principal: Principal, member_id: int, fmt: str, layout_name: str | None, files: FileStorage,
                 settings, store) -> tuple[str, str, bytes]:
    member = await get_member(principal, member_id)
    plate = await current_plate(member.id)
    if plate is None:
        raise PlateNotIssued()
    await limits.charge(store, principal.user.id, "plate.render")
    data = await plate_data(member, await profile_of(member), plate, files, settings)
    # Drawing a 300 DPI page takes a tenth of a second of CPU: off the event loop.
    return await asyncio.to_thread(plates.render, data, fmt, layout(layout_name, settings), fonts(settings))


async def issued_on(member_ids: list[int] | Subquery, moment: dt.datetime) -> set[int]:
    """Which of the members held a plate at the moment (issued by then, not revoked by then).
    A city's members come as a Subquery of their ids, not a list spelled out in the SQL."""
    if isinstance(member_ids, list) and not member_ids:
        return set()
    rows = await Plate.filter(member_id__in=member_ids, issued_at__lte=moment) \
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=moment)).values_list("member_id", flat=True)
    return set(rows)
