"""The cache of public profiles, in the shared key-value store.

A public page is read far more often than it changes, so its data is kept under the plate's
code and dropped by every change that shows on it (consent, pledge, photo, plate, rating,
moderation). With Redis, each worker also keeps a near copy in memory that every worker drops on
a deletion message (server/kv.py), so a scan usually costs no round trip at all. Entries also expire after a few minutes, a bound on anything a missed drop could
leave behind. When Redis is down the store itself carries on (server/kv.py, FailOpen): reads
miss, so pages are built from the database every time (slower, never wrong).
"""
from __future__ import annotations

from typing import Any, Callable

from server.kv import KeyValueStore
from server.plates.models import Plate

TTL_SECONDS = 300


def key(code: str) -> str:
    return f"public:plate:{code}"


async def read(code: str, store: KeyValueStore, parse: Callable[[str], Any]) -> Any:
    """The code's entry, parse(text); what a worker's memory keeps is the parsed entry."""
    return await store.near_get(key(code), parse)


async def write(code: str, payload: str, store: KeyValueStore, ttl: float = TTL_SECONDS) -> None:
    await store.set(key(code), payload, ttl)


async def forget(codes: list[str], store: KeyValueStore) -> None:
    await store.near_delete(*(key(code) for code in codes))


async def forget_member(member_id: int, store: KeyValueStore) -> None:
    """Drop the cached page of the member's current plate. A replaced plate's page says only
    已更换 and shows nothing of the member, so no change of theirs touches it (and a member with
    many replaced plates costs no more than one with none)."""
    codes = await Plate.filter(active_key=member_id).values_list("code", flat=True)
    await forget(list(codes), store)
