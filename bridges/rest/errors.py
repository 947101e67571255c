"""The one table from streamproc errors to REST answers: status, ``type`` and ``messages``.

The body shape is rest_model_service's ``{"type": str, "messages": [str]}``. Its type strings are kept
where it had them (``ValidationError`` 400, ``ServiceError`` 500); the statuses it never produced get
their own names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

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


@dataclass(frozen=True)
class ErrorAnswer:
    """What a REST client sees for an error."""

    status: int
    type: str
    messages: list[str]

    def body(self) -> dict[str, Any]:
        return {"type": self.type, "messages": list(self.messages)}


# Most specific classes first: the first isinstance match wins.
ERROR_TABLE: tuple[tuple[type[BaseException], int, str], ...] = (
    (SchemaError, 400, "ValidationError"),
    (DeserializationError, 400, "ValidationError"),
    (UnknownModelError, 404, "NotFoundError"),
    (PayloadTooLargeError, 413, "PayloadTooLargeError"),
    (ModelError, 500, "ServiceError"),
    (BrokerUnavailableError, 503, "ServiceUnavailableError"),
    (ReplyTimeoutError, 504, "TimeoutError"),
    (TimeoutError, 504, "TimeoutError"),  # asyncio's, should one escape a lower layer
    (StreamprocError, 500, "ServiceError"),
)
FALLBACK = (500, "ServiceError")

# Statuses documented on every prediction operation of the OpenAPI document.
PREDICTION_ERROR_STATUSES = (400, 401, 404, 413, 415, 500, 503, 504)


def field_message(location: str, message: str) -> str:
    """One line per bad field, naming the field."""
    return f"Field '{location}' has error: {message}"


def messages_for(exc: BaseException) -> list[str]:
    """Field-level lines when the error carries details, otherwise its message."""
    if isinstance(exc, MessageError) and exc.details:
        return [field_message(issue.location, issue.message) for issue in exc.details]
    if str(exc):
        return [str(exc)]
    return ["No reply within the request timeout."] if isinstance(exc, TimeoutError) else [type(exc).__name__]


def answer_for(exc: BaseException) -> ErrorAnswer:
    """Map any exception to its REST answer through ``ERROR_TABLE``."""
    status, error_type = next(
        ((status, error_type) for cls, status, error_type in ERROR_TABLE if isinstance(exc, cls)), FALLBACK
    )
    if status == 500 and not isinstance(exc, StreamprocError):
        # An unexpected exception: do not leak internals to the client.
        return ErrorAnswer(status, error_type, ["Internal server error."])
    return ErrorAnswer(status, error_type, messages_for(exc))


def answer_for_status(status: int, text: str) -> ErrorAnswer:
    """Answer for an HTTP error raised by aiohttp itself (unknown route, body too large, ...)."""
    names = {
        400: "ValidationError",
        401: "UnauthorizedError",
        404: "NotFoundError",
        405: "MethodNotAllowedError",
        413: "PayloadTooLargeError",
        415: "UnsupportedMediaTypeError",
    }
    return ErrorAnswer(status, names.get(status, "ServiceError" if status >= 500 else "HTTPError"), [text])


def error_response(exc: BaseException) -> web.Response:
    """The JSON error response for ``exc``."""
    answer = answer_for(exc)
    return web.json_response(answer.body(), status=answer.status)
