# SPDX-License-Identifier: AGPL-3.0-or-later
"""RTP header access, checked against aiortc's parser and serializer as an independent oracle."""

import struct

import pytest
from aiortc.rtp import HeaderExtensions, RtpPacket

from sfu.rtp import header

from .packets import (
    ABS_SEND_TIME_ID, AUDIO_LEVEL_ID, MID_ID, REPAIRED_RID_ID, RID_ID, TRANSPORT_SEQUENCE_ID,
    aiortc_packet, extensions_map, raw_packet,
)

FULL_EXTENSIONS = HeaderExtensions(
    abs_send_time=0x123456,
    audio_level=(True, 42),
    mid="0",
    repaired_rtp_stream_id="h",
    rtp_stream_id="f",
    transport_sequence_number=0xABCD,
)

VALID_PACKETS = {
    "plain": aiortc_packet(),
    "marker and csrcs": aiortc_packet(marker=1, csrcs=(1, 2, 3)),
    "padding": aiortc_packet(padding=7),
    "one-byte extensions": aiortc_packet(extensions=FULL_EXTENSIONS),
    "everything": aiortc_packet(marker=1, csrcs=(9,), padding=3, extensions=FULL_EXTENSIONS),
    "two-byte extensions": aiortc_packet(extensions=HeaderExtensions(mid="a-mid-longer-than-16-bytes",
                                                                     transport_sequence_number=7)),
    "empty payload": aiortc_packet(payload=b""),
}


@pytest.mark.parametrize("name", VALID_PACKETS)
def test_parse_fixed_matches_aiortc(name: str) -> None:
    data = VALID_PACKETS[name]
    expected = RtpPacket.parse(data, extensions_map())

    marker, payload_type, sequence, timestamp, ssrc = header.parse_fixed(data)

    assert marker == bool(expected.marker)
    assert payload_type == expected.payload_type
    assert sequence == expected.sequence_number
    assert timestamp == expected.timestamp
    assert ssrc == expected.ssrc


@pytest.mark.parametrize("name", VALID_PACKETS)
def test_payload_bounds_match_aiortc(name: str) -> None:
    data = VALID_PACKETS[name]
    expected = RtpPacket.parse(data, extensions_map())

    start, end = header.payload_bounds(data)

    assert data[start:end] == expected.payload
    assert header.payload_offset(data) == start
    assert len(data) - end == expected.padding_size


@pytest.mark.parametrize("buffer_type", [bytes, bytearray, memoryview])
def test_readers_accept_every_buffer_type(buffer_type: type) -> None:
    data = buffer_type(VALID_PACKETS["everything"])

    assert header.parse_fixed(data)[2] == 1000
    assert header.find_transport_sequence(data, TRANSPORT_SEQUENCE_ID) == 0xABCD
    assert header.find_audio_level(data, AUDIO_LEVEL_ID) == (True, 42)
    assert bytes(header.find_extension(data, MID_ID)) == b"0"


@pytest.mark.parametrize("name", ["one-byte extensions", "everything"])
def test_find_extension_one_byte(name: str) -> None:
    data = VALID_PACKETS[name]

    assert header.decode_mid(header.find_extension(data, MID_ID)) == "0"
    assert header.decode_rid(header.find_extension(data, RID_ID)) == "f"
    assert header.decode_rid(header.find_extension(data, REPAIRED_RID_ID)) == "h"
    assert header.decode_abs_send_time(header.find_extension(data, ABS_SEND_TIME_ID)) == 0x123456
    assert header.decode_audio_level(header.find_extension(data, AUDIO_LEVEL_ID)) == (True, 42)
    assert header.decode_transport_sequence(header.find_extension(data, TRANSPORT_SEQUENCE_ID)) == 0xABCD
    assert header.find_extension(data, 9) is None
    assert header.find_extension(data, 200) is None


def test_find_extension_two_byte() -> None:
    data = VALID_PACKETS["two-byte extensions"]
    csrc_end = 12
    assert struct.unpack_from("!H", data, csrc_end)[0] == 0x1000

    assert header.decode_mid(header.find_extension(data, MID_ID)) == "a-mid-longer-than-16-bytes"
    assert header.find_transport_sequence(data, TRANSPORT_SEQUENCE_ID) == 7
    assert header.find_extension(data, RID_ID) is None


def test_two_byte_empty_and_high_id() -> None:
    block = bytes([200, 0, 0, 0, 100, 2, 0xAB, 0xCD])  # id 200 empty, padding, id 100 with 2 bytes
    data = raw_packet(first=0x90, tail=struct.pack("!HH", 0x1000, len(block) // 4) + block + b"payload")

    assert bytes(header.find_extension(data, 200)) == b""
    assert bytes(header.find_extension(data, 100)) == b"\xab\xcd"
    assert header.payload_offset(data) == len(data) - len(b"payload")


def test_find_extension_absent_without_x_bit() -> None:
    data = VALID_PACKETS["plain"]

    assert header.find_extension(data, MID_ID) is None
    assert header.find_transport_sequence(data, TRANSPORT_SEQUENCE_ID) is None
    assert header.find_audio_level(data, AUDIO_LEVEL_ID) is None
    assert header.iter_extensions(data) == []


def test_one_byte_padding_and_stop_id() -> None:
    # padding byte, id 1 (1 byte), id 15 (stop), then an id 2 element that must not be seen
    block = bytes([0x00, 0x10, 0x41, 0xF0, 0x20, 0x42, 0x00, 0x00])
    data = raw_packet(first=0x90, tail=struct.pack("!HH", 0xBEDE, 2) + block)

    assert bytes(header.find_extension(data, 1)) == b"A"
    assert header.find_extension(data, 2) is None
    assert [(i, bytes(v)) for i, v in header.iter_extensions(data)] == [(1, b"A")]


def test_one_byte_id_zero_with_length_stops() -> None:
    block = bytes([0x10, 0x41, 0x05, 0x20, 0x42, 0x00, 0x00, 0x00])  # id 1, then id 0 with length 6
    data = raw_packet(first=0x90, tail=struct.pack("!HH", 0xBEDE, 2) + block)

    assert bytes(header.find_extension(data, 1)) == b"A"
    assert header.find_extension(data, 2) is None
    assert [(i, bytes(v)) for i, v in header.iter_extensions(data)] == [(1, b"A")]


def test_find_extension_ignores_unknown_profile() -> None:
    data = raw_packet(first=0x90, tail=struct.pack("!HH", 0x1234, 1) + b"\x10\x41\x00\x00")

    assert header.find_extension(data, 1) is None
    assert header.payload_offset(data) == 20


@pytest.mark.parametrize("extension_id", [0, 256, -1])
def test_find_extension_rejects_invalid_id(extension_id: int) -> None:
    with pytest.raises(ValueError, match="outside 1-255"):
        header.find_extension(VALID_PACKETS["one-byte extensions"], extension_id)


MALFORMED = {
    "empty": b"",
    "11 bytes": bytes([0x80]) + bytes(10),
    "version 1": raw_packet(first=0x40),
    "version 0": raw_packet(first=0x00),
    "csrc count past end": raw_packet(first=0x82, tail=b"\x00\x00\x00\x01"),
    "extension header truncated": raw_packet(first=0x90, tail=b"\xbe\xde\x00"),
    "extension length past end": raw_packet(first=0x90, tail=b"\xbe\xde\x00\x02\x10\x01\x00\x00"),
    "extension after csrcs past end": raw_packet(first=0x91, tail=bytes(4) + b"\xbe\xde\x00\x01"),
    "padding count zero": raw_packet(first=0xA0, tail=b"abc\x00"),
    "padding larger than payload": raw_packet(first=0xA0, tail=b"abc\x05"),
    "padding without payload bytes": raw_packet(first=0xA0),
    "padding reaches into extension": raw_packet(first=0xB0, tail=b"\xbe\xde\x00\x01\x10\x01\x00\x09"),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_payload_offset_rejects_malformed(name: str) -> None:
    with pytest.raises(ValueError):
        header.payload_offset(MALFORMED[name])
    with pytest.raises(ValueError):
        header.payload_bounds(MALFORMED[name])
    with pytest.raises(ValueError):
        header.rewrite_packet(MALFORMED[name], 96, 1, 2, 3, [(1, b"x")])


@pytest.mark.parametrize("name", ["empty", "11 bytes", "version 1", "version 0"])
def test_parse_fixed_rejects_malformed(name: str) -> None:
    with pytest.raises(ValueError):
        header.parse_fixed(MALFORMED[name])


MALFORMED_ELEMENTS = {
    # one-byte element announcing 4 bytes in a 4-byte block that has room for 3
    "one-byte element past block": struct.pack("!HH", 0xBEDE, 1) + b"\x13\x01\x02\x03",
    "two-byte element past block": struct.pack("!HH", 0x1000, 1) + b"\x05\x09\x01\x02",
    "two-byte element without length byte": struct.pack("!HH", 0x1000, 1) + b"\x00\x00\x00\x05",
}


@pytest.mark.parametrize("name", MALFORMED_ELEMENTS)
def test_find_extension_rejects_malformed_element(name: str) -> None:
    data = raw_packet(first=0x90, tail=MALFORMED_ELEMENTS[name] + b"payload")

    with pytest.raises(ValueError, match="header extension"):
        header.find_extension(data, 7)
    with pytest.raises(ValueError, match="header extension"):
        header.iter_extensions(data)


@pytest.mark.parametrize("name", ["extension header truncated", "extension length past end", "11 bytes"])
def test_find_extension_rejects_truncated_packet(name: str) -> None:
    with pytest.raises(ValueError):
        header.find_extension(MALFORMED[name], 1)


def test_short_extension_values_raise() -> None:
    block = bytes([0x10, 0x07, 0x20, 0x09, 0x00, 0x00, 0x00, 0x00])  # ids 1 and 2, one byte each
    data = raw_packet(first=0x90, tail=struct.pack("!HH", 0xBEDE, 2) + block)

    with pytest.raises(ValueError, match="expected 2"):
        header.find_transport_sequence(data, 1)
    with pytest.raises(ValueError, match="expected 3"):
        header.decode_abs_send_time(header.find_extension(data, 2))
    with pytest.raises(ValueError, match="empty"):
        header.decode_audio_level(b"")
    with pytest.raises(ValueError, match="expected 2"):
        header.decode_transport_sequence(b"\x01")


REWRITE_SOURCES = ["plain", "marker and csrcs", "padding", "everything", "two-byte extensions", "empty payload"]


@pytest.mark.parametrize("name", REWRITE_SOURCES)
def test_rewrite_packet_replaces_header_and_extensions(name: str) -> None:
    data = VALID_PACKETS[name]
    original = RtpPacket.parse(data, extensions_map())

    out = header.rewrite_packet(data, 111, 65535, 0xFFFFFFFF, 0xCAFEBABE, [
        (TRANSPORT_SEQUENCE_ID, header.encode_transport_sequence(77)),
        (AUDIO_LEVEL_ID, header.encode_audio_level(10, False)),
    ])
    parsed = RtpPacket.parse(bytes(out), extensions_map())

    assert isinstance(out, bytearray)
    assert parsed.payload_type == 111
    assert parsed.sequence_number == 65535
    assert parsed.timestamp == 0xFFFFFFFF
    assert parsed.ssrc == 0xCAFEBABE
    assert parsed.marker == original.marker
    assert parsed.csrc == original.csrc
    assert parsed.payload == original.payload
    assert parsed.padding_size == original.padding_size
    assert out[len(out) - original.padding_size:] == data[len(data) - original.padding_size:]
    assert parsed.extensions == HeaderExtensions(transport_sequence_number=77, audio_level=(False, 10))


@pytest.mark.parametrize("name", REWRITE_SOURCES)
def test_rewrite_without_extensions_clears_x(name: str) -> None:
    data = VALID_PACKETS[name]
    original = RtpPacket.parse(data, extensions_map())

    out = header.rewrite_packet(data, 96, 5, 6, 7, [])

    assert not out[0] & 0x10
    assert header.payload_offset(out) == 12 + 4 * len(original.csrc)
    assert RtpPacket.parse(bytes(out)).payload == original.payload


def test_rewrite_chooses_two_byte_form() -> None:
    data = VALID_PACKETS["plain"]
    long_value = b"x" * 17

    for extensions in ([(1, long_value)], [(15, b"a")], [(1, b"")], [(1, b"a"), (2, b"b"), (200, b"c")]):
        out = header.rewrite_packet(data, 96, 5, 6, 7, extensions)
        assert struct.unpack_from("!H", out, 12)[0] == 0x1000
        assert [(i, bytes(v)) for i, v in header.iter_extensions(out)] == list(extensions)
        assert header.payload_bounds(out)[1] - header.payload_bounds(out)[0] == 4


def test_rewrite_packet_one_byte_general_path() -> None:
    extensions = [(1, b"a"), (2, b"bb"), (3, b"ccc"), (14, b"d" * 16)]

    out = header.rewrite_packet(VALID_PACKETS["plain"], 96, 5, 6, 7, extensions)

    assert struct.unpack_from("!H", out, 12)[0] == 0xBEDE
    assert [(i, bytes(v)) for i, v in header.iter_extensions(out)] == extensions
    assert (header.payload_offset(out) - 16) % 4 == 0


@pytest.mark.parametrize("extensions", [[(0, b"a")], [(256, b"a")], [(1, b"a" * 256)], [(1, b"a"), (0, b"b")]])
def test_rewrite_packet_rejects_invalid_extension(extensions: list) -> None:
    with pytest.raises(ValueError, match="header extension"):
        header.rewrite_packet(VALID_PACKETS["plain"], 96, 5, 6, 7, extensions)


@pytest.mark.parametrize("fields", [(128, 1, 2, 3), (-1, 1, 2, 3), (96, 65536, 2, 3), (96, 1, 1 << 32, 3),
                                    (96, 1, 2, -1)])
def test_rewrite_rejects_field_range(fields: tuple) -> None:
    with pytest.raises(ValueError, match="out of range|outside"):
        header.rewrite_packet(VALID_PACKETS["plain"], *fields, [])


def test_rewrite_packet_leaves_input_unchanged() -> None:
    data = bytearray(VALID_PACKETS["everything"])
    before = bytes(data)

    header.rewrite_packet(data, 97, 1, 2, 3, [(1, b"z")])

    assert bytes(data) == before


def test_abs_send_time_values() -> None:
    assert header.abs_send_time(0) == 0
    assert header.abs_send_time(1_000_000) == 1 << 18
    assert header.abs_send_time(500_000) == 1 << 17
    assert header.abs_send_time(64_000_000) == 0  # wraps every 64 s
    assert header.abs_send_time(63_999_999) == 0xFFFFFF
    assert header.encode_abs_send_time(1_000_000) == b"\x04\x00\x00"
    assert header.decode_abs_send_time(header.encode_abs_send_time(12_345_678)) == header.abs_send_time(12_345_678)


def test_audio_level_round_trip() -> None:
    for level in (0, 1, 64, 127):
        for voice in (False, True):
            assert header.decode_audio_level(header.encode_audio_level(level, voice)) == (voice, level)
    assert header.encode_audio_level(5, True) == b"\x85"

    for level in (-1, 128):
        with pytest.raises(ValueError, match="outside 0-127"):
            header.encode_audio_level(level, False)


def test_transport_sequence_wraps() -> None:
    assert header.encode_transport_sequence(0x1FFFF) == b"\xff\xff"
    assert header.decode_transport_sequence(b"\x12\x34") == 0x1234


@pytest.mark.parametrize("value, expected", [(b"q", "q"), (b"hi-res_2", "hi-res_2"), (b"f\x00\x00", "f")])
def test_decode_rid_valid(value: bytes, expected: str) -> None:
    assert header.decode_rid(value) == expected


@pytest.mark.parametrize("value", [b"", b"\x00f", b"a b", b"\xff", b"a.b"])
def test_decode_rid_invalid(value: bytes) -> None:
    with pytest.raises(ValueError, match="rid"):
        header.decode_rid(value)


@pytest.mark.parametrize("value, valid", [(b"0", True), (b"audio.1~", True), (b"a b", False), (b"", False),
                                          (b"\x7f", False)])
def test_decode_mid(value: bytes, valid: bool) -> None:
    if valid:
        assert header.decode_mid(value) == value.decode()
    else:
        with pytest.raises(ValueError, match="mid"):
            header.decode_mid(value)


@pytest.mark.parametrize("name", REWRITE_SOURCES)
def test_rewrite_with_layout_matches_rewrite_packet(name: str) -> None:
    data = VALID_PACKETS[name]
    extensions = [(TRANSPORT_SEQUENCE_ID, header.encode_transport_sequence(0x1234))]

    csrc_end, payload_start = header.packet_layout(data)
    out = header.rewrite_with_layout(data, csrc_end, payload_start, 100, 1, 2, 3,
                                     header.encode_transport_sequence_block(TRANSPORT_SEQUENCE_ID, 0x11234))

    assert out == header.rewrite_packet(data, 100, 1, 2, 3, extensions)
    assert header.rewrite_with_layout(data, csrc_end, payload_start, 100, 1, 2, 3, b"") == \
        header.rewrite_packet(data, 100, 1, 2, 3, [])


@pytest.mark.parametrize("name", MALFORMED)
def test_packet_layout_rejects_malformed(name: str) -> None:
    with pytest.raises(ValueError):
        header.packet_layout(MALFORMED[name])


@pytest.mark.parametrize("extension_id", [0, 15])
def test_transport_sequence_block_rejects_id(extension_id: int) -> None:
    with pytest.raises(ValueError, match="1-14"):
        header.encode_transport_sequence_block(extension_id, 1)
