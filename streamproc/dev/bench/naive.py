"""Baseline: the model stream processor written naively, as the original model_stream_processor was.

An aiokafka consumer; JSON values; ``predict`` one message at a time; ``send_and_wait`` for each output.
Run as its own process: ``python -m streamproc.dev.bench.naive BOOTSTRAP SOURCE SINK COUNT MAX_SECONDS``.
Stops after COUNT messages or MAX_SECONDS after its first message, whichever comes first.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid

from streamproc.dev.bench.procs import emit
from streamproc.kafka.clients import aiokafka_consumer, aiokafka_producer
from streamproc.reference_models.iris import IrisModel
from streamproc.settings import StreamprocSettings


async def process(bootstrap: str, source: str, sink: str, count: int, max_seconds: float) -> int:
    model = IrisModel()
    settings = StreamprocSettings(bootstrap_servers=bootstrap)  # security settings from the environment
    consumer = aiokafka_consumer(
        settings,
        source,
        group_id=f"naive-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
    )
    producer = aiokafka_producer(settings)
    await consumer.start()
    await producer.start()
    done = 0
    deadline = None
    try:
        async for message in consumer:
            deadline = deadline or time.monotonic() + max_seconds
            prediction = model.predict(json.loads(message.value))
            await producer.send_and_wait(sink, json.dumps(prediction.model_dump()).encode(), key=message.key)
            done += 1
            if done >= count or time.monotonic() >= deadline:
                break
    finally:
        await consumer.stop()
        await producer.stop()
    return done


def main() -> None:
    bootstrap, source, sink, count, max_seconds = sys.argv[1:6]
    started = time.monotonic()
    coroutine = process(bootstrap, source, sink, int(count), float(max_seconds))
    done = asyncio.run(asyncio.wait_for(coroutine, float(max_seconds) + 60))
    emit({"processed": done, "wall_seconds": round(time.monotonic() - started, 3)})


if __name__ == "__main__":
    main()
