"""PostgreSQL connections handed out in the order they were asked for.

asyncpg's pool waits on an asyncio.Queue, which is not fair: a connection given back wakes the
first waiter, but a request arriving before that waiter runs takes the connection, and the
waiter goes to the back of the line. On a busy worker the same requests lose again and again:
with 64 clients on 20 connections, a roster page took 45 ms at the median, 0.5–0.9 s at p99 and
now and then over 2 s (measured 2026-11-29). A gate in front of the pool hands each connection
given back to the longest waiter directly, so nobody arrives ahead of the line.

Tortoise loads this module as the connection's engine (server/db.py) and asks its
`client_class` for the pool through the `create_pool` hook meant for that.
"""
from __future__ import annotations

import asyncio
from collections import deque

from tortoise.backends.asyncpg.client import AsyncpgDBClient


class FairGate:
    """A semaphore that is first come, first served: a permit given back goes straight to the
    longest waiter, never back into a count that a newcomer could take first."""

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: deque[asyncio.Future] = deque()

    @property
    def waiting(self) -> int:
        return sum(1 for waiter in self._waiters if not waiter.done())

    async def acquire(self) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a permit just as the request was cancelled: pass it on
            else:
                self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1


class FairPool:
    """An asyncpg pool behind a FairGate of its size: the pool itself never has a waiter."""

    def __init__(self, pool, size: int) -> None:
        self._pool = pool
        self.gate = FairGate(size)

    async def acquire(self, *, timeout: float | None = None):
        await self.gate.acquire()
        try:
            return await self._pool.acquire(timeout=timeout)
        except BaseException:
            self.gate.release()
            raise

    async def release(self, connection, *, timeout: float | None = None) -> None:
        try:
            await self._pool.release(connection, timeout=timeout)
        finally:
            self.gate.release()

    def __getattr__(self, name: str):  # close, terminate, expire_connections...
        return getattr(self._pool, name)


class FairAsyncpgClient(AsyncpgDBClient):
    async def create_pool(self, **kwargs) -> FairPool:
        return FairPool(await super().create_pool(**kwargs), kwargs["max_size"])


client_class = FairAsyncpgClient
