"""The one prediction core: a batch of raw input messages in, output and error records out.

No Kafka here: the worker's per-model consumer (and the benchmark) feed it messages and send what it returns.
Every input yields exactly one record, on the outputs topic or the errors topic, in input order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ml_base import MLModel
from pydantic import BaseModel

from streamproc.errors import MessageError
from streamproc.wire import headers as h
from streamproc.wire.avro.codec import AvroCodec
from streamproc.wire.error_record import build_error_record
from streamproc.wire.inputs import decode_input, validate_input
from streamproc.wire.topics import ModelTopics
from streamproc.worker.prediction import output_dict, predict_many


@dataclass
class InputMessage:
    value: bytes | None
    key: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    topic: str = ""
    partition: int = 0
    offset: int = -1


@dataclass
class OutputRecord:
    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]
    partition: int | None = None
    is_error: bool = False


class ModelProcessor:
    """Decode → validate → predict (batched) → encode for one hosted model."""

    def __init__(
        self,
        model: MLModel,
        topics: ModelTopics,
        input_codec: AvroCodec,
        output_codec: AvroCodec,
        error_codec: AvroCodec,
        partitions: int | None = None,
    ) -> None:
        self.model = model
        self.topics = topics
        self.qualified_name = model.qualified_name
        self.version = model.version
        self._input_schema: type[BaseModel] = model.input_schema  # type: ignore[assignment]
        self._input_codec = input_codec
        self._output_codec = output_codec
        self._error_codec = error_codec
        self._partitions = partitions
        self._version_header = (h.MODEL_VERSION, model.version.encode())

    def process(self, batch: list[InputMessage]) -> list[OutputRecord]:
        results: list[BaseModel | MessageError | None] = [None] * len(batch)
        valid_index: list[int] = []
        valid_inputs: list[BaseModel] = []
        for i, message in enumerate(batch):
            try:
                data = decode_input(message.value, message.headers.get(h.CONTENT_TYPE), self._input_codec)
                valid_inputs.append(validate_input(self._input_schema, data))
                valid_index.append(i)
            except MessageError as exc:
                results[i] = exc
        for i, prediction in zip(valid_index, predict_many(self.model, valid_inputs), strict=True):
            results[i] = prediction
        return [self._record(message, result) for message, result in zip(batch, results, strict=True)]

    def _record(self, message: InputMessage, result: Any) -> OutputRecord:
        if not isinstance(result, MessageError):
            try:
                value = self._output_codec.encode(output_dict(result))
                return self._out(message, self.topics.outputs, value, {})
            except MessageError as exc:
                result = exc
        return self._error(message, result)

    def _error(self, message: InputMessage, error: MessageError) -> OutputRecord:
        record = build_error_record(
            error,
            qualified_name=self.qualified_name,
            version=self.version,
            value=message.value,
            content_type=message.headers.get(h.CONTENT_TYPE),
            key=message.key,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
        )
        value = self._error_codec.encode(record.to_wire())
        out = self._out(message, self.topics.errors, value, {h.ERROR_TYPE: error.error_type})
        out.is_error = True
        return out

    def _out(self, message: InputMessage, topic: str, value: bytes, extra: dict[str, str]) -> OutputRecord:
        headers = message.headers
        out_headers = [(name, headers[name].encode()) for name in h.PROPAGATED if name in headers]
        out_headers.append(self._version_header)
        out_headers += h.encode_headers(extra)
        same_partition = (
            message.partition if self._partitions and message.partition < self._partitions else None
        )
        return OutputRecord(topic, message.key, value, out_headers, same_partition)
