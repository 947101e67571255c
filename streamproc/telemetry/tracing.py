"""OpenTelemetry tracing: on when the standard ``OTEL_EXPORTER_OTLP_*ENDPOINT`` variable is set, else off.

On, a process exports its spans with the OTLP/HTTP exporter (the standard ``OTEL_*`` variables configure
it); off, nothing is created. Trace contexts cross Kafka as W3C ``traceparent``/``tracestate`` headers;
a caller's context arrives in HTTP headers (the aiohttp instrumentation) or, on transports without them, in
message fields of the same names (``carried_context``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.context import Context

TRACER = "streamproc"
_ENDPOINTS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
CONTEXT_FIELDS = ("traceparent", "tracestate")


def setup_tracing(service_name: str) -> bool:
    """Install an exporting tracer provider if an OTLP endpoint is configured; True when tracing is on."""
    if not any(os.environ.get(name) for name in _ENDPOINTS):
        return False
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true" or tracing_on():
        return tracing_on()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": service_name}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    instrument_servers()
    return True


def tracing_on() -> bool:
    """Whether a real tracer provider is installed (by ``setup_tracing`` or by a test)."""
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider | trace.NoOpTracerProvider)


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER)


def context_headers() -> list[tuple[str, bytes]]:
    """The current trace context as Kafka header pairs (none without a current span)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return [(name, value.encode()) for name, value in carrier.items()]


def context_from(headers: Mapping[str, str]) -> Context | None:
    """The trace context a record's (decoded) headers carry, or None."""
    if "traceparent" not in headers:
        return None
    context = propagate.extract(headers)
    return context if trace.get_current_span(context).get_span_context().is_valid else None


def carried_context(fields: Mapping[Any, Any]) -> Context | None:
    """The caller's context a message carries in ``traceparent``/``tracestate`` fields (Socket.IO payload,
    ZeroRPC header): an empty context (a new root) when it carries none or a malformed one, which W3C
    says to ignore; None when tracing is off (nothing to continue)."""
    if not tracing_on():
        return None
    carrier = {name: _text(fields.get(name)) for name in CONTEXT_FIELDS}
    return context_from({name: value for name, value in carrier.items() if value is not None}) or Context()


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


@contextlib.contextmanager
def continuing(parent: Context | None) -> Iterator[None]:
    """``parent`` is the current context while the block runs (None: the current one stays)."""
    if parent is None:
        yield
        return
    token = otel_context.attach(parent)
    try:
        yield
    finally:
        otel_context.detach(token)


@contextlib.contextmanager
def client_span(name: str, attributes: dict[str, Any]) -> Iterator[None]:
    """A producer span around a request-reply exchange, current while it lasts (nothing when off)."""
    if not tracing_on():
        yield
        return
    with tracer().start_as_current_span(name, kind=trace.SpanKind.PRODUCER, attributes=attributes):
        yield


def links(contexts: Iterable[Context]) -> list[trace.Link]:
    return [trace.Link(trace.get_current_span(c).get_span_context()) for c in contexts]


def instrument_servers() -> None:
    """Every aiohttp server app made from now on opens a server span per request (continuing its
    ``traceparent``), by the maintained aiohttp-server instrumentation."""
    from opentelemetry.instrumentation.aiohttp_server import AioHttpServerInstrumentor

    instrumentor = AioHttpServerInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()
