"""A throwaway certificate authority for the secured local broker: CA, broker and client certificates (PEM).

Everything is valid for 30 days and for 127.0.0.1/localhost only; keys are unencrypted PKCS#8 files
readable by their owner alone. Never use these outside a developer's machine.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_FOR = datetime.timedelta(days=30)


@dataclass(frozen=True)
class Certificate:
    cert_file: Path
    key_file: Path


@dataclass(frozen=True)
class LocalAuthority:
    """The files of one throwaway CA in ``directory``: ``ca.pem``, ``broker.pem``/``-key.pem``, ``client``."""

    directory: Path

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def broker(self) -> Certificate:
        return Certificate(self.directory / "broker.pem", self.directory / "broker-key.pem")

    @property
    def client(self) -> Certificate:
        return Certificate(self.directory / "client.pem", self.directory / "client-key.pem")

    def ensure(self) -> LocalAuthority:
        """Create the CA and its broker and client certificates unless they exist already."""
        if self.ca_file.exists() and self.broker.key_file.exists() and self.client.key_file.exists():
            return self
        self.directory.mkdir(parents=True, exist_ok=True)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "streamproc local CA")])
        ca_cert = (
            _builder(ca_name, ca_name, ca_key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(cert_sign=True), critical=True)
            .sign(ca_key, hashes.SHA256())
        )
        _write(self.ca_file, ca_cert.public_bytes(serialization.Encoding.PEM))
        _issue(self.broker, "localhost", ca_cert, ca_key)
        _issue(self.client, "streamproc", ca_cert, ca_key)
        return self


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
    )


def _usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=not cert_sign,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _issue(
    target: Certificate, common_name: str, ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey
) -> None:
    """A leaf certificate for 127.0.0.1/localhost, usable as TLS server and client (the broker is both)."""
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        _builder(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]),
            ca_cert.subject,
            key.public_key(),
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write(target.cert_file, cert.public_bytes(serialization.Encoding.PEM))
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write(target.key_file, key_pem)


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` readable by the owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
