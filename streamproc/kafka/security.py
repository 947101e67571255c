"""The Kafka security settings mapped once into each client library's option names.

librdkafka (confluent-kafka) takes dotted keys and file paths; aiokafka and Faust take keyword arguments
and an ``ssl.SSLContext``; Kafka's own Java tools take a client properties file. Nothing outside
``streamproc.kafka`` reads the ``kafka_sasl_*``/``kafka_ssl_*`` settings.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

from streamproc.settings import StreamprocSettings


def uses_tls(settings: StreamprocSettings) -> bool:
    return settings.kafka_security_protocol in ("SSL", "SASL_SSL")


def uses_sasl(settings: StreamprocSettings) -> bool:
    return settings.kafka_security_protocol.startswith("SASL_")


def _password(settings: StreamprocSettings) -> str:
    secret = settings.kafka_sasl_password
    return secret.get_secret_value() if secret is not None else ""


def librdkafka_options(settings: StreamprocSettings) -> dict[str, Any]:
    """``security.protocol``, ``sasl.*`` and ``ssl.*`` keys for a confluent-kafka client."""
    options: dict[str, Any] = {"security.protocol": settings.kafka_security_protocol.lower()}
    if uses_sasl(settings):
        options["sasl.mechanism"] = settings.kafka_sasl_mechanism
        options["sasl.username"] = settings.kafka_sasl_username
        options["sasl.password"] = _password(settings)
    if uses_tls(settings):
        options["ssl.endpoint.identification.algorithm"] = (
            "https" if settings.kafka_ssl_check_hostname else "none"
        )
        if settings.kafka_ssl_ca_file is not None:
            options["ssl.ca.location"] = str(settings.kafka_ssl_ca_file)
        if settings.kafka_ssl_cert_file is not None and settings.kafka_ssl_key_file is not None:
            options["ssl.certificate.location"] = str(settings.kafka_ssl_cert_file)
            options["ssl.key.location"] = str(settings.kafka_ssl_key_file)
    return options


_LOGIN_MODULES = {
    "PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
    "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
}


def _jaas_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def java_client_properties(settings: StreamprocSettings, keystore_pem: Path | None) -> dict[str, str]:
    """Client properties for Kafka's Java tools. ``keystore_pem``: where the caller wrote the client's key
    and certificate as one PEM file (Java reads a PEM key store from one file), when mutual TLS is set."""
    options: dict[str, str] = {"security.protocol": settings.kafka_security_protocol}
    if uses_sasl(settings):
        mechanism = settings.kafka_sasl_mechanism
        login = f"username={_jaas_quoted(settings.kafka_sasl_username or '')} "
        login += f"password={_jaas_quoted(_password(settings))}"
        options["sasl.mechanism"] = mechanism
        options["sasl.jaas.config"] = f"{_LOGIN_MODULES[mechanism]} required {login};"
    if uses_tls(settings):
        options["ssl.endpoint.identification.algorithm"] = (
            "https" if settings.kafka_ssl_check_hostname else ""
        )
        if settings.kafka_ssl_ca_file is not None:
            options["ssl.truststore.type"] = "PEM"
            options["ssl.truststore.location"] = str(settings.kafka_ssl_ca_file)
        if keystore_pem is not None:
            options["ssl.keystore.type"] = "PEM"
            options["ssl.keystore.location"] = str(keystore_pem)
    return options


def client_keystore_pem(settings: StreamprocSettings) -> bytes | None:
    """The client's key followed by its certificate (one PEM), for mutual TLS; None without a client cert."""
    if settings.kafka_ssl_cert_file is None or settings.kafka_ssl_key_file is None:
        return None
    return settings.kafka_ssl_key_file.read_bytes() + b"\n" + settings.kafka_ssl_cert_file.read_bytes()


def ssl_context(settings: StreamprocSettings) -> ssl.SSLContext | None:
    """The client TLS context (CA, client certificate, hostname check); None for plaintext protocols."""
    if not uses_tls(settings):
        return None
    ca = str(settings.kafka_ssl_ca_file) if settings.kafka_ssl_ca_file is not None else None
    context = ssl.create_default_context(cafile=ca)
    context.check_hostname = settings.kafka_ssl_check_hostname
    if settings.kafka_ssl_cert_file is not None and settings.kafka_ssl_key_file is not None:
        context.load_cert_chain(settings.kafka_ssl_cert_file, settings.kafka_ssl_key_file)
    return context


def aiokafka_options(settings: StreamprocSettings) -> dict[str, Any]:
    """Keyword arguments for an ``AIOKafkaConsumer``/``AIOKafkaProducer``."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "security_protocol": settings.kafka_security_protocol,
    }
    if uses_sasl(settings):
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism
        options["sasl_plain_username"] = settings.kafka_sasl_username
        options["sasl_plain_password"] = _password(settings)
    context = ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    return options


def faust_credentials(settings: StreamprocSettings) -> Any:
    """Faust's ``broker_credentials`` (Faust hands them to its own aiokafka clients)."""
    from faust.auth import SASLCredentials, SSLCredentials  # only the worker pays for importing Faust

    context = ssl_context(settings)
    if uses_sasl(settings):
        return SASLCredentials(
            username=settings.kafka_sasl_username,
            password=_password(settings),
            ssl_context=context,
            mechanism=settings.kafka_sasl_mechanism,
        )
    if context is not None:
        return SSLCredentials(context)
    return None
