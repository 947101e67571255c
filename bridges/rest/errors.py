"""The REST bridge's one table from error classes to status and ``type`` (messages: the data plane).

The body shape is rest_model_service's ``{"type": str, "messages": [str]}``. Its type strings are kept
where it had them (``ValidationError`` 400, ``ServiceError`` 500); the statuses it never produced get
their own names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bridges.dataplane import error_messages, lookup
from streamproc.errors import (
    BrokerUnavailableError,
    DeserializationError,
    ModelError,
    PayloadTooLargeError,
    ReplyTimeoutError,
    SchemaError,
    StreamprocError,
    UnknownModelError,
)


@dataclass(frozen=True)
class ErrorAnswer:
    """What a REST client sees for an error."""

    status: int
    type: str
    messages: list[str]

    def body(self) -> dict[str, Any]:
        return {"type": self.type, "messages": list(self.messages)}


ERROR_TABLE: dict[type[Exception], tuple[int, str]] = {
    SchemaError: (400, "ValidationError"),
    DeserializationError: (400, "ValidationError"),
    UnknownModelError: (404, "NotFoundError"),
    PayloadTooLargeError: (413, "PayloadTooLargeError"),
    ModelError: (500, "ServiceError"),
    BrokerUnavailableError: (503, "ServiceUnavailableError"),
    ReplyTimeoutError: (504, "TimeoutError"),
    StreamprocError: (500, "ServiceError"),
}

# Statuses documented on every prediction operation of the OpenAPI document.
PREDICTION_ERROR_STATUSES = (400, 401, 404, 413, 415, 500, 503, 504)


def answer_for(exc: BaseException) -> ErrorAnswer:
    """Map any exception to its REST answer through ``ERROR_TABLE``; unexpected ones leak nothing."""
    if not isinstance(exc, StreamprocError):
        return ErrorAnswer(500, "ServiceError", ["Internal server error."])
    status, error_type = lookup(ERROR_TABLE, exc)
    return ErrorAnswer(status, error_type, error_messages(exc))


def answer_for_status(status: int, text: str) -> ErrorAnswer:
    """Answer for an HTTP error raised by aiohttp itself (unknown route, body too large, ...)."""
    names = {
        400: "ValidationError",
        401: "UnauthorizedError",
        404: "NotFoundError",
        405: "MethodNotAllowedError",
        408: "RequestTimeoutError",
        413: "PayloadTooLargeError",
        415: "UnsupportedMediaTypeError",
    }
    return ErrorAnswer(status, names.get(status, "ServiceError" if status >= 500 else "HTTPError"), [text])


def error_response(exc: BaseException) -> web.Response:
    """The JSON error response for ``exc``."""
    answer = answer_for(exc)
    return web.json_response(answer.body(), status=answer.status)
