"""A regression corpus of hostile topic values, interleaved with valid inputs, through the real worker:
the worker never exits, every input gets exactly one record, each bad one with the right error_type."""

from __future__ import annotations

import json
import math
import random
import subprocess
import uuid
from dataclasses import dataclass, field

import pytest
from confluent_kafka import Producer

from bridges.catalog import read_catalog
from streamproc.settings import StreamprocSettings
from streamproc.wire.codec_factory import Codecs
from tests.support.kafka_io import collect

pytestmark = pytest.mark.broker

DESER, SCHEMA, OK = "DESERIALIZATION_ERROR", "SCHEMA_ERROR", None
IRIS = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
JSON = [("content-type", b"application/json")]
PAD = "p" * 1_046_000
NEAR_1MB = 1_046_000  # just under what the broker takes in one record


@dataclass
class Case:
    name: str
    value: bytes | None
    expected: str | None  # error_type, or None for an output
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    key: bytes | None = None


def json_case(name: str, text: bytes | str, expected: str | None) -> Case:
    return Case(name, text.encode() if isinstance(text, str) else text, expected, JSON)


def corpus(avro: bytes, diabetes_avro: bytes, nan_avro: bytes, negative_avro: bytes) -> list[Case]:
    rng = random.Random(11)
    good = json.dumps(IRIS)
    with_value = lambda v: json.dumps({**IRIS, "sepal_length": v})  # noqa: E731
    return [
        Case("random-bytes", rng.randbytes(64), DESER),
        Case("empty", b"", DESER),
        Case("tombstone", None, DESER, key=b"tombstone-key"),
        Case("one-byte", b"\xc3", DESER),
        Case("avro-header-only", avro[:10], DESER),
        Case("avro-truncated", avro[:-3], DESER),
        Case("avro-trailing-bytes", avro + b"\x00\x01", DESER),
        Case("avro-unknown-fingerprint", avro[:2] + rng.randbytes(8) + avro[10:], DESER),
        Case("avro-of-another-model", diabetes_avro, DESER),
        Case("avro-nan", nan_avro, DESER),
        Case("avro-out-of-range", negative_avro, SCHEMA),
        Case("avro-ish-deep", avro[:10] + b"\x02" * 100_000, DESER),
        Case("confluent-magic-without-registry", b"\x00\x00\x00\x00\x01" + avro[10:], DESER),
        Case("json-without-content-type", good.encode(), DESER),
        json_case("json-not-utf8", b'{"sepal_length": "\xff\xfe"}', DESER),
        json_case("json-array", "[1, 2]", DESER),
        json_case("json-string", '"text"', DESER),
        json_case("json-null", "null", DESER),
        json_case("json-number", "3", DESER),
        json_case("json-syntax", '{"sepal_length": ', DESER),
        json_case("json-empty", b"", DESER),
        json_case("json-nan", with_value("NaN").replace('"NaN"', "NaN"), DESER),
        json_case("json-infinity", with_value("x").replace('"x"', "Infinity"), DESER),
        json_case("json-minus-infinity", with_value("x").replace('"x"', "-Infinity"), DESER),
        json_case("json-overflow", with_value("x").replace('"x"', "1e400"), DESER),
        json_case("json-deep-objects", b'{"a":' * 970 + b"1" + b"}" * 970, DESER),
        json_case("json-deep-arrays", b"[" * 100_000, DESER),
        json_case("json-missing-fields", "{}", SCHEMA),
        json_case("json-wrong-type", with_value("abc"), SCHEMA),
        json_case("json-number-as-string", with_value("5.1"), SCHEMA),
        json_case("json-boolean-as-number", with_value(True), SCHEMA),
        json_case("json-null-field", with_value(None), SCHEMA),
        json_case("json-out-of-range", with_value(-1), SCHEMA),
        json_case("json-near-1MB-invalid", json.dumps({**IRIS, "sepal_length": -1, "pad": PAD}), SCHEMA),
        Case("random-near-1MB", rng.randbytes(NEAR_1MB), DESER),
        Case("huge-key-bad-value", b"\x00bad-val", DESER, key=b"k" * 550_000),
        Case("content-type-text-plain", good.encode(), DESER, [("content-type", b"text/plain")]),
        Case("content-type-xml", b"<iris/>", DESER, [("content-type", b"application/xml")]),
        Case("content-type-not-utf8", good.encode(), DESER, [("content-type", b"\xff\xfe")]),
        Case("content-type-empty-with-json", good.encode(), DESER, [("content-type", b"")]),
        # odd but acceptable: each of these gets an output
        Case("huge-key-valid-value", avro, OK, key=b"k" * 550_000),
        Case("content-type-upper-case", good.encode(), OK, [("content-type", b"APPLICATION/JSON; q=1")]),
        Case("duplicate-content-type-last-wins", avro, OK, [("content-type", b"application/json"),
                                                             ("content-type", b"application/avro")]),
        Case("non-utf8-header-value", avro, OK, [("traceparent", b"\xff\xfe\xfd"), ("x-odd", b"\x00")]),
        Case("duplicate-unrelated-headers", avro, OK, [("x-a", b"1"), ("x-a", b"2")]),
        json_case("json-extra-field-ignored", json.dumps({**IRIS, "colour": "blue"}), OK),
        json_case("json-integers-are-numbers", json.dumps({k: math.ceil(v) for k, v in IRIS.items()}), OK),
    ]  # fmt: skip


def produce(bootstrap: str, topic: str, items: list[tuple[str, Case]]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "message.max.bytes": 2_000_000, "linger.ms": 0})
    errors: list[object] = []
    for correlation_id, case in items:
        headers = [("correlation_id", correlation_id.encode()), *case.headers]
        producer.produce(topic, value=case.value, key=case.key, headers=headers,
                         on_delivery=lambda err, _msg: errors.append(err) if err else None)  # fmt: skip
        if len(case.value or b"") + len(case.key or b"") > 100_000:
            producer.flush(30)  # a batch of its own: two large values would not fit one request
    assert producer.flush(60) == 0 and not errors, errors


def test_the_corpus_is_classified_and_the_worker_keeps_going(
    stack_settings: StreamprocSettings, worker: subprocess.Popen[bytes]
) -> None:
    entries = read_catalog(stack_settings)
    iris, diabetes = entries["iris_model"], entries["diabetes_model"]
    codecs = Codecs(stack_settings)
    encode = codecs.for_schema(iris.input_avro_schema, iris.topics.inputs).encode
    diabetes_value = codecs.for_schema(diabetes.input_avro_schema, diabetes.topics.inputs).encode(
        {name: 0.01 for name in diabetes.input_schema["properties"]}
    )
    cases = corpus(encode(IRIS), diabetes_value, encode({**IRIS, "sepal_length": math.nan}),
                   encode({**IRIS, "sepal_length": -1.0}))  # fmt: skip
    assert len([c for c in cases if c.expected]) >= 36
    run = uuid.uuid4().hex[:8]
    valid = Case("valid", encode(IRIS), OK)
    items: list[tuple[str, Case]] = []
    for i, case in enumerate(cases):  # every bad value sits between two valid ones
        items += [(f"{run}-valid-{i}", valid), (f"{run}-{case.name}", case)]
    items.append((f"{run}-valid-last", valid))
    produce(stack_settings.bootstrap_servers, iris.topics.inputs, items)
    wanted = lambda r: r.headers.get("correlation_id", "").startswith(run)  # noqa: E731
    topics = [iris.topics.outputs, iris.topics.errors]
    records = collect(stack_settings.bootstrap_servers, topics, wanted, len(items), 120)
    assert worker.poll() is None, f"the worker exited ({worker.returncode})"
    got = {r.headers["correlation_id"]: r for r in records}
    assert len(records) == len(got), "an input got more than one record"
    missing = [cid for cid, _ in items if cid not in got]
    assert not missing, f"{len(missing)} inputs got no record: {missing[:10]}"
    wrong = {
        cid: (case.expected, got[cid].headers.get("error_type"))
        for cid, case in items
        if got[cid].headers.get("error_type") != case.expected
    }
    assert not wrong, f"misclassified (expected, got): {wrong}"
