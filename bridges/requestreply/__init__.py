"""Request-reply over Kafka: produce a request with correlation headers, await its reply."""
