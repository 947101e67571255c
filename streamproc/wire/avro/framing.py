"""Avro single-object encoding: marker ``C3 01``, 8-byte little-endian CRC-64-AVRO fingerprint, body.

The fingerprint is the Rabin (CRC-64-AVRO) fingerprint of the writer schema's parsing canonical form,
so any reader holding the same schema can recognise it without a registry.
"""

from __future__ import annotations

import json
from typing import Any

from fastavro.schema import fingerprint as _fingerprint
from fastavro.schema import to_parsing_canonical_form

from streamproc.errors import DeserializationError

MARKER = b"\xc3\x01"
FINGERPRINT_SIZE = 8
HEADER_SIZE = len(MARKER) + FINGERPRINT_SIZE

Schema = dict[str, Any] | list[Any] | str


def canonical_form(schema: Schema) -> str:
    """The Avro parsing canonical form of ``schema`` (a dict, or its JSON text)."""
    if isinstance(schema, str) and schema.lstrip().startswith(("{", "[")):
        schema = json.loads(schema)
    return str(to_parsing_canonical_form(schema))


def fingerprint(schema: Schema) -> bytes:
    """The 8 fingerprint bytes exactly as they appear on the wire (little-endian CRC-64-AVRO)."""
    # fastavro renders the 64-bit value as the hex of its little-endian bytes.
    return bytes.fromhex(_fingerprint(canonical_form(schema), "CRC-64-AVRO"))


def describe_fingerprint(fp: bytes) -> str:
    """``0x…`` rendering of the 64-bit fingerprint value (as Avro tools print it)."""
    return f"0x{int.from_bytes(fp, 'little'):016x}"


def header(fp: bytes) -> bytes:
    """Marker plus fingerprint: the prefix of every single-object encoded value."""
    if len(fp) != FINGERPRINT_SIZE:
        raise ValueError(f"a fingerprint has {FINGERPRINT_SIZE} bytes, got {len(fp)}")
    return MARKER + fp


def is_single_object(data: bytes) -> bool:
    return data[:2] == MARKER


def split(data: bytes) -> tuple[bytes, int]:
    """Return ``(fingerprint, body_offset)`` of a single-object encoded value.

    Raises DeserializationError when the marker is missing or the header is cut short.
    """
    if data[:2] != MARKER:
        raise DeserializationError(
            "value is not Avro single-object encoded: expected marker c301, "
            f"got {bytes(data[:2]).hex() or 'nothing'}"
            f" ({len(data)} bytes)"
        )
    if len(data) < HEADER_SIZE:
        raise DeserializationError(
            f"Avro single-object header truncated: {len(data)} bytes, need at least {HEADER_SIZE}"
        )
    return bytes(data[2:HEADER_SIZE]), HEADER_SIZE
