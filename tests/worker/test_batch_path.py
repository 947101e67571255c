"""The fast path (batch validation, column models, cached encodings) gives exactly the records the
per-item path gives: same outputs, same error records, same headers, in order."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from streamproc.reference_models import DiabetesModel, IrisModel
from streamproc.wire.avro.codec import AvroCodec, RowEncoder
from streamproc.wire.avro.store import SchemaStore
from streamproc.worker.processor import InputMessage, ModelProcessor
from tests.support.processors import make_processor

JSON = {"content-type": "application/json"}
GOOD = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VIRGINICA = {"sepal_length": 6.3, "sepal_width": 3.3, "petal_length": 6.0, "petal_width": 2.5}


def per_item_only(processor: ModelProcessor) -> ModelProcessor:
    """The same processor with the fast path switched off: every input judged alone, objects predicted."""
    processor._batch_judge.judge = lambda batch: [None] * len(batch)  # type: ignore[method-assign]
    processor._columns._predict = None
    return processor


def mixed_batch(codec: AvroCodec) -> list[InputMessage]:
    values: list[tuple[bytes | None, dict[str, str]]] = [
        (codec.encode(GOOD), {"correlation_id": "a", "traceparent": "00-a"}),
        (codec.encode({**GOOD, "petal_length": math.nan}), {}),  # NaN is not a number
        (codec.encode({**GOOD, "petal_length": 250.0}), {"correlation_id": "b"}),  # out of range
        (codec.encode(VIRGINICA), {"content-type": "application/avro"}),
        (codec.encode(GOOD) + b"\x00", {}),  # trailing byte
        (codec.encode(GOOD)[:-3], {}),  # truncated
        (b"\x00\x01 definitely not avro", {}),
        (None, {}),  # tombstone
        (json.dumps(VIRGINICA).encode(), JSON),
        (json.dumps({**GOOD, "sepal_width": "wide"}).encode(), JSON),
        (codec.encode(GOOD), {"content-type": "text/csv"}),
        (codec.encode({**GOOD, "sepal_width": -1.0}), {"reply_to": "r"}),
    ]
    return [
        InputMessage(value, f"k{i}".encode(), headers, "p.in", i % 4, i)
        for i, (value, headers) in enumerate(values * 3)
    ]


def comparable(processor: ModelProcessor, record: Any) -> dict[str, Any]:
    """A record as a dict, its error record decoded without the time it was made."""
    out = dict(vars(record))
    if record.is_error:
        out["value"] = {**processor._error_codec.decode(record.value), "timestamp": None}
    return out


@pytest.mark.parametrize("model_fixture", ["iris_model", "diabetes_model"])
def test_fast_path_gives_the_per_item_records(model_fixture: str, request: pytest.FixtureRequest) -> None:
    model = request.getfixturevalue(model_fixture)
    fast = make_processor(model)
    slow = per_item_only(make_processor(model))
    if isinstance(model, IrisModel):
        batch = mixed_batch(fast._input_codec)
    else:
        row = {"age": 50.0, "sex": 1, "bmi": 25.0, "bp": 90.0, "s1": 190.0, "s2": 110.0, "s3": 50.0,
               "s4": 4.0, "s5": 4.6, "s6": 90.0}  # fmt: skip
        values = [row, {**row, "bmi": math.inf}, {**row, "sex": 3}, {**row, "age": 70.0}]
        batch = [
            InputMessage(fast._input_codec.encode(v), None, {}, "p.in", 0, i) for i, v in enumerate(values)
        ]
    fast_records, slow_records = fast.process(batch), slow.process(batch)
    assert [comparable(fast, r) for r in fast_records] == [comparable(slow, r) for r in slow_records]
    assert sum(not r.is_error for r in fast_records) >= 2 and any(r.is_error for r in fast_records)


def test_column_model_outputs_equal_its_object_outputs(
    iris_model: IrisModel, diabetes_model: DiabetesModel
) -> None:
    iris_rows = [
        GOOD,
        VIRGINICA,
        {"sepal_length": 6.1, "sepal_width": 2.8, "petal_length": 4.7, "petal_width": 1.2},
    ]
    columns = {name: [row[name] for row in iris_rows] for name in iris_model.features}
    objects = [o.model_dump(mode="json") for o in iris_model.predict_batch(iris_rows)]
    assert iris_model.predict_columns(columns) == {"species": [o["species"] for o in objects]}
    assert iris_model.predict_columns(columns)["species"] == ["setosa", "virginica", "versicolor"]


def test_a_column_model_that_fails_falls_back_to_objects(iris_model: IrisModel) -> None:
    processor = make_processor(iris_model)
    processor._columns._predict = lambda columns: {"species": ["setosa"]}  # wrong length
    batch = [InputMessage(processor._input_codec.encode(VIRGINICA), None, {}, "p.in", 0, i) for i in range(5)]
    outputs = [processor._output_codec.decode(r.value) for r in processor.process(batch)]
    assert outputs == [{"species": "virginica"}] * 5


def test_row_encoder_caches_label_rows_only(committed_store: SchemaStore) -> None:
    schema = {"type": "record", "name": "R", "fields": [{"name": "v", "type": ["long", "double", "string"]}]}
    codec = AvroCodec(schema, SchemaStore())
    encoder = RowEncoder(codec, ("v",), max_entries=2)
    assert encoder.encode((1,)) != encoder.encode((1.0,))  # equal as keys, different on the wire
    assert codec.decode(encoder.encode(("a",))) == {"v": "a"} and encoder.encode(("a",)) is encoder.encode(
        ("a",)
    )
    for label in ("b", "c", "d"):  # past max_entries: still right, no longer cached
        assert codec.decode(encoder.encode((label,))) == {"v": label}


def test_fixed_layout_reads_what_fastavro_reads(iris_model: IrisModel, diabetes_model: DiabetesModel) -> None:
    codec = make_processor(iris_model)._input_codec
    layout = codec.fixed_layout
    assert layout is not None and layout.size == 32
    for row in (GOOD, VIRGINICA, {**GOOD, "sepal_width": 1e-300, "petal_width": -0.0}):
        value = codec.encode(row)
        assert dict(
            zip(layout.names, layout.unpack_from(value, len(codec.own_header)), strict=True)
        ) == codec.decode(value)
    assert make_processor(diabetes_model)._input_codec.fixed_layout is None  # "sex" is a varint long
