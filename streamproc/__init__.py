"""streamproc: serve ml_base models as Kafka stream processors."""

__version__ = "0.1.0"
