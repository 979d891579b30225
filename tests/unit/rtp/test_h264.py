# SPDX-License-Identifier: AGPL-3.0-or-later
"""H.264 key frame detection over single NAL, STAP-A and FU-A payloads (RFC 6184)."""

import struct

import pytest
from aiortc.codecs.h264 import H264Encoder

from sfu.rtp import h264

from .codec_frames import encoded_frames


def nal(nal_type: int, size: int = 10) -> bytes:
    return bytes([0x60 | nal_type]) + bytes(size - 1)


def test_keyframe_from_real_encoder() -> None:
    key, inter = encoded_frames("h264")

    assert any(h264.is_keyframe(payload) for payload in key)
    assert h264.is_keyframe(key[0])
    assert not any(h264.is_keyframe(payload) for payload in inter)


def test_aiortc_packetizer_fragments() -> None:
    idr = nal(h264.NAL_IDR, 5000)
    fragments = H264Encoder._packetize([nal(h264.NAL_SPS), nal(8), idr])

    assert [fragment[0] & 0x1F for fragment in fragments[:2]] == [h264.NAL_STAP_A, h264.NAL_FU_A]
    assert h264.is_keyframe(fragments[0])  # STAP-A with SPS
    assert h264.is_keyframe(fragments[1])  # first FU-A fragment of the IDR
    assert not any(h264.is_keyframe(fragment) for fragment in fragments[2:])

    [only_idr_first, *rest] = H264Encoder._packetize([idr])
    assert h264.is_keyframe(only_idr_first)
    assert not any(h264.is_keyframe(fragment) for fragment in rest)


def stap_a(*units: bytes) -> bytes:
    return bytes([0x78]) + b"".join(struct.pack("!H", len(unit)) + unit for unit in units)


@pytest.mark.parametrize("payload, expected", [
    (nal(h264.NAL_IDR), True),
    (nal(h264.NAL_SPS), True),
    (nal(1), False),
    (nal(8), False),  # PPS alone
    (stap_a(nal(8), nal(1)), False),
    (stap_a(nal(8), nal(h264.NAL_IDR)), True),
    (bytes([0x7C, 0x85]) + bytes(5), True),  # FU-A start of IDR
    (bytes([0x7C, 0x05]) + bytes(5), False),  # FU-A middle of IDR
    (bytes([0x7C, 0x81]) + bytes(5), False),  # FU-A start of non-IDR
    (bytes([0x79]) + bytes(5), False),  # STAP-B is not used by WebRTC
])
def test_is_keyframe_table(payload: bytes, expected: bool) -> None:
    assert h264.is_keyframe(payload) is expected


@pytest.mark.parametrize("payload", [
    b"",
    b"\x85",  # forbidden_zero_bit
    b"\x7c",  # FU-A without FU header
    b"\x78",  # STAP-A without units
    b"\x78\x00",  # STAP-A truncated size
    b"\x78\x00\x05\x65",  # STAP-A unit past end
    b"\x78\x00\x00",  # STAP-A zero-size unit
])
def test_is_keyframe_rejects_malformed(payload: bytes) -> None:
    with pytest.raises(ValueError, match="H.264"):
        h264.is_keyframe(payload)
