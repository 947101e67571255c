"""The WebSocket bridge process: ``websocket_bridge(settings)``, a ``Bridge`` serving Socket.IO and the UI."""

from __future__ import annotations

from bridges.lifecycle import AiohttpTransport, Bridge
from bridges.websocket.app import build_websocket_app
from streamproc.settings import StreamprocSettings


def websocket_bridge(
    settings: StreamprocSettings, host: str | None = None, port: int | None = None
) -> Bridge:
    """Socket.IO at ``{url}/socket.io/`` and the dashboard at ``{url}/`` on ``host:port``."""
    transport = AiohttpTransport(
        lambda bridge: build_websocket_app(settings, bridge.catalog, bridge.requester, bridge.feed),
        host or settings.websocket_host,
        settings.websocket_port if port is None else port,
    )
    return Bridge(
        settings, transport, "WebSocket bridge (Socket.IO at /socket.io/, dashboard UI at /)", with_feed=True
    )
