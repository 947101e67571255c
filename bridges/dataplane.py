"""DataPlane: the one transport-agnostic core of every bridge (REST, Socket.IO and RPC are thin adapters).

It looks the model up in the catalog, judges the input with the worker's own rules (``wire.inputs``; the
field-level verdict is the worker's, carried back on the error record, so every transport and every
other producer get the same answer), sends the request over Kafka and awaits its reply. Every failure
leaves as a ``StreamprocError`` of one class; ``error_code`` names it, ``error_messages`` renders it
(field issues rendered here, once), and each transport maps the class to its own wire form with
``lookup`` over a small class-keyed table.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

from streamproc.errors import (
    BrokerUnavailableError,
    DeserializationError,
    MessageError,
    ModelError,
    PayloadTooLargeError,
    ReplyTimeoutError,
    SchemaError,
    StreamprocError,
    UnknownModelError,
)
from streamproc.settings import StreamprocSettings
from streamproc.wire.catalog_record import CatalogEntry
from streamproc.wire.inputs import decode_json_object

log = logging.getLogger(__name__)
MAX_DEPTH = 64  # containers inside containers an input may have (the worker refuses deeper ones too)
UNKNOWN_MODEL_LABEL = "unknown"


class BridgeInternalError(StreamprocError):
    """Something failed inside the bridge itself; the client sees no detail, the log has it."""

    def __init__(self) -> None:
        super().__init__("Internal server error.")


# One canonical code per error class (looked up along the class's MRO).
ERROR_CODES: dict[type[Exception], str] = {
    DeserializationError: "DESERIALIZATION_ERROR",
    SchemaError: "SCHEMA_ERROR",
    ModelError: "MODEL_ERROR",
    UnknownModelError: "NOT_FOUND",
    PayloadTooLargeError: "PAYLOAD_TOO_LARGE",
    BrokerUnavailableError: "UNAVAILABLE",
    ReplyTimeoutError: "TIMEOUT",
    StreamprocError: "ERROR",
}
V = TypeVar("V")


def lookup(table: Mapping[type[Exception], V], exc: BaseException) -> V:
    """The value of the most specific class of ``exc`` in ``table`` (which must hold StreamprocError)."""
    for cls in type(exc).__mro__:
        if cls in table:
            return table[cls]
    return table[StreamprocError]


def error_code(exc: BaseException) -> str:
    return lookup(ERROR_CODES, exc)


def error_messages(exc: BaseException) -> list[str]:
    """One line per field issue when the error has them, otherwise its message."""
    if isinstance(exc, MessageError) and exc.details:
        return [f"Field '{issue.location}' has error: {issue.message}" for issue in exc.details]
    return [str(exc) or error_code(exc)]


class CatalogView(Protocol):
    def get(self, qualified_name: str) -> CatalogEntry: ...

    def entries(self) -> list[CatalogEntry]: ...


class RequestSender(Protocol):
    async def request(
        self,
        entry: CatalogEntry,
        value: bytes,
        correlation_id: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the Requester's signature
    ) -> Any: ...


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """DeserializationError when containers nest deeper than ``limit`` (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list | tuple) else ()
        for child in children:
            if isinstance(child, dict | list | tuple):
                if depth + 1 > limit:
                    raise DeserializationError(f"input is nested deeper than {limit} levels")
                stack.append((child, depth + 1))


def encode_input(data: Any, max_bytes: int) -> bytes:
    """Judge an input (raw JSON bytes, or an already decoded value) and return the JSON the worker gets."""
    if isinstance(data, bytes | bytearray):
        if len(data) > max_bytes:
            raise PayloadTooLargeError(f"input of {len(data)} bytes is over the {max_bytes}-byte limit")
        try:
            data = decode_json_object(bytes(data))
        except RecursionError:
            raise DeserializationError(f"input is nested deeper than {MAX_DEPTH} levels") from None
    check_depth(data)
    if not isinstance(data, dict):
        raise DeserializationError(f"input must be a JSON object, got {_kind(data)}")
    try:
        value = json.dumps(data, allow_nan=False, separators=(",", ":")).encode()
    except ValueError:
        raise DeserializationError("input holds NaN or Infinity, which JSON does not allow") from None
    except TypeError:
        raise DeserializationError("input holds a value JSON cannot carry (keys must be strings)") from None
    if len(value) > max_bytes:
        raise PayloadTooLargeError(f"input of {len(value)} bytes is over the {max_bytes}-byte limit")
    decode_json_object(value)  # the worker's own judgement of what it will read
    return value


def _kind(value: Any) -> str:
    kinds = {list: "an array", tuple: "an array", str: "a string", bool: "a boolean", int: "a number"}
    return (
        "null"
        if value is None
        else kinds.get(type(value), "a number" if isinstance(value, float) else "a value")
    )


class DataPlane:
    """Lookup, judgement, request and reply for one bridge; its parts are started by the bridge."""

    def __init__(self, settings: StreamprocSettings, catalog: CatalogView, requester: RequestSender) -> None:
        self.settings = settings
        self.catalog = catalog
        self.requester = requester

    def model_label(self, qualified_name: Any) -> str:
        """A metric label: the name of a catalogued model, or ``unknown`` (labels never grow unbounded)."""
        try:
            return self.catalog.get(qualified_name).qualified_name if isinstance(qualified_name, str) else ""
        except StreamprocError:
            return UNKNOWN_MODEL_LABEL

    def models(self) -> list[dict[str, Any]]:
        return [entry.summary() for entry in self.catalog.entries()]

    def metadata(self, qualified_name: Any) -> dict[str, Any]:
        return self._entry(qualified_name).metadata()

    async def predict(self, qualified_name: Any, data: Any, correlation_id: Any = None) -> dict[str, Any]:
        """The model's output for ``data``; raises only StreamprocError (see ``ERROR_CODES``)."""
        try:
            entry = self._entry(qualified_name)
            value = encode_input(data, self.settings.max_body_bytes)
            client_id = None if correlation_id is None else str(correlation_id)
            return await self.requester.request(entry, value, client_id, self.settings.request_timeout)
        except StreamprocError:
            raise
        except Exception:
            log.exception("bridge failed on a request for model %r", qualified_name)
            raise BridgeInternalError() from None

    def _entry(self, qualified_name: Any) -> CatalogEntry:
        if not isinstance(qualified_name, str) or not qualified_name:
            raise DeserializationError("the model's qualified name must be a non-empty string")
        return self.catalog.get(qualified_name)
