"""The peers in the benchmark: Quix Streams and MLServer (Kafka and REST), each in a venv of its own."""
