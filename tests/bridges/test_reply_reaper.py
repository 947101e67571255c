"""Reply topics of killed bridges: the bridges that live delete them, never a live bridge's topic, and a
bridge whose topic vanished while it lived creates it again."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bridges.catalog import ModelCatalog
from bridges.requestreply.reaper import is_dead
from bridges.requestreply.requester import Requester
from streamproc.errors import ReplyTimeoutError
from streamproc.kafka.activity import TopicActivity
from streamproc.kafka.admin import admin_client, delete_topics, existing_topics
from streamproc.settings import StreamprocSettings
from streamproc.wire.topics import is_reply_topic
from tests.support.stack import rest_bridge_process

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
RETENTION = 5.0  # s: a short-lived reply topic, so a killed bridge is found dead within seconds


def test_a_topic_is_dead_once_written_and_silent_for_longer_than_its_retention() -> None:
    now = 1_000_000
    assert is_dead(TopicActivity(3000, written=True, newest_ms=now - 3001), now)
    assert is_dead(TopicActivity(3000, written=True, newest_ms=None), now)  # every record expired
    assert not is_dead(TopicActivity(3000, written=True, newest_ms=now - 2999), now)
    assert not is_dead(TopicActivity(3000, written=False, newest_ms=None), now)  # not yet heartbeating
    assert not is_dead(TopicActivity(60_000, written=True, newest_ms=now - 3001), now)  # its own retention
    assert not is_dead(TopicActivity(-1, written=True, newest_ms=now - 10**9), now)  # not a reply topic's


def reply_topics(settings: StreamprocSettings) -> set[str]:
    return {n for n in existing_topics(admin_client(settings)) if is_reply_topic(settings.topic_prefix, n)}


async def until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.3)  # between two looks at the cluster's topics


@pytest.mark.broker
async def test_a_killed_bridges_reply_topic_is_deleted_by_a_live_bridge_and_a_live_ones_is_kept(
    worker: Any,
    stack_settings: StreamprocSettings,
    catalog: ModelCatalog,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bridges.requestreply")
    settings = stack_settings.model_copy(update={"reply_retention": RETENTION})
    async with Requester(settings, catalog) as live:
        before = await asyncio.to_thread(reply_topics, settings)
        assert live.reply_topic in before
        with rest_bridge_process(settings, tmp_path / "killed.log") as (killed, _url):
            await until(lambda: len(reply_topics(settings) - before) == 1, "the bridge made no reply topic")
            (dead,) = reply_topics(settings) - before
            os.killpg(killed.pid, signal.SIGKILL)  # no clean stop: its topic stays behind
            killed.wait(10)
        async with Requester(settings, catalog) as newcomer:  # sweeps at start, then every retention
            await until(lambda: dead not in reply_topics(settings), "the killed bridge's topic was kept")
            await asyncio.sleep(2 * RETENTION)  # more sweeps, by both live bridges
            left = await asyncio.to_thread(reply_topics, settings)
            assert {live.reply_topic, newcomer.reply_topic} <= left
            deleted = " ".join(r.getMessage() for r in caplog.records if "killed bridge" in r.getMessage())
            assert dead in deleted  # by one of the two live bridges' sweeps
            assert live.reply_topic not in deleted and newcomer.reply_topic not in deleted  # never, not even
            assert not [r for r in caplog.records if "vanished" in r.getMessage()]  # briefly, then re-made
            for bridge in (live, newcomer):  # both still answer through their own topic
                assert (await bridge.predict("iris_model", SETOSA))["species"] == "setosa"


@pytest.mark.broker
async def test_a_bridge_whose_topic_vanished_creates_it_again_and_answers(
    worker: Any, stack_settings: StreamprocSettings, catalog: ModelCatalog
) -> None:
    settings = stack_settings.model_copy(update={"reply_retention": RETENTION})
    async with Requester(settings, catalog) as bridge:
        await asyncio.to_thread(delete_topics, settings, [bridge.reply_topic])
        await until(lambda: bridge.reply_topic in reply_topics(settings), "the topic was not created again")
        deadline = time.monotonic() + 30
        while True:  # its reader follows the new topic once it is assigned again
            try:
                reply = await bridge.predict("iris_model", SETOSA, timeout=2.0)
                break
            except ReplyTimeoutError:
                assert time.monotonic() < deadline, "no reply through the re-created topic"
        assert reply["species"] == "setosa"
