"""The WebSocket bridge's Socket.IO event handlers: an adapter over the data plane (``app.py`` serves them).

Events (compatible with the original model websocket service):

- client ``prediction_request`` ``{model_qualified_name, input_data, correlation_id?, traceparent?,
  tracestate?}`` (the W3C trace context of the caller, continued when valid) → the sender gets
  ``prediction_response`` ``{model_qualified_name, prediction, correlation_id?}`` or ``prediction_error``
  ``{model_qualified_name, type, message, correlation_id?}``; the same payload is the acknowledgement.
  Anything a client can send gets one of them, first: no argument or several, a JSON string, a payload
  too deep or too large (that one is then disconnected; ``oversize.py`` when too large for the engine).
- client ``subscribe`` / ``unsubscribe`` ``{model_qualified_name}`` → joins / leaves the model's room; while
  subscribed the client gets a ``prediction`` event ``{model_qualified_name, prediction, correlation_id,
  key, timestamp}`` (``key``: the record key as text, or null) for every output record of that model,
  from any producer, through its bounded buffer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import socketio
from aiohttp import web

from bridges.dataplane import DataPlane, error_messages, lookup
from bridges.feed import PredictionFeed
from bridges.websocket.live import NAMESPACE, LiveSubscriptions
from bridges.websocket.metrics import WebSocketMetrics
from bridges.websocket.wire import read_request
from streamproc.errors import (
    DeserializationError,
    PayloadTooLargeError,
    ReplyTimeoutError,
    SchemaError,
    StreamprocError,
    UnknownModelError,
)
from streamproc.telemetry.tracing import carried_context, continuing

log = logging.getLogger(__name__)
DISCONNECT_AFTER = 0.5  # s: an oversize request's error and acknowledgement go out before the disconnect
ERROR_TYPES: dict[type[Exception], str] = {
    DeserializationError: "DESERIALIZATION_ERROR",
    SchemaError: "SCHEMA_ERROR",
    ReplyTimeoutError: "TIMEOUT",
    StreamprocError: "ERROR",
}


class WebSocketBridge:
    """Socket.IO event handlers bound to one data plane and feed."""

    def __init__(
        self, plane: DataPlane, feed: PredictionFeed, sio: socketio.AsyncServer, buffer_size: int
    ) -> None:
        self.plane = plane
        self.feed = feed
        self.sio = sio
        self.metrics = WebSocketMetrics()
        timeout = plane.settings.request_timeout
        self.live = LiveSubscriptions(feed, sio, self.metrics, buffer_size, self._refusal, timeout)
        self._tasks: set[asyncio.Future[None]] = set()

    def register(self) -> None:
        for event in ("connect", "disconnect", "prediction_request"):
            self.sio.on(event, getattr(self, f"on_{event}"))
        self.sio.on("subscribe", self.live.on_subscribe)
        self.sio.on("unsubscribe", self.live.on_unsubscribe)

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        self.live.add_client(sid)
        self.metrics.clients.inc()

    async def on_disconnect(self, sid: str, *reason: Any) -> None:
        self.metrics.clients.dec()
        await self.live.remove_client(sid)

    async def on_prediction_request(self, sid: str, *args: Any) -> dict[str, Any]:
        request, problem = read_request(args)
        try:
            if problem is not None:
                raise problem
            with continuing(carried_context(request)):  # the caller's traceparent, as RPC and HTTP do
                prediction = await self.plane.predict(
                    request.get("model_qualified_name"),
                    request.get("input_data"),
                    request.get("correlation_id"),
                )
        except StreamprocError as exc:  # the data plane raises nothing else
            error_type = lookup(ERROR_TYPES, exc)
            self.metrics.requests.labels(
                self.plane.model_label(request.get("model_qualified_name")), error_type
            ).inc()
            reply = await self._reply(
                sid, "prediction_error", request, type=error_type, message=self._message(exc)
            )
            if isinstance(exc, PayloadTooLargeError) and problem is exc:  # over the limit: answered, then cut
                asyncio.get_running_loop().call_later(DISCONNECT_AFTER, self._disconnect, sid)
            return reply
        self.metrics.requests.labels(request["model_qualified_name"], "OK").inc()
        return await self._reply(sid, "prediction_response", request, prediction=prediction)

    async def _reply(self, sid: str, event: str, request: dict[str, Any], **fields: Any) -> dict[str, Any]:
        reply = {"model_qualified_name": request.get("model_qualified_name"), **fields}
        if request.get("correlation_id") is not None:
            reply["correlation_id"] = request["correlation_id"]
        await self.sio.emit(event, reply, to=sid)
        return reply

    def _disconnect(self, sid: str) -> None:
        task = asyncio.ensure_future(self.sio.disconnect(sid))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _refusal(self, qualified_name: str) -> dict[str, Any] | None:
        try:
            self.plane.metadata(qualified_name)
        except StreamprocError as exc:
            return {"ok": False, "type": lookup(ERROR_TYPES, exc), "message": self._message(exc)}
        return None

    def _message(self, exc: StreamprocError) -> str:
        message = "; ".join(error_messages(exc))
        if isinstance(exc, UnknownModelError):
            known = ", ".join(model["qualified_name"] for model in self.plane.models()) or "none"
            message = f"{message} Available models: {known}."
        return message

    async def start(self, app: web.Application) -> None:
        self.live.open()

    async def stop(self, app: web.Application) -> None:
        """On shutdown: stop the live streams and disconnect clients, so open sockets do not hold it up."""
        await self.live.close()
        sids = [sid for sid, _ in self.sio.manager.get_participants(NAMESPACE, None)]
        await asyncio.gather(*(self.sio.disconnect(sid) for sid in sids), return_exceptions=True)
        await self.sio.shutdown()
