"""Apache Kafka's own command-line tools (console producer and consumer, consumer groups, topics)."""

from __future__ import annotations

import os
from pathlib import Path

from streamproc.errors import ConfigurationError
from streamproc.kafka.security import client_keystore_pem, java_client_properties
from streamproc.settings import StreamprocSettings

LOG4J2 = Path(__file__).with_name("tools-log4j2.properties")

# `streamproc kafka tool NAME` -> the main class Kafka's own bin/kafka-NAME.sh runs.
MAIN_CLASSES = {
    "console-producer": "org.apache.kafka.tools.ConsoleProducer",
    "console-consumer": "org.apache.kafka.tools.consumer.ConsoleConsumer",
    "consumer-groups": "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
    "topics": "org.apache.kafka.tools.TopicCommand",
}


def _given(args: list[str], option: str) -> bool:
    return any(arg == option or arg.startswith(f"{option}=") for arg in args)


def _private_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)


def _property_line(key: str, value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("\n", "\\n")
    return f"{key}={escaped}\n"


def client_config_file(settings: StreamprocSettings, directory: Path) -> Path | None:
    """Write the Java client properties of ``settings`` (owner-only files under ``directory``) for a tool's
    ``--command-config``; None for a plaintext cluster, which needs none."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return None
    keystore, keystore_file = client_keystore_pem(settings), None
    if keystore is not None:
        keystore_file = directory / "client-keystore.pem"
        _private_file(keystore_file, keystore)
    properties = java_client_properties(settings, keystore_file)
    config = directory / "client.properties"
    _private_file(config, "".join(_property_line(k, v) for k, v in properties.items()).encode())
    return config


def tool_command(
    java: str, tools_dir: Path, name: str, args: list[str], bootstrap: str, command_config: Path | None = None
) -> list[str]:
    """The java command line of tool ``name``; ``--bootstrap-server`` is added unless ``args`` has one, and
    ``--command-config`` (a secured cluster's client properties) unless ``args`` has one."""
    if name not in MAIN_CLASSES:
        raise ConfigurationError(f"unknown Kafka tool '{name}'; one of: {', '.join(MAIN_CLASSES)}")
    bootstrap_args = [] if _given(args, "--bootstrap-server") else ["--bootstrap-server", bootstrap]
    config_args = []
    if command_config is not None and not _given(args, "--command-config"):
        config_args = ["--command-config", str(command_config)]
    return [
        java,
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={LOG4J2}",
        "-cp",
        f"{tools_dir}/*",
        MAIN_CLASSES[name],
        *bootstrap_args,
        *config_args,
        *args,
    ]
