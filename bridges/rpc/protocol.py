"""The ZeroRPC wire protocol (v3): events, their msgpack encoding and their ZeroMQ framing.

An event is a msgpack array ``[header, name, args]``:

- ``header`` is a map with ``message_id`` (opaque bytes, unique per event), ``v`` (protocol version, 3)
  and, on every event of a conversation after the first, ``response_to`` (the first event's id).
  A request's header may also carry the caller's W3C trace context, ``traceparent`` / ``tracestate``.
- ``name`` is the method name on a request; ``OK`` / ``ERR`` on a reply; ``_zpc_hb`` for heartbeats;
  ``_zpc_more`` for flow control of streamed replies.
- ``args`` is an array: the call arguments, ``[result]`` for ``OK``, ``[name, message, traceback]``
  for ``ERR``.

A client (DEALER) sends ``[b"", event]``; the ROUTER in front of the server sees
``[identity..., b"", event]`` and answers with the same routing envelope.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from typing import Any

import msgpack

PROTOCOL_VERSION = 3

HEARTBEAT = "_zpc_hb"
MORE = "_zpc_more"
REPLY_OK = "OK"
REPLY_ERR = "ERR"

HEADER_MESSAGE_ID = "message_id"
HEADER_VERSION = "v"
HEADER_RESPONSE_TO = "response_to"

DEFAULT_HEARTBEAT_SECONDS = 5.0
MISSED_HEARTBEATS_ALLOWED = 2

_DELIMITER = b""


class ProtocolError(ValueError):
    """Bytes on the socket that are not a ZeroRPC event; ``header`` when one could still be read."""

    def __init__(self, message: str, header: dict[Any, Any] | None = None) -> None:
        super().__init__(message)
        self.header = header or {}


_id_prefix = os.urandom(8).hex().encode()
_id_counter = itertools.count()


def new_message_id() -> bytes:
    """Return a message id unique within this process and very unlikely to collide with a peer's."""
    return _id_prefix + f"{next(_id_counter):016x}".encode()


@dataclass
class Event:
    """One ZeroRPC event."""

    name: str
    args: Any
    header: dict[str, Any] = field(default_factory=dict)

    @property
    def message_id(self) -> Any:
        return self.header.get(HEADER_MESSAGE_ID)

    @property
    def response_to(self) -> Any:
        return self.header.get(HEADER_RESPONSE_TO)

    @property
    def version(self) -> int:
        version = self.header.get(HEADER_VERSION, 1)
        return version if isinstance(version, int) else 1


def reply_event(name: str, args: Any, response_to: Any) -> Event:
    """Build an event that continues the conversation ``response_to``."""
    header = {
        HEADER_MESSAGE_ID: new_message_id(),
        HEADER_VERSION: PROTOCOL_VERSION,
        HEADER_RESPONSE_TO: response_to,
    }
    return Event(name=name, args=args, header=header)


def error_args(name: str, message: str, traceback: str | None = None) -> list[Any]:
    """The ``ERR`` arguments a v2+ client turns into ``RemoteError(name, message, traceback)``."""
    return [name, message, traceback if traceback is not None else f"{name}: {message}\n"]


def encode_event(event: Event) -> bytes:
    """Pack an event; raises ``TypeError`` (from msgpack) when ``args`` holds something not packable."""
    return msgpack.packb([event.header, event.name, event.args], use_bin_type=True)


def decode_event(blob: bytes) -> Event:
    """Unpack an event; raises ``ProtocolError`` for anything that is not ``[header, name, args]``."""
    try:
        unpacked = msgpack.unpackb(blob, raw=False, strict_map_key=False)  # int keys: answered, not dropped
    except Exception as exc:  # msgpack raises several unrelated types on bad input
        raise ProtocolError(f"not msgpack: {exc}") from exc
    if not isinstance(unpacked, list | tuple) or len(unpacked) != 3:
        raise ProtocolError("an event is an array [header, name, args]")
    header, name, args = unpacked
    if not isinstance(name, str):
        raise ProtocolError("event name must be a string", header if isinstance(header, dict) else None)
    if not isinstance(header, dict):
        header = {}  # protocol v1 peers sent no header
    return Event(name=name, args=args, header=header)


def split_frames(frames: list[bytes]) -> tuple[list[bytes], bytes]:
    """Split a ROUTER message into its routing envelope and the event blob."""
    if len(frames) < 2:
        raise ProtocolError("a routed message has an identity frame and an event frame")
    if len(frames) > 2 and frames[-2] == _DELIMITER:
        return list(frames[:-2]), frames[-1]
    return list(frames[:-1]), frames[-1]


def join_frames(envelope: list[bytes], blob: bytes) -> list[bytes]:
    """Build the ROUTER message that carries ``blob`` back along ``envelope``."""
    return [*envelope, _DELIMITER, blob]
