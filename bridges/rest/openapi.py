"""The REST bridge's OpenAPI 3.0 document, generated from the catalog entries.

Paths and bodies follow rest_model_service 0.6: health endpoints, the model list, model metadata and one
``POST /api/models/{qualified_name}/prediction`` per model whose request and response bodies are the
model's input and output schemas (as components). Errors share one ``Error`` schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamproc
from bridges.rest.errors import PREDICTION_ERROR_STATUSES
from bridges.rest.examples import example_of
from bridges.rest.oas30 import SchemaConverter, component_name
from streamproc.wire.catalog_record import CatalogEntry

OPENAPI_VERSION = "3.0.3"
DEFAULT_TITLE = "streamproc REST bridge"
_DESCRIPTION = (
    "Machine learning models served from Kafka stream processors. "
    "API-compatible with rest_model_service: every prediction request becomes a message on the model's "
    "inputs topic and is answered by the matching output or error record."
)
_STATUS_TEXT = {
    200: "Successful response.",
    400: "The request body is not valid JSON or breaks the model's input schema.",
    401: "Access control is on and the request has no valid bearer token.",
    404: "No model of that qualified name is in the catalog.",
    413: "The request body is larger than the bridge accepts.",
    415: "The request body is not declared as application/json.",
    500: "The model failed while predicting, or the service failed.",
    503: "The Kafka broker is unreachable.",
    504: "No prediction arrived within the request timeout.",
}
_HEALTH = (
    ("/api/health", "health_check", "HealthStatusResponse", "Is the service healthy (broker reachable)?"),
    ("/api/health/ready", "readiness_check", "ReadinessStatusResponse", "Is the service accepting traffic?"),
    ("/api/health/startup", "startup_check", "StartupStatusResponse", "Has the service finished starting?"),
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], status: int) -> dict[str, Any]:
    return {"description": _STATUS_TEXT.get(status, ""), "content": {"application/json": {"schema": schema}}}


def _string(description: str, enum: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "description": description}
    if enum:
        schema["enum"] = enum
    return schema


def _object(properties: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "title": title,
        "description": description,
        "properties": properties,
        "required": list(properties),
    }


def _service_components() -> dict[str, Any]:
    details = {
        "display_name": _string("The display name of the model."),
        "qualified_name": _string("The qualified name of the model."),
        "description": _string("The description of the model."),
        "version": _string("The version of the model."),
    }
    json_schema = {"type": "object", "additionalProperties": True}
    status = {
        "HealthStatusResponse": ("health_status", ["HEALTHY", "NOT_HEALTHY", "UNKNOWN"]),
        "ReadinessStatusResponse": ("readiness_status", ["ACCEPTING_TRAFFIC", "REFUSING_TRAFFIC", "UNKNOWN"]),
        "StartupStatusResponse": ("startup_status", ["STARTED", "NOT_STARTED", "UNKNOWN"]),
    }
    components = {
        name: _object({field: _string("Status of the service.", values)}, name, "Service status.")
        for name, (field, values) in status.items()
    }
    components["Error"] = _object(
        {
            "type": _string("The type of error."),
            "messages": {"type": "array", "items": {"type": "string"}, "description": "Error messages."},
        },
        "Error",
        "Error details.",
    )
    components["ModelDetails"] = _object(details, "ModelDetails", "Metadata of a model.")
    components["ModelDetailsCollection"] = _object(
        {"models": {"type": "array", "items": _ref("ModelDetails")}},
        "ModelDetailsCollection",
        "Collection of model details.",
    )
    metadata = {
        **details,
        "input_schema": {**json_schema, "description": "Input schema of the model, as JSON Schema."},
        "output_schema": {**json_schema, "description": "Output schema of the model, as JSON Schema."},
    }
    components["ModelMetadata"] = _object(metadata, "ModelMetadata", "Model details plus its JSON Schemas.")
    return components


def _service_paths(qualified_names: list[str]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, operation_id, component, summary in _HEALTH:
        responses = {str(code): _json(_ref(component), code) for code in (200, 503)}
        paths[path] = {"get": {"operationId": operation_id, "summary": summary, "responses": responses}}
    paths["/api/models"] = {
        "get": {
            "operationId": "get_models",
            "summary": "List of models available.",
            "responses": {
                "200": _json(_ref("ModelDetailsCollection"), 200),
                "500": _json(_ref("Error"), 500),
            },
        }
    }
    name_param = {
        "name": "model_qualified_name",
        "in": "path",
        "required": True,
        "schema": _string("Qualified name of a model.", qualified_names or None),
    }
    paths["/api/models/{model_qualified_name}/metadata"] = {
        "get": {
            "operationId": "get_model_metadata",
            "summary": "Metadata of one model, with its input and output JSON Schemas.",
            "parameters": [name_param],
            "responses": {
                "200": _json(_ref("ModelMetadata"), 200),
                "404": _json(_ref("Error"), 404),
                "500": _json(_ref("Error"), 500),
            },
        }
    }
    return paths


def _prediction_path(entry: CatalogEntry, components: dict[str, Any]) -> dict[str, Any]:
    qualified_name = entry.qualified_name
    converter = SchemaConverter(qualified_name)
    input_name = component_name(qualified_name, "Input")
    output_name = component_name(qualified_name, "Output")
    components[input_name] = converter.convert_root(entry.input_schema)
    components[output_name] = converter.convert_root(entry.output_schema)
    components.update(converter.components)
    responses = {"200": _json(_ref(output_name), 200)}
    responses.update({str(code): _json(_ref("Error"), code) for code in PREDICTION_ERROR_STATUSES})
    return {
        "post": {
            "operationId": f"{component_name(qualified_name)}_prediction",
            "summary": f"{entry.display_name} ({entry.version})",
            "description": entry.description,
            "tags": ["models"],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": _ref(input_name),
                        "example": example_of(entry.input_schema),
                    }
                },
            },
            "responses": responses,
        }
    }


def build_openapi(
    entries: Iterable[CatalogEntry], *, title: str = DEFAULT_TITLE, version: str = streamproc.__version__
) -> dict[str, Any]:
    """The OpenAPI 3.0 document of a REST bridge serving ``entries`` (``CatalogEntry`` objects)."""
    ordered = sorted(entries, key=lambda entry: entry.qualified_name)
    components = _service_components()
    paths = _service_paths([entry.qualified_name for entry in ordered])
    for entry in ordered:
        paths[f"/api/models/{entry.qualified_name}/prediction"] = _prediction_path(entry, components)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "version": version, "description": _DESCRIPTION},
        "paths": paths,
        "components": {"schemas": components},
    }
