"""Every Kafka client streamproc uses is built here, with the security settings of ``kafka.security``.

confluent-kafka producers, readers, group consumers and admin clients serve the CLI, the bridges and the
bench; aiokafka consumers and producers serve the worker; Faust gets its broker URLs and credentials here.
Library errors become streamproc errors in ``confluent_error`` and ``aiokafka_error``, nowhere else.
"""

from __future__ import annotations

import logging
import re
import ssl
import time
import uuid
from typing import TYPE_CHECKING, Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient

from streamproc.errors import BrokerUnavailableError, KafkaSecurityError, StreamprocError
from streamproc.kafka.security import aiokafka_options, faust_credentials, librdkafka_options
from streamproc.settings import StreamprocSettings

if TYPE_CHECKING:  # aiokafka is imported where used: the CLI's confluent-kafka commands never need it
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

log = logging.getLogger(__name__)
# librdkafka logs every refused connection and failed handshake, again at every retry; its error callback
# below reports each distinct problem once instead.
_librdkafka_log = logging.getLogger("streamproc.librdkafka")
_librdkafka_log.propagate = False
_librdkafka_log.addHandler(logging.NullHandler())

_SECURITY_CODES = {KafkaError._AUTHENTICATION, KafkaError.SASL_AUTHENTICATION_FAILED, KafkaError._SSL}


def confluent_error(error: KafkaError | KafkaException, doing: str = "talking to Kafka") -> StreamprocError:
    """The streamproc error for a confluent-kafka error: refused credentials or TLS, or no answer."""
    kafka_error = error.args[0] if isinstance(error, KafkaException) and error.args else error
    if not isinstance(kafka_error, KafkaError):
        return BrokerUnavailableError(f"Kafka failed while {doing}: {error}")
    text = kafka_error.str()
    if kafka_error.code() in _SECURITY_CODES or "SSL" in text:  # handshake failed, alert bad certificate, ...
        return KafkaSecurityError(f"Kafka refused the connection while {doing}: {_security_detail(text)}")
    return BrokerUnavailableError(f"Kafka did not answer while {doing}: {_first_line(text)}")


def aiokafka_error(exc: BaseException, doing: str = "talking to Kafka") -> StreamprocError:
    """The streamproc error for an aiokafka (or TLS) exception."""
    from aiokafka import errors as aiokafka_errors

    if isinstance(exc, aiokafka_errors.SaslAuthenticationFailed | aiokafka_errors.AuthenticationFailedError):
        return KafkaSecurityError(f"Kafka refused the SASL credentials while {doing}: {exc}")
    if isinstance(exc, ssl.SSLError):
        return KafkaSecurityError(f"TLS with Kafka failed while {doing}: {exc}")
    return BrokerUnavailableError(f"Kafka did not answer while {doing}: {exc}")


_TLS_HINTS = (
    (
        "certificate verify failed",
        "the broker's certificate is not signed by STREAMPROC_KAFKA_SSL_CA_FILE's CA",
    ),
    ("bad certificate", "the broker wants a client certificate (STREAMPROC_KAFKA_SSL_CERT_FILE/_KEY_FILE)"),
    (
        "certificate required",
        "the broker wants a client certificate (STREAMPROC_KAFKA_SSL_CERT_FILE/_KEY_FILE)",
    ),
)


def _security_detail(text: str) -> str:
    """librdkafka's words, with its own option names replaced by what to check in streamproc's settings."""
    line = _first_line(text)
    for symptom, hint in _TLS_HINTS:
        if symptom in line:
            return f"TLS handshake failed: {hint}"
    return line


def _first_line(text: str) -> str:
    """librdkafka's message without its ``proto://host:port/id:`` prefix and ``(after …ms in state …)``."""
    line = text.strip().splitlines()[0] if text.strip() else "(no detail)"
    return re.sub(r"\s*\(after \d+ms in state \w+\)$", "", re.sub(r"^\w+://\S+?: ", "", line))


class _ErrorReport:
    """librdkafka's error callback: each distinct problem is logged once per client, the last one kept."""

    def __init__(self, quiet: bool = False) -> None:
        self.last: KafkaError | None = None
        self._seen: set[str] = set()
        self._quiet = quiet

    def __call__(self, error: KafkaError) -> None:
        if self.last is None or confluent_error(self.last).__class__ is not KafkaSecurityError:
            self.last = error  # a refused login says more than the disconnect that follows it
        text = error.str()
        if not self._quiet and text not in self._seen:
            self._seen.add(text)
            log.warning("kafka: %s", _first_line(text))


def confluent_config(settings: StreamprocSettings, **overrides: Any) -> dict[str, Any]:
    """librdkafka configuration: bootstrap, security, quiet logging, then ``overrides``."""
    return {
        "bootstrap.servers": settings.bootstrap_servers,
        **librdkafka_options(settings),
        "logger": _librdkafka_log,
        "error_cb": _ErrorReport(),
        **overrides,
    }


def _not_transient(record: logging.LogRecord) -> bool:
    """Drop what librdkafka retries by itself right after a broker starts ("Coordinator load in progress")."""
    return "load in progress" not in record.getMessage().lower()


_librdkafka_log.addFilter(_not_transient)


def producer(settings: StreamprocSettings, **overrides: Any) -> Producer:
    config = {"linger.ms": 1, "enable.idempotence": True, **overrides}
    return Producer(confluent_config(settings, **config))


def reader(settings: StreamprocSettings, **overrides: Any) -> Consumer:
    """A consumer for ``assign()``: no group membership, no commits."""
    config = {
        "group.id": f"streamproc-reader-{uuid.uuid4().hex}",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "fetch.wait.max.ms": 100,
        **overrides,
    }
    return Consumer(confluent_config(settings, **config))


def group_consumer(settings: StreamprocSettings, group_id: str, **overrides: Any) -> Consumer:
    """A consumer of group ``group_id`` that commits explicitly, starting at the earliest offset."""
    config = {"group.id": group_id, "auto.offset.reset": "earliest", "enable.auto.commit": False, **overrides}
    return Consumer(confluent_config(settings, **config))


def admin(settings: StreamprocSettings, **overrides: Any) -> AdminClient:
    return AdminClient(confluent_config(settings, **overrides))


def check_access(settings: StreamprocSettings, timeout: float = 10.0) -> None:
    """One metadata request: KafkaSecurityError when credentials or TLS are refused,
    BrokerUnavailableError when nothing answers within ``timeout`` seconds."""
    report = _ErrorReport(quiet=True)
    client = AdminClient(confluent_config(settings, error_cb=report))
    doing = f"connecting to {settings.bootstrap_servers}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.list_topics(timeout=min(1.0, max(0.1, deadline - time.monotonic())))
            return
        except KafkaException as exc:
            client.poll(0.1)  # serves the error callback, which names the cause (authentication, TLS, ...)
            failure = confluent_error(report.last or exc, doing)
            if isinstance(failure, KafkaSecurityError) or time.monotonic() >= deadline:
                raise failure from None


def aiokafka_consumer(settings: StreamprocSettings, *topics: str, **kwargs: Any) -> AIOKafkaConsumer:
    from aiokafka import AIOKafkaConsumer

    return AIOKafkaConsumer(*topics, **aiokafka_options(settings), **kwargs)


def aiokafka_producer(settings: StreamprocSettings, **kwargs: Any) -> AIOKafkaProducer:
    from aiokafka import AIOKafkaProducer

    return AIOKafkaProducer(**aiokafka_options(settings), **kwargs)


async def start_aiokafka(*clients: AIOKafkaConsumer | AIOKafkaProducer, doing: str) -> None:
    """Start aiokafka clients in order; a refused login, failed TLS or no broker: a streamproc error."""
    from aiokafka import errors as aiokafka_errors

    try:
        for client in clients:
            await client.start()
    except (aiokafka_errors.KafkaError, ssl.SSLError, OSError) as exc:
        raise aiokafka_error(exc, doing) from exc


def faust_broker(settings: StreamprocSettings) -> dict[str, Any]:
    """``broker`` and ``broker_credentials`` for ``faust.App``."""
    return {
        "broker": [f"kafka://{server.strip()}" for server in settings.bootstrap_servers.split(",")],
        "broker_credentials": faust_credentials(settings),
    }
