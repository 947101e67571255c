"""Small real objects for REST bridge unit tests: hand-built catalog entries, an in-memory catalog and a
requester that answers from a function (no Kafka)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from bridges.requestreply.pending import PendingReplies
from streamproc.errors import UnknownModelError
from streamproc.wire.catalog_record import CatalogEntry, CatalogTopics


class Colour(StrEnum):
    red = "red"
    green = "green"


class FlowerInput(BaseModel):
    """Measurements of a flower."""

    sepal_length: float = Field(..., gt=0.0, le=10.0, description="Sepal length (cm).")
    petal_width: float = Field(..., gt=0.0, le=10.0, description="Petal width (cm).")
    colour: Colour | None = Field(None, description="Colour, if known.")
    count: int = Field(1, ge=1, description="How many flowers.")


class FlowerOutput(BaseModel):
    species: Colour = Field(..., description="Predicted class.")
    score: float | None = Field(None, examples=[0.5])


class ValueInput(BaseModel):
    x: float = Field(..., ge=-100, le=100)


class ValueOutput(BaseModel):
    y: float


def make_entry(
    qualified_name: str, input_model: type[BaseModel], output_model: type[BaseModel], version: str = "0.1.0"
) -> CatalogEntry:
    base = f"test.{qualified_name}.{'.'.join(version.split('.')[:2])}"
    return CatalogEntry(
        qualified_name=qualified_name,
        display_name=qualified_name.replace("_", " ").title(),
        description=f"The {qualified_name} test model.",
        version=version,
        input_schema=input_model.model_json_schema(mode="validation"),
        output_schema=output_model.model_json_schema(mode="serialization"),
        input_avro_schema={"type": "record", "name": "In", "fields": []},
        output_avro_schema={"type": "record", "name": "Out", "fields": []},
        topics=CatalogTopics(inputs=f"{base}.inputs", outputs=f"{base}.outputs", errors=f"{base}.errors"),
        updated_at=1,
    )


def flower_entry() -> CatalogEntry:
    return make_entry("flower_model", FlowerInput, FlowerOutput)


def value_entry() -> CatalogEntry:
    return make_entry("value_model", ValueInput, ValueOutput, version="1.2.3")


class MemoryCatalog:
    """The read side of ModelCatalog over a fixed list."""

    def __init__(self, entries: list[CatalogEntry], ready: bool = True) -> None:
        self._entries = {entry.qualified_name: entry for entry in entries}
        self.ready = ready

    def get(self, qualified_name: str) -> CatalogEntry:
        try:
            return self._entries[qualified_name]
        except KeyError:
            raise UnknownModelError(qualified_name) from None

    def entries(self) -> list[CatalogEntry]:
        return [self._entries[name] for name in sorted(self._entries)]


class FunctionRequester:
    """The predict side of Requester, answering with ``answer(qualified_name, payload)``."""

    def __init__(self, answer: Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]) -> None:
        self._answer = answer
        self.connected = True
        self.calls: list[tuple[str, dict[str, Any], float | None]] = []
        self.pending = PendingReplies()

    async def predict(
        self,
        qualified_name: str,
        payload: dict[str, Any],
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> dict:
        self.calls.append((qualified_name, payload, timeout))
        return await self._answer(qualified_name, payload)

    async def request(
        self,
        entry: CatalogEntry,
        value: bytes,
        correlation_id: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> dict:
        return await self.predict(entry.qualified_name, json.loads(value), timeout)

    def broker_connected(self) -> bool:
        return self.connected
