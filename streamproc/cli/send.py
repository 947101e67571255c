"""``streamproc send MODEL``: JSON lines in, Avro-encoded inputs on the model's inputs topic."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import click

from streamproc.cli.common import catalog_entry
from streamproc.errors import StreamprocError
from streamproc.kafka.clients import producer
from streamproc.settings import StreamprocSettings
from streamproc.wire import headers as h
from streamproc.wire.codec_factory import Codecs


@click.command()
@click.argument("model")
@click.option(
    "--file",
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read JSON lines from this file (default: standard input).",
)
@click.option("--key", help="Record key for every message.")
@click.option(
    "--json", "as_json", is_flag=True, help="Send the lines as JSON (content-type header), unencoded."
)
@click.pass_obj
def send(settings: StreamprocSettings, model: str, file: Path | None, key: str | None, as_json: bool) -> None:
    """Send JSON lines to MODEL's inputs topic, Avro-encoded (or raw JSON with --json)."""
    entry = catalog_entry(settings, model)
    codec = Codecs(settings).for_schema(entry.input_avro_schema, entry.topics.inputs)
    kafka = producer(settings)
    # the topic's metadata first: an idempotent producer's first record otherwise waits ~0.5 s for it
    kafka.list_topics(entry.topics.inputs, timeout=10)
    headers: list[tuple[str, str | bytes | None]] = [
        (h.CONTENT_TYPE, (h.CONTENT_TYPE_JSON if as_json else h.CONTENT_TYPE_AVRO).encode())
    ]
    sent = failed = 0
    with _lines(file) as lines:
        for number, line in lines:
            if not line.strip():
                continue
            try:
                value = line.strip().encode() if as_json else codec.encode(json.loads(line))
            except (ValueError, StreamprocError) as exc:
                click.echo(f"line {number}: not sent: {exc}", err=True)
                failed += 1
                continue
            kafka.produce(
                entry.topics.inputs, value=value, key=key.encode() if key else None, headers=headers
            )
            kafka.poll(0)
            sent += 1
    undelivered = kafka.flush(30)
    click.echo(f"sent {sent - undelivered} message(s) to {entry.topics.inputs}", err=True)
    if failed or undelivered:
        raise SystemExit(1)


class _lines:
    """Numbered lines of a file (with a progress bar) or of standard input."""

    def __init__(self, file: Path | None) -> None:
        self.file = file
        self._handle: IO[str] | None = None

    def __enter__(self) -> Iterable[tuple[int, str]]:
        if self.file is None:
            return enumerate(sys.stdin, start=1)
        from tqdm import tqdm  # only a file gets a progress bar; tqdm takes a while to import

        total = sum(1 for _ in self.file.open())
        self._handle = self.file.open()
        return enumerate(tqdm(self._handle, total=total, unit="msg", file=sys.stderr), start=1)

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()
