"""What an RPC server serves: a ``MethodTable``, plus the introspection methods every ZeroRPC server has.

A ``MethodTable`` is looked up on every call, so methods may come and go while the server runs.
A method fails by raising ``RemoteCallError(name, message)``; the client sees
``zerorpc.RemoteError`` with that ``name`` and ``msg``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

INSPECT = "_zerorpc_inspect"
LIST = "_zerorpc_list"
NAME = "_zerorpc_name"
PING = "_zerorpc_ping"
HELP = "_zerorpc_help"
ARGS = "_zerorpc_args"


class RemoteCallError(Exception):
    """A method failed; ``name`` is the error type the client sees (like a Python exception class name)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@runtime_checkable
class MethodTable(Protocol):
    """The methods a server offers."""

    def names(self) -> list[str]:
        """Public method names, right now."""
        ...

    def describe(self) -> dict[str, dict[str, Any]]:
        """``{name: {"args": [argument names], "doc": docstring}}`` for every public method."""
        ...

    async def call(self, name: str, args: list[Any]) -> Any:
        """Run one method; raise ``RemoteCallError`` on failure."""
        ...


def unknown_method(name: str) -> RemoteCallError:
    """The error a ZeroRPC server gives for a method it does not have."""
    return RemoteCallError("NameError", name)


def wrong_arity(name: str, expected: int, given: int) -> RemoteCallError:
    """The error Python gives when a method is called with the wrong number of arguments."""
    plural = "argument" if expected == 1 else "arguments"
    return RemoteCallError(
        "TypeError", f"{name}() takes {expected} positional {plural} but {given} were given"
    )


class ServiceMethods:
    """A ``MethodTable`` plus ZeroRPC's built-in introspection (``_zerorpc_inspect`` and friends)."""

    def __init__(self, table: MethodTable, name: str) -> None:
        self._table = table
        self.name = name

    def inspect(self) -> dict[str, Any]:
        """The ``_zerorpc_inspect`` answer: service name and each method's arguments and docstring."""
        methods = {
            method: {"args": [{"name": arg} for arg in info.get("args", [])], "doc": info.get("doc")}
            for method, info in self._table.describe().items()
        }
        return {"name": self.name, "methods": methods}

    async def call(self, method: str, args: list[Any]) -> Any:
        """Answer a built-in or pass the call to the table after checking the argument count."""
        builtin = self._builtin(method, args)
        if builtin is not None:
            return builtin[0]
        description = self._table.describe().get(method)
        if description is None:
            raise unknown_method(method)
        expected = len(description.get("args", []))
        if len(args) != expected:
            raise wrong_arity(method, expected, len(args))
        return await self._table.call(method, args)

    def _builtin(self, method: str, args: list[Any]) -> tuple[Any] | None:
        """``(result,)`` when ``method`` is a built-in, else ``None``."""
        if method == INSPECT:
            return (self.inspect(),)
        if method == LIST:
            return (self._table.names(),)
        if method == NAME:
            return (self.name,)
        if method == PING:
            return (["pong", self.name],)
        if method in (HELP, ARGS):
            if len(args) != 1:
                raise wrong_arity(method, 1, len(args))
            info = self._table.describe().get(args[0])
            if info is None:
                raise RemoteCallError("KeyError", repr(args[0]))
            return (info.get("doc"),) if method == HELP else (list(info.get("args", [])),)
        return None
