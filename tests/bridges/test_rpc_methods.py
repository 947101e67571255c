"""ZeroRPC's built-in methods and call checks, over a small in-process table."""

from __future__ import annotations

from typing import Any

import pytest

from bridges.rpc.methods import MethodTable, RemoteCallError, ServiceMethods


class Table:
    def names(self) -> list[str]:
        return ["add"]

    def describe(self) -> dict[str, dict[str, Any]]:
        return {"add": {"args": ["a", "b"], "doc": "Add two numbers."}}

    async def call(self, name: str, args: list[Any]) -> Any:
        return args[0] + args[1]


@pytest.fixture
def service() -> ServiceMethods:
    return ServiceMethods(Table(), "Calc")


def test_table_satisfies_protocol() -> None:
    assert isinstance(Table(), MethodTable)


async def test_inspect_has_zerorpc_shape(service: ServiceMethods) -> None:
    assert await service.call("_zerorpc_inspect", []) == {
        "name": "Calc",
        "methods": {"add": {"args": [{"name": "a"}, {"name": "b"}], "doc": "Add two numbers."}},
    }


async def test_builtins(service: ServiceMethods) -> None:
    assert await service.call("_zerorpc_list", []) == ["add"]
    assert await service.call("_zerorpc_name", []) == "Calc"
    assert await service.call("_zerorpc_ping", []) == ["pong", "Calc"]
    assert await service.call("_zerorpc_help", ["add"]) == "Add two numbers."
    assert await service.call("_zerorpc_args", ["add"]) == ["a", "b"]


async def test_call_reaches_the_table(service: ServiceMethods) -> None:
    assert await service.call("add", [2, 3]) == 5


async def test_unknown_method_is_name_error(service: ServiceMethods) -> None:
    with pytest.raises(RemoteCallError) as info:
        await service.call("nope", [])
    assert (info.value.name, info.value.message) == ("NameError", "nope")


async def test_wrong_argument_count_is_type_error(service: ServiceMethods) -> None:
    with pytest.raises(RemoteCallError) as info:
        await service.call("add", [1])
    assert info.value.name == "TypeError"
    assert "takes 2 positional arguments but 1 were given" in info.value.message


async def test_help_for_unknown_method_is_key_error(service: ServiceMethods) -> None:
    with pytest.raises(RemoteCallError) as info:
        await service.call("_zerorpc_help", ["nope"])
    assert info.value.name == "KeyError"
