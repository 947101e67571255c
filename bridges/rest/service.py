"""``serve_rest``: run one REST bridge (catalog + requester + app) until cancelled."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bridges.catalog import ModelCatalog
from bridges.requester import Requester
from bridges.rest.app import build_rest_app
from streamproc.settings import StreamprocSettings


async def serve_rest(settings: StreamprocSettings, host: str | None = None, port: int | None = None) -> None:
    """Start the bridge on ``host:port`` (settings' defaults), print its URL, serve until cancelled."""
    host = host or settings.rest_host
    port = settings.rest_port if port is None else port
    catalog = ModelCatalog(settings)
    requester = Requester(settings, catalog)
    runner: web.AppRunner | None = None
    try:
        await catalog.start()
        await requester.start()
        runner = web.AppRunner(build_rest_app(settings, catalog, requester), shutdown_timeout=2.0)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        bound_host, bound_port = runner.addresses[0][:2]
        print(f"REST bridge listening on http://{bound_host}:{bound_port} (docs at /docs)", flush=True)
        await asyncio.Event().wait()
    finally:
        if runner is not None:
            await runner.cleanup()
        await requester.stop()
        await catalog.stop()
