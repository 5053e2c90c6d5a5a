"""What a customer sees behind a plate's QR code, as plain data for the JSON route and the
HTML page alike, through the cache.

A code resolves to one of: the public profile; `replaced` (a revoked plate: nothing personal);
`not_public` (no consent, or consent withdrawn: nothing personal); unknown (404).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property

from tortoise.expressions import Q, RawSQL
from tortoise.functions import Count

from server.clock import SHANGHAI
from server.errors import NotFound
from server.evaluation.cycles import stars_of
from server.members.models import Member
from server.markets.models import Market
from server.plates import cache, html
from server.plates.models import Plate, Profile, Rating
from server.plates.schemas import PublicProfile, PublicRating

CODE_SHAPE = re.compile(r"^[23456789abcdefghjkmnpqrstuvwxyz]{10,16}$")
RECENT_RATINGS = 10  # keeps the page under 30 KB even with the longest comments and replies
BADGE = "中共党员"


class PlateNotFound(NotFound):
    code, message = "plate_not_found", "找不到这块三亮牌，请核对二维码或编号"


class PlateReplaced(NotFound):
    # 404, not 410: to a client both say "this code shows nothing"; the code tells them apart.
    code, message = "plate_replaced", "这块三亮牌已更换，请扫描摊位上的新牌"


class ProfileNotPublic(NotFound):
    code, message = "profile_not_public", "该党员暂未公开个人信息"


STATES = {"replaced": PlateReplaced, "not_public": ProfileNotPublic, "unknown": PlateNotFound}


def well_formed(code: str) -> bool:
    return bool(CODE_SHAPE.match(code))


@dataclass(frozen=True)
class Entry:
    """One code's cached answer: the JSON and the page are built once per change, not per scan.
    A worker's near cache keeps the entry itself, shared by every scan it answers: never changed
    once made, and its bytes are encoded once (a scan used to parse the cached text and encode a
    5 KB page again: about 8 µs of a 60 µs answer)."""

    state: str  # public | replaced | not_public | unknown
    member_id: int | None = None
    plate_id: int | None = None
    photo_key: str | None = None
    profile_json: str = ""  # PublicProfile as JSON text, served as is
    page: str = ""  # the rendered page, html.NONCE_MARK standing for the form's nonce

    def profile(self) -> dict:
        return json.loads(self.profile_json)

    @cached_property
    def profile_body(self) -> bytes:
        """The JSON route's answer."""
        return self.profile_json.encode()

    @cached_property
    def _page_parts(self) -> list[bytes]:
        return self.page.encode().split(html.NONCE_MARK.encode())

    def page_body(self, nonce: str) -> bytes:
        """The page as sent: this answer's form nonce where the mark stands."""
        return nonce.encode().join(self._page_parts)

    def dump(self) -> str:
        header = json.dumps({"state": self.state, "member_id": self.member_id, "plate_id": self.plate_id,
                             "photo_key": self.photo_key})
        return "\n".join((header, self.profile_json, self.page))

    @classmethod
    def load(cls, text: str) -> "Entry":
        header, profile_json, page = text.split("\n", 2)  # JSON text holds no raw newline
        return cls(**json.loads(header), profile_json=profile_json, page=page)


async def _build(code: str) -> Entry:
    plate = await Plate.get_or_none(code=code)
    if plate is None:
        return Entry("unknown")
    if plate.revoked_at is not None:
        return Entry("replaced")
    member = await Member.get(id=plate.member_id)
    profile = await Profile.get_or_none(member_id=member.id)
    if profile is None or profile.consent_at is None:
        return Entry("not_public")
    market = await Market.get_or_none(id=member.market_id).values_list("name", flat=True) if member.market_id else None
    summary = await _summary(member.id)
    stars = (await stars_of([member.id])).get(member.id)
    recent = await Rating.filter(member_id=member.id, status="published").order_by("-id").limit(RECENT_RATINGS)
    view = PublicProfile(
        code=code, name=member.name, badge=BADGE,
        photo_url=f"/p/{code}/photo.jpg?v={profile.photo_key[:8]}" if profile.photo_key else None,
        market=market, stall=member.stall_no if member.placement == "in_market" else None,
        unit_name=member.unit_name, pledge=profile.pledge, stars=stars,
        rating_average=summary[0], rating_count=summary[1],
        ratings=[PublicRating(score=r.score, comment=r.comment, created_on=_local_date(r.created_at),
                              reply=r.reply, replied_on=_local_date(r.replied_at) if r.replied_at else None)
                 for r in recent],
    )
    data = view.model_dump(mode="json")
    return Entry("public", member.id, plate.id, profile.photo_key, json.dumps(data, ensure_ascii=False),
                 html.profile_page(data))


# Flagged only for their comment: the score counts at once, the comment waits for the secretary.
SCORE_COUNTS_WHILE_FLAGGED = ("content_review", "unchecked_comment")


async def _summary(member_id: int) -> tuple[float | None, int]:
    # Averaged and rounded to one decimal by the database. (Tortoise's Avg on an integer field
    # hands the result back through the field's type and so truncated 4.67 to 4.)
    counted = Q(status="published") | Q(status="flagged", flag_reason__in=SCORE_COUNTS_WHILE_FLAGGED)
    [row] = await Rating.filter(counted, member_id=member_id) \
        .annotate(average=RawSQL("ROUND(AVG(score * 1.0), 1)"), count=Count("id")).values("average", "count")
    return (float(row["average"]) if row["count"] else None), row["count"]


def _local_date(moment):
    return moment.astimezone(SHANGHAI).date()


async def lookup(code: str, store) -> Entry:
    """The cached entry of a code (see the module docstring)."""
    if not well_formed(code):
        return Entry("unknown")  # not cached: malformed codes must not fill the store
    cached = await cache.read(code, store, Entry.load)
    if cached is not None:
        return cached
    entry = await _build(code)
    # Unknown codes are remembered briefly too, so guessing codes costs the database little.
    ttl = cache.TTL_SECONDS if entry.state != "unknown" else 60
    await cache.write(code, entry.dump(), store, ttl)
    return entry


async def public_profile(code: str, store) -> Entry:
    """The public entry, or the domain error that says why there is none."""
    entry = await lookup(code, store)
    if entry.state != "public":
        raise STATES[entry.state]()
    return entry
