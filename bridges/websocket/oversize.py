"""Requests too large for the engine itself: the client gets a ``prediction_error`` before the cut.

Up to ``ENGINE_HEADROOM`` times the size limit the engine reads a request and the bridge answers it
(``wire.py``). Beyond that the engine refuses to read it: aiohttp closes a WebSocket whose frame header
announces too many bytes, Engine.IO answers a polling POST with too long a body with 400 and a
disconnect. Both refusals are caught here and the error event sent first, on the same connection:
a WebSocket gets it as a text frame before the close frame, a polling client in its next poll before
the close packet. The request itself is never read, so the error names no model or correlation id.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import engineio.packet
import socketio
from aiohttp import WSCloseCode, web
from engineio.async_drivers import aiohttp as engine_aiohttp

from bridges.websocket.live import NAMESPACE

ERROR_EVENT = "prediction_error"


def refusal(engine_limit: int, limit: int) -> dict[str, Any]:
    message = f"Request of more than {engine_limit} bytes is over the size limit of {limit} bytes."
    return {"model_qualified_name": None, "type": "ERROR", "message": message}


def event_frame(payload: dict[str, Any]) -> str:
    """The Engine.IO text frame of a Socket.IO ``prediction_error`` event in the default namespace."""
    event = socketio.packet.Packet(socketio.packet.EVENT, [ERROR_EVENT, payload], namespace=NAMESPACE)
    encoded = event.encode()
    assert isinstance(encoded, str)  # a packet without binary parts is one text frame
    return str(engineio.packet.Packet(engineio.packet.MESSAGE, encoded).encode())


class _AnsweringResponse(web.WebSocketResponse):
    """A WebSocket that, closing because a message is too big, first sends the error event."""

    def __init__(self, frame: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._frame = frame

    async def close(self, *, code: int = WSCloseCode.OK, message: bytes = b"", drain: bool = True) -> bool:
        if code == WSCloseCode.MESSAGE_TOO_BIG and not self.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):  # a peer gone away hears nothing
                await self.send_str(self._frame)
        return await super().close(code=code, message=message, drain=drain)


def _websocket_driver(frame: str) -> type[Any]:
    class AnsweringWebSocket(engine_aiohttp.WebSocket):  # type: ignore[misc]
        async def __call__(self, environ: dict[str, Any]) -> web.WebSocketResponse:
            max_size = self.server.max_http_buffer_size
            self._sock = _AnsweringResponse(frame, max_msg_size=max_size)
            await self._sock.prepare(environ["aiohttp.request"])
            self.environ = environ
            await self.handler(self)
            return self._sock

    return AnsweringWebSocket


def answer_oversize(sio: socketio.AsyncServer, limit: int) -> Any:
    """Make ``sio`` answer requests over its engine's limit; returns the aiohttp middleware for polling."""
    engine_limit = sio.eio.max_http_buffer_size
    payload = refusal(engine_limit, limit)
    # the engine's one hook for its WebSocket class is its driver table
    sio.eio._async = {**sio.eio._async, "websocket": _websocket_driver(event_frame(payload))}

    @web.middleware
    async def answer_oversize_polls(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        too_long = request.method == "POST" and (request.content_length or 0) > engine_limit
        if too_long and request.path.startswith("/socket.io/"):
            sid = sio.manager.sid_from_eio_sid(request.query.get("sid"), NAMESPACE)
            if sid is not None:  # queued for its next poll, before the engine's close packet
                await sio.emit(ERROR_EVENT, payload, to=sid)
        return await handler(request)

    return answer_oversize_polls
