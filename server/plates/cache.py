"""The cache of public profiles, in the shared key-value store.

A public page is read far more often than it changes, so its data is kept under the plate's
code and dropped by every change that shows on it (consent, pledge, photo, plate, rating,
moderation). With Redis, each worker also keeps a near copy in memory that every worker drops on
a deletion message (server/kv.py), so a scan usually costs no round trip at all. Entries also expire after a few minutes, a bound on anything a missed drop could
leave behind. When the store is down, pages are built from the database every time (slower,
never wrong) and the failure is logged.
"""
from __future__ import annotations

import logging

from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeoutError

from server.kv import KeyValueStore
from server.plates.models import Plate

log = logging.getLogger("dangjian.plates.cache")
TTL_SECONDS = 300
STORE_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


def key(code: str) -> str:
    return f"public:plate:{code}"


async def read(code: str, store: KeyValueStore) -> str | None:
    try:
        return await store.near_get(key(code))
    except STORE_DOWN as exc:
        log.warning("profile cache unavailable, reading the database: %s", exc)
        return None


async def write(code: str, payload: str, store: KeyValueStore, ttl: float = TTL_SECONDS) -> None:
    try:
        await store.set(key(code), payload, ttl)
    except STORE_DOWN as exc:
        log.warning("profile cache unavailable, not caching %s: %s", code, exc)


async def forget(codes: list[str], store: KeyValueStore) -> None:
    for code in codes:
        try:
            await store.near_delete(key(code))
        except STORE_DOWN as exc:
            log.error("could not drop cached profile %s (it expires within %d s): %s", code, TTL_SECONDS, exc)


async def forget_member(member_id: int, store: KeyValueStore) -> None:
    """Drop every cached page of the member: the current plate's and the replaced ones'."""
    codes = await Plate.filter(member_id=member_id).values_list("code", flat=True)
    await forget(list(codes), store)
