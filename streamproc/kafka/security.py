"""The Kafka security settings mapped once into each client library's option names.

librdkafka (confluent-kafka) takes dotted keys and file paths; aiokafka and Faust take keyword arguments
and an ``ssl.SSLContext``. Nothing outside ``streamproc.kafka`` reads the ``kafka_sasl_*``/``kafka_ssl_*``
settings.
"""

from __future__ import annotations

import ssl
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
