"""The REST bridge process: ``rest_bridge(settings)`` is a ``Bridge`` serving the REST app."""

from __future__ import annotations

from bridges.lifecycle import AiohttpTransport, Bridge
from bridges.rest.app import build_rest_app
from streamproc.settings import StreamprocSettings


def rest_bridge(settings: StreamprocSettings, host: str | None = None, port: int | None = None) -> Bridge:
    """A REST bridge on ``host:port`` (settings' defaults); ``await bridge.start()`` returns its URL."""
    transport = AiohttpTransport(
        lambda bridge: build_rest_app(settings, bridge.catalog, bridge.requester),
        host or settings.rest_host,
        settings.rest_port if port is None else port,
    )
    return Bridge(settings, transport, "REST bridge")
