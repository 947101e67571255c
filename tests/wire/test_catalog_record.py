"""CatalogEntry: built from a hosted model, schemas as JSON text on the wire, Avro round trip."""

from __future__ import annotations

import json

from streamproc.reference_models import IrisModel
from streamproc.settings import REPO_ROOT
from streamproc.wire.avro.codec import AvroCodec
from streamproc.wire.avro.store import SchemaStore
from streamproc.wire.catalog_record import CatalogEntry, catalog_record_avro_schema
from streamproc.wire.topics import ModelTopics


def iris_entry(model: IrisModel) -> CatalogEntry:
    topics = ModelTopics.for_model("model_stream_processor", model.qualified_name, model.version)
    return CatalogEntry.from_model(model, topics, updated_at=1_700_000_000_000)


def test_from_model(iris_model: IrisModel) -> None:
    entry = iris_entry(iris_model)
    assert (entry.qualified_name, entry.display_name, entry.version) == ("iris_model", "Iris Model", "0.1.0")
    assert entry.to_wire()["status"] == "serving"
    assert entry.description == IrisModel.description
    assert entry.topics.inputs == "model_stream_processor.iris_model.0.1.inputs"
    assert entry.topics.errors == "model_stream_processor.iris_model.0.1.errors"
    assert set(entry.input_schema["properties"]) == {
        "sepal_length",
        "sepal_width",
        "petal_length",
        "petal_width",
    }
    assert entry.input_schema["properties"]["sepal_length"]["exclusiveMinimum"] == 0
    assert entry.output_schema["$defs"]["Species"]["enum"] == ["setosa", "versicolor", "virginica"]
    assert entry.updated_at == 1_700_000_000_000


def test_avro_schemas_are_the_committed_ones(iris_model: IrisModel) -> None:
    entry = iris_entry(iris_model)
    base = REPO_ROOT / "schemas/iris_model/0.1.0"
    assert entry.input_avro_schema == json.loads((base / "input.avsc").read_text())
    assert entry.output_avro_schema == json.loads((base / "output.avsc").read_text())


def test_wire_form_has_schemas_as_json_text(iris_model: IrisModel) -> None:
    wire = iris_entry(iris_model).to_wire()
    for name in ("input_schema", "output_schema", "input_avro_schema", "output_avro_schema"):
        assert isinstance(wire[name], str)
    assert json.loads(wire["output_avro_schema"])["name"] == "IrisModelOutput"
    assert wire["topics"] == {
        "inputs": "model_stream_processor.iris_model.0.1.inputs",
        "outputs": "model_stream_processor.iris_model.0.1.outputs",
        "errors": "model_stream_processor.iris_model.0.1.errors",
    }


def test_avro_round_trip(iris_model: IrisModel, committed_store: SchemaStore) -> None:
    committed = json.loads((REPO_ROOT / "schemas/streamproc/catalog_record.avsc").read_text())
    assert committed == catalog_record_avro_schema()
    codec = AvroCodec(committed, committed_store)
    entry = iris_entry(iris_model)
    assert CatalogEntry.from_wire(codec.decode(codec.encode(entry.to_wire()))) == entry
