# SPDX-License-Identifier: AGPL-3.0-or-later
"""VP8 frame assembly for the recorder: reordering, loss, key frame waits, wraparound."""

import struct

import av
import pytest

from sfu.recording.vp8_frame_assembler import Vp8FrameAssembler
from tests.unit.rtp.codec_frames import encoded_frames


def rtp(payload: bytes, sequence: int, timestamp: int, marker: bool) -> bytes:
    return struct.pack("!BBHII", 0x80, 96 | (0x80 if marker else 0), sequence & 0xFFFF,
                       timestamp & 0xFFFFFFFF, 1234) + payload


def frame_packets(payloads: list[bytes], first_sequence: int, timestamp: int) -> list[bytes]:
    last = len(payloads) - 1
    return [rtp(payload, first_sequence + index, timestamp, index == last)
            for index, payload in enumerate(payloads)]


@pytest.fixture(scope="module")
def frames():
    key, inter = encoded_frames("vp8", 320, 240)
    assert len(key) > 1, "the key frame must span several packets for these tests"
    return key, inter


def test_key_frame_reassembled_and_decodable(frames):
    key, _ = frames
    assembler = Vp8FrameAssembler()
    released = []
    for packet in frame_packets(key, 100, 9000):
        released += assembler.push(packet, 5)

    assert len(released) == 1
    frame = released[0]
    assert frame.keyframe
    assert frame.size == (320, 240)
    assert frame.timestamp == 9000
    decoder = av.CodecContext.create("vp8", "r")
    pictures = decoder.decode(av.Packet(frame.data))
    assert pictures[0].width == 320


def test_reordered_packets_still_make_a_frame(frames):
    key, _ = frames
    packets = frame_packets(key, 65534, 1)  # sequence numbers wrap inside the frame
    assembler = Vp8FrameAssembler()
    released = []
    for packet in reversed(packets):
        released += assembler.push(packet, 0)
    assert [frame.timestamp for frame in released] == [1]


def test_inter_frames_wait_for_a_key_frame(frames):
    key, inter = frames
    assembler = Vp8FrameAssembler()
    early = frame_packets(inter, 10, 3000)
    assert [frame for packet in early for frame in assembler.push(packet, 0)] == []
    assert assembler.frames_dropped == 1

    sequence = 10 + len(inter)
    released = []
    for packet in frame_packets(key, sequence, 6000) + frame_packets(inter, sequence + len(key), 9000):
        released += assembler.push(packet, 0)
    assert [(frame.timestamp, frame.keyframe) for frame in released] == [(6000, True), (9000, False)]


def test_lost_packet_drops_frames_until_key_frame(frames):
    key, inter = frames
    assembler = Vp8FrameAssembler()
    sequence = 0
    released = []
    for packet in frame_packets(key, sequence, 0):
        released += assembler.push(packet, 0)
    sequence += len(key)

    # A key frame with one packet missing, then inter frames that depend on it.
    broken = frame_packets(key, sequence, 3000)
    sequence += len(key)
    for packet in broken[:1] + broken[2:]:
        released += assembler.push(packet, 0)
    for timestamp in (6000, 9000):
        for packet in frame_packets(inter, sequence, timestamp):
            released += assembler.push(packet, 0)
        sequence += len(inter)
    assert assembler.awaiting_keyframe

    for packet in frame_packets(key, sequence, 12000):
        released += assembler.push(packet, 0)
    assert [frame.timestamp for frame in released] == [0, 12000]
    assert assembler.frames_dropped == 3
    assert not assembler.awaiting_keyframe


def test_late_packet_of_released_frame_ignored(frames):
    key, _ = frames
    assembler = Vp8FrameAssembler()
    packets = frame_packets(key, 0, 90000)
    for packet in packets:
        assembler.push(packet, 0)
    assert assembler.push(packets[0], 0) == []
    assert assembler.frames_released == 1


def test_truncated_descriptor_rejected():
    assembler = Vp8FrameAssembler()
    with pytest.raises(ValueError):
        assembler.push(rtp(b"\x80", 1, 1, True), 0)
