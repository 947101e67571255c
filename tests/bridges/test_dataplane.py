"""The data plane's pure logic over an in-memory catalog and a fake requester (no Kafka)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from bridges.dataplane import (
    ERROR_CODES,
    BridgeInternalError,
    DataPlane,
    error_code,
    error_messages,
    lookup,
)
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
from streamproc.settings import StreamprocSettings
from tests.support.rest_fakes import MemoryCatalog, flower_entry

GOOD = {"sepal_length": 5.1, "petal_width": 0.2}


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


class FakeRequester:
    """Records what would be produced; answers with ``reply`` (raised when it is an exception)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any], str | None, float | None]] = []
        self.reply: Any = {"species": "red"}

    async def request(self, entry: Any, value: bytes, correlation_id: Any = None, timeout: Any = None) -> Any:  # noqa: ASYNC109
        self.sent.append((entry.qualified_name, json.loads(value), correlation_id, timeout))
        if isinstance(self.reply, BaseException):
            raise self.reply
        return self.reply


@pytest.fixture
def requester() -> FakeRequester:
    return FakeRequester()


@pytest.fixture
def plane(requester: FakeRequester) -> DataPlane:
    settings = StreamprocSettings(max_body_bytes=1000, request_timeout=2.5)
    return DataPlane(settings, MemoryCatalog([flower_entry()]), requester)  # type: ignore[arg-type]


async def test_bytes_and_decoded_values_are_sent_as_the_same_json(
    plane: DataPlane, requester: FakeRequester
) -> None:
    assert await plane.predict("flower_model", json.dumps(GOOD).encode(), "client-1") == {"species": "red"}
    assert await plane.predict("flower_model", GOOD, 7) == {"species": "red"}
    assert requester.sent == [
        ("flower_model", GOOD, "client-1", 2.5),
        ("flower_model", GOOD, "7", 2.5),  # the client's id travels as text
    ]


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("no_such_model", GOOD, UnknownModelError),
        (12, GOOD, DeserializationError),
        ("", GOOD, DeserializationError),
        ("flower_model", b"{not json", DeserializationError),
        ("flower_model", b"x" * 1001, PayloadTooLargeError),
        ("flower_model", {"padding": "x" * 1001}, PayloadTooLargeError),
        ("flower_model", [1, 2], DeserializationError),
        ("flower_model", "{}", DeserializationError),  # a string, not JSON text
        ("flower_model", None, DeserializationError),
        ("flower_model", {"a": nested(100)}, DeserializationError),
        ("flower_model", {"sepal_length": math.nan}, DeserializationError),
        ("flower_model", {"sepal_length": b"\x00"}, DeserializationError),
    ],
)
async def test_requests_the_worker_would_refuse_never_reach_kafka(
    plane: DataPlane, requester: FakeRequester, name: Any, data: Any, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await plane.predict(name, data)
    assert requester.sent == []


async def test_nan_names_its_field(plane: DataPlane) -> None:
    with pytest.raises(DeserializationError) as info:
        await plane.predict("flower_model", {"sepal_length": math.inf})
    assert [issue.location for issue in info.value.details] == ["sepal_length"]


async def test_integer_keys_are_sent_as_json_keys(plane: DataPlane, requester: FakeRequester) -> None:
    await plane.predict("flower_model", {1: 5.1})
    assert requester.sent[0][1] == {"1": 5.1}  # the worker's schema decides about them


async def test_the_workers_verdict_comes_back_unchanged(plane: DataPlane, requester: FakeRequester) -> None:
    requester.reply = SchemaError("bad", [FieldIssue("sepal_length", "too big")])
    with pytest.raises(SchemaError) as info:
        await plane.predict("flower_model", GOOD)
    assert error_messages(info.value) == ["Field 'sepal_length' has error: too big"]


async def test_an_unexpected_failure_is_an_internal_error_that_leaks_nothing(
    plane: DataPlane, requester: FakeRequester
) -> None:
    requester.reply = RuntimeError("secret at 0x7f00")
    with pytest.raises(BridgeInternalError) as info:
        await plane.predict("flower_model", GOOD)
    assert "secret" not in str(info.value) and "0x" not in str(info.value)


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (DeserializationError("x"), "DESERIALIZATION_ERROR"),
        (SchemaError("x"), "SCHEMA_ERROR"),
        (ModelError("x"), "MODEL_ERROR"),
        (UnknownModelError("m"), "NOT_FOUND"),
        (PayloadTooLargeError("x"), "PAYLOAD_TOO_LARGE"),
        (BrokerUnavailableError("x"), "UNAVAILABLE"),
        (ReplyTimeoutError("x"), "TIMEOUT"),
        (BridgeInternalError(), "ERROR"),
        (StreamprocError("x"), "ERROR"),
    ],
)
def test_one_code_per_error_class(exc: Exception, code: str) -> None:
    assert error_code(exc) == code
    assert lookup(ERROR_CODES, exc) == code


def test_metric_labels_name_only_catalogued_models(plane: DataPlane) -> None:
    assert plane.model_label("flower_model") == "flower_model"
    assert plane.model_label("anything-a-client-sends") == "unknown"
    assert plane.model_label(None) == ""
