"""What a Socket.IO client sends, read so that every event it can be told apart by gets an answer.

``json_module(limit)`` is the JSON codec the Socket.IO server parses packets with: a packet over the
size limit or nested too deep for the parser is not dropped but handed to its event handler as a marker,
so the client gets an error first (and, when too large, the disconnect after it). Engine.IO accepts up
to ``MAX_PACKETS`` packets in one polling POST, so a client's burst is never dropped.
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

from engineio.payload import Payload

from streamproc.errors import DeserializationError, PayloadTooLargeError, StreamprocError

MAX_PACKETS = 1024  # packets one polling POST may carry (Engine.IO's default, 16, dropped bursts)
# The engine accepts this many times the request limit, so a request up to that size is answered with an
# error before the disconnect; beyond it the engine refuses to read it and ``oversize.py`` answers.
ENGINE_HEADROOM = 4
Payload.max_decode_packets = MAX_PACKETS
_MARKER = "\x00streamproc-unreadable"
_EVENT = re.compile(r'\s*\[\s*"([A-Za-z0-9_]{1,64})"')
_TOO_LARGE = "too-large"
_TOO_DEEP = "too-deep"
USAGE = "prediction_request takes one object: {model_qualified_name, input_data, correlation_id?}."


def json_module(limit: int) -> Any:
    """A ``json``-like module for python-socketio that turns unreadable packets into markers."""

    def loads(text: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if len(text) > limit:
            return _marked(text, _TOO_LARGE)
        try:
            return json.loads(text, *args, **kwargs)
        except RecursionError:
            return _marked(text, _TOO_DEEP)

    return SimpleNamespace(loads=loads, dumps=json.dumps)


def _marked(text: str | bytes, kind: str) -> list[Any]:
    head = text[:200].decode("utf-8", "replace") if isinstance(text, bytes) else text[:200]
    match = _EVENT.match(head)
    if match is None:  # not attributable to an event: the engine drops it and logs
        raise ValueError("unreadable Socket.IO packet")
    return [match.group(1), {_MARKER: kind, "size": len(text)}]


def read_request(args: tuple[Any, ...]) -> tuple[dict[str, Any], StreamprocError | None]:
    """The request as far as it can be read (to echo its model and id), and what is wrong with it."""
    if len(args) != 1:
        return {}, DeserializationError(f"Got {len(args)} arguments. {USAGE}")
    data = args[0]
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError):
            return {}, DeserializationError(f"Request is not valid JSON. {USAGE}")
    if not isinstance(data, dict):
        return {}, DeserializationError(f"Request must be an object. {USAGE}")
    kind = data.get(_MARKER)
    if kind == _TOO_LARGE:
        return {}, PayloadTooLargeError(f"Request of {data.get('size')} bytes is over the size limit.")
    if kind == _TOO_DEEP:
        return {}, DeserializationError("value is nested too deep to parse; flatten the input")
    request = {k: data.get(k) for k in ("model_qualified_name", "input_data", "correlation_id")}
    if not isinstance(request["model_qualified_name"], str):
        request["model_qualified_name"] = None
    if "input_data" not in data:
        return request, DeserializationError(f"Request has no 'input_data'. {USAGE}")
    return request, None
