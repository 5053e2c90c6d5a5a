"""Key-value store: one small interface, Redis in production, in-process for a single process.

Used for rate limits, the auth-token cache and the shared WeChat access token; rotating
check-in tokens will use it next. Values are strings; every key may carry a TTL in seconds.
"""
from __future__ import annotations

import abc
import time

import redis.asyncio as redis


class KeyValueStore(abc.ABC):
    @abc.abstractmethod
    async def get(self, key: str) -> str | None: ...

    @abc.abstractmethod
    async def set(self, key: str, value: str, ttl: float | None = None, *, only_if_absent: bool = False) -> bool:
        """Store value; with only_if_absent, store only when the key is missing. True if stored."""

    @abc.abstractmethod
    async def delete(self, key: str) -> None: ...

    @abc.abstractmethod
    async def incr(self, key: str, ttl: float) -> int:
        """Add one and return the new count; the TTL starts with the first increment."""

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        return None

    async def hit(self, key: str, limit: int, window: float) -> tuple[bool, int]:
        """Count one hit in a fixed window. Returns (allowed, seconds until the window resets)."""
        count = await self.incr(key, window)
        return count <= limit, int(window)


class MemoryStore(KeyValueStore):
    """Single-process store. Expired keys are dropped when read, and swept now and then."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}
        self._writes = 0

    def _live(self, key: str) -> tuple[str, float | None] | None:
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] is not None and item[1] <= time.monotonic():
            del self._data[key]
            return None
        return item

    def _sweep(self) -> None:
        self._writes += 1
        if self._writes % 1000 == 0:
            now = time.monotonic()
            for key in [k for k, (_, exp) in self._data.items() if exp is not None and exp <= now]:
                del self._data[key]

    async def get(self, key: str) -> str | None:
        item = self._live(key)
        return item[0] if item else None

    async def set(self, key, value, ttl=None, *, only_if_absent=False) -> bool:
        if only_if_absent and self._live(key) is not None:
            return False
        self._data[key] = (str(value), time.monotonic() + ttl if ttl else None)
        self._sweep()
        return True

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def incr(self, key: str, ttl: float) -> int:
        item = self._live(key)
        if item is None:
            self._data[key] = ("1", time.monotonic() + ttl)
            self._sweep()
            return 1
        count = int(item[0]) + 1
        self._data[key] = (str(count), item[1])
        return count


class RedisStore(KeyValueStore):
    """Redis through redis-py's asyncio client.

    The pool is a BlockingConnectionPool: past max_connections a caller waits up to
    `pool_timeout` for a free connection instead of failing at once (the default pool
    raises MaxConnectionsError), so a burst of check-ins queues rather than errors.
    """

    def __init__(self, url: str, *, max_connections: int = 50, pool_timeout: float = 5.0, prefix: str = "dj:") -> None:
        self._pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=pool_timeout, decode_responses=True
        )
        self._redis = redis.Redis(connection_pool=self._pool)
        self._prefix = prefix

    def _k(self, key: str) -> str:
        return self._prefix + key

    async def get(self, key: str) -> str | None:
        return await self._redis.get(self._k(key))

    async def set(self, key, value, ttl=None, *, only_if_absent=False) -> bool:
        px = int(ttl * 1000) if ttl else None
        return bool(await self._redis.set(self._k(key), str(value), px=px, nx=only_if_absent))

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._k(key))

    async def incr(self, key: str, ttl: float) -> int:
        # INCR and PEXPIRE NX in one round trip: the TTL is set by the first hit only.
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(self._k(key))
            pipe.pexpire(self._k(key), int(ttl * 1000), nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def ping(self) -> bool:
        return bool(await self._redis.ping())

    async def close(self) -> None:
        await self._redis.aclose()
        await self._pool.disconnect()


def make_store(redis_url: str | None, *, max_connections: int = 50, pool_timeout: float = 5.0) -> KeyValueStore:
    if redis_url:
        return RedisStore(redis_url, max_connections=max_connections, pool_timeout=pool_timeout)
    return MemoryStore()
