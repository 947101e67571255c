"""The methods of the original ZeroRPC model service, answered from the catalog and the model topics.

- ``get_models()``: one ``{display_name, qualified_name, description, version}`` per hosted model.
- ``get_model_metadata(qualified_name)``: the same plus ``input_schema`` / ``output_schema`` (JSON Schema).
- ``{qualified_name}_predict(data)``: one prediction, through the model's topics.

Models are looked up in the catalog on every call, so a model that appears later is callable at once.
Errors map through one table to the names the original service's clients see.
"""

from __future__ import annotations

from typing import Any, Protocol

from bridges.rpc.methods import RemoteCallError, unknown_method
from streamproc.errors import (
    BrokerUnavailableError,
    DeserializationError,
    MessageError,
    ModelError,
    PayloadTooLargeError,
    ReplyTimeoutError,
    SchemaError,
    StreamprocError,
    UnknownModelError,
)

SERVICE_NAME = "ModelZeroRPCService"
PREDICT_SUFFIX = "_predict"
SCHEMA_ERROR_NAME = "MLModelSchemaValidationException"

GET_MODELS_DOC = "Return list of models hosted in this service."
GET_MODEL_METADATA_DOC = "Return metadata about a model hosted by the service."
PREDICT_DOC = "Predict with the {display_name}."

# first match wins: subclasses before their parents
ERROR_NAMES: list[tuple[type[StreamprocError], str]] = [
    (SchemaError, SCHEMA_ERROR_NAME),
    (DeserializationError, "ValueError"),
    (ModelError, "MLModelException"),
    (UnknownModelError, "ValueError"),
    (ReplyTimeoutError, "TimeoutError"),
    (BrokerUnavailableError, "ConnectionError"),
    (PayloadTooLargeError, "ValueError"),
]


class CatalogView(Protocol):
    """What these methods need from ``bridges.catalog.ModelCatalog``."""

    def get(self, qualified_name: str) -> Any: ...

    def entries(self) -> list[Any]: ...


class Predictor(Protocol):
    """What these methods need from ``bridges.requestreply.requester.Requester``."""

    async def predict(
        self,
        qualified_name: str,
        payload: dict[str, Any],
        timeout: float | None = None,  # noqa: ASYNC109 - the Requester's signature
    ) -> dict[str, Any]: ...


def remote_error(exc: StreamprocError) -> RemoteCallError:
    """Map a streamproc error to the remote error a client sees."""
    name = next((name for cls, name in ERROR_NAMES if isinstance(exc, cls)), type(exc).__name__)
    message = exc.message if isinstance(exc, MessageError) else str(exc)
    if isinstance(exc, MessageError) and exc.details:
        message = "; ".join(f"{issue.location}: {issue.message}" for issue in exc.details)
    return RemoteCallError(name, message)


class ModelMethods:
    """``MethodTable`` of the model service: catalog queries and one predict method per model."""

    def __init__(self, catalog: CatalogView, requester: Predictor, timeout: float | None = None) -> None:
        self._catalog = catalog
        self._requester = requester
        self._timeout = timeout

    def names(self) -> list[str]:
        return list(self.describe())

    def describe(self) -> dict[str, dict[str, Any]]:
        methods: dict[str, dict[str, Any]] = {
            "get_models": {"args": [], "doc": GET_MODELS_DOC},
            "get_model_metadata": {"args": ["qualified_name"], "doc": GET_MODEL_METADATA_DOC},
        }
        for entry in self._catalog.entries():
            methods[entry.qualified_name + PREDICT_SUFFIX] = {
                "args": ["data"],
                "doc": PREDICT_DOC.format(display_name=entry.display_name),
            }
        return methods

    async def call(self, name: str, args: list[Any]) -> Any:
        if name == "get_models":
            return [entry.summary() for entry in self._catalog.entries()]
        if name == "get_model_metadata":
            return self._metadata(args[0])
        if name.endswith(PREDICT_SUFFIX):
            return await self._predict(name, name[: -len(PREDICT_SUFFIX)], args[0])
        raise unknown_method(name)

    def _metadata(self, qualified_name: Any) -> dict[str, Any]:
        if not isinstance(qualified_name, str):
            raise RemoteCallError("TypeError", "qualified_name must be a string")
        try:
            return self._catalog.get(qualified_name).metadata()
        except StreamprocError as exc:
            raise remote_error(exc) from exc

    async def _predict(self, method: str, qualified_name: str, data: Any) -> dict[str, Any]:
        try:
            self._catalog.get(qualified_name)
        except UnknownModelError as exc:
            raise unknown_method(method) from exc
        except StreamprocError as exc:
            raise remote_error(exc) from exc
        if not isinstance(data, dict):
            raise RemoteCallError(SCHEMA_ERROR_NAME, f"input must be an object, not {type(data).__name__}")
        try:
            return await self._requester.predict(qualified_name, data, timeout=self._timeout)
        except StreamprocError as exc:
            raise remote_error(exc) from exc
