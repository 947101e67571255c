"""The security settings as each client library's options: one mapping, the same meaning everywhere."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from streamproc.dev.localkafka.certificates import LocalAuthority
from streamproc.kafka.security import (
    aiokafka_options,
    faust_credentials,
    java_client_properties,
    librdkafka_options,
)
from streamproc.settings import StreamprocSettings
from streamproc.wire.avro.confluent import registry_client, registry_config


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> LocalAuthority:
    return LocalAuthority(tmp_path_factory.mktemp("ca")).ensure()


def test_plaintext_needs_no_options() -> None:
    settings = StreamprocSettings(kafka_security_protocol="PLAINTEXT")
    assert librdkafka_options(settings) == {"security.protocol": "plaintext"}
    assert "ssl_context" not in aiokafka_options(settings)
    assert faust_credentials(settings) is None


def test_sasl_ssl_maps_to_each_library(authority: LocalAuthority) -> None:
    settings = StreamprocSettings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="alice",
        kafka_sasl_password=SecretStr("pw"),
        kafka_ssl_ca_file=authority.ca_file,
        kafka_ssl_check_hostname=False,
    )
    assert librdkafka_options(settings) == {
        "security.protocol": "sasl_ssl",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "alice",
        "sasl.password": "pw",
        "ssl.ca.location": str(authority.ca_file),
        "ssl.endpoint.identification.algorithm": "none",
    }
    aio = aiokafka_options(settings)
    assert aio["security_protocol"] == "SASL_SSL" and aio["sasl_plain_password"] == "pw"
    assert isinstance(aio["ssl_context"], ssl.SSLContext) and not aio["ssl_context"].check_hostname
    credentials = faust_credentials(settings)
    assert credentials.protocol.value == "SASL_SSL" and credentials.mechanism.value == "SCRAM-SHA-512"


def test_mutual_tls_loads_the_client_certificate(authority: LocalAuthority) -> None:
    client = authority.client
    settings = StreamprocSettings(
        kafka_security_protocol="SSL",
        kafka_ssl_ca_file=authority.ca_file,
        kafka_ssl_cert_file=client.cert_file,
        kafka_ssl_key_file=client.key_file,
    )
    options = librdkafka_options(settings)
    assert options["ssl.certificate.location"] == str(client.cert_file)
    assert options["ssl.endpoint.identification.algorithm"] == "https"
    assert faust_credentials(settings).protocol.value == "SSL"


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"kafka_security_protocol": "SASL_SSL"}, "needs STREAMPROC_KAFKA_SASL_USERNAME"),
        ({"kafka_ssl_cert_file": Path("c.pem")}, "go together"),
        ({"kafka_sasl_mechanism": "GSSAPI"}, "kafka_sasl_mechanism"),
    ],
)
def test_incomplete_or_unknown_security_settings_are_refused(
    fields: dict[str, object], complaint: str
) -> None:
    with pytest.raises(ValidationError, match=complaint):
        StreamprocSettings(**fields)  # type: ignore[arg-type]


def test_secrets_are_masked_when_shown_and_clear_for_child_processes() -> None:
    settings = StreamprocSettings(
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_username="alice",
        kafka_sasl_password=SecretStr("hunter2"),
        schema_registry_password=SecretStr("registry-pw"),
        bridge_tokens=SecretStr("tok"),
    )
    assert (
        "hunter2" not in repr(settings)
        and "registry-pw" not in str(settings)
        and "tok'" not in repr(settings)
    )
    env = settings.environment()
    assert env["STREAMPROC_KAFKA_SASL_PASSWORD"] == "hunter2"
    assert env["STREAMPROC_SCHEMA_REGISTRY_PASSWORD"] == "registry-pw"
    rebuilt = StreamprocSettings(**{k.removeprefix("STREAMPROC_").lower(): v for k, v in env.items()})
    assert rebuilt.kafka_sasl_password == settings.kafka_sasl_password
    assert rebuilt.bridge_tokens == settings.bridge_tokens


def test_the_schema_registry_client_gets_basic_auth_and_the_ca(authority: LocalAuthority) -> None:
    settings = StreamprocSettings(
        schema_registry_url="https://registry.internal:8081",
        schema_registry_username="svc",
        schema_registry_password=SecretStr("pw"),
        schema_registry_ca_file=authority.ca_file,
    )
    assert registry_config(settings) == {
        "url": "https://registry.internal:8081",
        "basic.auth.user.info": "svc:pw",
        "ssl.ca.location": str(authority.ca_file),
    }
    assert registry_client(settings) is registry_client(settings)  # built once per configuration


def test_java_tools_get_a_login_that_survives_quotes_in_the_password(authority: LocalAuthority) -> None:
    settings = StreamprocSettings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="PLAIN",
        kafka_sasl_username="alice",
        kafka_sasl_password=SecretStr('p"w\\x'),
        kafka_ssl_ca_file=authority.ca_file,
        kafka_ssl_check_hostname=False,
    )
    properties = java_client_properties(settings, keystore_pem=None)
    assert properties["sasl.jaas.config"] == (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        'username="alice" password="p\\"w\\\\x";'
    )
    assert properties["ssl.truststore.location"] == str(authority.ca_file)
    assert properties["ssl.endpoint.identification.algorithm"] == ""  # Java's "no hostname check"
    assert "ssl.keystore.location" not in properties
