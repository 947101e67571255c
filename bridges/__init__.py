"""Bridge services: REST, WebSocket and RPC transports in front of the model topics."""
