"""``streamproc bench``: stream throughput, request–reply latency and memory, each beside its baseline.

Every measured party runs as its own process (worker, bridges, baselines, load generators); the runner
only starts them, waits for real readiness, collects what they print and writes the report.
"""
