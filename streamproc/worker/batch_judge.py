"""Judge a batch of Avro inputs at once, where that gives the verdict each would get alone.

Values framed with the model's own Avro schema (no content type, or Avro) are decoded one by one and
validated in one pydantic call (``TypeAdapter(list[Input])``). Anything else — JSON, other framings,
nested or non-finite values, and each item the batch call rejects — is left to the per-item judgement
(``None``), so every error record is exactly the one that judgement gives.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import BaseModel, TypeAdapter, ValidationError

from streamproc.wire import headers as h
from streamproc.wire.avro.codec import AvroCodec
from streamproc.wire.inputs import media_type

log = logging.getLogger(__name__)


class HasInput(Protocol):
    value: bytes | None
    headers: dict[str, str]


class BatchJudge:
    """Validated model inputs for a batch: one per message, or None where the message must be judged alone."""

    def __init__(self, input_schema: type[BaseModel], codec: AvroCodec) -> None:
        self._adapter: TypeAdapter[list[BaseModel]] = TypeAdapter(list[input_schema])  # type: ignore[valid-type]
        self._codec = codec
        self._own_header = codec.own_header

    def judge(self, messages: Sequence[HasInput]) -> list[BaseModel | None]:
        verdicts: list[BaseModel | None] = [None] * len(messages)
        try:
            where, records = self._decoded(messages)
            for i, verdict in zip(where, self._validated(records), strict=True):
                verdicts[i] = verdict
        except Exception as exc:  # never worse than judging each alone
            log.warning("batch judgement failed (%r); judging %d inputs one by one", exc, len(messages))
            return [None] * len(messages)
        return verdicts

    def _decoded(self, messages: Sequence[HasInput]) -> tuple[list[int], list[dict[str, Any]]]:
        where: list[int] = []
        records: list[dict[str, Any]] = []
        own, decode = self._own_header, self._codec.decode
        fixed = self._codec.fixed_layout
        fixed_size = len(own) + fixed.size if fixed is not None else -1
        for i, message in enumerate(messages):
            value = message.value
            if value is None or not value.startswith(own):
                continue
            content_type = message.headers.get(h.CONTENT_TYPE)
            if content_type and media_type(content_type) != h.CONTENT_TYPE_AVRO:
                continue
            try:
                if len(value) == fixed_size:  # exactly one record of fixed-size fields: no resolution needed
                    row = fixed.unpack_from(value, len(own))  # type: ignore[union-attr]
                    if math.isfinite(sum(row)):  # NaN or ±Infinity anywhere (or an overflow): judge alone
                        where.append(i)
                        records.append(dict(zip(fixed.names, row, strict=True)))  # type: ignore[union-attr]
                    continue
                record = decode(value)
            except Exception:  # noqa: S112  # the per-item judgement gives this input its error record
                continue
            if _flat_and_finite(record):
                where.append(i)
                records.append(record)
        return where, records

    def _validated(self, records: list[dict[str, Any]]) -> list[BaseModel | None]:
        try:
            return list(self._adapter.validate_python(records))
        except ValidationError as exc:
            rejected = {error["loc"][0] for error in exc.errors(include_url=False) if error["loc"]}
        kept = [j for j in range(len(records)) if j not in rejected]
        out: list[BaseModel | None] = [None] * len(records)
        if kept:
            try:
                for j, verdict in zip(
                    kept, self._adapter.validate_python([records[j] for j in kept]), strict=True
                ):
                    out[j] = verdict
            except ValidationError:
                return [None] * len(records)
        return out


def _flat_and_finite(record: dict[str, Any]) -> bool:
    """Only flat records of finite numbers take the batch path (depth and NaN rules stay per item)."""
    for value in record.values():
        kind = type(value)
        if kind is float:
            if not math.isfinite(value):
                return False
        elif kind is dict or kind is list:
            return False
    return True
