"""A span per input batch, continuing the trace of the requests in it (when tracing is on).

The span's parent is the trace context of the batch's first record that carries one, and it links to
the context of every such record; it ends when the batch's outputs and errors are acknowledged.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from typing import Any

from opentelemetry import trace

from streamproc.telemetry.tracing import context_from, links, tracer
from streamproc.wire import headers as h
from streamproc.worker.metrics import BatchHooks


class TracedBatches(BatchHooks):
    """Adds a span per batch to ``inner``'s hooks."""

    def __init__(self, inner: BatchHooks) -> None:
        super().__init__(inner.name)
        self.inner = inner
        self._spans: collections.deque[trace.Span] = collections.deque()
        self._tracer = tracer()

    def consumed(self, batches: dict[Any, list[Any]]) -> None:
        self.inner.consumed(batches)
        if not batches:
            return
        contexts = []
        for records in batches.values():
            for record in records:
                context = context_from(h.decode_headers(record.headers))  # pairs or a mapping, bytes or str
                if context is not None:
                    contexts.append(context)
        topic = next(iter(batches)).topic
        count = sum(len(records) for records in batches.values())
        span = self._tracer.start_span(
            f"{topic} process",
            context=contexts[0] if contexts else None,
            kind=trace.SpanKind.CONSUMER,
            links=links(contexts),
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.destination.name": topic,
                "messaging.batch.message_count": count,
                "streamproc.model": self.name,
            },
        )
        self._spans.append(span)

    def processed(self) -> None:
        self.inner.processed()
        if self._spans:
            self._spans[-1].add_event("sent")

    def acknowledged(self, records: Iterable[Any]) -> None:
        self.inner.acknowledged(records)
        if self._spans:
            self._spans.popleft().end()

    def committed_offsets(self, offsets: dict[Any, int]) -> None:
        self.inner.committed_offsets(offsets)

    def rebalanced(self, assigned: Iterable[Any], consumer: Any) -> None:
        self.inner.rebalanced(assigned, consumer)

    def consuming(self) -> bool:
        return self.inner.consuming()
