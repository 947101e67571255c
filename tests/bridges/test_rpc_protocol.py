"""ZeroRPC events and framing: what goes on the wire is what a zerorpc peer reads and writes."""

from __future__ import annotations

import msgpack
import pytest

from bridges.rpc.protocol import (
    HEARTBEAT,
    PROTOCOL_VERSION,
    REPLY_ERR,
    Event,
    ProtocolError,
    decode_event,
    encode_event,
    error_args,
    join_frames,
    new_message_id,
    reply_event,
    split_frames,
)


def test_decodes_a_request_as_a_zerorpc_client_packs_it() -> None:
    blob = msgpack.packb([{"message_id": b"abc123", "v": 3}, "add", [1, 2]], use_bin_type=True)

    event = decode_event(blob)

    assert event.name == "add"
    assert event.args == [1, 2]
    assert event.message_id == b"abc123"
    assert event.response_to is None
    assert event.version == 3


def test_reply_continues_the_conversation_and_round_trips() -> None:
    reply = reply_event("OK", [{"species": "setosa"}], response_to=b"abc123")

    raw = msgpack.unpackb(encode_event(reply), raw=False)

    header, name, args = raw
    assert name == "OK"
    assert args == [{"species": "setosa"}]
    assert header["response_to"] == b"abc123"
    assert header["v"] == PROTOCOL_VERSION
    assert isinstance(header["message_id"], bytes)
    assert decode_event(encode_event(reply)) == reply


def test_error_arguments_are_name_message_traceback() -> None:
    reply = reply_event(REPLY_ERR, error_args("ValueError", "no such model"), b"x")

    name, message, traceback = decode_event(encode_event(reply)).args

    assert (name, message) == ("ValueError", "no such model")
    assert "ValueError: no such model" in traceback


def test_heartbeat_event_shape() -> None:
    header, name, args = msgpack.unpackb(encode_event(reply_event(HEARTBEAT, [0], b"x")), raw=False)
    assert (name, args, header["response_to"]) == ("_zpc_hb", [0], b"x")


def test_headerless_v1_event_is_accepted() -> None:
    event = decode_event(msgpack.packb([None, "ping", []]))
    assert event.header == {}
    assert event.version == 1


@pytest.mark.parametrize(
    "blob",
    [b"\xc1", msgpack.packb([1, 2]), msgpack.packb({"a": 1}), msgpack.packb([{}, 42, []])],
    ids=["not-msgpack", "two-items", "map", "name-not-string"],
)
def test_malformed_events_raise_protocol_error(blob: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_event(blob)


def test_router_framing_keeps_the_envelope_and_adds_the_delimiter() -> None:
    envelope, blob = split_frames([b"\x00id", b"", b"payload"])
    assert envelope == [b"\x00id"]
    assert blob == b"payload"
    assert join_frames(envelope, b"reply") == [b"\x00id", b"", b"reply"]


def test_router_framing_without_delimiter() -> None:
    assert split_frames([b"\x00id", b"payload"]) == ([b"\x00id"], b"payload")
    with pytest.raises(ProtocolError):
        split_frames([b"payload"])


def test_message_ids_are_unique_bytes() -> None:
    ids = {new_message_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    assert all(isinstance(i, bytes) for i in ids)


def test_event_defaults() -> None:
    assert Event("x", []).version == 1
