"""Prometheus metrics of one worker process: a ``ModelMetrics`` per hosted model, fed by its consumer.

The consumer calls it at a few points (batch consumed, batch processed, batch acknowledged, commit,
rebalance); everything is counted per batch, never per record, so metrics cost the worker little.
Labels are limited to the hosted models (and their partitions and error types).
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from streamproc.wire import headers as h

_SECONDS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
STALE_POLL = 15.0  # seconds without a poll after which a model's consumer no longer counts as consuming


def batch_buckets(largest: int) -> tuple[float, ...]:
    """Powers of two up to ``largest``, and ``largest`` itself."""
    buckets = [1]
    while buckets[-1] * 2 < largest:
        buckets.append(buckets[-1] * 2)
    return tuple(float(b) for b in sorted({*buckets, largest}))


@dataclass
class _Mark:
    started: float  # perf_counter when the batch was consumed
    count: int
    oldest_ms: int  # the earliest input record timestamp of the batch


class WorkerMetrics:
    """The registry of one worker process; ``model()`` gives each hosted model its own feeder."""

    def __init__(self, models: list[str], largest_batch: int) -> None:
        self.registry = CollectorRegistry()
        self.known = set(models)
        self.models: dict[str, ModelMetrics] = {}
        up = Gauge("streamproc_worker_up", "1 while the worker process runs.", registry=self.registry)
        up.set(1)
        started = Gauge(
            "streamproc_worker_start_time_seconds", "Unix time the worker started.", registry=self.registry
        )
        started.set(time.time())
        r, m = self.registry, ["model"]
        self.inputs = Counter("streamproc_worker_inputs", "Input records consumed.", m, registry=r)
        self.outputs = Counter("streamproc_worker_outputs", "Output records acknowledged.", m, registry=r)
        self.errors = Counter(
            "streamproc_worker_errors",
            "Error records acknowledged, by error_type.",
            [*m, "error_type"],
            registry=r,
        )
        self.batch_size = _histogram(
            r, "batch_size", "Input records per batch.", batch_buckets(largest_batch)
        )
        self.batch_seconds = _histogram(
            r,
            "batch_duration_seconds",
            "Time to decode, validate, predict, encode and send a batch.",
            _SECONDS,
        )
        self.predict_seconds = _histogram(
            r,
            "prediction_duration_seconds",
            "Time to predict a batch's valid inputs (the model's calls).",
            _SECONDS,
        )
        self.latency = _histogram(
            r,
            "end_to_end_latency_seconds",
            "Input record timestamp to output acknowledged, for the oldest input of each batch.",
            _LATENCY,
        )
        self.in_flight = Gauge(
            "streamproc_worker_in_flight_records",
            "Inputs consumed, outputs not yet acknowledged.",
            m,
            registry=r,
        )
        self.commits = Counter("streamproc_worker_commits", "Offset commits that succeeded.", m, registry=r)
        self.rebalances = Counter(
            "streamproc_worker_rebalances",
            "Partition assignments received (group rebalances).",
            m,
            registry=r,
        )
        self.registry.register(_Lag(self))
        for name in models:
            self.models[name] = ModelMetrics(self, name)

    def model(self, name: str) -> ModelMetrics:
        return self.models[name]

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class BatchHooks:
    """What a model's consumer reports, per poll, batch or group event; alone it only tracks readiness."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.assigned = False
        self.last_poll = 0.0

    def consumed(self, batches: dict[Any, list[Any]]) -> None:
        """After every poll (``batches`` maps TopicPartition to aiokafka records, maybe empty)."""
        self.last_poll = time.monotonic()

    def processed(self) -> None:
        """The newest consumed batch is handed to the producer."""

    def acknowledged(self, records: Iterable[Any]) -> None:
        """The oldest batch in flight has its output and error records acknowledged."""

    def committed_offsets(self, offsets: dict[Any, int]) -> None:
        """Offsets (TopicPartition to next offset) were committed."""

    def rebalanced(self, assigned: Iterable[Any], consumer: Any) -> None:
        """The group assigned these partitions to ``consumer``."""
        self.assigned = True

    def consuming(self) -> bool:
        """Joined its group and polling (the poll loop returns at least once a second)."""
        return self.assigned and time.monotonic() - self.last_poll < STALE_POLL


def _histogram(registry: CollectorRegistry, name: str, doc: str, buckets: tuple[float, ...]) -> Histogram:
    return Histogram(f"streamproc_worker_{name}", doc, ["model"], buckets=buckets, registry=registry)


class ModelMetrics(BatchHooks):
    """The hooks that feed one model's metrics; each is called once per batch or event."""

    def __init__(self, owner: WorkerMetrics, name: str) -> None:
        super().__init__(name)
        self._inputs = owner.inputs.labels(name)
        self._outputs = owner.outputs.labels(name)
        self._errors = owner.errors
        self._batch_size = owner.batch_size.labels(name)
        self._batch_seconds = owner.batch_seconds.labels(name)
        self.predict_seconds = owner.predict_seconds.labels(name)
        self._latency = owner.latency.labels(name)
        self._in_flight = owner.in_flight.labels(name)
        self._commits = owner.commits.labels(name)
        self._rebalances = owner.rebalances.labels(name)
        self._marks: collections.deque[_Mark] = collections.deque()
        self.committed: dict[int, int] = {}  # next offset to read, per partition, as last committed
        self.consumed_to: dict[int, int] = {}  # next offset to read, per partition, as last consumed
        self.consumer: Any = None  # an aiokafka consumer, or Faust's (its highwater() is the same)
        self._assignment: list[Any] = []

    def consumed(self, batches: dict[Any, list[Any]]) -> None:
        super().consumed(batches)
        if not batches:
            return
        count = sum(len(records) for records in batches.values())
        oldest = min(records[0].timestamp for records in batches.values())
        for tp, records in batches.items():
            self.consumed_to[tp.partition] = records[-1].offset + 1
        self._marks.append(_Mark(time.perf_counter(), count, oldest))
        self._inputs.inc(count)
        self._batch_size.observe(count)
        self._in_flight.inc(count)

    def processed(self) -> None:
        self._batch_seconds.observe(time.perf_counter() - self._marks[-1].started)

    def acknowledged(self, records: Iterable[Any]) -> None:
        mark = self._marks.popleft()
        failed = [record for record in records if record.is_error]
        errors: dict[str, int] = {}
        for record in failed:
            error_type = dict(record.headers).get(h.ERROR_TYPE, b"").decode() or "UNKNOWN"
            errors[error_type] = errors.get(error_type, 0) + 1
        for error_type, n in errors.items():
            self._errors.labels(self.name, error_type).inc(n)
        self._outputs.inc(mark.count - len(failed))
        self._in_flight.dec(mark.count)
        self._latency.observe(max(0.0, time.time() - mark.oldest_ms / 1000))

    def committed_offsets(self, offsets: dict[Any, int]) -> None:
        self._commits.inc()
        for tp, offset in offsets.items():
            self.committed[tp.partition] = offset

    def rebalanced(self, assigned: Iterable[Any], consumer: Any) -> None:
        assigned = list(assigned)
        super().rebalanced(assigned, consumer)
        self._rebalances.inc()
        self.consumer, self._assignment = consumer, assigned
        keep = {tp.partition for tp in assigned}
        for offsets in (self.committed, self.consumed_to):
            for partition in set(offsets) - keep:
                del offsets[partition]

    def lag(self) -> dict[int, int]:
        """Per assigned partition: log end offset (as ``consumer`` last heard it) minus the committed offset,
        or the consumed one where this process commits nothing itself (the agent engine: Faust does)."""
        if self.consumer is None:
            return {}
        lags = {}
        for tp in self._assignment:
            end = self.consumer.highwater(tp)
            done = self.committed.get(tp.partition, self.consumed_to.get(tp.partition))
            if end is not None and done is not None:
                lags[tp.partition] = max(0, end - done)
            elif end == 0:
                lags[tp.partition] = 0
        return lags

    def timed(self, call: Callable[..., Any]) -> Callable[..., Any]:
        """``call`` observed in the prediction histogram."""
        histogram = self.predict_seconds

        def timed_call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                histogram.observe(time.perf_counter() - started)

        return timed_call


class _Lag(Collector):
    """Consumer lag per model and partition, read at scrape time."""

    def __init__(self, owner: WorkerMetrics) -> None:
        self.owner = owner

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "streamproc_worker_consumer_lag",
            "Records in the inputs topic after the last committed offset, per partition.",
            labels=["model", "partition"],
        )
        for name, model in self.owner.models.items():
            for partition, lag in sorted(model.lag().items()):
                family.add_metric([name, str(partition)], lag)
        yield family
