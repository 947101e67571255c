"""The WebSocket bridge's aiohttp application: Socket.IO at ``/socket.io/`` (engine limits and codec set
to the bridge's size limit), the dashboard UI at ``/``, ``/metrics`` and the model routes."""

from __future__ import annotations

from pathlib import Path

import socketio
from aiohttp import web

from bridges.access import BridgeAccess
from bridges.catalog import ModelCatalog
from bridges.dataplane import DataPlane
from bridges.feed import PredictionFeed
from bridges.requestreply.requester import Requester
from bridges.rest.models import model_routes
from bridges.websocket.fanout import DEFAULT_BUFFER_SIZE
from bridges.websocket.oversize import answer_oversize
from bridges.websocket.server import WebSocketBridge
from bridges.websocket.wire import ENGINE_HEADROOM, json_module
from streamproc.settings import StreamprocSettings

STATIC_DIR = Path(__file__).parent / "static"
METRICS_PATH = "/metrics"
BRIDGE_KEY = web.AppKey("websocket_bridge", WebSocketBridge)


async def _index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html")


def build_websocket_app(
    settings: StreamprocSettings,
    catalog: ModelCatalog,
    requester: Requester,
    feed: PredictionFeed,
    buffer_size: int = DEFAULT_BUFFER_SIZE,
) -> web.Application:
    """Socket.IO at ``/socket.io/``, the UI at ``/``, model routes under ``/api/models`` (no I/O here)."""
    plane = DataPlane(settings, catalog, requester)
    limit = plane.settings.max_body_bytes
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        max_http_buffer_size=limit * ENGINE_HEADROOM,
        json=json_module(limit),
        logger=False,
    )
    bridge = WebSocketBridge(plane, feed, sio, buffer_size)
    bridge.register()
    access = BridgeAccess.from_settings(settings)
    sio.on("connect", access.guard_socketio(bridge.on_connect))  # tokens, when configured
    feed.add_listener(bridge.live.on_prediction)
    middlewares = [*access.middlewares(), answer_oversize(sio, limit)]
    app = web.Application(client_max_size=limit * ENGINE_HEADROOM, middlewares=middlewares)
    app[BRIDGE_KEY] = bridge
    sio.attach(app)
    app.router.add_get("/", _index)
    app.router.add_static("/static/", STATIC_DIR)
    app.router.add_get(METRICS_PATH, bridge.metrics.handle)
    app.router.add_routes(model_routes(catalog))
    app.on_startup.append(bridge.start)
    app.on_shutdown.append(bridge.stop)
    return app
