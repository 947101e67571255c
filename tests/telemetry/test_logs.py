"""JSON log lines: the message, the record's model/topic/partition/offset, and the current trace."""

from __future__ import annotations

import io
import json
import logging

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from streamproc.telemetry.logs import JsonFormatter, configure_logging, record_fields


def test_a_record_event_is_one_json_line_with_its_fields_and_trace() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("streamproc.test.logs")
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)
    context = SpanContext(0x4BF92F3577B34DA6A3CE929D0E0E4736, 0x00F067AA0BA902B7, False, TraceFlags(1))
    try:
        with trace.use_span(NonRecordingSpan(context)):
            log.warning(
                "bad input", extra=record_fields("iris_model", "t.inputs", 2, 41, error_type="SCHEMA_ERROR")
            )
        log.info("no record")
    finally:
        log.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "bad input" and first["level"] == "WARNING"
    assert (first["model"], first["topic"], first["partition"], first["offset"]) == (
        "iris_model",
        "t.inputs",
        2,
        41,
    )
    assert first["error_type"] == "SCHEMA_ERROR"
    assert first["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736" and first["span_id"] == "00f067aa0ba902b7"
    assert "model" not in second and "trace_id" not in second


def test_configure_logging_json_makes_every_root_line_json(capsys) -> None:  # type: ignore[no-untyped-def]
    configure_logging(logging.INFO, "json")
    try:
        logging.getLogger("streamproc.cli").info("topics created: %d", 3)
    finally:
        logging.basicConfig(force=True)
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert json.loads(line)["message"] == "topics created: 3"
