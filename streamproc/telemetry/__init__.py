"""What an operator sees of every streamproc process: tracing (OpenTelemetry) and log format."""
