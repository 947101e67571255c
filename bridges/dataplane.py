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
from streamproc.wire.inputs import parse_json

log = logging.getLogger(__name__)
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


def encode_input(data: Any, max_bytes: int, max_depth: int) -> bytes:
    """Judge an input (raw JSON bytes, or a value the transport decoded) and return the JSON sent on."""
    if isinstance(data, bytes | bytearray) and len(data) > max_bytes:
        raise PayloadTooLargeError(f"input of {len(data)} bytes is over the {max_bytes}-byte limit")
    if isinstance(data, str):  # a decoded string is a JSON string, not JSON text to parse
        raise DeserializationError("JSON value must be an object, got a string")
    value = parse_json(data, max_depth)  # the worker's rules: depth, NaN/Infinity, an object
    try:
        encoded = json.dumps(value, allow_nan=False, separators=(",", ":")).encode()
    except (TypeError, ValueError):
        raise DeserializationError("input holds a value JSON cannot carry") from None
    if len(encoded) > max_bytes:
        raise PayloadTooLargeError(f"input of {len(encoded)} bytes is over the {max_bytes}-byte limit")
    return encoded


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
        """The model's output for ``data``; raises only StreamprocError (see ``ERROR_CODES``). The request
        continues the current trace context, which each transport sets from its caller's."""
        try:
            entry = self._entry(qualified_name)
            value = encode_input(data, self.settings.max_body_bytes, self.settings.max_json_depth)
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
