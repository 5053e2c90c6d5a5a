"""PostgreSQL connections for the longest waiter first, once someone has waited too long.

asyncpg's pool waits on an asyncio.Queue, which is not fair: a connection given back wakes the
first waiter, but a request arriving before that waiter runs takes the connection, and the
waiter goes to the back of the line. On a busy worker the same requests lose again and again:
with 64 clients on 20 connections, a roster page took 45 ms at the median, 0.5–0.9 s at p99 and
now and then over 2 s (measured 2026-11-29).

Strict first come, first served cures that and costs throughput where many requests are
ready at once: a connection handed to a waiter sits idle until the waiter's turn on the event
loop comes, behind everything else that is ready (500 check-ins at once with cold tokens, two
statements each: 720–890 → 520 a second). So the gate works as Go's mutex does: a newcomer may
take a free connection ahead of the line (no idle connection), a waiter passed over keeps its
place at the head, and once the head has waited PATIENCE nobody passes it until the line is
served.

Tortoise loads this module as the connection's engine (server/db.py) and asks its
`client_class` for the pool through the `create_pool` hook meant for that.
"""
from __future__ import annotations

import asyncio
import time
from collections import deque

from tortoise.backends.asyncpg.client import AsyncpgDBClient

PATIENCE = 0.05  # seconds the longest waiter waits before newcomers must queue behind it


class _Waiter:
    __slots__ = ("since", "woken")

    def __init__(self) -> None:
        self.since = time.monotonic()
        self.woken: asyncio.Future | None = None


class FairGate:
    """A semaphore of `size` permits in which nobody waits much longer than `patience` plus the
    line ahead of them: a permit given back wakes the longest waiter, a newcomer may take it
    first only while that waiter has waited less than `patience`, and a waiter passed over
    keeps its place."""

    def __init__(self, size: int, patience: float = PATIENCE) -> None:
        self._free = size
        self.patience = patience
        self._line: deque[_Waiter] = deque()

    @property
    def waiting(self) -> int:
        return len(self._line)

    def _may_take(self, waiter: _Waiter | None) -> bool:
        """A free permit may go to `waiter` (None: a newcomer) unless the head of the line has
        waited its patience out and is someone else."""
        if self._free <= 0:
            return False
        head = self._line[0] if self._line else None
        return head is None or head is waiter or time.monotonic() - head.since < self.patience

    async def acquire(self) -> None:
        if self._may_take(None):
            self._free -= 1
            return
        me = _Waiter()
        self._line.append(me)
        loop = asyncio.get_running_loop()
        try:
            while True:
                me.woken = loop.create_future()
                await me.woken
                if self._may_take(me):
                    self._free -= 1
                    self._line.remove(me)
                    self._wake()  # another permit may be free for the next in line
                    return
        except asyncio.CancelledError:
            self._line.remove(me)
            self._wake()  # if this waiter was woken for a free permit, the next one is
            raise

    def release(self) -> None:
        self._free += 1
        self._wake()

    def _wake(self) -> None:
        """Wake the longest waiter not yet woken, if a permit is free."""
        if self._free <= 0:
            return
        for waiter in self._line:
            if waiter.woken is not None and not waiter.woken.done():
                waiter.woken.set_result(None)
                return


class FairPool:
    """An asyncpg pool behind a FairGate of its size: the pool itself never has a waiter."""

    def __init__(self, pool, size: int, patience: float = PATIENCE) -> None:
        self._pool = pool
        self.gate = FairGate(size, patience)

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
