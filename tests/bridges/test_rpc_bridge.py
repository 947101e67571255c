"""The RPC bridge end to end: stock zerorpc client → bridge → Kafka → real worker → reply."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bridges.dataplane import DataPlane
from bridges.rpc.model_methods import SERVICE_NAME, ModelMethods
from bridges.rpc.server import RpcServer
from bridges.rpc.service import build_rpc_server
from tests.support.rpc_client import run_cli, run_client

pytestmark = pytest.mark.broker

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VERSICOLOR = {"sepal_length": 7.0, "sepal_width": 3.2, "petal_length": 4.7, "petal_width": 1.4}
VIRGINICA = {"sepal_length": 6.3, "sepal_width": 3.3, "petal_length": 6.0, "petal_width": 2.5}
SAMPLES = [(SETOSA, "setosa"), (VERSICOLOR, "versicolor"), (VIRGINICA, "virginica")]
DIABETES = {
    "age": 50, "sex": 1, "bmi": 26.0, "bp": 94.0, "s1": 189.0,
    "s2": 115.0, "s3": 50.0, "s4": 4.0, "s5": 4.6, "s6": 91.0,
}  # fmt: skip


@pytest.fixture
async def rpc(worker: Any, stack_settings: Any, catalog: Any, requester: Any) -> AsyncIterator[RpcServer]:
    server = build_rpc_server(stack_settings.model_copy(update={"rpc_port": 0}), catalog, requester)
    await server.start()
    yield server
    await server.stop()


async def test_iris_predict_returns_the_species(rpc: RpcServer) -> None:
    assert await run_client(rpc.endpoint, [("iris_model_predict", [SETOSA])]) == [
        {"ok": {"species": "setosa"}}
    ]


async def test_second_model_is_hosted_too(rpc: RpcServer) -> None:
    [result] = await run_client(rpc.endpoint, [("diabetes_model_predict", [DIABETES])])
    assert isinstance(result["ok"]["disease_progression"], float)


async def test_get_models_and_metadata_match_the_catalog(rpc: RpcServer, catalog: Any) -> None:
    results = await run_client(rpc.endpoint, [("get_models", []), ("get_model_metadata", ["iris_model"])])
    iris = catalog.get("iris_model")
    listed = {m["qualified_name"]: m for m in results[0]["ok"]}
    assert set(listed) == {"iris_model", "diabetes_model"}
    assert listed["iris_model"] == {
        "display_name": "Iris Model",
        "qualified_name": "iris_model",
        "description": iris.description,
        "version": "0.1.0",
    }
    metadata = results[1]["ok"]
    assert {k: v for k, v in metadata.items() if k not in ("input_schema", "output_schema")} == listed[
        "iris_model"
    ]
    assert metadata["input_schema"] == iris.input_schema and metadata["output_schema"] == iris.output_schema
    assert list(metadata["input_schema"]["properties"]) == list(SETOSA)


async def test_cli_lists_every_method_with_its_docstring(rpc: RpcServer, catalog: Any) -> None:
    lines = [line.split(None, 1) for line in (await run_cli(rpc.endpoint)).splitlines()]
    assert lines[0] == [f"[{SERVICE_NAME}]"]
    methods = dict(lines[1:])
    assert methods["get_models"] == "Return list of models hosted in this service."
    assert methods["get_model_metadata"] == "Return metadata about a model hosted by the service."
    iris = catalog.get("iris_model")
    assert methods["iris_model_predict"] == f"Predict with the {iris.display_name}."
    assert "diabetes_model_predict" in methods


async def test_errors_are_remote_errors_with_the_right_name(rpc: RpcServer) -> None:
    results = await run_client(
        rpc.endpoint,
        [
            ("iris_model_predict", [{**SETOSA, "sepal_length": "not a number"}]),
            ("iris_model_predict", [[1, 2, 3, 4]]),
            ("get_model_metadata", ["no_such_model"]),
            ("no_such_model_predict", [SETOSA]),
        ],
    )
    name, message = results[0]["error"]
    assert name == "MLModelSchemaValidationException"
    assert "sepal_length" in message
    assert results[1]["error"][0] == "MLModelSchemaValidationException"
    assert results[2]["error"][0] == "ValueError"
    assert results[3] == {"error": ["NameError", "no_such_model_predict"]}


async def test_reply_timeout_is_timeout_error(worker: Any, catalog: Any, requester: Any) -> None:
    # 0: the request is produced and given up at once (a tiny positive timeout races the reply under load)
    settings = requester.settings.model_copy(update={"request_timeout": 0})
    impatient = RpcServer(ModelMethods(DataPlane(settings, catalog, requester)), "127.0.0.1", 0)
    async with impatient:
        [result] = await run_client(impatient.endpoint, [("iris_model_predict", [SETOSA])])
    assert result["error"][0] == "TimeoutError"


async def test_eight_concurrent_clients_each_get_their_own_answers(rpc: RpcServer) -> None:
    def calls_for(client: int) -> list[tuple[str, list[Any]]]:
        return [("iris_model_predict", [SAMPLES[(client + i) % 3][0]]) for i in range(6)]

    results = await asyncio.gather(*(run_client(rpc.endpoint, calls_for(c)) for c in range(8)))

    for client, answers in enumerate(results):
        expected = [{"ok": {"species": SAMPLES[(client + i) % 3][1]}} for i in range(6)]
        assert answers == expected
    assert rpc.channel_count == 0
