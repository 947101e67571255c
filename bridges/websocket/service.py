"""Run the WebSocket bridge as a service: start the catalog, requester and feed, serve until cancelled."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from bridges.catalog import ModelCatalog
from bridges.feed import PredictionFeed
from bridges.requestreply.requester import Requester
from bridges.websocket.server import build_websocket_app
from streamproc.settings import StreamprocSettings

log = logging.getLogger(__name__)
CATALOG_WAIT = 15.0  # seconds to wait for the catalog before listening; requests fail clearly until then


@contextlib.asynccontextmanager
async def running_app(app: web.Application, host: str, port: int) -> AsyncIterator[str]:
    """Serve ``app`` on ``host:port`` (0 picks a free port) while inside; yields the base URL ``http://h:p``."""
    runner = web.AppRunner(app, shutdown_timeout=5.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        yield f"http://{bound_host}:{bound_port}"
    finally:
        await runner.cleanup()


async def serve_websocket(
    settings: StreamprocSettings,
    host: str | None = None,
    port: int | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve Socket.IO and the dashboard on ``host:port`` (settings' by default) until cancelled.

    Prints the UI's URL once listening, and calls ``on_ready(url)`` when given.
    """
    host = host or settings.websocket_host
    port = settings.websocket_port if port is None else port
    catalog = ModelCatalog(settings)
    requester = Requester(settings, catalog)
    feed = PredictionFeed(settings, catalog)
    async with contextlib.AsyncExitStack() as stack:
        await catalog.start()
        stack.push_async_callback(catalog.stop)
        if not await catalog.wait_ready(CATALOG_WAIT):
            log.warning(
                "catalog %s not read within %.0f s; serving anyway", settings.catalog_topic, CATALOG_WAIT
            )
        await requester.start()
        stack.push_async_callback(requester.stop)
        await feed.start()
        stack.push_async_callback(feed.stop)
        app = build_websocket_app(settings, catalog, requester, feed)
        url = await stack.enter_async_context(running_app(app, host, port))
        print(f"WebSocket bridge: Socket.IO at {url}/socket.io/ , dashboard UI at {url}/", flush=True)
        log.info("websocket bridge listening url=%s", url)
        if on_ready is not None:
            on_ready(url)
        await asyncio.Event().wait()
