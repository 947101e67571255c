"""ErrorRecord: the value written to a model's ``.errors`` topic when one input message fails.

It carries what failed (type, human message, field details) and everything needed to replay the
input: its original bytes, content type, key, and where it was read (topic, partition, offset).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any, Literal

from pydantic import BaseModel, Field

from streamproc.errors import MessageError
from streamproc.wire.avro.generate import avro_schema

NAMESPACE = "streamproc"

ErrorType = Literal["DESERIALIZATION_ERROR", "SCHEMA_ERROR", "MODEL_ERROR"]


class ErrorDetail(BaseModel):
    """One field-level problem."""

    location: str = Field(..., description="Dotted path of the field, e.g. 'sepal_length'.")
    message: str = Field(..., description="What is wrong with the field.")


class ErrorRecord(BaseModel):
    """An input message that failed, with the reason and the original bytes to replay it."""

    model_qualified_name: str = Field(..., description="Qualified name of the model that received the input.")
    model_version: str = Field(..., description="Full version of the model.")
    error_type: ErrorType = Field(..., description="DESERIALIZATION_ERROR, SCHEMA_ERROR or MODEL_ERROR.")
    message: str = Field(..., description="Human-readable explanation.")
    details: list[ErrorDetail] = Field(..., description="Field-level problems (empty when none).")
    original_value: bytes = Field(..., description="The input value exactly as received.")
    original_content_type: str | None = Field(None, description="content-type header of the input, if any.")
    original_key: bytes | None = Field(None, description="Key of the input record, if any.")
    original_topic: str = Field(..., description="Topic the input was read from.")
    original_partition: int = Field(..., description="Partition the input was read from.")
    original_offset: int = Field(..., description="Offset of the input record.")
    timestamp: int = Field(..., description="When the error record was made (ms since the epoch).")
    # Added later, with defaults, so records of either version are read by readers of either version.
    original_value_truncated: bool = Field(
        False, description="True when original_value holds only the first bytes (the record had to fit)."
    )
    original_key_truncated: bool = Field(
        False, description="True when original_key holds only the first bytes."
    )
    original_value_size: int | None = Field(None, description="Size of the whole original value in bytes.")
    original_key_size: int | None = Field(None, description="Size of the whole original key in bytes.")
    original_value_sha256: str | None = Field(None, description="SHA-256 (hex) of the whole original value.")
    original_key_sha256: str | None = Field(None, description="SHA-256 (hex) of the whole original key.")

    # pydantic reserves the "model_" prefix; these names are part of the wire contract.
    model_config = {"protected_namespaces": ()}

    def to_wire(self) -> dict[str, Any]:
        """Dict for AvroCodec.encode (bytes stay bytes)."""
        return self.model_dump(mode="python")

    @classmethod
    def from_wire(cls, record: dict[str, Any]) -> ErrorRecord:
        return cls.model_validate(record)


def error_record_avro_schema() -> dict[str, Any]:
    """The Avro schema committed as ``schemas/streamproc/error_record.avsc``."""
    return avro_schema(ErrorRecord, NAMESPACE)


def build_error_record(
    error: MessageError,
    *,
    qualified_name: str,
    version: str,
    value: bytes | None,
    content_type: str | None,
    key: bytes | None,
    topic: str,
    partition: int,
    offset: int,
    timestamp: int | None = None,
) -> ErrorRecord:
    """Error record for ``error`` raised while handling the message read at ``topic/partition/offset``."""
    return ErrorRecord(
        model_qualified_name=qualified_name,
        model_version=version,
        error_type=error.error_type,  # type: ignore[arg-type]
        message=error.message,
        details=[ErrorDetail(location=d.location, message=d.message) for d in error.details],
        original_value=value or b"",
        original_content_type=content_type,
        original_key=key,
        original_value_size=len(value or b""),
        original_key_size=None if key is None else len(key),
        original_value_sha256=hashlib.sha256(value or b"").hexdigest(),
        original_key_sha256=None if key is None else hashlib.sha256(key).hexdigest(),
        original_topic=topic,
        original_partition=partition,
        original_offset=offset,
        timestamp=timestamp if timestamp is not None else int(time.time() * 1000),
    )


def shrink_to_fit(record: ErrorRecord, excess: int) -> ErrorRecord:
    """A copy ``excess`` bytes smaller (or more), cut from the original value and key, which say so.

    The key counts twice (it is also the Kafka key of the error record), so it is cut first, to at most a
    quarter of what stays; sizes and SHA-256 of the whole bytes are already in the record.
    """
    value, key = record.original_value, record.original_key or b""
    keep = max(0, len(value) + 2 * len(key) - excess)
    keep_key = min(len(key), keep // 4)
    keep_value = min(len(value), keep - 2 * keep_key)
    return record.model_copy(
        update={
            "original_value": value[:keep_value],
            "original_value_truncated": record.original_value_truncated or keep_value < len(value),
            "original_key": None if record.original_key is None else key[:keep_key],
            "original_key_truncated": record.original_key_truncated or keep_key < len(key),
        }
    )
