"""The streamproc error hierarchy; the worker turns MessageErrors into error records, bridges into answers.

StreamprocError
├── ConfigurationError          bad settings or topology file (names the file and field)
├── ModelLoadError              a model class could not be imported, built or loaded
├── UnknownModelError           no model of that qualified name is hosted / in the catalog
├── BrokerUnavailableError      Kafka did not answer (retriable)
├── KafkaSecurityError          Kafka refused our credentials, or TLS with it failed (not retriable)
├── ReplyTimeoutError           no reply arrived within the request timeout (retriable)
├── PayloadTooLargeError        request body over the configured limit
└── MessageError                one input message failed; becomes an error record
    ├── DeserializationError    bytes are not valid Avro / JSON, or unknown schema
    ├── SchemaError             decoded, but fails the model's input schema (has field details)
    └── ModelError              the model raised while predicting
"""

from __future__ import annotations

from dataclasses import dataclass


class StreamprocError(Exception):
    """Root of every error streamproc raises on purpose."""

    retriable: bool = False


class ConfigurationError(StreamprocError):
    """Settings or the topology file are wrong."""


class ModelLoadError(StreamprocError):
    """A model could not be imported or initialised."""


class UnknownModelError(StreamprocError):
    """The named model is not hosted."""

    def __init__(self, qualified_name: str) -> None:
        super().__init__(f"Model '{qualified_name}' not found.")
        self.qualified_name = qualified_name


class BrokerUnavailableError(StreamprocError):
    """The Kafka broker could not be reached."""

    retriable = True


class KafkaSecurityError(StreamprocError):
    """Kafka refused the SASL credentials, or the TLS handshake failed (untrusted CA, wrong host name)."""


class ReplyTimeoutError(StreamprocError):
    """No reply within the request timeout."""

    retriable = True


class PayloadTooLargeError(StreamprocError):
    """A request body is larger than allowed."""


@dataclass
class FieldIssue:
    """One field-level validation problem: where and what."""

    location: str
    message: str


class MessageError(StreamprocError):
    """One input message failed; ``error_type`` is the header value on its error record."""

    error_type: str = "MODEL_ERROR"

    def __init__(self, message: str, details: list[FieldIssue] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: list[FieldIssue] = details or []


class DeserializationError(MessageError):
    error_type = "DESERIALIZATION_ERROR"


class SchemaError(MessageError):
    error_type = "SCHEMA_ERROR"


class ModelError(MessageError):
    error_type = "MODEL_ERROR"
