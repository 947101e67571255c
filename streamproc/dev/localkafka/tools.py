"""Apache Kafka's own command-line tools (console producer and consumer, consumer groups, topics)."""

from __future__ import annotations

from pathlib import Path

from streamproc.errors import ConfigurationError

LOG4J2 = Path(__file__).with_name("tools-log4j2.properties")

# `streamproc kafka tool NAME` -> the main class Kafka's own bin/kafka-NAME.sh runs.
MAIN_CLASSES = {
    "console-producer": "org.apache.kafka.tools.ConsoleProducer",
    "console-consumer": "org.apache.kafka.tools.consumer.ConsoleConsumer",
    "consumer-groups": "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
    "topics": "org.apache.kafka.tools.TopicCommand",
}


def tool_command(java: str, tools_dir: Path, name: str, args: list[str], bootstrap: str) -> list[str]:
    """The java command line of tool ``name``; ``--bootstrap-server`` is added unless ``args`` has one."""
    if name not in MAIN_CLASSES:
        raise ConfigurationError(f"unknown Kafka tool '{name}'; one of: {', '.join(MAIN_CLASSES)}")
    given = any(arg == "--bootstrap-server" or arg.startswith("--bootstrap-server=") for arg in args)
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
        *([] if given else ["--bootstrap-server", bootstrap]),
        *args,
    ]
