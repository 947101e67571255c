"""Kafka header names and content types of the wire contract (names lower-case, values UTF-8)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

CORRELATION_ID = "correlation_id"
REPLY_TO = "reply_to"
CONTENT_TYPE = "content-type"
TRACEPARENT = "traceparent"
MODEL_VERSION = "model_version"
ERROR_TYPE = "error_type"

# Copied from an input onto its output or error record.
PROPAGATED = (CORRELATION_ID, REPLY_TO, TRACEPARENT)

CONTENT_TYPE_JSON = "application/json"
CONTENT_TYPE_AVRO = "application/avro"

RawHeaders = Iterable[tuple[str, bytes | str | None]] | Mapping[str, bytes | str | None] | None


def decode_headers(raw: RawHeaders) -> dict[str, str]:
    """Turn Kafka headers (list of pairs or mapping, bytes or str values) into a str dict."""
    if not raw:
        return {}
    pairs = raw.items() if isinstance(raw, Mapping) else raw
    out: dict[str, str] = {}
    for name, value in pairs:
        if value is None:
            continue
        out[name.lower()] = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return out


def encode_headers(headers: Mapping[str, str]) -> list[tuple[str, bytes]]:
    """Turn a str dict into Kafka header pairs."""
    return [(name, value.encode("utf-8")) for name, value in headers.items()]
