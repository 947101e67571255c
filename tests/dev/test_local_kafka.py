"""Pieces of the local broker that need no JVM: cluster ids and the single-node properties."""

from __future__ import annotations

import base64
from pathlib import Path

from streamproc.dev.localkafka.broker import new_cluster_id
from streamproc.dev.localkafka.properties import server_properties


def test_cluster_ids_are_22_url_safe_characters_that_never_look_like_an_option() -> None:
    ids = [new_cluster_id() for _ in range(5000)]  # a leading '-' has 1-in-64 odds per raw draw
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)
    assert len(base64.urlsafe_b64decode(ids[0] + "==")) == 16
    assert len(set(ids)) == len(ids)


def test_properties_bind_loopback_and_size_internal_topics_for_one_node(tmp_path: Path) -> None:
    props = dict(line.split("=", 1) for line in server_properties(19092, 19093, tmp_path).splitlines())
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["transaction.state.log.min.isr"] == "1"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["log.dirs"] == str(tmp_path)
