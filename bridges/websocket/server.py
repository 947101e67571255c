"""The WebSocket bridge: a python-socketio ``AsyncServer`` on aiohttp, plus the dashboard UI.

Events (compatible with the original model websocket service):

- client ``prediction_request`` ``{model_qualified_name, input_data, correlation_id?}`` → the sender gets
  ``prediction_response`` ``{model_qualified_name, prediction, correlation_id?}`` or ``prediction_error``
  ``{model_qualified_name, type, message, correlation_id?}``. The same payload is returned as the event's
  acknowledgement, so clients using ``call()`` get it too.
- client ``subscribe`` / ``unsubscribe`` ``{model_qualified_name}`` → joins / leaves the model's room; while
  subscribed the client gets a ``prediction`` event ``{model_qualified_name, prediction, correlation_id,
  key, timestamp}`` (``key``: the record key as text, or null) for every output record of that model,
  from any producer, through its bounded buffer.

``DESERIALIZATION_ERROR`` is what a bridge request gets when its envelope cannot be read: a string payload
that is not JSON, a payload that is not an object, a missing or non-string ``model_qualified_name``, or an
``input_data`` that is not a JSON object (the worker would have to reject such an input record anyway).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import socketio
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest

from bridges.access import BridgeAccess
from bridges.catalog import ModelCatalog
from bridges.feed import PredictionFeed
from bridges.requestreply.requester import Requester
from bridges.rest.models import model_routes
from bridges.websocket.fanout import DEFAULT_BUFFER_SIZE, Fanout
from streamproc.errors import (
    DeserializationError,
    MessageError,
    ReplyTimeoutError,
    SchemaError,
    StreamprocError,
    UnknownModelError,
)
from streamproc.settings import StreamprocSettings

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
NAMESPACE = "/"

METRICS_PATH = "/metrics"
BAD_SUBSCRIPTION = {
    "ok": False,
    "type": "DESERIALIZATION_ERROR",
    "message": "Expected {model_qualified_name}.",
}

# The one table from domain errors to ``prediction_error.type``; first matching class wins.
ERROR_TYPES: tuple[tuple[type[Exception], str], ...] = (
    (DeserializationError, "DESERIALIZATION_ERROR"),
    (SchemaError, "SCHEMA_ERROR"),
    (ReplyTimeoutError, "TIMEOUT"),
    (TimeoutError, "TIMEOUT"),
    (StreamprocError, "ERROR"),
)


class WebSocketMetrics:
    """Prometheus metrics of one WebSocket bridge app, in its own registry (served on ``/metrics``)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "streamproc_websocket_requests",
            "Socket.IO prediction requests by model and outcome (OK or the prediction_error type).",
            ["model", "outcome"],
            registry=self.registry,
        )
        self.dropped = Counter(
            "streamproc_websocket_dropped_events",
            "Live prediction events dropped because a client's buffer was full.",
            ["model"],
            registry=self.registry,
        )
        self.sent = Counter(
            "streamproc_websocket_sent_events",
            "Live prediction events handed to clients.",
            ["model"],
            registry=self.registry,
        )
        self.clients = Gauge(
            "streamproc_websocket_clients", "Connected Socket.IO clients.", registry=self.registry
        )

    def count_drop(self, model: str) -> None:
        self.dropped.labels(model=model).inc()

    def count_sent(self, model: str) -> None:
        self.sent.labels(model=model).inc()

    async def handle(self, request: web.Request) -> web.Response:
        return web.Response(
            body=generate_latest(self.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )


def error_type_for(exc: Exception) -> str:
    for exc_class, error_type in ERROR_TYPES:
        if isinstance(exc, exc_class):
            return error_type
    return "ERROR"


def error_message(exc: Exception, catalog: ModelCatalog) -> str:
    if isinstance(exc, UnknownModelError):
        known = ", ".join(entry.qualified_name for entry in catalog.entries()) or "none"
        return f"Model '{exc.qualified_name}' not found. Available models: {known}."
    if isinstance(exc, MessageError):
        issues = [f"{issue.location}: {issue.message}" for issue in exc.details]
        untold = [issue for issue in issues if issue not in exc.message]
        return f"{exc.message} ({'; '.join(untold)})" if untold else exc.message
    return str(exc) or type(exc).__name__


def room_for(qualified_name: str) -> str:
    return f"model:{qualified_name}"


@dataclass(frozen=True)
class PredictionRequest:
    model_qualified_name: str
    input_data: dict[str, Any]
    correlation_id: Any = None


def parse_request(data: Any) -> PredictionRequest:
    """Read a ``prediction_request`` payload; raises ``DeserializationError`` when it cannot be read."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise DeserializationError(f"Request is not valid JSON: {exc}.") from exc
    if not isinstance(data, dict):
        raise DeserializationError("Request must be an object with model_qualified_name and input_data.")
    qualified_name = data.get("model_qualified_name")
    if not isinstance(qualified_name, str) or not qualified_name:
        raise DeserializationError("Request field 'model_qualified_name' must be a non-empty string.")
    input_data = data.get("input_data")
    if not isinstance(input_data, dict):
        raise DeserializationError("Request field 'input_data' must be a JSON object.")
    return PredictionRequest(qualified_name, input_data, data.get("correlation_id"))


def _envelope(data: Any, **fields: Any) -> dict[str, Any]:
    """A reply payload that echoes the model name and, when given, the correlation id of the request."""
    qualified_name = data.get("model_qualified_name") if isinstance(data, dict) else None
    reply: dict[str, Any] = {"model_qualified_name": qualified_name, **fields}
    if isinstance(data, dict) and data.get("correlation_id") is not None:
        reply["correlation_id"] = data["correlation_id"]
    return reply


def _subscription_model(data: Any) -> str | None:
    if isinstance(data, str):
        return data or None
    if isinstance(data, dict) and isinstance(data.get("model_qualified_name"), str):
        return data["model_qualified_name"] or None
    return None


class WebSocketBridge:
    """Socket.IO event handlers bound to one catalog, requester and feed."""

    def __init__(
        self,
        settings: StreamprocSettings,
        catalog: ModelCatalog,
        requester: Requester,
        sio: socketio.AsyncServer,
        buffer_size: int,
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self.requester = requester
        self.sio = sio
        self.metrics = WebSocketMetrics()
        self.fanout = Fanout(
            self._send_when_drained, buffer_size, self.metrics.count_drop, self.metrics.count_sent
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._open = False

    def register(self) -> None:
        self.sio.on("connect", self.on_connect)
        self.sio.on("disconnect", self.on_disconnect)
        self.sio.on("prediction_request", self.on_prediction_request)
        self.sio.on("subscribe", self.on_subscribe)
        self.sio.on("unsubscribe", self.on_unsubscribe)

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        self.fanout.add_client(sid)
        self.metrics.clients.inc()

    async def on_disconnect(self, sid: str, *reason: Any) -> None:
        self.metrics.clients.dec()
        await self.fanout.remove_client(sid)

    async def on_prediction_request(self, sid: str, data: Any) -> dict[str, Any]:
        model = data.get("model_qualified_name") if isinstance(data, dict) else None
        try:
            request = parse_request(data)
            prediction = await self.requester.predict(
                request.model_qualified_name, request.input_data, timeout=self.settings.request_timeout
            )
        except Exception as exc:  # every failure is answered, never only logged
            if not isinstance(exc, StreamprocError | TimeoutError):
                log.exception("websocket prediction failed model=%s", model)
            error_type = error_type_for(exc)
            self.metrics.requests.labels(model=str(model), outcome=error_type).inc()
            reply = _envelope(data, type=error_type, message=error_message(exc, self.catalog))
            await self.sio.emit("prediction_error", reply, to=sid)
            return reply
        self.metrics.requests.labels(model=request.model_qualified_name, outcome="OK").inc()
        reply = _envelope(data, prediction=prediction)
        await self.sio.emit("prediction_response", reply, to=sid)
        return reply

    async def on_subscribe(self, sid: str, data: Any) -> dict[str, Any]:
        qualified_name = _subscription_model(data)
        if qualified_name is None:
            return dict(BAD_SUBSCRIPTION)
        try:
            self.catalog.get(qualified_name)
        except StreamprocError as exc:
            return {"ok": False, "type": error_type_for(exc), "message": error_message(exc, self.catalog)}
        await self.sio.enter_room(sid, room_for(qualified_name))
        return {"ok": True, "model_qualified_name": qualified_name}

    async def on_unsubscribe(self, sid: str, data: Any) -> dict[str, Any]:
        qualified_name = _subscription_model(data)
        if qualified_name is None:
            return dict(BAD_SUBSCRIPTION)
        await self.sio.leave_room(sid, room_for(qualified_name))
        return {"ok": True, "model_qualified_name": qualified_name}

    def on_prediction(self, qualified_name: str, output: dict[str, Any], meta: dict[str, Any]) -> None:
        """``PredictionFeed`` listener: queue a ``prediction`` event for every subscriber of the model."""
        if not self._open:  # called on the event loop: the feed hands its batches over with _call
            return
        sids = [sid for sid, _ in self.sio.manager.get_participants(NAMESPACE, room_for(qualified_name))]
        if sids:
            payload = {
                "model_qualified_name": qualified_name,
                "prediction": output,
                "correlation_id": meta.get("correlation_id"),
                "key": meta.get("key"),
                "timestamp": meta.get("timestamp"),
            }
            self.fanout.publish(sids, qualified_name, "prediction", payload)

    async def _send_when_drained(self, sid: str, event: str, payload: dict[str, Any]) -> None:
        """Emit once the client's Engine.IO queue is empty, so backlog stays in the bounded buffer."""
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, NAMESPACE)
        socket = self.sio.eio.sockets.get(eio_sid) if eio_sid is not None else None
        queue = getattr(socket, "queue", None)
        if queue is not None:
            await queue.join()
        await self.sio.emit(event, payload, to=sid)

    async def start(self, app: web.Application) -> None:
        self._loop = asyncio.get_running_loop()
        self._open = True

    async def stop(self, app: web.Application) -> None:
        """On shutdown: stop the live streams and disconnect clients, so open sockets do not hold it up."""
        self._open = False
        await self.fanout.close()
        sids = [sid for sid, _ in self.sio.manager.get_participants(NAMESPACE, None)]
        await asyncio.gather(*(self.sio.disconnect(sid) for sid in sids), return_exceptions=True)
        await self.sio.shutdown()


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
    """The aiohttp app: Socket.IO at ``/socket.io/``, the UI at ``/``, model routes under ``/api/models``.

    ``catalog``, ``requester`` and ``feed`` are started (and stopped) by the caller.
    """
    sio = socketio.AsyncServer(async_mode="aiohttp", max_http_buffer_size=settings.max_body_bytes)
    bridge = WebSocketBridge(settings, catalog, requester, sio, buffer_size)
    bridge.register()
    access = BridgeAccess.from_settings(settings)
    sio.on("connect", access.guard_socketio(bridge.on_connect))  # tokens, when configured
    feed.add_listener(bridge.on_prediction)

    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=access.middlewares())
    app[BRIDGE_KEY] = bridge
    sio.attach(app)
    app.router.add_get("/", _index)
    app.router.add_static("/static/", STATIC_DIR)
    app.router.add_get(METRICS_PATH, bridge.metrics.handle)
    app.router.add_routes(model_routes(catalog))
    app.on_startup.append(bridge.start)
    app.on_shutdown.append(bridge.stop)
    return app
