"""Opaque random codes for anything printed or shown as a QR: never a database id.

The alphabet drops look-alikes (0/o, 1/i/l) so a code read aloud or typed from a photo survives.
A member's plate and sign-in code are "current codes": one current per member (active_key equals
the member id while current, NULL once revoked), replaced by `rotate`. The QR a phone shows is
drawn here too (`qr_data_url`), off the event loop.
"""
from __future__ import annotations

import asyncio
import base64
import secrets

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from plates import qr_png
from server.clock import now

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def random_code(length: int = 12) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


async def qr_data_url(url: str) -> str:
    """The QR of `url` as a PNG data URL, for a phone or a screen to show without a QR library:
    about 7 ms of drawing, in a thread."""
    png = await asyncio.to_thread(qr_png, url)
    return "data:image/png;base64," + base64.b64encode(png).decode()


async def rotate(model, member, user, *, length: int, keep_current: bool = False):
    """Revoke the member's current code of `model` (a Plate, a MemberCode) and issue a new one, in
    one transaction under the member's row lock, so simultaneous issues for one member queue (on
    SQLite transactions are serial anyway); the unique active_key guards the rule all the same.
    keep_current: a code the member already has is kept. Returns (current, replaced, issued)."""
    for _attempt in range(3):
        try:
            async with in_transaction():
                await type(member).filter(id=member.id).select_for_update(no_key=True).first()
                old = await model.filter(active_key=member.id).first()
                if old is not None and keep_current:
                    return old, None, False
                if old is not None:
                    old.active_key, old.revoked_at = None, now()
                    await old.save(update_fields=["active_key", "revoked_at"])
                new = await model.create(member=member, code=random_code(length), active_key=member.id, issued_by=user)
            return new, old, True
        except IntegrityError:
            continue  # a code already taken (about once in 10^17 issues), or a racing first issue: again
    raise RuntimeError(f"could not issue a {model.__name__} code in three attempts")
