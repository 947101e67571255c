"""The methods of the original ZeroRPC model service, answered from the catalog and the model topics.

- ``get_models()``: one ``{display_name, qualified_name, description, version}`` per hosted model.
- ``get_model_metadata(qualified_name)``: the same plus ``input_schema`` / ``output_schema`` (JSON Schema).
- ``{qualified_name}_predict(data)``: one prediction, through the model's topics.

Models are looked up in the catalog on every call, so a model that appears later is callable at once.
Errors map through one table to the names the original service's clients see.
"""

from __future__ import annotations

from typing import Any

from bridges.dataplane import DataPlane, error_messages, lookup
from bridges.rpc.methods import RemoteCallError, unknown_method
from streamproc.errors import (
    BrokerUnavailableError,
    DeserializationError,
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

ERROR_NAMES: dict[type[Exception], str] = {
    SchemaError: SCHEMA_ERROR_NAME,
    DeserializationError: SCHEMA_ERROR_NAME,
    ModelError: "MLModelException",
    UnknownModelError: "ValueError",
    ReplyTimeoutError: "TimeoutError",
    BrokerUnavailableError: "ConnectionError",
    PayloadTooLargeError: "ValueError",
    StreamprocError: "ServiceError",
}


def remote_error(exc: StreamprocError) -> RemoteCallError:
    """Map a streamproc error to the remote error a client sees."""
    return RemoteCallError(lookup(ERROR_NAMES, exc), "; ".join(error_messages(exc)))


class ModelMethods:
    """``MethodTable`` of the model service: catalog queries and one predict method per model."""

    def __init__(self, plane: DataPlane) -> None:
        self._plane = plane

    def names(self) -> list[str]:
        return list(self.describe())

    def describe(self) -> dict[str, dict[str, Any]]:
        methods: dict[str, dict[str, Any]] = {
            "get_models": {"args": [], "doc": GET_MODELS_DOC},
            "get_model_metadata": {"args": ["qualified_name"], "doc": GET_MODEL_METADATA_DOC},
        }
        for model in self._plane.models():
            methods[model["qualified_name"] + PREDICT_SUFFIX] = {
                "args": ["data"],
                "doc": PREDICT_DOC.format(display_name=model["display_name"]),
            }
        return methods

    async def call(self, name: str, args: list[Any]) -> Any:
        try:
            if name == "get_models":
                return self._plane.models()
            if name == "get_model_metadata":
                return self._plane.metadata(args[0])
            if name.endswith(PREDICT_SUFFIX):
                return await self._plane.predict(name[: -len(PREDICT_SUFFIX)], args[0])
        except UnknownModelError as exc:
            raise unknown_method(name) if name.endswith(PREDICT_SUFFIX) else remote_error(exc) from exc
        except StreamprocError as exc:
            raise remote_error(exc) from exc
        raise unknown_method(name)
