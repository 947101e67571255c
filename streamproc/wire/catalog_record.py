"""CatalogEntry: one hosted model as published on the compacted ``{prefix}.catalog`` topic.

In memory the schemas are dicts; on the wire (``CatalogRecord``, Avro) they are JSON strings, so the
catalog's Avro schema does not depend on any model's schema.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from streamproc.wire.avro.generate import avro_schema, model_io_schemas
from streamproc.wire.topics import ModelTopics

if TYPE_CHECKING:  # the wire never imports model code; a model is only described here
    from ml_base import MLModel

NAMESPACE = "streamproc"
SERVING = "serving"
_SCHEMA_FIELDS = ("input_schema", "output_schema", "input_avro_schema", "output_avro_schema")


class CatalogTopics(BaseModel):
    """Topic names of one model."""

    inputs: str = Field(..., description="Topic the model reads inputs from.")
    outputs: str = Field(..., description="Topic the model writes predictions to.")
    errors: str = Field(..., description="Topic the model writes error records to.")


class CatalogRecord(BaseModel):
    """A hosted model: metadata, schemas (as JSON text) and topic names."""

    qualified_name: str = Field(..., description="Unambiguous identifier of the model; the record key.")
    display_name: str = Field(..., description="Name of the model for user interfaces.")
    description: str = Field(..., description="What the model does.")
    version: str = Field(..., description="Full semantic version of the model.")
    input_schema: str = Field(..., description="JSON Schema of the model input, as JSON text.")
    output_schema: str = Field(..., description="JSON Schema of the model output, as JSON text.")
    input_avro_schema: str = Field(..., description="Avro schema of the inputs topic values, as JSON text.")
    output_avro_schema: str = Field(..., description="Avro schema of the outputs topic values, as JSON text.")
    topics: CatalogTopics = Field(..., description="Topics of the model.")
    status: str = Field(..., description="Serving status, e.g. 'serving'.")
    updated_at: int = Field(..., description="When the record was published (ms since the epoch).")


class CatalogEntry(BaseModel):
    """A hosted model as bridges see it (schemas as dicts)."""

    qualified_name: str
    display_name: str
    description: str
    version: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    input_avro_schema: dict[str, Any]
    output_avro_schema: dict[str, Any]
    topics: CatalogTopics
    updated_at: int

    def summary(self) -> dict[str, Any]:
        """The model as model services list it (rest_model_service, ml_base ModelManager), key order kept."""
        return {
            "display_name": self.display_name,
            "qualified_name": self.qualified_name,
            "description": self.description,
            "version": self.version,
        }

    def metadata(self) -> dict[str, Any]:
        """``summary()`` plus the input and output JSON Schemas."""
        return {**self.summary(), "input_schema": self.input_schema, "output_schema": self.output_schema}

    def to_wire(self) -> dict[str, Any]:
        """Dict for the catalog's AvroCodec: schemas serialised as compact JSON text (field order kept)."""
        record = {**self.model_dump(mode="python"), "status": SERVING}  # a published model is serving
        for name in _SCHEMA_FIELDS:
            record[name] = json.dumps(record[name], separators=(",", ":"))
        return record

    @classmethod
    def from_wire(cls, record: dict[str, Any]) -> CatalogEntry:
        """Inverse of ``to_wire``; a schema field that is not JSON raises ValueError."""
        values = dict(record)
        values.pop("status", None)
        for name in _SCHEMA_FIELDS:
            values[name] = json.loads(values[name])
        return cls.model_validate(values)

    @classmethod
    def from_model(cls, model: MLModel, topics: ModelTopics, updated_at: int | None = None) -> CatalogEntry:
        """Catalog entry of a hosted model: JSON Schemas from pydantic, Avro schemas from generate."""
        input_model: type[BaseModel] = model.input_schema  # type: ignore[assignment]
        output_model: type[BaseModel] = model.output_schema  # type: ignore[assignment]
        input_avro, output_avro = model_io_schemas(
            model.qualified_name, model.version, input_model, output_model
        )
        return cls(
            qualified_name=model.qualified_name,
            display_name=model.display_name,
            description=model.description,
            version=model.version,
            input_schema=input_model.model_json_schema(mode="validation"),
            output_schema=output_model.model_json_schema(mode="serialization"),
            input_avro_schema=input_avro,
            output_avro_schema=output_avro,
            topics=CatalogTopics(inputs=topics.inputs, outputs=topics.outputs, errors=topics.errors),
            updated_at=updated_at if updated_at is not None else int(time.time() * 1000),
        )


def catalog_record_avro_schema() -> dict[str, Any]:
    """The Avro schema committed as ``schemas/streamproc/catalog_record.avsc``."""
    return avro_schema(CatalogRecord, NAMESPACE)
