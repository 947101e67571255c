"""The one typed settings object. Built at an entry point from ``STREAMPROC_*`` variables and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
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
    schema_registry_username: str | None = Field(None, description="Schema registry basic-auth user.")
    schema_registry_password: SecretStr | None = Field(
        None, description="Schema registry basic-auth password."
    )
    schema_registry_ca_file: Path | None = Field(
        None, description="CA bundle (PEM) the registry's TLS is checked with."
    )

    # Kafka security: mapped into every client's options by streamproc.kafka.security, nowhere else.
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", description="How clients talk to Kafka: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL."
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        "SCRAM-SHA-512",
        description="SASL mechanism (SASL_* protocols): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.",
    )
    kafka_sasl_username: str | None = Field(None, description="SASL user name (SASL_* protocols).")
    kafka_sasl_password: SecretStr | None = Field(None, description="SASL password; shown masked.")
    kafka_ssl_ca_file: Path | None = Field(
        None, description="CA bundle (PEM) the broker's certificate is checked with; default: the system's."
    )
    kafka_ssl_cert_file: Path | None = Field(None, description="Client certificate (PEM) for mutual TLS.")
    kafka_ssl_key_file: Path | None = Field(
        None, description="Private key (PEM, unencrypted) of that certificate."
    )
    kafka_ssl_check_hostname: bool = Field(
        True, description="Check that the broker's certificate names the host connected to."
    )

    state_dir: Path = Field(Path(".streamproc"), description="Broker jars, data, pid file and logs.")
    kafka_version: str = Field("4.2.0", description="Apache Kafka version of the local broker.")
    kafka_port: int = Field(9092, description="Port of the local broker.")
    kafka_controller_port: int = Field(9093, description="Controller port of the local broker.")

    worker_web_port: int = Field(6066, description="Faust worker web port.")
    worker_web_host: str = Field(
        "127.0.0.1", description="Address the worker's web server (metrics, health) binds; 0.0.0.0 for all."
    )
    worker_metrics: bool = Field(True, description="Worker Prometheus metrics at /metrics (false: off).")
    prometheus_port: int = Field(
        9090, description="Port of the Prometheus `streamproc run --with-prometheus` starts."
    )
    prometheus_scrape_interval: float = Field(
        5.0, gt=0, description="Seconds between that Prometheus's scrapes."
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="Log lines as text, or one JSON object each."
    )
    worker_session_timeout: float = Field(
        6.0, ge=6, description="Seconds before a silent worker's partitions move to another worker."
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
    reply_retention: float = Field(
        60.0,
        ge=1.0,
        description="Seconds a bridge's reply topic keeps records; a reply topic with no record (replies, "
        "heartbeats) for that long is taken for a killed bridge's and deleted by the other bridges.",
    )
    max_body_bytes: int = Field(
        900_000, description="Largest request body a bridge accepts; keep it under Kafka's message.max.bytes."
    )
    bridge_header_timeout: float = Field(
        10.0, gt=0, description="Seconds a new HTTP connection has to send its request head (then closed)."
    )
    rest_host: str = Field("127.0.0.1", description="REST bridge bind address.")
    rest_port: int = Field(8000, description="REST bridge port.")
    websocket_host: str = Field("127.0.0.1", description="WebSocket bridge bind address.")
    websocket_port: int = Field(8080, description="WebSocket bridge port.")
    rpc_host: str = Field("127.0.0.1", description="RPC bridge bind address.")
    rpc_port: int = Field(4242, description="RPC bridge port.")
    rpc_metrics_port: int = Field(
        4243, ge=0, description="Port of the RPC bridge's /metrics and health (on its RPC host); 0: none."
    )

    # Who may call the bridges (bridges.access); everything off by default.
    bridge_tokens: SecretStr | None = Field(
        None,
        description="Comma-separated bearer tokens; when set (or a tokens file is), bridges require one.",
    )
    bridge_tokens_file: Path | None = Field(
        None, description="File of bearer tokens, one a line (# comments); when set, bridges require one."
    )
    bridge_metrics_tokens: SecretStr | None = Field(
        None, description="Comma-separated bearer tokens for /metrics; unset: /metrics stays open."
    )
    cors_allowed_origins: str = Field(
        "", description="Comma-separated origins (https://host:port) the REST bridge allows; empty: no CORS."
    )
    rpc_curve_secret_key_file: Path | None = Field(
        None, description="ZeroMQ CURVE key pair (zmq.auth .key_secret file) of the RPC bridge; set: CURVE."
    )
    rpc_curve_clients_dir: Path | None = Field(
        None, description="Directory of the client public keys (.key files) the RPC bridge admits."
    )

    @model_validator(mode="after")
    def _security_is_complete(self) -> StreamprocSettings:
        if self.kafka_security_protocol.startswith("SASL_") and not (
            self.kafka_sasl_username and self.kafka_sasl_password
        ):
            raise ValueError(
                f"STREAMPROC_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                "STREAMPROC_KAFKA_SASL_USERNAME and STREAMPROC_KAFKA_SASL_PASSWORD"
            )
        if (self.kafka_ssl_cert_file is None) != (self.kafka_ssl_key_file is None):
            raise ValueError("STREAMPROC_KAFKA_SSL_CERT_FILE and STREAMPROC_KAFKA_SSL_KEY_FILE go together")
        return self

    def environment(self) -> dict[str, str]:
        """These settings as ``STREAMPROC_*`` variables for a child process (paths made absolute, secrets
        in clear: the child needs them; never log this dict)."""
        return {f"STREAMPROC_{name.upper()}": _plain(value) for name, value in self if value is not None}

    @property
    def catalog_topic(self) -> str:
        return f"{self.topic_prefix}.catalog"


def _plain(value: object) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return str(value.resolve() if isinstance(value, Path) else value)
