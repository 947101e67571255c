"""In-process ceilings on the stream's inputs: the model alone, and the whole processor without Kafka.

``predict_batch`` on validated inputs is the model's own ceiling; ``ModelProcessor.process`` on the
framed Avro values (decode → validate → predict → encode) is what one worker could do with free I/O.
"""

from __future__ import annotations

import time
from typing import Any

from streamproc.dev.bench.data import iris_rows
from streamproc.settings import StreamprocSettings
from streamproc.wire.codec_factory import Codecs
from streamproc.worker.hosting import host_model
from streamproc.worker.processor import InputMessage
from streamproc.worker.topology import ModelSpec

IRIS_CLASS_PATH = "streamproc.reference_models.iris.IrisModel"


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def model_ceiling(messages: int, batch_size: int) -> dict[str, Any]:
    from streamproc.reference_models.iris import IrisModel, IrisModelInput

    model = IrisModel()
    rows = iris_rows()
    inputs = [IrisModelInput(**rows[i % len(rows)]) for i in range(messages)]
    model.predict_batch(inputs[:batch_size])  # warm
    started = time.perf_counter()
    for chunk in _chunks(inputs, batch_size):
        model.predict_batch(chunk)
    seconds = time.perf_counter() - started
    return {"rate": round(messages / seconds, 1), "seconds": round(seconds, 4), "batch_size": batch_size}


def processor_ceiling(settings: StreamprocSettings, messages: int, batch_size: int) -> dict[str, Any]:
    hosted = host_model(ModelSpec(class_path=IRIS_CLASS_PATH), settings, Codecs(settings))
    processor = hosted.processor
    rows = iris_rows()
    values = [processor._input_codec.encode(row) for row in rows]
    topic = hosted.topics.inputs
    batch = [
        InputMessage(values[i % len(values)], str(i).encode(), {}, topic, i % 3, i) for i in range(messages)
    ]
    processor.process(batch[:batch_size])  # warm
    started, cpu = time.perf_counter(), time.process_time()
    for chunk in _chunks(batch, batch_size):
        processor.process(chunk)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    return {
        "rate": round(messages / seconds, 1),
        "cpu_rate": round(messages / cpu_seconds, 1),  # per CPU-second: what holds on a shared machine
        "seconds": round(seconds, 4),
        "batch_size": batch_size,
    }


def main() -> None:
    """``python -m streamproc.dev.bench.inprocess [N]``: the processor's rate per wall and per CPU second
    (the CPU figure holds on a shared machine), best of 3 passes over N iris inputs in batches of 256."""
    import sys

    messages = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    settings = StreamprocSettings()
    runs = [processor_ceiling(settings, messages, 256) for _ in range(3)]
    wall, cpu = max(r["rate"] for r in runs), max(r["cpu_rate"] for r in runs)
    print(f"processor in-process: {wall:,.0f}/s wall, {cpu:,.0f}/s per CPU-second")


if __name__ == "__main__":
    main()
