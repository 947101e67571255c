"""The model service's methods and error table, over an in-memory catalog and a scripted requester.

What crosses Kafka is covered in tests/test_rpc_bridge.py; here only the mapping is under test.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bridges.dataplane import DataPlane
from bridges.rpc.methods import RemoteCallError, ServiceMethods
from bridges.rpc.model_methods import SERVICE_NAME, ModelMethods
from streamproc.errors import (
    BrokerUnavailableError,
    DeserializationError,
    FieldIssue,
    ModelError,
    ReplyTimeoutError,
    SchemaError,
    UnknownModelError,
)
from streamproc.settings import StreamprocSettings
from streamproc.wire.catalog_record import CatalogEntry, CatalogTopics

IRIS = CatalogEntry(
    qualified_name="iris_model",
    display_name="Iris Model",
    description="Predict the species of an iris.",
    version="0.1.0",
    input_schema={"title": "IrisInput", "type": "object"},
    output_schema={"title": "IrisOutput", "type": "object"},
    input_avro_schema={"type": "record", "name": "IrisInput", "fields": []},
    output_avro_schema={"type": "record", "name": "IrisOutput", "fields": []},
    topics=CatalogTopics(
        inputs="p.iris_model.0.1.inputs", outputs="p.iris_model.0.1.outputs", errors="p.iris_model.0.1.errors"
    ),
    updated_at=0,
)


class Catalog:
    def __init__(self, *entries: Any) -> None:
        self.models = {e.qualified_name: e for e in entries}

    def get(self, qualified_name: str) -> Any:
        if qualified_name not in self.models:
            raise UnknownModelError(qualified_name)
        return self.models[qualified_name]

    def entries(self) -> list[Any]:
        return [self.models[k] for k in sorted(self.models)]


class Requester:
    def __init__(self) -> None:
        self.error: Exception | None = None
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def request(
        self, entry: Any, value: bytes, correlation_id: Any = None, timeout: Any = None
    ) -> dict:  # noqa: ASYNC109
        self.calls.append((entry.qualified_name, json.loads(value)))
        if self.error is not None:
            raise self.error
        return {"species": "setosa"}


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(IRIS)


@pytest.fixture
def requester() -> Requester:
    return Requester()


@pytest.fixture
def service(catalog: Catalog, requester: Requester) -> ServiceMethods:
    plane = DataPlane(StreamprocSettings(), catalog, requester)  # type: ignore[arg-type]
    return ServiceMethods(ModelMethods(plane), SERVICE_NAME)


async def call_error(service: ServiceMethods, method: str, *args: Any) -> RemoteCallError:
    with pytest.raises(RemoteCallError) as info:
        await service.call(method, list(args))
    return info.value


async def test_get_models(service: ServiceMethods) -> None:
    assert await service.call("get_models", []) == [
        {
            "display_name": "Iris Model",
            "qualified_name": "iris_model",
            "description": "Predict the species of an iris.",
            "version": "0.1.0",
        }
    ]


async def test_get_model_metadata(service: ServiceMethods) -> None:
    metadata = await service.call("get_model_metadata", ["iris_model"])
    assert metadata["input_schema"] == IRIS.input_schema
    assert metadata["output_schema"] == IRIS.output_schema
    assert metadata["version"] == "0.1.0"


async def test_unknown_model_metadata_is_value_error(service: ServiceMethods) -> None:
    error = await call_error(service, "get_model_metadata", "nope")
    assert error.name == "ValueError"
    assert "nope" in error.message


async def test_predict_goes_through_the_requester(service: ServiceMethods, requester: Requester) -> None:
    data = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
    assert await service.call("iris_model_predict", [data]) == {"species": "setosa"}
    assert requester.calls == [("iris_model", data)]


async def test_introspection_documents_each_model(service: ServiceMethods) -> None:
    methods = service.inspect()["methods"]
    assert methods["iris_model_predict"] == {
        "args": [{"name": "data"}],
        "doc": "Predict with the Iris Model.",
    }
    assert methods["get_models"]["doc"] == "Return list of models hosted in this service."
    assert methods["get_model_metadata"]["doc"] == "Return metadata about a model hosted by the service."


async def test_model_appearing_later_is_callable(service: ServiceMethods, catalog: Catalog) -> None:
    assert (await call_error(service, "wine_model_predict", {})).name == "NameError"
    catalog.models["wine_model"] = IRIS.model_copy(update={"qualified_name": "wine_model"})
    assert await service.call("wine_model_predict", [{}]) == {"species": "setosa"}
    assert "wine_model_predict" in await service.call("_zerorpc_list", [])


@pytest.mark.parametrize(
    ("error", "name"),
    [
        (
            SchemaError("bad", [FieldIssue("sepal_length", "Input should be a valid number")]),
            "MLModelSchemaValidationException",
        ),
        (DeserializationError("not JSON"), "MLModelSchemaValidationException"),
        (ModelError("model raised"), "MLModelException"),
        (ReplyTimeoutError("no reply in 5s"), "TimeoutError"),
        (BrokerUnavailableError("broker down"), "ConnectionError"),
    ],
)
async def test_errors_map_to_remote_names(
    service: ServiceMethods, requester: Requester, error: Exception, name: str
) -> None:
    requester.error = error
    remote = await call_error(service, "iris_model_predict", {"sepal_length": "x"})
    assert remote.name == name


async def test_schema_error_message_names_the_fields(service: ServiceMethods, requester: Requester) -> None:
    requester.error = SchemaError(
        "bad", [FieldIssue("sepal_length", "too big"), FieldIssue("petal_width", "missing")]
    )
    remote = await call_error(service, "iris_model_predict", {})
    assert remote.message == "Field 'sepal_length' has error: too big; Field 'petal_width' has error: missing"


async def test_non_object_input_is_schema_error(service: ServiceMethods, requester: Requester) -> None:
    remote = await call_error(service, "iris_model_predict", [1, 2])
    assert remote.name == "MLModelSchemaValidationException"
    assert requester.calls == []
