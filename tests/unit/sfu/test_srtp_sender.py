# SPDX-License-Identifier: AGPL-3.0-or-later
"""SrtpSender and the down track's in-buffer packet assembly against the reference paths.

The reference for SRTP is pylibsrtp's own `Session.protect`. The reference
for the packet bytes is `rewrite_with_layout` plus `vp8.rewrite_picture_id`,
the general rewrite path that retransmissions use.
"""

import errno
import os
import socket
from types import SimpleNamespace

import pylibsrtp
import pytest
from livekit.protocol import models as pb
from livekit.protocol import rtc as rtc_pb

from sfu.media.down_track import DownTrack
from sfu.media.forwarding_stats import ForwardingStats
from sfu.media.published_track import PublishedTrack
from sfu.rtp import vp8
from sfu.rtp.header import (
    encode_abs_send_time,
    encode_extension_block,
    packet_layout,
    parse_fixed,
    rewrite_with_layout,
)
from sfu.webrtc import rtp_extensions as ext
from sfu.webrtc.sdp import Codec
from sfu.webrtc.srtp_sender import MAX_RTP_SIZE, SrtpSender
from sfu.webrtc.subscriber_offer import CodecChoice, Slot
from tests.unit.rtp.packets import aiortc_packet, raw_packet

KEY = bytes(range(28))  # AEAD_AES_128_GCM: 16-byte key + 12-byte salt


def gcm_session(outbound: bool) -> pylibsrtp.Session:
    ssrc_type = pylibsrtp.Policy.SSRC_ANY_OUTBOUND if outbound else pylibsrtp.Policy.SSRC_ANY_INBOUND
    policy = pylibsrtp.Policy(key=KEY, ssrc_type=ssrc_type,
                              srtp_profile=pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_128_GCM)
    policy.allow_repeat_tx = True
    return pylibsrtp.Session(policy)


@pytest.fixture
def receiver():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2)
    yield sock
    sock.close()


@pytest.fixture
def sender(receiver):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    srtp_sender = SrtpSender(gcm_session(outbound=True), sock, receiver.getsockname(), "test")
    yield srtp_sender
    srtp_sender.close()


class FailingSocket:
    def __init__(self, error: OSError) -> None:
        self.error = error

    def sendto(self, data, address) -> int:
        raise self.error

    def close(self) -> None:
        pass


def test_sender_matches_pylibsrtp_protect(sender, receiver):
    reference = gcm_session(outbound=True)
    packets = [raw_packet(sequence=sequence, tail=os.urandom(size))
               for sequence, size in ((1, 0), (2, 160), (3, 1100))]

    for packet in packets:
        sender.send_rtp(bytearray(packet))
        assert receiver.recv(2048) == reference.protect(packet)

    assert sender.packets_sent == 3
    assert sender.send_failures == 0


def test_sender_rejects_oversized_packet(sender):
    with pytest.raises(ValueError):
        sender.send_rtp(raw_packet(tail=bytes(MAX_RTP_SIZE)))

    assert sender.packets_sent == 0


@pytest.mark.parametrize("error_number", [errno.EAGAIN, errno.ENOBUFS, errno.ECONNREFUSED])
def test_sender_drops_on_send_error(error_number):
    error = OSError(error_number, os.strerror(error_number))
    srtp_sender = SrtpSender(gcm_session(outbound=True), FailingSocket(error), ("127.0.0.1", 9), "test")

    srtp_sender.send_rtp(raw_packet(sequence=1, tail=b"payload"))
    srtp_sender.send_rtp(raw_packet(sequence=2, tail=b"payload"))

    assert srtp_sender.send_failures == 2
    assert srtp_sender.packets_sent == 0


def test_sender_on_closed_socket_drops(sender):
    sender.close()

    sender.send_rtp(raw_packet(tail=b"payload"))

    assert sender.send_failures == 1


# Down track output ---------------------------------------------------------------


def vp8_payload(picture_id: int, keyframe: bool, size: int = 40) -> bytes:
    """VP8 descriptor (X, S, PID 0, I with a 15-bit picture id) and a payload header."""
    descriptor = bytes((0x90, 0x80, 0x80 | (picture_id >> 8), picture_id & 0xFF))
    return descriptor + bytes((0x00 if keyframe else 0x01,)) + os.urandom(size)


def build_down_track(sender: SrtpSender, rids: list[str]) -> DownTrack:
    owner = SimpleNamespace(sid="PA_test", forwarding=ForwardingStats(), publisher=SimpleNamespace(
        ingress=SimpleNamespace(request_keyframe=lambda layer: None)))
    request = rtc_pb.AddTrackRequest(cid="test", type=pb.TrackType.VIDEO, source=pb.TrackSource.CAMERA)
    track = PublishedTrack(owner, request)
    track.bind("0", Codec(96, "VP8", 90000), None, rids)
    for index, layer in enumerate(track.layers):
        layer.ssrc = 0x1000 + index
    transport = SimpleNamespace(connected=True, rtp_sender=sender, label="test transport")
    session = SimpleNamespace(transport=transport, label="test subscriber")
    slot = Slot(mid="0", kind="video")
    slot.assign("PA_test|TR_test", track.sid, CodecChoice.for_publisher_codec("video", track.codec))
    slot.ssrc = 0xABCDEF
    down_track = DownTrack(session, track, slot)
    down_track.start()
    return down_track


def expected_output(packet: bytes, received: bytes, down_track: DownTrack, now_ms: int,
                    picture_id: int | None) -> bytes:
    """Build the expected packet with `rewrite_with_layout`, taking sequence and timestamp from `received`."""
    _, _, sequence, timestamp, _ = parse_fixed(received)
    csrc_end, payload_start = packet_layout(packet)
    block = encode_extension_block(
        [(ext.SUBSCRIBER_ABS_SEND_TIME_ID, encode_abs_send_time(now_ms * 1000))])
    out = rewrite_with_layout(packet, csrc_end, payload_start, down_track.payload_type,
                              sequence, timestamp, down_track.ssrc, block)
    if picture_id is not None:
        vp8.rewrite_picture_id(out, csrc_end + len(block), picture_id, None)
    return bytes(out)


def test_forward_output_matches_rewrite(sender, receiver):
    down_track = build_down_track(sender, [])
    layer = down_track.track.layers[0]
    srtp_receiver = gcm_session(outbound=False)
    plaintext_octets = 0
    cases = [
        dict(payload=vp8_payload(700, keyframe=True), marker=0),
        dict(payload=vp8_payload(700, keyframe=False), marker=1, csrcs=(0x01020304, 0x05060708)),
        dict(payload=vp8_payload(701, keyframe=False), marker=0, padding=7),
        dict(payload=vp8_payload(701, keyframe=False), marker=1, csrcs=(9,), padding=3),
    ]

    for index, case in enumerate(cases):
        packet = aiortc_packet(sequence=5000 + index, timestamp=90000 + 3000 * index,
                               ssrc=layer.ssrc, **case)
        now_ms = 1_000_000 + index
        layer.receive(packet, now_ms)

        received = srtp_receiver.unprotect(receiver.recv(2048))
        assert received == expected_output(packet, received, down_track, now_ms, None)
        assert parse_fixed(received)[2] == 5000 + index
        plaintext_octets += len(received)

    assert down_track.packets_sent == len(cases)
    assert down_track.octets_sent == plaintext_octets


def test_forward_rewrites_picture_id_after_switch(sender, receiver):
    down_track = build_down_track(sender, ["q", "h"])
    low, high = down_track.track.layers
    srtp_receiver = gcm_session(outbound=False)

    low.receive(aiortc_packet(vp8_payload(100, keyframe=True), sequence=10, ssrc=low.ssrc), 1000)
    low.receive(aiortc_packet(vp8_payload(101, keyframe=False), sequence=11, timestamp=126000,
                              ssrc=low.ssrc), 1033)
    for _ in range(2):
        srtp_receiver.unprotect(receiver.recv(2048))

    down_track.request_layer(1)
    packets = [
        aiortc_packet(vp8_payload(9000, keyframe=True), sequence=400, timestamp=500, ssrc=high.ssrc),
        aiortc_packet(vp8_payload(9001, keyframe=False, size=1000), sequence=401, timestamp=3500,
                      ssrc=high.ssrc, csrcs=(7,), padding=5),
    ]
    for index, packet in enumerate(packets):
        now_ms = 1066 + 33 * index
        high.receive(packet, now_ms)

        received = srtp_receiver.unprotect(receiver.recv(2048))
        assert received == expected_output(packet, received, down_track, now_ms, 102 + index)
        assert parse_fixed(received)[2] == 12 + index

    assert down_track.layer is high


def test_paused_track_leaves_fan_out(sender, receiver):
    down_track = build_down_track(sender, [])
    layer = down_track.track.layers[0]
    srtp_receiver = gcm_session(outbound=False)
    layer.receive(aiortc_packet(vp8_payload(1, keyframe=True), sequence=1, ssrc=layer.ssrc), 1000)
    srtp_receiver.unprotect(receiver.recv(2048))

    down_track.set_last_n_paused(True)
    assert down_track not in layer.down_tracks
    assert down_track.layer is layer
    layer.receive(aiortc_packet(vp8_payload(2, keyframe=False), sequence=2, timestamp=3000,
                                ssrc=layer.ssrc), 1033)
    assert down_track.packets_sent == 1

    down_track.set_last_n_paused(False)
    assert down_track in layer.pending_switches
    layer.receive(aiortc_packet(vp8_payload(3, keyframe=False), sequence=3, timestamp=6000,
                                ssrc=layer.ssrc), 1066)
    assert down_track.packets_sent == 1
    layer.receive(aiortc_packet(vp8_payload(4, keyframe=True), sequence=4, timestamp=9000,
                                ssrc=layer.ssrc), 1100)
    assert down_track in layer.down_tracks
    assert down_track.packets_sent == 2
    resumed = srtp_receiver.unprotect(receiver.recv(2048))
    # The rewriter continues the subscriber's sequence without a gap.
    assert parse_fixed(resumed)[2] == 2
