# SPDX-License-Identifier: AGPL-3.0-or-later
"""The load generator's subscriber RTCP: receiver reports, REMB and NACKs for counted gaps."""

from types import SimpleNamespace

from bench.loadgen.receiver_feedback import ESTIMATE_BPS, ReceiverFeedback
from bench.loadgen.reception_counter import MAX_NACK_PENDING, ReceptionCounter
from sfu.rtp import rtcp
from sfu.rtp.header import FIXED_HEADER

SSRC = 0x1234ABCD


def rtp(sequence: int, ssrc: int = SSRC) -> bytes:
    return FIXED_HEADER.pack(0x80, 96, sequence & 0xFFFF, 0, ssrc) + b"payload"


def feedback_pair() -> tuple[ReceptionCounter, ReceiverFeedback, list[bytes]]:
    sent: list[bytes] = []
    transport = SimpleNamespace(connected=True, send_rtcp=sent.append, _rx_srtp=None)
    counter = ReceptionCounter(transport)
    return counter, ReceiverFeedback(transport, counter), sent


def parsed(datagram: bytes) -> dict[int, list]:
    packets: dict[int, list] = {}
    for packet_type, fmt, body in rtcp.iter_packets(datagram):
        if packet_type == rtcp.RR:
            packets.setdefault(rtcp.RR, []).append(rtcp.parse_receiver_report(body))
        elif packet_type == rtcp.RTPFB and fmt == rtcp.RTPFB_NACK:
            packets.setdefault(rtcp.RTPFB, []).append(rtcp.parse_nack(body))
        elif packet_type == rtcp.PSFB and rtcp.is_remb(body):
            packets.setdefault(rtcp.PSFB, []).append(rtcp.parse_remb(body))
    return packets


def test_gap_is_reported_lost_and_nacked_once():
    counter, feedback, sent = feedback_pair()
    for sequence in (65533, 65534, 65535, 2, 3):  # 0 and 1 missing across the wrap
        counter._receive(rtp(sequence))

    feedback.send_once()
    first = parsed(sent[-1])
    block = first[rtcp.RR][0].reports[0]
    assert block.ssrc == SSRC
    assert block.packets_lost == 2
    assert block.fraction_lost == 2 * 256 // 7
    assert block.highest_sequence == 65536 + 3
    assert first[rtcp.RTPFB][0].media_ssrc == SSRC
    assert sorted(first[rtcp.RTPFB][0].lost) == [0, 1]
    assert first[rtcp.PSFB][0].bitrate <= ESTIMATE_BPS
    assert counter.streams[SSRC].gaps == 1

    counter._receive(rtp(4))
    feedback.send_once()
    second = parsed(sent[-1])
    assert rtcp.RTPFB not in second
    assert second[rtcp.RR][0].reports[0].fraction_lost == 0
    assert second[rtcp.RR][0].reports[0].packets_lost == 2


def test_long_gap_nacks_only_the_most_recent_packets():
    counter, feedback, sent = feedback_pair()
    counter._receive(rtp(100))
    counter._receive(rtp(300))

    feedback.send_once()
    lost = parsed(sent[-1])[rtcp.RTPFB][0].lost
    assert sorted(lost) == list(range(300 - MAX_NACK_PENDING, 300))

