"""Both key-value stores keep the same promises; the Redis pool queues a burst instead of failing."""
import asyncio
import contextlib
import shutil
import socket
import subprocess
import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from server.kv import MemoryStore, RedisStore
from tests.conftest import fresh_redis, redis_test_url
from tests.serverproc import free_port


@pytest.fixture(params=["memory", "redis"])
async def store(request):
    if request.param == "memory":
        store = MemoryStore()
    else:
        store = RedisStore(await fresh_redis(redis_test_url("kv")), max_connections=5, pool_timeout=5)
    yield store
    await store.close()


async def test_set_get_delete(store):
    assert await store.get("k") is None
    assert await store.set("k", "v") is True
    assert await store.get("k") == "v"
    await store.delete("k")
    assert await store.get("k") is None


async def test_retry_after_is_what_is_left_of_the_window(store):
    assert await store.hit("w", 2, 60) == (True, 60)
    await asyncio.sleep(1.2)
    assert (await store.hit("w", 2, 60))[0] is True
    allowed, retry_after = await store.hit("w", 2, 60)
    assert allowed is False and 57 <= retry_after <= 59  # not the whole 60 again
    assert 57 <= await store.ttl("w") <= 59 and await store.ttl("missing") is None


async def test_ttl_expires(store):
    await store.set("short", "1", ttl=0.2)
    assert await store.get("short") == "1"
    await asyncio.sleep(0.35)
    assert await store.get("short") is None


async def test_only_if_absent_is_first_writer_wins(store):
    results = await asyncio.gather(*[store.set("lock", str(i), 10, only_if_absent=True) for i in range(20)])
    assert results.count(True) == 1
    assert await store.get("lock") == str(results.index(True))


async def test_incr_counts_concurrent_hits_exactly_and_window_resets(store):
    counts = await asyncio.gather(*[store.incr("hits", 0.5) for _ in range(50)])
    assert sorted(counts) == list(range(1, 51))
    await asyncio.sleep(0.7)
    assert await store.incr("hits", 0.5) == 1


async def test_rate_limit_allows_exactly_the_limit(store):
    verdicts = await asyncio.gather(*[store.hit("rate:x", 7, 60) for _ in range(30)])
    assert [allowed for allowed, _ in verdicts].count(True) == 7


async def test_read_and_hit_reads_every_key_and_counts_like_hit(store):
    await store.set("a", "1", 10)
    await store.set("c", "3", 10)
    answers = [await store.read_and_hit(["a", "b", "c"], "rate:r", 2, 60) for _ in range(3)]
    assert [values for values, _, _ in answers] == [["1", None, "3"]] * 3
    assert [allowed for _, allowed, _ in answers] == [True, True, False]
    assert all(1 <= left <= 60 for _, _, left in answers)
    assert await store.ttl("rate:r") is not None  # the window has its end, as hit's does


async def test_redis_pool_makes_a_burst_wait_instead_of_failing():
    # 300 commands at once through a pool of 5 connections: redis-py's default pool would raise
    # MaxConnectionsError past its limit; the blocking pool queues them and all succeed.
    store = RedisStore(await fresh_redis(redis_test_url("kv")), max_connections=5, pool_timeout=10)
    try:
        results = await asyncio.gather(*[store.incr("burst", 60) for _ in range(300)])
        assert sorted(results) == list(range(1, 301))
        assert store._pool.max_connections == 5
    finally:
        await store.close()


async def _until(condition, seconds=2.0):
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


async def two_workers():
    url = await fresh_redis(redis_test_url("kv"))
    return RedisStore(url, max_connections=5), RedisStore(url, max_connections=5)


async def test_near_cache_answers_from_memory_and_a_deletion_anywhere_reaches_every_worker():
    a, b = await two_workers()
    try:
        await a.set("profile", "v1")
        assert await a.near_get("profile") == await b.near_get("profile") == "v1"
        await _until(lambda: a._near.live and b._near.live)
        assert await a.near_get("profile") == "v1"
        await a._redis.set(a._k("profile"), "changed behind its back")  # no deletion message:
        assert await a.near_get("profile") == "v1"  # a answers from memory, no round trip
        await b.near_delete("profile")  # a change made through worker b
        await _until(lambda: a._near.get("profile") is None)
        assert await a.near_get("profile") is None and await b.near_get("profile") is None
    finally:
        await a.close()
        await b.close()


async def test_a_parsed_value_is_kept_parsed_until_a_deletion_and_then_parsed_afresh():
    """near_get(key, parse): memory keeps parse(value), so a hot read parses nothing; a deletion
    from another worker drops it, and the next read parses the new value."""
    a, b = await two_workers()
    parsed = []

    def parse(text):
        parsed.append(text)
        return {"text": text}

    try:
        await a.set("profile", "v1")
        await a.near_get("profile", parse)
        await _until(lambda: a._near.live)
        first = await a.near_get("profile", parse)
        assert first == {"text": "v1"} and await a.near_get("profile", parse) is first
        assert parsed == ["v1", "v1"]  # once before the channel was heard, once into memory: no more
        await b.set("profile", "v2")
        await b.near_delete("profile")
        await _until(lambda: a._near.get("profile") is None)
        await a.set("profile", "v2")
        assert await a.near_get("profile", parse) == {"text": "v2"} and parsed[-1] == "v2"
        assert await a.near_get("missing", parse) is None and parsed[-1] == "v2"  # nothing to parse
    finally:
        await a.close()
        await b.close()


async def test_a_store_without_memory_answers_the_parsed_value_too():
    """MemoryStore (SQLite's default, one process) and a store whose Redis is down answer the
    parsed value too: the reader's code is the same on every store."""
    from server.kv import FailOpen

    memory = MemoryStore()
    await memory.set("k", "1")
    assert await memory.near_get("k", int) == 1 and await memory.near_get("k") == "1"
    assert await memory.near_get("missing", int) is None
    down = FailOpen(RedisStore("redis://127.0.0.1:9/0"))
    try:
        assert await down.near_get("k", int) is None
    finally:
        await down.close()


async def test_several_keys_deleted_at_once_leave_every_worker_and_redis():
    """Keys dropped in one call (as auth.forget_principal drops a user's principal and /me, then
    their tokens' callers) leave the other worker's memory and Redis; keys not named stay."""
    a, b = await two_workers()
    keys = ["principal:7", "me:7", "caller:abc", "caller:def"]
    try:
        for key in [*keys, "me:8"]:
            await a.set(key, "v1")
            await a.near_get(key)
        await _until(lambda: a._near.live)
        for key in [*keys, "me:8"]:
            await a.near_get(key)
        assert all(a._near.get(key) == "v1" for key in [*keys, "me:8"])
        await b.near_delete(*keys)
        await _until(lambda: all(a._near.get(key) is None for key in keys))
        assert a._near.get("me:8") == "v1" and await b.get("me:8") == "v1"
        assert [await b.get(key) for key in keys] == [None] * len(keys)
        await b.near_delete()  # nothing to drop: no round trip, no error
    finally:
        await a.close()
        await b.close()


async def test_near_cache_is_not_trusted_while_deletions_cannot_be_heard():
    a, b = await two_workers()
    try:
        await a.set("profile", "v1")
        await a.near_get("profile")
        await _until(lambda: a._near.live)
        a._listener.cancel()  # as when Redis's connection drops: the listener stops
        await asyncio.gather(a._listener, return_exceptions=True)
        assert not a._near.live
        await a._redis.set(a._k("profile"), "v2")
        assert await a.near_get("profile") == "v2"  # read from Redis, not from memory
    finally:
        await a.close()
        await b.close()


def test_a_read_that_raced_a_deletion_is_not_kept():
    from server.kv import NearCache

    near = NearCache()
    near.start()
    generation = near.generation
    near.drop("profile")  # heard while the read was on its way
    near.put("profile", "old", generation)
    assert near.get("profile") is None
    near.put("profile", "new", near.generation)
    assert near.get("profile") == "new"


async def test_with_redis_down_reads_miss_writes_drop_and_counters_allow():
    from server.kv import FailOpen

    down = FailOpen(RedisStore("redis://127.0.0.1:9/0"))
    try:
        assert await down.get("k") is None and await down.near_get("k") is None
        assert await down.set("k", "v", 10) is False
        await down.delete("k")
        await down.near_delete("k")
        assert [await down.hit("rate:x", 2, 60) for _ in range(5)] == [(True, 60)] * 5
        assert await down.read_and_hit(["k", "j"], "rate:x", 2, 60) == ([None, None], True, 60)
        with pytest.raises(Exception):  # readiness must see it
            await down.ping()
    finally:
        await down.close()


async def test_fail_open_recovers_when_redis_answers_again():
    from server.kv import FailOpen

    url = await fresh_redis(redis_test_url("kv"))
    store = FailOpen(RedisStore(url))
    try:
        await store.set("k", "v", 10)
        assert await store.get("k") == "v"
        assert [await store.hit("rate:y", 2, 60) for _ in range(3)] == [(True, 60), (True, 60), (False, 60)]
    finally:
        await store.close()


def _redis_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return server
        time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


async def test_after_redis_restarts_no_call_fails_on_a_connection_the_pool_kept():
    """A restarted Redis has closed every connection the pool kept. Each was failing the first
    call made on it (39 of 60 made at once), which FailOpen turns into a miss: in the fault drill,
    with PostgreSQL down as well, a cached /me answered 503. A closed connection is tried again
    on a new one; a Redis that is down still fails at once."""
    if not shutil.which("redis-server"):
        pytest.fail("this test starts its own Redis: apt-get install redis-server")
    port = free_port()
    server = _redis_server(port)
    store = RedisStore(f"redis://127.0.0.1:{port}/0")
    try:
        await asyncio.gather(*(store.set(f"before{i}", "v", 60) for i in range(40)))  # 40 connections kept
        server.terminate()
        server.wait(10)
        started = time.monotonic()
        with pytest.raises(RedisConnectionError):
            await store.get("before1")
        assert time.monotonic() - started < 1  # refused, tried once more, refused: no waiting
        server = _redis_server(port)
        answers = await asyncio.gather(*(store.set(f"after{i}", str(i), 60) for i in range(60)),
                                       return_exceptions=True)
        assert [a for a in answers if isinstance(a, BaseException)] == []
        assert await asyncio.gather(*(store.get(f"after{i}") for i in range(60))) == [str(i) for i in range(60)]
    finally:
        await store.close()
        server.terminate()
        server.wait(10)


async def test_deployments_sharing_one_redis_never_hear_each_others_deletions():
    """Pub/sub ignores the database number: the channel carries it (and the prefix), so a
    deletion in one deployment leaves another's near cache alone, in another database or in
    the same database under another prefix."""
    url = await fresh_redis(redis_test_url("kv"))
    other_url = await fresh_redis(redis_test_url("kv-other-deployment"))
    mine = RedisStore(url, max_connections=5)
    other_db = RedisStore(other_url, max_connections=5)
    other_prefix = RedisStore(url, max_connections=5, prefix="dj2:")
    stores = (mine, other_db, other_prefix)
    try:
        assert len({store._near_channel() for store in stores}) == 3
        for store in stores:
            await store.set("profile", "v1")
            assert await store.near_get("profile") == "v1"
        await _until(lambda: all(store._near.live for store in stores))
        for store in stores:  # now kept in each process's memory
            assert await store.near_get("profile") == "v1" and store._near.get("profile") == "v1"
        mine_again = RedisStore(url, max_connections=5)  # a second worker of my deployment
        await mine_again.near_delete("profile")
        await _until(lambda: mine._near.get("profile") is None)  # my own workers hear it
        await asyncio.sleep(0.3)
        assert other_db._near.get("profile") == "v1" and other_prefix._near.get("profile") == "v1"
        await mine_again.close()
    finally:
        for store in stores:
            await store.close()
