"""Single-object framing: fingerprints match the Avro spec's CRC-64-AVRO, header parsing errors."""

from __future__ import annotations

import json

import pytest

from streamproc.errors import DeserializationError
from streamproc.settings import REPO_ROOT
from streamproc.wire.avro import framing

EMPTY = 0xC15D213AA4D7A795


def _table() -> list[int]:
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (EMPTY & -(fp & 1))
        table.append(fp)
    return table


TABLE = _table()


def rabin(data: bytes) -> int:
    """CRC-64-AVRO as written in the Avro specification (independent of fastavro)."""
    fp = EMPTY
    for byte in data:
        fp = (fp >> 8) ^ TABLE[(fp ^ byte) & 0xFF]
    return fp


def test_fingerprint_of_int_matches_known_vector() -> None:
    assert rabin(b'"int"') == 0x7275D51A3F395C8F
    assert framing.fingerprint("int") == bytes.fromhex("8f5c393f1ad57572")


def test_fingerprint_is_little_endian_rabin_of_canonical_form() -> None:
    schema = json.loads((REPO_ROOT / "schemas/iris_model/0.1.0/input.avsc").read_text())
    canonical = framing.canonical_form(schema)
    assert "doc" not in canonical and " " not in canonical
    assert canonical.startswith('{"name":"streamproc.models.iris_model.v0_1.IrisModelInput","type":"record"')
    assert framing.fingerprint(schema) == rabin(canonical.encode()).to_bytes(8, "little")


def test_fingerprint_ignores_docs_and_formatting() -> None:
    plain = {"type": "record", "name": "A", "fields": [{"name": "x", "type": "long"}]}
    documented = {
        "doc": "d",
        "type": "record",
        "name": "A",
        "fields": [{"name": "x", "type": "long", "doc": "x"}],
    }
    assert (
        framing.fingerprint(plain)
        == framing.fingerprint(documented)
        == framing.fingerprint(json.dumps(plain))
    )


def test_header_and_split_round_trip() -> None:
    fp = framing.fingerprint("string")
    data = framing.header(fp) + b"\x06abc"
    assert data[:2] == b"\xc3\x01"
    assert framing.split(data) == (fp, 10)


def test_describe_fingerprint_prints_the_64_bit_value() -> None:
    assert framing.describe_fingerprint(bytes.fromhex("8f5c393f1ad57572")) == "0x7275d51a3f395c8f"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"a": 1}', "expected marker c301, got 7b22"),
        (b"", "got nothing"),
        (b"\xc3\x01\x00\x01", "header truncated: 4 bytes"),
    ],
)
def test_split_rejects_bad_headers(data: bytes, expected: str) -> None:
    with pytest.raises(DeserializationError, match=expected):
        framing.split(data)


def test_header_requires_eight_bytes() -> None:
    with pytest.raises(ValueError, match="8 bytes"):
        framing.header(b"\x00")
