"""Log format of every streamproc process: text, or one JSON object a line (``STREAMPROC_LOG_FORMAT=json``).

An event about a record passes ``extra=record_fields(...)`` so its model, topic, partition and offset are
fields of the JSON object (and stay in the text message); the current trace and span ids are added.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

from streamproc import log_repeats

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
FIELDS = ("model", "topic", "partition", "offset", "error_type")


def record_fields(model: str, topic: str, partition: int, offset: int, **more: Any) -> dict[str, Any]:
    """The ``extra`` of a log call about one Kafka record."""
    return {"model": model, "topic": topic, "partition": partition, "offset": offset, **more}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record fields, trace ids, exception."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            if name in record.__dict__:
                out[name] = record.__dict__[name]
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            out["trace_id"], out["span_id"] = f"{span.trace_id:032x}", f"{span.span_id:016x}"
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure_logging(level: int, log_format: str) -> None:
    """Root logging of a CLI or bridge process (repeated warnings held back, as in the worker)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    log_repeats.install()  # a bridge that loses its broker logs a few lines, not thousands


def faust_logging_config(log_format: str) -> dict[str, Any] | None:
    """What the Faust worker's logging setup merges in: its default handler writing JSON (None: Faust's)."""
    if log_format != "json":
        return None
    return {
        "merge": True,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {
            "default": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
        },
    }
