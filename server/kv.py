"""Key-value store: one small interface, Redis in production, in-process for a single process.

Used for rate limits, the auth-token cache and the shared WeChat access token; rotating
check-in tokens will use it next. Values are strings (a near-cached one may be kept in memory
as its reader parsed it: near_get); every key may carry a TTL in seconds.
"""
from __future__ import annotations

import abc
import asyncio
import logging
import math
import time
from typing import Any, Callable

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeoutError

log = logging.getLogger("dangjian.kv")


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

    async def near_get(self, key: str, parse: Callable[[str], Any] | None = None) -> Any:
        """Like get, but may answer from this process's memory (see RedisStore.near_get). With
        `parse`, the answer is parse(value), and that is what memory keeps, so a hot read does
        not parse the same text again: a key must always be read with the same parse, and its
        readers must not change what it returns (they share it)."""
        value = await self.get(key)
        return parse(value) if parse is not None and value is not None else value

    async def near_delete(self, *keys: str) -> None:
        """Delete the keys here and from every process's memory."""
        for key in keys:
            await self.delete(key)

    @abc.abstractmethod
    async def ttl(self, key: str) -> float | None:
        """Seconds the key has left; None when it is missing or never expires."""

    async def hit(self, key: str, limit: int, window: float) -> tuple[bool, int]:
        """Count one hit in a fixed window. Returns (allowed, whole seconds until the window resets)."""
        count = await self.incr(key, window)
        return count <= limit, seconds_left(await self.ttl(key), window)

    async def read_and_hit(self, keys: list[str], hit_key: str, limit: int,
                           window: float) -> tuple[list[str | None], bool, int]:
        """Several gets and one hit (see hit) together: one round trip on Redis, for a hot path
        that needs a few cached values and its rate limit before anything else."""
        values = [await self.get(key) for key in keys]
        return (values, *await self.hit(hit_key, limit, window))


def seconds_left(left: float | None, window: float) -> int:
    """Retry-After: the seconds left in the window, rounded up (at least 1)."""
    return max(1, math.ceil(left)) if left is not None and left > 0 else max(1, math.ceil(window))


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

    async def ttl(self, key: str) -> float | None:
        item = self._live(key)
        return None if item is None or item[1] is None else item[1] - time.monotonic()

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
        # Short socket timeouts: a Redis that stops answering must fail a call in about a second
        # (and FailOpen then carries on without it), not hang every request behind it. A closed
        # connection is tried once more on a new one: after Redis restarts, every connection the
        # pool kept is closed by the server, and without that second try each one failed the
        # first call made on it (39 of 60 calls at once; with PostgreSQL down as well, a cached
        # /me answered 503). A timeout is not tried again.
        self._pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=pool_timeout, decode_responses=True,
            socket_connect_timeout=1, socket_timeout=2,
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        )
        self._redis = redis.Redis(connection_pool=self._pool)
        self._prefix = prefix
        self._db = int(self._pool.connection_kwargs.get("db") or 0)
        self._near = NearCache()
        self._listener: asyncio.Task | None = None

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

    async def ttl(self, key: str) -> float | None:
        left = await self._redis.pttl(self._k(key))
        return left / 1000 if left >= 0 else None

    async def hit(self, key: str, limit: int, window: float) -> tuple[bool, int]:
        # One round trip: count, start the window on the first hit, read what is left of it.
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(self._k(key))
            pipe.pexpire(self._k(key), int(window * 1000), nx=True)
            pipe.pttl(self._k(key))
            count, _, left = await pipe.execute()
        return int(count) <= limit, seconds_left(left / 1000 if left >= 0 else None, window)

    async def read_and_hit(self, keys, hit_key, limit, window):
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in keys:
                pipe.get(self._k(key))
            pipe.incr(self._k(hit_key))
            pipe.pexpire(self._k(hit_key), int(window * 1000), nx=True)
            pipe.pttl(self._k(hit_key))
            *values, count, _, left = await pipe.execute()
        return values, int(count) <= limit, seconds_left(left / 1000 if left >= 0 else None, window)

    async def ping(self) -> bool:
        return bool(await self._redis.ping())

    # A near cache: values read often and changed rarely (public profiles) are kept in this
    # process's memory too, and dropped from every process's memory by a message on a channel
    # all workers listen to. It is used only while this process's subscription is live: a
    # process that cannot hear deletions reads Redis every time, so nothing stale is served.

    def _near_channel(self) -> str:
        # Keys live in the URL's database, but Redis pub/sub ignores the database number: the
        # channel names it, so two deployments on one Redis never hear each other's deletions
        # (and two in one database are kept apart by their prefixes).
        return f"{self._prefix}db{self._db}:near:deleted"

    async def near_get(self, key: str, parse: Callable[[str], Any] | None = None) -> Any:
        if self._listener is None:
            self._listener = asyncio.get_running_loop().create_task(self._listen())
        if self._near.live:
            value = self._near.get(key)
            if value is not None:
                return value
        generation = self._near.generation
        value = await self.get(key)
        if value is not None:
            if parse is not None:
                value = parse(value)
            self._near.put(key, value, generation)
        return value

    async def near_delete(self, *keys: str) -> None:
        if not keys:
            return
        for key in keys:
            self._near.drop(key)
        async with self._redis.pipeline(transaction=False) as pipe:  # one round trip for them all
            pipe.delete(*(self._k(key) for key in keys))
            for key in keys:
                pipe.publish(self._near_channel(), key)
            await pipe.execute()

    async def _listen(self) -> None:
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self._near_channel())
                async for message in pubsub.listen():
                    if message["type"] == "subscribe":
                        self._near.start()
                    elif message["type"] == "message":
                        self._near.drop(message["data"])
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                log.warning("near cache off until Redis answers again: %s", exc)
            finally:
                self._near.stop()
                await pubsub.aclose()
            await asyncio.sleep(1)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        await self._redis.aclose()
        await self._pool.disconnect()


STORE_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class FailOpen(KeyValueStore):
    """Redis with the service carrying on while it is down, as it must for a room of vendors
    signing in and customers reading plates: reads miss (the database answers instead), writes
    are dropped, rate-limit counters allow, deletions are skipped. Everything in the store has a
    TTL, and this Redis keeps nothing on disk, so nothing stale outlives the outage by more than
    an entry's TTL. ping() is not softened: /readyz must say the store is down. The outage is
    logged once every LOG_EVERY seconds, not once a request."""

    LOG_EVERY = 10.0

    def __init__(self, inner: KeyValueStore) -> None:
        self.inner = inner
        self._last_warning = 0.0

    async def _soft(self, call, default, what: str):
        try:
            return await call
        except STORE_DOWN as exc:
            moment = time.monotonic()
            if moment - self._last_warning >= self.LOG_EVERY:
                self._last_warning = moment
                log.error("key-value store unavailable (%s skipped, carrying on without it): %s", what, exc)
            return default

    async def get(self, key):
        return await self._soft(self.inner.get(key), None, "get")

    async def set(self, key, value, ttl=None, *, only_if_absent=False):
        return await self._soft(self.inner.set(key, value, ttl, only_if_absent=only_if_absent), False, "set")

    async def delete(self, key):
        await self._soft(self.inner.delete(key), None, "delete")

    async def incr(self, key, ttl):
        return await self._soft(self.inner.incr(key, ttl), 1, "incr")

    async def ttl(self, key):
        return await self._soft(self.inner.ttl(key), None, "ttl")

    async def hit(self, key, limit, window):
        return await self._soft(self.inner.hit(key, limit, window), (True, seconds_left(None, window)), "hit")

    async def read_and_hit(self, keys, hit_key, limit, window):
        return await self._soft(self.inner.read_and_hit(keys, hit_key, limit, window),
                                ([None] * len(keys), True, seconds_left(None, window)), "read_and_hit")

    async def near_get(self, key, parse=None):
        return await self._soft(self.inner.near_get(key, parse), None, "get")

    async def near_delete(self, *keys):
        await self._soft(self.inner.near_delete(*keys), None, "delete")

    async def ping(self) -> bool:
        return await self.inner.ping()

    async def close(self) -> None:
        await self.inner.close()


class NearCache:
    """This process's copy of near-cached values, trusted only while `live` (the deletion
    channel is heard). Entries also expire after `ttl` seconds as a last bound."""

    def __init__(self, ttl: float = 30.0, max_entries: int = 10_000) -> None:
        self.ttl, self.max_entries = ttl, max_entries
        self.live = False
        self.generation = 0  # counts deletions heard, so a read racing a deletion is not kept
        self._data: dict[str, tuple[Any, float]] = {}  # the value (parsed, if its reader parses) and when it expires

    def start(self) -> None:
        self._data.clear()  # whatever was deleted while we were not listening is unknown
        self.live = True

    def stop(self) -> None:
        self.live = False
        self._data.clear()

    def get(self, key: str) -> Any:
        item = self._data.get(key)
        if item is None or item[1] <= time.monotonic():
            return None
        return item[0]

    def put(self, key: str, value: Any, generation: int) -> None:
        if not self.live or generation != self.generation:
            return  # a deletion was heard while this value was being read: it may be stale
        if len(self._data) >= self.max_entries:
            self._data.pop(next(iter(self._data)))
        self._data[key] = (value, time.monotonic() + self.ttl)

    def drop(self, key: str) -> None:
        self.generation += 1
        self._data.pop(key, None)


def make_store(redis_url: str | None, *, max_connections: int = 50, pool_timeout: float = 5.0,
               prefix: str = "dj:") -> KeyValueStore:
    if redis_url:
        return FailOpen(RedisStore(redis_url, max_connections=max_connections, pool_timeout=pool_timeout,
                                   prefix=prefix))
    return MemoryStore()


def store_for(settings) -> KeyValueStore:
    """The store the settings describe (the web process and the job worker alike)."""
    return make_store(settings.redis_url, max_connections=settings.redis_max_connections,
                      pool_timeout=settings.redis_pool_timeout, prefix=settings.redis_prefix)
