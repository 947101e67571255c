"""The shared requester against the real worker: late replies, cancellation, limits, unknown models."""

from __future__ import annotations

import asyncio
import time

import pytest

from bridges.requestreply.requester import Requester
from streamproc.errors import PayloadTooLargeError, ReplyTimeoutError, SchemaError, UnknownModelError

pytestmark = pytest.mark.broker
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


async def test_a_reply_after_the_timeout_is_dropped_and_counted(requester: Requester) -> None:
    assert await requester.predict("iris_model", SETOSA) == {"species": "setosa"}  # replies are being read
    late_before = requester.pending.counters.late
    with pytest.raises(ReplyTimeoutError, match="no reply from model 'iris_model'"):
        # timeout 0: the request is produced, then the wait ends at once (a short positive timeout races
        # the reply on a loaded machine)
        await requester.predict("iris_model", SETOSA, timeout=0)
    assert len(requester.pending) == 0
    deadline = time.monotonic() + 30
    while requester.pending.counters.late == late_before and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)  # the counter is updated by the reply thread; nothing to await
    assert requester.pending.counters.late == late_before + 1
    assert await requester.predict("iris_model", SETOSA) == {"species": "setosa"}


async def test_a_cancelled_request_leaves_no_pending_entry(requester: Requester) -> None:
    task = asyncio.ensure_future(requester.predict("iris_model", SETOSA, timeout=30))
    while len(requester.pending) == 0 and not task.done():  # noqa: ASYNC110
        await asyncio.sleep(0)  # let the request reach the point where it awaits its reply
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(requester.pending) == 0


async def test_a_payload_kafka_cannot_carry_is_payload_too_large(requester: Requester) -> None:
    with pytest.raises(PayloadTooLargeError, match="too big for Kafka"):
        await requester.predict("iris_model", {**SETOSA, "padding": "x" * 1_500_000})
    assert len(requester.pending) == 0


async def test_unknown_model_and_worker_side_schema_errors(requester: Requester) -> None:
    with pytest.raises(UnknownModelError, match="Model 'nope' not found."):
        await requester.predict("nope", SETOSA)
    with pytest.raises(SchemaError) as info:
        await requester.predict("iris_model", {**SETOSA, "petal_width": -1})
    assert [d.location for d in info.value.details] == ["petal_width"]
