"""One lifecycle for every bridge: ``Bridge`` (its parts plus one transport) and ``serve(bridge)``.

Every long-lived object here does no I/O in ``__init__``, has idempotent ``start()``/``stop()`` and works
as ``async with``. ``Bridge.start`` reads the catalog, prepares each catalogued model's reply codecs (so
the first request is as fast as the tenth), opens the reply topic and the feed, then the transport.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from aiohttp import web

from bridges.catalog import ModelCatalog
from bridges.dataplane import DataPlane
from bridges.feed import PredictionFeed
from bridges.requestreply.requester import Requester
from streamproc.errors import StreamprocError
from streamproc.settings import StreamprocSettings
from streamproc.wire.catalog_record import CatalogEntry

log = logging.getLogger(__name__)
CATALOG_WAIT = 15.0  # seconds to wait for the catalog before listening; requests fail clearly until then


class Transport(Protocol):
    """The wire side of a bridge: ``open`` listens and returns the address, ``close`` stops listening."""

    async def open(self, bridge: Bridge) -> str: ...

    async def close(self) -> None: ...


class Bridge:
    def __init__(
        self, settings: StreamprocSettings, transport: Transport, name: str, *, with_feed: bool = False
    ) -> None:
        self.settings = settings
        self.name = name
        self.catalog = ModelCatalog(settings)
        self.requester = Requester(settings, self.catalog)
        self.feed = PredictionFeed(settings, self.catalog)
        self.plane = DataPlane(settings, self.catalog, self.requester)
        self.transport = transport
        self.with_feed = with_feed
        self.address = ""
        self._started = False

    async def start(self) -> str:
        if self._started:
            return self.address
        self._started = True
        await self.catalog.start()
        if not await self.catalog.wait_ready(CATALOG_WAIT):
            log.warning(
                "catalog %s not read in %.0f s; serving anyway", self.settings.catalog_topic, CATALOG_WAIT
            )
        self.catalog.add_listener(self._prepare)
        await self.requester.start()
        if self.with_feed:
            await self.feed.start()
        self.address = await self.transport.open(self)
        return self.address

    async def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        await self.transport.close()
        await self.feed.stop()
        await self.requester.stop()
        await self.catalog.stop()

    async def __aenter__(self) -> Bridge:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _prepare(self, entry: CatalogEntry) -> None:
        try:
            self.requester.prepare(entry)
        except StreamprocError as exc:
            log.warning("model %s: reply codecs not ready: %s", entry.qualified_name, exc)


class AiohttpTransport:
    """Serves the aiohttp app ``build(bridge)`` on ``host:port`` (0 picks a free port)."""

    def __init__(self, build: Callable[[Bridge], web.Application], host: str, port: int) -> None:
        self._build = build
        self._host = host
        self._port = port
        self._stack: contextlib.AsyncExitStack | None = None

    async def open(self, bridge: Bridge) -> str:
        self._stack = contextlib.AsyncExitStack()
        return await self._stack.enter_async_context(running_app(self._build(bridge), self._host, self._port))

    async def close(self) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()


@contextlib.asynccontextmanager
async def running_app(app: web.Application, host: str, port: int) -> AsyncIterator[str]:
    """Serve ``app`` on ``host:port`` while inside; yields the base URL ``http://h:p``."""
    runner = web.AppRunner(app, shutdown_timeout=2.0, keepalive_timeout=KEEPALIVE_TIMEOUT)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        bound_host, bound_port = runner.addresses[0][:2]
        yield f"http://{bound_host}:{bound_port}"
    finally:
        await runner.cleanup()


KEEPALIVE_TIMEOUT = 15.0  # seconds an idle keep-alive connection is kept (bodies have their own timeout)


async def serve(bridge: Bridge, on_ready: Callable[[str], None] | None = None) -> None:
    """Start ``bridge``, print where it listens, serve until cancelled, then stop it."""
    async with bridge:
        print(f"{bridge.name} listening on {bridge.address}", flush=True)
        log.info("%s listening on %s", bridge.name, bridge.address)
        if on_ready is not None:
            on_ready(bridge.address)
        await asyncio.Event().wait()
