"""An asyncio ZeroRPC server: a ROUTER socket, one channel per in-flight call, heartbeats both ways.

Each request opens a channel keyed by the client's routing identity and the request's ``message_id``.
The call runs in its own task; while it runs the server sends ``_zpc_hb`` on the channel every
``heartbeat`` seconds and expects the client's heartbeats back. A channel whose client has been silent
for ``MISSED_HEARTBEATS_ALLOWED`` intervals expires: its call task is cancelled and its entry freed,
so a client that vanishes mid-call costs nothing after that. A request whose header carries
``traceparent``/``tracestate`` runs in that trace context (spans it makes are the caller's children).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import zmq
import zmq.asyncio

if TYPE_CHECKING:
    from bridges.access import CurveGuard
from bridges.rpc.methods import MethodTable, RemoteCallError, ServiceMethods
from bridges.rpc.protocol import (
    DEFAULT_HEARTBEAT_SECONDS,
    HEARTBEAT,
    MISSED_HEARTBEATS_ALLOWED,
    MORE,
    REPLY_ERR,
    REPLY_OK,
    Event,
    ProtocolError,
    decode_event,
    encode_event,
    error_args,
    join_frames,
    reply_event,
    split_frames,
)
from streamproc.telemetry.tracing import carried_context, continuing

logger = logging.getLogger(__name__)

ChannelKey = tuple[tuple[bytes, ...], Hashable]
Observer = Callable[[str, str, float], None]  # (method, outcome: "OK" or the error name, seconds)


@dataclass
class _Channel:
    """One in-flight call: where to answer and when the client was last heard from."""

    channel_id: Any
    envelope: list[bytes]
    version: int
    last_heard: float
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def heartbeats(self) -> bool:
        return self.version >= 2  # protocol v1 peers do not heartbeat


class RpcServer:
    """Serve a ``MethodTable`` over ZeroRPC on ``tcp://host:port`` (``port=0``: pick a free port)."""

    def __init__(
        self,
        methods: MethodTable,
        host: str = "127.0.0.1",
        port: int = 4242,
        *,
        name: str | None = None,
        heartbeat: float = DEFAULT_HEARTBEAT_SECONDS,
        max_message_bytes: int | None = None,
        guard: CurveGuard | None = None,
        observer: Observer | None = None,
    ) -> None:
        self._service = ServiceMethods(methods, name or type(methods).__name__)
        self._host = host
        self._port = port
        self._heartbeat = heartbeat
        self._max_message_bytes = max_message_bytes
        self._guard = guard  # CURVE keys and the clients admitted (bridges.access), or None
        self._observer = observer  # told of every answered call (metrics), or None
        self._context: zmq.asyncio.Context | None = None
        self._socket: zmq.asyncio.Socket | None = None
        self._loops: list[asyncio.Task[None]] = []
        self._channels: dict[ChannelKey, _Channel] = {}

    @property
    def port(self) -> int:
        """The bound port (the real one once started with ``port=0``)."""
        return self._port

    @property
    def endpoint(self) -> str:
        return f"tcp://{self._host}:{self._port}"

    @property
    def channel_count(self) -> int:
        """Calls in flight (channels not yet answered or expired)."""
        return len(self._channels)

    async def start(self) -> None:
        """Bind and start serving; a second call does nothing."""
        if self._socket is not None:
            return
        context = zmq.asyncio.Context()
        sock = context.socket(zmq.ROUTER)
        sock.setsockopt(zmq.LINGER, 0)
        if self._max_message_bytes is not None:
            # hard cap well above the soft limit, so oversize requests still get an ERR answer
            sock.setsockopt(zmq.MAXMSGSIZE, self._max_message_bytes * 16 + 65536)
        if self._guard is not None:
            self._guard.secure(context, sock)
        try:
            if self._port == 0:
                self._port = sock.bind_to_random_port(f"tcp://{self._host}")
            else:
                sock.bind(f"tcp://{self._host}:{self._port}")
        except zmq.ZMQError as exc:
            sock.close()
            if self._guard is not None:
                self._guard.stop()
            context.term()
            raise OSError(f"RPC server cannot bind tcp://{self._host}:{self._port}: {exc}") from exc
        self._context, self._socket = context, sock
        self._loops = [asyncio.create_task(self._receive_loop()), asyncio.create_task(self._heartbeat_loop())]
        logger.info("rpc server listening endpoint=%s name=%s", self.endpoint, self._service.name)

    async def stop(self) -> None:
        """Cancel every call, close the socket; a second call does nothing."""
        if self._socket is None:
            return
        tasks = self._loops + [ch.task for ch in self._channels.values() if ch.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._channels.clear()
        self._loops = []
        self._socket.close(linger=0)
        if self._guard is not None:
            self._guard.stop()
        if self._context is not None:
            self._context.term()
        self._socket, self._context = None, None
        logger.info("rpc server stopped endpoint=%s", self.endpoint)

    async def __aenter__(self) -> RpcServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _receive_loop(self) -> None:
        assert self._socket is not None
        while True:
            frames = await self._socket.recv_multipart()
            try:
                envelope, blob = split_frames(frames)
                event = decode_event(blob)
            except ProtocolError as exc:
                self._refuse(frames, exc)
                continue
            self._dispatch(envelope, event, len(blob))

    def _refuse(self, frames: list[bytes], exc: ProtocolError) -> None:
        """Answer a malformed request whose header names a message id; log the rest."""
        message_id = exc.header.get("message_id")
        if not isinstance(message_id, Hashable) or message_id is None or len(frames) < 2:
            logger.warning("rpc dropped malformed message: %s", exc)
            return
        envelope, _ = split_frames(frames)
        version = exc.header.get("v", 3) if isinstance(exc.header.get("v"), int) else 3
        channel = _Channel(message_id, envelope, version, 0.0)
        asyncio.get_running_loop().create_task(
            self._send(channel, self._error(channel, "ProtocolError", str(exc)))
        )

    def _dispatch(self, envelope: list[bytes], event: Event, size: int) -> None:
        """Route an event to its channel, or open a channel for a new request."""
        now = asyncio.get_running_loop().time()
        if event.response_to is not None:
            channel = self._channels.get(_key(envelope, event.response_to))
            if channel is not None:
                channel.last_heard = now  # heartbeats and flow control both prove the client alive
            return
        if event.name in (HEARTBEAT, MORE) or not isinstance(event.message_id, Hashable):
            return
        key = _key(envelope, event.message_id)
        if event.message_id is None or key in self._channels:
            logger.warning("rpc dropped request without a fresh message_id method=%s", event.name)
            return
        # one interval of grace: a passive client only starts heartbeating after our first heartbeat
        channel = _Channel(event.message_id, envelope, event.version, now + self._heartbeat)
        self._channels[key] = channel
        channel.task = asyncio.create_task(self._serve_call(key, channel, event, size))

    async def _serve_call(self, key: ChannelKey, channel: _Channel, event: Event, size: int) -> None:
        try:
            with continuing(carried_context(event.header)):  # the caller's traceparent, as HTTP servers do
                reply = await self._answer(channel, event, size)
            await self._send(channel, reply)
        finally:
            self._channels.pop(key, None)

    async def _answer(self, channel: _Channel, event: Event, size: int) -> Event:
        """Run the call and build its ``OK`` or ``ERR`` event (and tell the observer how it went)."""
        started, outcome = time.perf_counter(), None
        try:
            if self._max_message_bytes is not None and size > self._max_message_bytes:
                raise RemoteCallError(
                    "ValueError", f"request of {size} bytes is over the {self._max_message_bytes}-byte limit"
                )
            if not isinstance(event.args, list | tuple):
                raise RemoteCallError("TypeError", "call arguments must be an array")
            result = await self._service.call(event.name, list(event.args))
            outcome = "OK"
            return reply_event(REPLY_OK, [result], channel.channel_id)
        except RemoteCallError as exc:
            outcome = exc.name
            return self._error(channel, exc.name, exc.message)
        except Exception:
            outcome = "ServiceError"
            logger.exception("rpc method failed method=%s", event.name)
            return self._error(channel, "ServiceError", "Internal server error.")
        finally:
            if self._observer is not None and outcome is not None:  # None: cancelled (client lost)
                self._observer(event.name, outcome, time.perf_counter() - started)

    def _error(self, channel: _Channel, name: str, message: str) -> Event:
        args = error_args(name, message) if channel.version >= 2 else [f"{name}: {message}"]
        return reply_event(REPLY_ERR, args, channel.channel_id)

    async def _send(self, channel: _Channel, event: Event) -> None:
        try:
            blob = encode_event(event)
        except (TypeError, ValueError, OverflowError) as exc:
            logger.error("rpc reply not serialisable: %s", exc)
            blob = encode_event(self._error(channel, "TypeError", f"result cannot be serialised: {exc}"))
        if self._socket is None:
            return
        try:
            await self._socket.send_multipart(join_frames(channel.envelope, blob))
        except zmq.ZMQError as exc:
            logger.warning("rpc send failed: %s", exc)

    async def _heartbeat_loop(self) -> None:
        """Every interval: heartbeat each live channel, expire each whose client went silent."""
        limit = self._heartbeat * MISSED_HEARTBEATS_ALLOWED
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._heartbeat)
            now = loop.time()
            for key, channel in list(self._channels.items()):
                if not channel.heartbeats:
                    continue
                if now - channel.last_heard > limit:
                    self._expire(key, channel)
                else:
                    await self._send(channel, reply_event(HEARTBEAT, [0], channel.channel_id))

    def _expire(self, key: ChannelKey, channel: _Channel) -> None:
        logger.warning("rpc client lost, cancelling its call channel=%r", channel.channel_id)
        self._channels.pop(key, None)
        if channel.task is not None:
            channel.task.cancel()


def _key(envelope: list[bytes], channel_id: Any) -> ChannelKey:
    return (tuple(envelope), channel_id)
