"""What a customer sees behind a plate's QR code, as plain data for the JSON route and the
HTML page alike, through the cache.

A code resolves to one of: the public profile; `replaced` (a revoked plate: nothing personal);
`not_public` (no consent, or consent withdrawn: nothing personal); unknown (404).
"""
from __future__ import annotations

import json
import re

from server.clock import SHANGHAI
from server.errors import DomainError, NotFound
from server.members.models import Member
from server.orgs.models import Market
from server.plates import cache
from server.plates.models import Plate, Profile, Rating
from server.plates.schemas import PublicProfile, PublicRating

CODE_SHAPE = re.compile(r"^[23456789abcdefghjkmnpqrstuvwxyz]{10,16}$")
RECENT_RATINGS = 20
BADGE = "中共党员"


class PlateNotFound(NotFound):
    code, message = "plate_not_found", "找不到这块三亮牌，请核对二维码或编号"


class PlateReplaced(DomainError):
    status, code, message = 410, "plate_replaced", "这块三亮牌已更换，请扫描摊位上的新牌"


class ProfileNotPublic(NotFound):
    code, message = "profile_not_public", "该党员暂未公开个人信息"


STATES = {"replaced": PlateReplaced, "not_public": ProfileNotPublic, "unknown": PlateNotFound}


def well_formed(code: str) -> bool:
    return bool(CODE_SHAPE.match(code))


async def _build(code: str) -> dict:
    plate = await Plate.get_or_none(code=code)
    if plate is None:
        return {"state": "unknown"}
    if plate.revoked_at is not None:
        return {"state": "replaced"}
    member = await Member.get(id=plate.member_id)
    profile = await Profile.get_or_none(member_id=member.id)
    if profile is None or profile.consent_at is None:
        return {"state": "not_public"}
    market = await Market.get_or_none(id=member.market_id).values_list("name", flat=True) if member.market_id else None
    summary = await _summary(member.id)
    recent = await Rating.filter(member_id=member.id, status="published").order_by("-id").limit(RECENT_RATINGS)
    view = PublicProfile(
        code=code, name=member.name, badge=BADGE,
        photo_url=f"/p/{code}/photo.jpg?v={profile.photo_key[:8]}" if profile.photo_key else None,
        market=market, stall=member.stall_no if member.placement == "in_market" else None,
        unit_name=member.unit_name, pledge=profile.pledge, stars=None,
        rating_average=summary[0], rating_count=summary[1],
        ratings=[PublicRating(score=r.score, comment=r.comment, created_on=_local_date(r.created_at),
                              reply=r.reply, replied_on=_local_date(r.replied_at) if r.replied_at else None)
                 for r in recent],
    )
    return {"state": "public", "profile": view.model_dump(mode="json"), "member_id": member.id,
            "photo_key": profile.photo_key}


async def _summary(member_id: int) -> tuple[float | None, int]:
    rows = await Rating.filter(member_id=member_id, status="published").values_list("score", flat=True)
    return (round(sum(rows) / len(rows), 1) if rows else None), len(rows)


def _local_date(moment):
    return moment.astimezone(SHANGHAI).date()


async def lookup(code: str, store) -> dict:
    """The cached view of a code: {"state": ..., "profile": {...}} (see the module docstring)."""
    if not well_formed(code):
        return {"state": "unknown"}  # not cached: malformed codes must not fill the store
    cached = await cache.read(code, store)
    if cached is not None:
        return json.loads(cached)
    view = await _build(code)
    # Unknown codes are remembered briefly too, so guessing codes costs the database little.
    ttl = cache.TTL_SECONDS if view["state"] != "unknown" else 60
    await cache.write(code, json.dumps(view, ensure_ascii=False), store, ttl)
    return view


async def public_profile(code: str, store) -> dict:
    """The profile dict, or the domain error that says why there is none."""
    view = await lookup(code, store)
    if view["state"] != "public":
        raise STATES[view["state"]]()
    return view
