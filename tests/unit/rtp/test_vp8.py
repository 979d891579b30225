# SPDX-License-Identifier: AGPL-3.0-or-later
"""VP8 payload descriptor parsing, key frame detection and PictureID rewriting (RFC 7741)."""

import pytest
from aiortc.codecs.vpx import VpxPayloadDescriptor

from sfu.rtp import header, vp8

from .codec_frames import encoded_frames
from .packets import aiortc_packet


def test_keyframe_from_real_encoder() -> None:
    key, inter = encoded_frames("vp8")

    assert vp8.is_keyframe(key[0])
    assert vp8.keyframe_size(key[0]) == (320, 240)
    assert not any(vp8.is_keyframe(payload) for payload in key[1:])
    assert not any(vp8.is_keyframe(payload) for payload in inter)
    assert vp8.keyframe_size(inter[0]) is None


def test_parse_descriptor_matches_aiortc() -> None:
    key, inter = encoded_frames("vp8")

    for payload in key + inter:
        theirs, rest = VpxPayloadDescriptor.parse(payload)
        ours = vp8.parse_descriptor(payload)
        assert ours.descriptor_size == len(payload) - len(rest)
        assert ours.start_of_partition == bool(theirs.partition_start)
        assert ours.partition_id == theirs.partition_id
        assert ours.picture_id == theirs.picture_id
        assert ours.picture_id_bits == 15


DESCRIPTORS = {
    "minimal": (b"\x10", vp8.Vp8Descriptor(1, True, 0, None, 0, None, None, None, False, False)),
    "non-reference partition 3": (b"\x23", vp8.Vp8Descriptor(1, False, 3, None, 0, None, None, None, False, True)),
    "7-bit picture id": (b"\x90\x80\x45", vp8.Vp8Descriptor(3, True, 0, 0x45, 7, None, None, None, False, False)),
    "15-bit picture id": (b"\x90\x80\x81\x02", vp8.Vp8Descriptor(4, True, 0, 0x102, 15, None, None, None, False,
                                                                  False)),
    "all fields": (b"\x90\xf0\xff\xff\x09\xb5", vp8.Vp8Descriptor(6, True, 0, 0x7FFF, 15, 9, 2, 0x15, True, False)),
    "keyidx only": (b"\x80\x10\x07", vp8.Vp8Descriptor(3, False, 0, None, 0, None, None, 7, False, False)),
    "temporal id only": (b"\x80\x20\x40", vp8.Vp8Descriptor(3, False, 0, None, 0, None, 1, None, False, False)),
}


@pytest.mark.parametrize("name", DESCRIPTORS)
def test_parse_descriptor_table(name: str) -> None:
    data, expected = DESCRIPTORS[name]

    assert vp8.parse_descriptor(data + b"\x00") == expected
    assert vp8.descriptor_size(data + b"\x00") == expected.descriptor_size


@pytest.mark.parametrize("data", [b"", b"\x80", b"\x80\x80", b"\x80\x80\x80", b"\x80\x40", b"\x80\x30",
                                  b"\x80\xc0\x01"])
def test_truncated_descriptor_raises(data: bytes) -> None:
    with pytest.raises(ValueError, match="VP8"):
        vp8.parse_descriptor(data)


@pytest.mark.parametrize("data, expected", [
    (b"\x10\x00", True),
    (b"\x10\x01", False),  # P bit set: inter frame
    (b"\x11\x00", False),  # partition 1
    (b"\x00\x00", False),  # not the start of a partition
    (b"\x90\xe0\x80\x01\x05\x00\x10", True),
    (b"\x90\xe0\x80\x01\x05\x00\x11", False),
])
def test_is_keyframe_table(data: bytes, expected: bool) -> None:
    assert vp8.is_keyframe(data) is expected


@pytest.mark.parametrize("data", [b"", b"\x10", b"\x90\x80\x81", b"\x90\xe0\x80\x01\x05\x00"])
def test_is_keyframe_rejects_truncated(data: bytes) -> None:
    with pytest.raises(ValueError, match="VP8"):
        vp8.is_keyframe(data)


def test_keyframe_size_requires_start_code() -> None:
    with pytest.raises(ValueError, match="start code"):
        vp8.keyframe_size(b"\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")


@pytest.mark.parametrize("picture_id_bits", [7, 15])
def test_rewrite_picture_id_keeps_width(picture_id_bits: int) -> None:
    descriptor = b"\x90\xc0" + (b"\x85\x00" if picture_id_bits == 15 else b"\x05") + b"\x09"
    packet = bytearray(aiortc_packet(payload=descriptor + b"\x00frame", csrcs=(1,)))
    offset = header.payload_offset(packet)
    length = len(packet)

    vp8.rewrite_picture_id(packet, offset, 0x1234, 300)

    parsed = vp8.parse_descriptor(packet[offset:])
    assert len(packet) == length
    assert parsed.picture_id_bits == picture_id_bits
    assert parsed.picture_id == 0x1234 & ((1 << picture_id_bits) - 1)
    assert parsed.tl0picidx == 300 & 0xFF
    assert packet[offset + parsed.descriptor_size:] == b"\x00frame"


def test_rewrite_picture_id_leaves_absent_fields() -> None:
    packet = bytearray(b"\x80\x60" + bytes(10) + b"\x10\x00")
    before = bytes(packet)
    vp8.rewrite_picture_id(packet, 12, 5, 6)
    assert bytes(packet) == before

    packet = bytearray(b"\x80\x60" + bytes(10) + b"\x90\x80\x05\x00")
    vp8.rewrite_picture_id(packet, 12, 9, None)
    assert packet[14] == 9


@pytest.mark.parametrize("tail", [b"", b"\x90", b"\x90\x80", b"\x90\x80\x81", b"\x90\x40"])
def test_rewrite_picture_id_rejects_truncated(tail: bytes) -> None:
    packet = bytearray(bytes(12) + tail)
    with pytest.raises(ValueError, match="VP8"):
        vp8.rewrite_picture_id(packet, 12, 1, 1)
