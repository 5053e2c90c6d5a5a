"""Helpers for the 三亮 tests: a member who has agreed to a public profile and holds a plate."""
from __future__ import annotations

import io
import itertools

from PIL import Image

from server.plates.profiles import CONSENT_VERSION

_addresses = itertools.count(1)


def fresh_ip() -> str:
    """A client address no other test used, so rate limits in the shared store do not collide."""
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def photo_jpeg(colour=(40, 90, 160), size=(600, 800)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


async def publish_member(world, who: str = "member_a", member=None, pledge: str = "诚信经营，明码标价，接受群众监督。",
                         photo: bool = True) -> str:
    """Consent, pledge, photo and a plate for the member logged in as `who`; returns the plate code."""
    member = member or world.member_a
    async with world.client(who) as c:
        consent = await c.post(f"/api/v1/members/{member.id}/profile/consent", json={"version": CONSENT_VERSION})
        assert consent.status_code == 200, consent.text
        assert (await c.patch(f"/api/v1/members/{member.id}/profile", json={"pledge": pledge})).status_code == 200
        if photo:
            uploaded = await c.post(f"/api/v1/members/{member.id}/profile/photo",
                                   files={"photo": ("me.jpg", photo_jpeg(), "image/jpeg")})
            assert uploaded.status_code == 200, uploaded.text
        plate = await c.post(f"/api/v1/members/{member.id}/plate")
        assert plate.status_code == 201, plate.text
    return plate.json()["code"]
