"""The secured listener of the local broker: ``sasl_ssl``, ``ssl`` (mutual TLS) or ``sasl_plaintext``.

It owns the broker's TLS and SCRAM settings, the SCRAM users created when storage is formatted, and the
client settings (``STREAMPROC_…=…`` lines) that reach it. Its secrets live in ``<home>/security/``.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streamproc.dev.localkafka.certificates import LocalAuthority
from streamproc.settings import StreamprocSettings

MODES = ("sasl_ssl", "ssl", "sasl_plaintext")
MECHANISM = "SCRAM-SHA-512"  # what clients and the broker itself use
MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256")  # what the broker accepts
CLIENT_USER = "streamproc"
BROKER_USER = "broker"  # the broker's own inter-broker login
LISTENER = "SECURED"


@dataclass(frozen=True)
class SecuredListener:
    mode: str  # one of MODES
    home: Path  # the broker's directory

    @property
    def protocol(self) -> str:
        return self.mode.upper()

    @property
    def authority(self) -> LocalAuthority:
        return LocalAuthority(self.home / "security")

    @property
    def uses_tls(self) -> bool:
        return self.mode in ("sasl_ssl", "ssl")

    @property
    def uses_sasl(self) -> bool:
        return self.mode.startswith("sasl_")

    def passwords(self) -> dict[str, str]:
        """The SCRAM passwords of the client and broker users, made once and kept (owner-readable only)."""
        path = self.home / "security" / "scram.json"
        if path.exists():
            return dict(json.loads(path.read_text()))
        path.parent.mkdir(parents=True, exist_ok=True)
        made = {user: secrets.token_urlsafe(18) for user in (CLIENT_USER, BROKER_USER)}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(made, handle)
        return made

    def prepare(self) -> None:
        """Certificates and passwords, created on first use."""
        if self.uses_tls:
            self.authority.ensure()
        if self.uses_sasl:
            self.passwords()

    def broker_properties(self, port: int, controller_port: int) -> dict[str, str]:
        """server.properties entries: the secured listener is the only one clients (and the broker) use."""
        props = {
            "listeners": f"{LISTENER}://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
            "advertised.listeners": f"{LISTENER}://127.0.0.1:{port}",
            "inter.broker.listener.name": LISTENER,
            "listener.security.protocol.map": f"CONTROLLER:PLAINTEXT,{LISTENER}:{self.protocol}",
        }
        if self.uses_sasl:
            login = (
                "org.apache.kafka.common.security.scram.ScramLoginModule required "
                f'username="{BROKER_USER}" password="{self.passwords()[BROKER_USER]}";'
            )
            props |= {
                "sasl.enabled.mechanisms": ",".join(MECHANISMS),
                "sasl.mechanism.inter.broker.protocol": MECHANISM,
            }
            for mechanism in MECHANISMS:
                props[f"listener.name.{LISTENER.lower()}.{mechanism.lower()}.sasl.jaas.config"] = login
        if self.uses_tls:
            broker = self.authority.broker
            props |= {
                "ssl.keystore.type": "PEM",
                "ssl.keystore.certificate.chain": _one_line(broker.cert_file),
                "ssl.keystore.key": _one_line(broker.key_file),
                "ssl.truststore.type": "PEM",
                "ssl.truststore.location": str(self.authority.ca_file),
                "ssl.client.auth": "required" if self.mode == "ssl" else "none",
            }
        return props

    def format_arguments(self) -> list[str]:
        """``kafka-storage format`` arguments that create the SCRAM users."""
        if not self.uses_sasl:
            return []
        arguments = []
        for user, password in self.passwords().items():
            for mechanism in MECHANISMS:
                arguments += ["--add-scram", f"{mechanism}=[name={user},password={password}]"]
        return arguments

    def client_environment(self, bootstrap: str) -> dict[str, str]:
        """The ``STREAMPROC_*`` settings of a client of this listener."""
        env = {"STREAMPROC_BOOTSTRAP_SERVERS": bootstrap, "STREAMPROC_KAFKA_SECURITY_PROTOCOL": self.protocol}
        if self.uses_sasl:
            env |= {
                "STREAMPROC_KAFKA_SASL_MECHANISM": MECHANISM,
                "STREAMPROC_KAFKA_SASL_USERNAME": CLIENT_USER,
                "STREAMPROC_KAFKA_SASL_PASSWORD": self.passwords()[CLIENT_USER],
            }
        if self.uses_tls:
            env["STREAMPROC_KAFKA_SSL_CA_FILE"] = str(self.authority.ca_file)
        if self.mode == "ssl":
            env |= {
                "STREAMPROC_KAFKA_SSL_CERT_FILE": str(self.authority.client.cert_file),
                "STREAMPROC_KAFKA_SSL_KEY_FILE": str(self.authority.client.key_file),
            }
        return env

    def client_settings(self, bootstrap: str) -> StreamprocSettings:
        """Settings for probing this listener (independent of the caller's environment)."""
        fields: dict[str, Any] = {
            "kafka_ssl_ca_file": None,
            "kafka_ssl_cert_file": None,
            "kafka_ssl_key_file": None,
        }
        for name, value in self.client_environment(bootstrap).items():
            fields[name.removeprefix("STREAMPROC_").lower()] = value
        return StreamprocSettings(**fields)


def _one_line(pem_file: Path) -> str:
    """A PEM file as one server.properties value (``\\n`` escapes; Java's Properties turns them back)."""
    return pem_file.read_text().strip().replace("\n", "\\n")
