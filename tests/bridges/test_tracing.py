"""Tracing across the real Kafka hop: REST bridge span → worker batch span → the reply closes the bridge's;
Socket.IO and ZeroRPC callers' contexts (a payload field, an event header field) are continued the same way.

The bridges run in this process with the SDK's in-memory exporter; the worker is a real subprocess that
exports with the standard OTLP/HTTP exporter to a receiver this test runs on 127.0.0.1.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import socketio
from aiohttp.test_utils import TestClient, TestServer
from opentelemetry import trace
from opentelemetry.instrumentation.aiohttp_server import AioHttpServerInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from bridges.catalog import ModelCatalog
from bridges.feed import PredictionFeed
from bridges.lifecycle import running_app
from bridges.requestreply.requester import Requester
from bridges.rest.app import build_rest_app
from bridges.rpc.service import build_rpc_server
from bridges.websocket.app import build_websocket_app
from streamproc.settings import REPO_ROOT, StreamprocSettings
from streamproc.telemetry.tracing import instrument_servers
from tests.support.otlp_receiver import Received, ReceivedSpan, otlp_receiver
from tests.support.rpc_client import run_client
from tests.support.stack import running_worker, unique_settings

pytestmark = pytest.mark.broker
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


@pytest.fixture(scope="module")
def bridge_spans() -> Iterator[InMemorySpanExporter]:
    """This process's tracer provider (set once per process) exporting to memory."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    assert trace.get_tracer_provider() is provider, "another test installed a tracer provider first"
    instrument_servers()  # as setup_tracing does in a bridge process
    yield exporter
    AioHttpServerInstrumentor().uninstrument()


@pytest.fixture(scope="module", params=["default.yaml", "agent.yaml"], ids=["batch-engine", "agent-engine"])
def traced_worker(
    request: pytest.FixtureRequest, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[StreamprocSettings, Received]]:
    state = tmp_path_factory.mktemp("traced-worker")
    topology = REPO_ROOT / "topology" / request.param
    settings = unique_settings(kafka_bootstrap, state, request_timeout=30.0, topology=topology, rpc_port=0)
    with otlp_receiver() as (endpoint, received):
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
        with running_worker(settings, Path(state / "worker.log"), models=("iris_model",), env=env):
            yield settings, received


@pytest.fixture
async def bridge_parts(
    traced_worker: tuple[StreamprocSettings, Received], bridge_spans: InMemorySpanExporter
) -> AsyncIterator[tuple[StreamprocSettings, ModelCatalog, Requester]]:
    settings, _ = traced_worker
    catalog = ModelCatalog(settings)
    await catalog.start()
    assert await catalog.wait_ready(30)
    requester = Requester(settings, catalog)
    await requester.start()
    try:
        yield settings, catalog, requester
    finally:
        await requester.stop()
        await catalog.stop()


@pytest.fixture
async def rest(bridge_parts: tuple[StreamprocSettings, ModelCatalog, Requester]) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(build_rest_app(*bridge_parts), host="127.0.0.1")) as c:
        yield c


@pytest.fixture
async def sio(
    bridge_parts: tuple[StreamprocSettings, ModelCatalog, Requester],
) -> AsyncIterator[socketio.AsyncClient]:
    """A real python-socketio client connected over WebSocket to a WebSocket bridge."""
    settings, catalog, requester = bridge_parts
    feed = PredictionFeed(settings, catalog)
    await feed.start()
    try:
        async with running_app(
            build_websocket_app(settings, catalog, requester, feed), "127.0.0.1", 0
        ) as url:
            client = socketio.AsyncClient()
            await client.connect(url, transports=["websocket"], wait_timeout=10)
            yield client
            await client.disconnect()
    finally:
        await feed.stop()


@pytest.fixture
async def rpc_endpoint(
    bridge_parts: tuple[StreamprocSettings, ModelCatalog, Requester],
) -> AsyncIterator[str]:
    server = build_rpc_server(*bridge_parts)
    async with server:
        yield server.endpoint


def worker_span(received: Received, trace_id: str, timeout: float = 30.0) -> ReceivedSpan:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [s for s in received.snapshot() if s.trace_id == trace_id]
        if found:
            return found[0]
        time.sleep(0.1)  # between looks at what the receiver got
    raise AssertionError(f"the worker exported no span of trace {trace_id}: {received.snapshot()}")


def by_kind(spans: tuple[ReadableSpan, ...], kind: trace.SpanKind) -> ReadableSpan:
    [span] = [s for s in spans if s.kind == kind]
    return span


async def test_a_rest_request_is_one_trace_bridge_worker_bridge(
    rest: TestClient, traced_worker: tuple[StreamprocSettings, Received], bridge_spans: InMemorySpanExporter
) -> None:
    settings, received = traced_worker
    bridge_spans.clear()
    traceparent = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"
    response = await rest.post(
        "/api/models/iris_model/prediction", json=SETOSA, headers={"traceparent": traceparent}
    )
    assert response.status == 200, await response.text()
    assert await response.json() == {"species": "setosa"}

    spans = tuple(
        s for s in bridge_spans.get_finished_spans() if f"{s.context.trace_id:032x}" == CALLER_TRACE
    )
    server = by_kind(spans, trace.SpanKind.SERVER)  # the aiohttp instrumentation's span
    request = by_kind(spans, trace.SpanKind.PRODUCER)  # the request-reply across Kafka
    assert server.parent is not None and f"{server.parent.span_id:016x}" == CALLER_SPAN
    assert request.parent is not None and request.parent.span_id == server.context.span_id
    assert request.name == f"{settings.topic_prefix}.iris_model.0.1.inputs publish"

    worker = worker_span(received, CALLER_TRACE)
    assert worker.service == "streamproc-worker"
    assert worker.name == f"{settings.topic_prefix}.iris_model.0.1.inputs process"
    assert worker.parent_span_id == f"{request.context.span_id:016x}"
    assert (CALLER_TRACE, f"{request.context.span_id:016x}") in worker.links
    # the reply closes the bridge's span: after the worker's batch span began
    assert request.start_time is not None and request.end_time is not None
    assert request.start_time < worker.start_ns < request.end_time
    assert server.end_time is not None and server.end_time >= request.end_time


def caller_context() -> tuple[str, str, str]:
    """A fresh caller's (trace id, span id, traceparent), so each test finds its own trace."""
    trace_id, span_id = uuid.uuid4().hex, os.urandom(8).hex()
    return trace_id, span_id, f"00-{trace_id}-{span_id}-01"


Ask = Callable[[dict[str, str]], Awaitable[object]]


@pytest.fixture(params=["socketio", "rpc"])
def ask(request: pytest.FixtureRequest) -> Ask:
    """SETOSA's prediction asked over a message transport, a trace context carried as it can carry one:
    fields of the Socket.IO request payload, or of the ZeroRPC request's event header."""
    if request.param == "socketio":
        client: socketio.AsyncClient = request.getfixturevalue("sio")

        async def over_socketio(context: dict[str, str]) -> object:
            payload = {"model_qualified_name": "iris_model", "input_data": SETOSA, **context}
            reply = await client.call("prediction_request", payload, timeout=40)
            return reply.get("prediction", reply)

        return over_socketio
    endpoint: str = request.getfixturevalue("rpc_endpoint")

    async def over_rpc(context: dict[str, str]) -> object:
        [reply] = await run_client(endpoint, [("iris_model_predict", [SETOSA])], 5.0, 40.0, header=context)
        return reply.get("ok", reply)

    return over_rpc


def assert_worker_continues(received: Received, request: ReadableSpan) -> None:
    trace_id = f"{request.context.trace_id:032x}"
    worker = worker_span(received, trace_id)
    assert worker.parent_span_id == f"{request.context.span_id:016x}"
    assert (trace_id, f"{request.context.span_id:016x}") in worker.links


async def test_a_message_transport_continues_the_callers_trace(
    ask: Ask,
    traced_worker: tuple[StreamprocSettings, Received],
    bridge_spans: InMemorySpanExporter,
) -> None:
    trace_id, span_id, traceparent = caller_context()
    bridge_spans.clear()
    context = {"traceparent": traceparent, "tracestate": "vendor=opaque"}
    assert await ask(context) == {"species": "setosa"}

    spans = [s for s in bridge_spans.get_finished_spans() if s.kind == trace.SpanKind.PRODUCER]
    [request] = spans
    assert f"{request.context.trace_id:032x}" == trace_id
    assert request.parent is not None and f"{request.parent.span_id:016x}" == span_id
    assert request.parent.is_remote
    assert request.context.trace_state.get("vendor") == "opaque"
    assert_worker_continues(traced_worker[1], request)


async def test_a_malformed_traceparent_starts_a_fresh_root_and_still_predicts(
    ask: Ask,
    traced_worker: tuple[StreamprocSettings, Received],
    bridge_spans: InMemorySpanExporter,
) -> None:
    bridge_spans.clear()
    context = {"traceparent": "00-not-a-trace-id-01", "tracestate": "vendor=opaque"}
    assert await ask(context) == {"species": "setosa"}

    [request] = [s for s in bridge_spans.get_finished_spans() if s.kind == trace.SpanKind.PRODUCER]
    assert request.parent is None  # a root of its own: not the caller's, not the connection's
    assert_worker_continues(traced_worker[1], request)
