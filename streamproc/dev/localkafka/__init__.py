"""A single-node Apache Kafka (KRaft, broker + controller in one JVM) run from Maven Central jars."""

from streamproc.dev.localkafka.broker import BrokerStatus, LocalKafka

__all__ = ["BrokerStatus", "LocalKafka"]
