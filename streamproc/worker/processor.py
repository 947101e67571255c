"""The one prediction core: a batch of raw input messages in, output and error records out.

No Kafka here: the worker's per-model consumer (and the benchmark) feed it messages and send what it returns.
Every input yields exactly one record, on the outputs topic or the errors topic, in input order: nothing
one message contains can raise out of ``process`` (an unexpected failure becomes that message's error
record), and no record is larger than the topics' message limit (an error record is shrunk to fit).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from ml_base import MLModel
from pydantic import BaseModel

from streamproc.errors import DeserializationError, MessageError, ModelError
from streamproc.wire import headers as h
from streamproc.wire.avro.codec import AvroCodec
from streamproc.wire.error_record import ErrorRecord, build_error_record, shrink_to_fit
from streamproc.wire.inputs import MAX_JSON_DEPTH, judge_input
from streamproc.wire.topics import ModelTopics
from streamproc.worker.batch_judge import BatchJudge
from streamproc.worker.columns import ColumnPredictor
from streamproc.worker.prediction import output_dict, predict_many

log = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = 1_048_576  # default of STREAMPROC_MAX_MESSAGE_BYTES (the topics' max.message.bytes)
RECORD_OVERHEAD = 512  # bytes a Kafka record and its batch add to key, value and headers (generous)


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
        max_json_depth: int = MAX_JSON_DEPTH,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
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
        self._max_json_depth = max_json_depth
        self._max_message_bytes = max_message_bytes
        self._batch_judge = BatchJudge(self._input_schema, input_codec)
        self._columns = ColumnPredictor(model, output_codec)

    @property
    def max_message_bytes(self) -> int:
        """No record this processor returns is larger (key, value, headers and a record's overhead)."""
        return self._max_message_bytes

    def lower_message_limit(self, limit: int) -> None:
        """Keep records within ``limit`` bytes too (a topic's own ``max.message.bytes`` may be lower)."""
        self._max_message_bytes = min(self._max_message_bytes, limit)

    def process(self, batch: list[InputMessage]) -> list[OutputRecord]:
        results: list[BaseModel | bytes | MessageError | None] = [None] * len(batch)
        valid_index: list[int] = []
        valid_inputs: list[BaseModel] = []
        for i, (message, verdict) in enumerate(zip(batch, self._batch_judge.judge(batch), strict=True)):
            try:
                valid_inputs.append(verdict if verdict is not None else self._judge(message))
                valid_index.append(i)
            except MessageError as exc:
                results[i] = exc
        for i, prediction in zip(valid_index, self._predict(valid_inputs), strict=True):
            results[i] = prediction
        return self._records(batch, results)

    def _records(self, batch: list[InputMessage], results: list[Any]) -> list[OutputRecord]:
        """One record per input; the common case (encoded output, no headers, small) built inline."""
        topic, partitions, version = self.topics.outputs, self._partitions or 0, self._version_header
        room = self._max_message_bytes - RECORD_OVERHEAD - len(version[0]) - len(version[1])
        records: list[OutputRecord] = []
        for message, result in zip(batch, results, strict=True):
            key = message.key
            if type(result) is bytes and not message.headers and len(result) + len(key or b"") <= room:
                partition = message.partition
                same = partition if partition < partitions else None
                records.append(OutputRecord(topic, key, result, [version], same))
            else:
                records.append(self._record(message, result))
        return records

    def _judge(self, message: InputMessage) -> BaseModel:
        try:
            content_type = message.headers.get(h.CONTENT_TYPE)
            return judge_input(
                message.value, content_type, self._input_codec, self._input_schema, self._max_json_depth
            )
        except MessageError:
            raise
        except Exception as exc:  # a decoder or validator bug must not stop the worker: this input failed
            _log_unexpected("judging", message, exc)
            raise DeserializationError(
                "the input could not be decoded (the worker logged the cause)"
            ) from exc

    def _predict(self, inputs: list[BaseModel]) -> list[BaseModel | bytes | MessageError]:
        """Outputs (objects, or already encoded by a column model) or errors, one per input."""
        try:
            if inputs and self._columns.available:
                encoded = self._columns.predict_encoded(inputs)
                if encoded is not None:
                    return list(encoded)
            return list(predict_many(self.model, inputs))
        except Exception as exc:  # predict_many guards each item; this is a last resort
            log.error("model %s: predicting %d inputs failed: %s", self.qualified_name, len(inputs), exc)
            return [ModelError("the model failed on this input (the worker logged the cause)")] * len(inputs)

    def _record(self, message: InputMessage, result: Any) -> OutputRecord:
        if not isinstance(result, MessageError):
            try:
                value = (
                    result if isinstance(result, bytes) else self._output_codec.encode(output_dict(result))
                )
                out = self._out(message, self.topics.outputs, value, {})
                if _size(out) <= self._max_message_bytes:
                    return out
                result = ModelError(
                    f"the output record would be {_size(out)} bytes, over the limit of"
                    f" {self._max_message_bytes} bytes (key {len(out.key or b'')} bytes)"
                )
            except MessageError as exc:
                result = exc
            except Exception as exc:
                _log_unexpected("encoding the output of", message, exc)
                result = ModelError("the model's output could not be encoded (the worker logged the cause)")
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
        try:
            out = self._error_out(message, record, error.error_type)
        except MessageError as exc:  # the error's own text cannot be encoded (e.g. a lone surrogate)
            log.error("error record of %s@%d could not be encoded: %s", message.topic, message.offset, exc)
            record = record.model_copy(
                update={"message": f"{error.error_type} (text not encodable)", "details": []}
            )
            out = self._error_out(message, record, error.error_type)
        excess = _size(out) - self._max_message_bytes
        if excess > 0:  # the original value and key make it too large: keep their first bytes
            record = shrink_to_fit(record, excess)
            out = self._error_out(message, record, error.error_type)
        if _size(out) > self._max_message_bytes:  # propagated headers alone are too large
            out.headers = [header for header in out.headers if header[0] not in h.PROPAGATED]
        return out

    def _error_out(self, message: InputMessage, record: ErrorRecord, error_type: str) -> OutputRecord:
        value = self._error_codec.encode(record.to_wire())
        out = self._out(message, self.topics.errors, value, {h.ERROR_TYPE: error_type})
        out.key = record.original_key
        out.is_error = True
        return out

    def _out(self, message: InputMessage, topic: str, value: bytes, extra: dict[str, str]) -> OutputRecord:
        headers = message.headers
        if headers:
            out_headers = [(name, headers[name].encode()) for name in h.PROPAGATED if name in headers]
            out_headers.append(self._version_header)
        else:
            out_headers = [self._version_header]
        if extra:
            out_headers += h.encode_headers(extra)
        same_partition = (
            message.partition if self._partitions and message.partition < self._partitions else None
        )
        return OutputRecord(topic, message.key, value, out_headers, same_partition)


def _size(record: OutputRecord) -> int:
    headers = sum([len(name) + len(value) for name, value in record.headers])
    return len(record.value) + len(record.key or b"") + headers + RECORD_OVERHEAD


def _log_unexpected(stage: str, message: InputMessage, exc: BaseException) -> None:
    where = f"{message.topic}/{message.partition}@{message.offset}"
    log.error("%s the input at %s failed unexpectedly: %s: %s", stage, where, type(exc).__name__, exc)
