"""Confluent wire format (byte ``0``, 4-byte big-endian schema id, body) through confluent-kafka's
schema-registry client. Subjects follow TopicNameStrategy: ``{topic}-value``.

The registry is asked once per schema: ids and parsed writer schemas are cached per process.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient, SchemaRegistryError

from streamproc.errors import BrokerUnavailableError, DeserializationError
from streamproc.settings import StreamprocSettings

MAGIC = b"\x00"
HEADER_SIZE = 5

_clients: dict[tuple[tuple[str, str], ...], SchemaRegistryClient] = {}
_clients_lock = threading.Lock()


class SchemaRegistryUnavailableError(BrokerUnavailableError):
    """The schema registry did not answer (or answered with a server error)."""


def registry_config(settings: StreamprocSettings) -> dict[str, str]:
    """The registry client's configuration: URL, basic auth and CA bundle from the settings."""
    config = {"url": settings.schema_registry_url or ""}
    if settings.schema_registry_username and settings.schema_registry_password:
        secret = settings.schema_registry_password.get_secret_value()
        config["basic.auth.user.info"] = f"{settings.schema_registry_username}:{secret}"
    if settings.schema_registry_ca_file is not None:
        config["ssl.ca.location"] = str(settings.schema_registry_ca_file)
    return config


def registry_client(settings: StreamprocSettings) -> SchemaRegistryClient:
    """One client per registry configuration per process (``mock://…`` URLs share one in-memory registry)."""
    config = registry_config(settings)
    key = tuple(sorted(config.items()))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = SchemaRegistryClient.new_client(config)
            _clients[key] = client
        return client


def subject_for(topic: str) -> str:
    """TopicNameStrategy subject of a topic's values."""
    return f"{topic}-value"


def is_confluent(data: bytes) -> bool:
    return data[:1] == MAGIC


def split(data: bytes) -> tuple[int, int]:
    """Return ``(schema_id, body_offset)``; DeserializationError if the header is missing or short."""
    if data[:1] != MAGIC:
        raise DeserializationError(
            "value is not in Confluent wire format: expected magic byte 00, "
            f"got {bytes(data[:1]).hex() or 'nothing'}"
        )
    if len(data) < HEADER_SIZE:
        raise DeserializationError(
            f"Confluent header truncated: {len(data)} bytes, need at least {HEADER_SIZE}"
        )
    return int.from_bytes(data[1:HEADER_SIZE], "big"), HEADER_SIZE


class ConfluentSchemas:
    """Registers the writer schema of one subject and resolves ids of incoming values."""

    def __init__(self, client: SchemaRegistryClient, subject: str, schema: dict[str, Any]) -> None:
        self._client = client
        self._subject = subject
        self._schema_str = json.dumps(schema, separators=(",", ":"))
        self._header: bytes | None = None
        self._writers: dict[int, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def header(self) -> bytes:
        """The 5-byte prefix for values written with this schema (registers it on first use)."""
        if self._header is None:
            try:
                schema_id = self._client.register_schema(self._subject, Schema(self._schema_str, "AVRO"))
            except SchemaRegistryError as exc:
                raise SchemaRegistryUnavailableError(
                    f"schema registry refused the schema of subject '{self._subject}': {exc}"
                ) from exc
            except Exception as exc:  # transport errors of the HTTP client
                raise SchemaRegistryUnavailableError(f"schema registry unreachable: {exc}") from exc
            self._header = MAGIC + int(schema_id).to_bytes(4, "big")
        return self._header

    def writer_schema(self, schema_id: int) -> dict[str, Any]:
        """The writer schema (JSON dict) registered under ``schema_id``; fetched once, then cached."""
        cached = self._writers.get(schema_id)
        if cached is not None:
            return cached
        try:
            registered = self._client.get_schema(schema_id)
        except SchemaRegistryError as exc:
            if exc.http_status_code == 404:
                raise DeserializationError(f"unknown schema id {schema_id} in the schema registry") from exc
            raise SchemaRegistryUnavailableError(f"schema registry failed for id {schema_id}: {exc}") from exc
        except Exception as exc:  # transport errors of the HTTP client
            raise SchemaRegistryUnavailableError(f"schema registry unreachable: {exc}") from exc
        try:
            schema = json.loads(registered.schema_str or "")
        except ValueError as exc:
            raise DeserializationError(f"schema id {schema_id} is not valid JSON: {exc}") from exc
        with self._lock:
            self._writers[schema_id] = schema
        return schema
