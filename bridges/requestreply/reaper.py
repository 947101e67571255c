"""Reply topics of killed bridges: each bridge heartbeats into its own reply topic and deletes the reply
topics of its prefix that have had no record for longer than their retention (their bridge is gone).

A reply topic keeps its records ``retention.ms`` (``STREAMPROC_REPLY_RETENTION``) and stamps them with the
broker's append time; its bridge writes an empty heartbeat record every quarter of that, so a live
bridge's topic always holds a record younger than its retention. Liveness is read from the topic itself
(the newest record's append time against the topic's own retention), so bridges with different settings
judge each other right, and a topic never written yet (a bridge between creating it and its first
heartbeat) is never taken for dead. See the README's "Replies" section for the failure modes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from streamproc.errors import StreamprocError
from streamproc.kafka.activity import TopicActivity, topic_activity
from streamproc.kafka.admin import TopicSpec, admin_client, delete_topics, ensure_topics
from streamproc.settings import StreamprocSettings
from streamproc.wire.topics import is_reply_topic

log = logging.getLogger(__name__)
HEARTBEATS_PER_RETENTION = 4


def reply_topic_spec(settings: StreamprocSettings, name: str) -> TopicSpec:
    retention = str(int(settings.reply_retention * 1000))
    configs = {"retention.ms": retention, "segment.ms": retention, "message.timestamp.type": "LogAppendTime"}
    return TopicSpec(name, 1, 1, configs)


def is_dead(activity: TopicActivity, now_ms: int) -> bool:
    """Written once, and nothing kept that is younger than its retention: its bridge stopped heartbeating."""
    if not activity.written or activity.retention_ms < 0:  # -1: kept forever, not one of ours
        return False
    return activity.newest_ms is None or now_ms - activity.newest_ms > activity.retention_ms


def reap(settings: StreamprocSettings, own: str, timeout: float = 10.0) -> list[str]:
    """Delete the reply topics of this prefix, other than ``own``, whose bridge is dead; their names."""

    def others(name: str) -> bool:
        return name != own and is_reply_topic(settings.topic_prefix, name)

    activity = topic_activity(admin_client(settings), others, timeout)  # one metadata request
    now_ms = int(time.time() * 1000)
    dead = sorted(name for name, a in activity.items() if is_dead(a, now_ms))
    if dead:
        delete_topics(settings, dead, timeout)
        log.info("deleted the reply topics of %d killed bridge(s): %s", len(dead), ", ".join(dead))
    return dead


class Keepalive:
    """While a bridge's reply topic is open: ``beat()`` every quarter retention, a sweep every retention,
    and the topic created again when a heartbeat finds it gone (reaped while this bridge was cut off)."""

    def __init__(self, settings: StreamprocSettings, topic: str, beat: Callable[[], None]) -> None:
        self.settings = settings
        self.topic = topic
        self._beat = beat
        self.lost = False  # set by the heartbeat's delivery report (another thread)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="streamproc-keepalive")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        retention = self.settings.reply_retention
        next_sweep = 0.0
        while True:
            try:
                if self.lost:
                    log.warning(
                        "reply topic %s vanished while this bridge lived: creating it again", self.topic
                    )
                    spec = reply_topic_spec(self.settings, self.topic)
                    await asyncio.to_thread(ensure_topics, self.settings, [spec], 5.0)
                    self.lost = False
                self._beat()
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + retention
                    await asyncio.to_thread(reap, self.settings, self.topic)
            except StreamprocError as exc:  # the broker is away: try again at the next beat
                log.warning("reply topic upkeep: %s", exc)
            await asyncio.sleep(retention / HEARTBEATS_PER_RETENTION)
