"""Avro plumbing: single-object framing, the schema store, Confluent framing, generation, compatibility."""
