"""PostgreSQL connections first come, first served (server/pgpool.py)."""
import asyncio

import asyncpg
import pytest

from server.pgpool import FairGate, FairPool
from tests.resources import PG_ADMIN_URL


async def _waiting(gate: FairGate, count: int) -> None:
    for _ in range(100):
        if gate.waiting == count:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{gate.waiting} waiting, not {count}")


async def _served(gate: FairGate, wait_before_newcomer: float) -> list[str]:
    """Who gets the permit in turn: two waiters in line, then a newcomer whose first step is
    already scheduled when the permit comes back (so it runs before the woken waiter)."""
    order = []
    await gate.acquire()  # held by the test

    async def user(name: str) -> None:
        await gate.acquire()
        order.append(name)
        await asyncio.sleep(0)
        gate.release()

    first = asyncio.create_task(user("first"))
    await _waiting(gate, 1)
    second = asyncio.create_task(user("second"))
    await _waiting(gate, 2)
    await asyncio.sleep(wait_before_newcomer)
    newcomer = asyncio.create_task(user("newcomer"))
    gate.release()
    await asyncio.wait_for(asyncio.gather(first, second, newcomer), 5)
    await asyncio.wait_for(gate.acquire(), 1)  # and the permit is back: one, free
    return order


async def test_a_newcomer_may_pass_the_line_but_the_waiter_passed_over_keeps_its_place():
    """Passing costs nobody much and keeps the connections busy: the newcomer takes the permit
    the first waiter was woken for, and the next one still goes to the first waiter."""
    assert await _served(FairGate(1, patience=5), 0) == ["newcomer", "first", "second"]


async def test_once_the_longest_waiter_has_waited_its_patience_nobody_passes_it():
    """asyncio.Queue, under asyncpg's pool, would serve the newcomer first and send the waiter
    woken for the permit to the back of the line."""
    assert await _served(FairGate(1, patience=0.02), 0.05) == ["first", "second", "newcomer"]


async def test_a_cancelled_waiter_loses_its_place_and_no_permit_is_lost():
    gate, got = FairGate(1, patience=0), []
    await gate.acquire()

    async def user(name: str) -> None:
        await gate.acquire()
        got.append(name)

    gone, handed, last = (asyncio.create_task(user(n)) for n in ("gone", "handed", "last"))
    await _waiting(gate, 3)
    gone.cancel()  # still waiting: leaves the line
    await asyncio.sleep(0)
    gate.release()  # handed to "handed", which is cancelled before it runs: it passes the permit on
    handed.cancel()
    await asyncio.wait_for(asyncio.gather(gone, handed, last, return_exceptions=True), 5)  # a lost permit: "last" waits forever
    assert got == ["last"] and gone.cancelled() and handed.cancelled()
    gate.release()
    await asyncio.wait_for(gate.acquire(), 1)
    assert gate.waiting == 0 and gate._free == 0


async def test_a_real_pool_hands_out_its_connections_in_the_order_they_were_asked_for():
    """Forty tasks on two PostgreSQL connections, each holding one for a query, with no patience
    for passing: they get them in the order they asked, and asyncpg's own queue never has a
    waiter of its own."""
    try:
        pool = await asyncpg.create_pool(PG_ADMIN_URL, min_size=2, max_size=2, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    fair, asked, served = FairPool(pool, 2, patience=0), [], []

    async def query(number: int) -> None:
        asked.append(number)
        connection = await fair.acquire()
        try:
            served.append(number)
            assert not pool._queue._getters  # nobody ever waits inside asyncpg's pool
            await connection.fetchval("SELECT pg_sleep(0.002)")
        finally:
            await fair.release(connection)

    try:
        tasks = []
        for number in range(40):
            tasks.append(asyncio.create_task(query(number)))
            if number % 5 == 0:
                await asyncio.sleep(0.001)  # newcomers arrive while connections are given back
        await asyncio.wait_for(asyncio.gather(*tasks), 30)
    finally:
        await fair.close()
    assert served == asked and len(served) == 40


async def test_the_app_reads_postgresql_through_the_fair_pool(backend):
    from tortoise import connections

    if not backend.is_postgres:
        pytest.skip("SQLite has one connection, no pool")
    client = connections.get("default")
    await client.execute_query("SELECT 1")
    assert isinstance(client._pool, FairPool)
