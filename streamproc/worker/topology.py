"""The topology file: which models run, with their constructor arguments and topic settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from streamproc.errors import ConfigurationError


class TopicSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partitions: int = Field(3, ge=1)
    replication_factor: int = Field(1, ge=1)
    retention_ms: int | None = Field(None, ge=-1, description="-1 keeps records forever")
    configs: dict[str, str] = Field(default_factory=dict, description="Extra Kafka topic configs.")

    def kafka_configs(self) -> dict[str, str]:
        configs = dict(self.configs)
        if self.retention_ms is not None:
            configs["retention.ms"] = str(self.retention_ms)
        return configs


class ModelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    class_path: str = Field(pattern=r"^[\w.]+\.\w+$", description="module.path.ClassName")
    configuration: dict[str, Any] = Field(default_factory=dict, description="Keyword arguments for __init__.")
    topics: TopicSettings = Field(default_factory=TopicSettings)
    batch_size: int = Field(256, ge=1, le=100_000)
    engine: Literal["batch", "agent"] = Field(
        "batch",
        description="batch: the worker's own getmany consumer (fastest); agent: a Faust @app.agent on the "
        "inputs topic (composes with your own agents and tables, slower per event).",
    )


class Topology(BaseModel):
    model_config = ConfigDict(extra="forbid")

    models: list[ModelSpec] = Field(min_length=1)


def load_topology(path: Path) -> Topology:
    """Read and validate a topology file; errors name the file and the offending field."""
    try:
        raw = yaml.safe_load(Path(path).read_text())
    except FileNotFoundError as exc:
        raise ConfigurationError(f"topology file {path} does not exist") from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"topology file {path} is not valid YAML: {exc}") from exc
    try:
        return Topology.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or '(top level)'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigurationError(f"topology file {path} is invalid: {problems}") from exc
