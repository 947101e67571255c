"""Run one REST bridge (its own catalog, requester and app); ``serve_rest`` runs it until cancelled."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bridges.catalog import ModelCatalog
from bridges.requestreply.requester import Requester
from bridges.rest.app import build_rest_app
from streamproc.settings import StreamprocSettings


class RestBridge:
    """A REST bridge process's parts with an explicit lifecycle; ``start`` returns the URL it listens on."""

    def __init__(
        self, settings: StreamprocSettings, host: str | None = None, port: int | None = None
    ) -> None:
        self.settings = settings
        self.host = host or settings.rest_host
        self.port = settings.rest_port if port is None else port
        self.catalog = ModelCatalog(settings)
        self.requester = Requester(settings, self.catalog)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        if self._runner is not None:
            return self.url
        await self.catalog.start()
        await self.requester.start()
        runner = web.AppRunner(
            build_rest_app(self.settings, self.catalog, self.requester), shutdown_timeout=2.0
        )
        await runner.setup()
        self._runner = runner
        await web.TCPSite(runner, self.host, self.port).start()
        host, port = runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.requester.stop()
        await self.catalog.stop()


async def serve_rest(settings: StreamprocSettings, host: str | None = None, port: int | None = None) -> None:
    """Start the bridge on ``host:port`` (settings' defaults), print its URL, serve until cancelled."""
    bridge = RestBridge(settings, host, port)
    try:
        url = await bridge.start()
        print(f"REST bridge listening on {url} (docs at {url}/docs)", flush=True)
        await asyncio.Event().wait()
    finally:
        await bridge.stop()
