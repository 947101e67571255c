"""Tracing across the real Kafka hop: REST bridge span → worker batch span → the reply closes the bridge's.

The bridge runs in this process with the SDK's in-memory exporter; the worker is a real subprocess that
exports with the standard OTLP/HTTP exporter to a receiver this test runs on 127.0.0.1.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from opentelemetry import trace
from opentelemetry.instrumentation.aiohttp_server import AioHttpServerInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from bridges.catalog import ModelCatalog
from bridges.requestreply.requester import Requester
from bridges.rest.app import build_rest_app
from streamproc.settings import REPO_ROOT, StreamprocSettings
from streamproc.telemetry.tracing import instrument_servers
from tests.support.otlp_receiver import Received, ReceivedSpan, otlp_receiver
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
    settings = unique_settings(kafka_bootstrap, state, request_timeout=30.0, topology=topology)
    with otlp_receiver() as (endpoint, received):
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
        with running_worker(settings, Path(state / "worker.log"), models=("iris_model",), env=env):
            yield settings, received


@pytest.fixture
async def rest(
    traced_worker: tuple[StreamprocSettings, Received], bridge_spans: InMemorySpanExporter
) -> AsyncIterator[TestClient]:
    settings, _ = traced_worker
    catalog = ModelCatalog(settings)
    await catalog.start()
    assert await catalog.wait_ready(30)
    requester = Requester(settings, catalog)
    await requester.start()
    try:
        async with TestClient(
            TestServer(build_rest_app(settings, catalog, requester), host="127.0.0.1")
        ) as c:
            yield c
    finally:
        await requester.stop()
        await catalog.stop()


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
