"""The one error table: every streamproc error maps to a status, a type and messages."""

from __future__ import annotations

import pytest

from bridges.rest.errors import answer_for, answer_for_status
from streamproc.errors import (
    BrokerUnavailableError,
    DeserializationError,
    FieldIssue,
    ModelError,
    PayloadTooLargeError,
    ReplyTimeoutError,
    SchemaError,
    StreamprocError,
    UnknownModelError,
)


@pytest.mark.parametrize(
    ("exc", "status", "error_type"),
    [
        (SchemaError("bad", [FieldIssue("a", "field required")]), 400, "ValidationError"),
        (DeserializationError("not json"), 400, "ValidationError"),
        (UnknownModelError("nope"), 404, "NotFoundError"),
        (PayloadTooLargeError("too big"), 413, "PayloadTooLargeError"),
        (ModelError("model broke"), 500, "ServiceError"),
        (BrokerUnavailableError("no broker"), 503, "ServiceUnavailableError"),
        (ReplyTimeoutError("no reply"), 504, "TimeoutError"),
        (StreamprocError("other"), 500, "ServiceError"),
    ],
)
def test_table(exc: Exception, status: int, error_type: str) -> None:
    answer = answer_for(exc)
    assert (answer.status, answer.type) == (status, error_type)
    assert answer.body() == {"type": error_type, "messages": answer.messages}
    assert answer.messages


def test_field_details_become_one_message_each() -> None:
    exc = SchemaError("bad", [FieldIssue("a", "field required"), FieldIssue("b.c", "5 is too big")])
    assert answer_for(exc).messages == [
        "Field 'a' has error: field required",
        "Field 'b.c' has error: 5 is too big",
    ]


def test_error_without_details_uses_its_message() -> None:
    assert answer_for(UnknownModelError("nope")).messages == ["Model 'nope' not found."]
    assert answer_for(ModelError("division by zero")).messages == ["division by zero"]


def test_unexpected_exceptions_do_not_leak_internals() -> None:
    answer = answer_for(KeyError("secret internal detail"))
    assert (answer.status, answer.type, answer.messages) == (500, "ServiceError", ["Internal server error."])


def test_http_statuses_from_aiohttp() -> None:
    assert answer_for_status(413, "too big").body() == {
        "type": "PayloadTooLargeError",
        "messages": ["too big"],
    }
    assert answer_for_status(405, "no").type == "MethodNotAllowedError"
    assert answer_for_status(502, "x").type == "ServiceError"
