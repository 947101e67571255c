"""The one typed settings object. Built at an entry point from ``STREAMPROC_*`` variables and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class StreamprocSettings(BaseSettings):
    """Everything configurable about streamproc; every field is ``STREAMPROC_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="STREAMPROC_", extra="ignore")

    bootstrap_servers: str = Field("127.0.0.1:9092", description="Kafka bootstrap servers, comma separated.")
    topology: Path = Field(REPO_ROOT / "topology" / "default.yaml", description="Topology YAML file.")
    topic_prefix: str = Field("model_stream_processor", description="Prefix of every model topic.")
    schemas_dir: Path = Field(REPO_ROOT / "schemas", description="Committed Avro schemas (.avsc).")
    schema_registry_url: str | None = Field(None, description="Confluent schema registry; Confluent framing.")

    state_dir: Path = Field(Path(".streamproc"), description="Broker jars, data, pid file and logs.")
    kafka_version: str = Field("4.2.0", description="Apache Kafka version of the local broker.")
    kafka_port: int = Field(9092, description="Port of the local broker.")
    kafka_controller_port: int = Field(9093, description="Controller port of the local broker.")

    worker_web_port: int = Field(6066, description="Faust worker web port.")
    worker_session_timeout: float = Field(
        30.0, ge=6, description="Seconds before a silent worker's partitions move to another worker."
    )
    worker_gc_tuning: bool = Field(
        True,
        description="Freeze start-up objects and collect garbage less often (the worker's largest cost).",
    )
    max_json_depth: int = Field(
        64,
        ge=1,
        description="Deepest nesting of objects and arrays a JSON input may have (refused unparsed).",
    )
    max_message_bytes: int = Field(
        1_048_576, ge=65_536, description="Largest record the worker writes: the topics' max.message.bytes."
    )
    worker_outage_limit: float = Field(
        900.0,
        gt=0,
        description="Seconds the worker waits for a broker that stopped answering before it exits.",
    )
    request_timeout: float = Field(5.0, description="Seconds a bridge waits for a reply.")
    max_body_bytes: int = Field(
        900_000, description="Largest request body a bridge accepts; keep it under Kafka's message.max.bytes."
    )
    rest_host: str = Field("127.0.0.1", description="REST bridge bind address.")
    rest_port: int = Field(8000, description="REST bridge port.")
    websocket_host: str = Field("127.0.0.1", description="WebSocket bridge bind address.")
    websocket_port: int = Field(8080, description="WebSocket bridge port.")
    rpc_host: str = Field("127.0.0.1", description="RPC bridge bind address.")
    rpc_port: int = Field(4242, description="RPC bridge port.")

    def environment(self) -> dict[str, str]:
        """These settings as ``STREAMPROC_*`` variables for a child process (paths made absolute)."""
        return {
            f"STREAMPROC_{name.upper()}": str(value.resolve() if isinstance(value, Path) else value)
            for name, value in self
            if value is not None
        }

    @property
    def catalog_topic(self) -> str:
        return f"{self.topic_prefix}.catalog"
