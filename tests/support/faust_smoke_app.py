"""A minimal Faust app for the smoke test: upper-cases values from one topic into another."""

import os

import faust

app = faust.App(
    os.environ["SMOKE_APP_ID"],
    broker=f"kafka://{os.environ['STREAMPROC_BOOTSTRAP_SERVERS']}",
    value_serializer="raw",
    topic_partitions=1,
)
source = app.topic(os.environ["SMOKE_SOURCE"], value_type=bytes)
sink = app.topic(os.environ["SMOKE_SINK"], value_type=bytes)


@app.agent(source, name="smoke_upper")
async def upper(stream):  # type: ignore[no-untyped-def]
    async for key, value in stream.items():
        await sink.send(key=key, value=value.upper())
