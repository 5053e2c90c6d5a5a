"""Drive the Sanic app in-process over ASGI, lifespan included, so its own start-up listeners
(database, key-value store, WeChat gateway) run exactly as they do under a server."""
from __future__ import annotations

import asyncio

import httpx


class Lifespan:
    def __init__(self, app) -> None:
        self.app = app
        self._inbox: asyncio.Queue = asyncio.Queue()
        self._outbox: asyncio.Queue = asyncio.Queue()
        self._task: asyncio.Task | None = None

    async def _receive(self):
        return await self._inbox.get()

    async def _send(self, message):
        await self._outbox.put(message)

    async def _expect(self, event: str) -> None:
        message = await asyncio.wait_for(self._outbox.get(), timeout=30)
        if message["type"] != event:
            raise RuntimeError(f"ASGI lifespan: expected {event}, got {message}")

    async def startup(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
        self._task = asyncio.create_task(self.app(scope, self._receive, self._send))
        await self._inbox.put({"type": "lifespan.startup"})
        await self._expect("lifespan.startup.complete")

    async def shutdown(self) -> None:
        await self._inbox.put({"type": "lifespan.shutdown"})
        await self._expect("lifespan.shutdown.complete")
        await self._task


def client(app, token: str | None = None, ip: str = "127.0.0.1") -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers)
