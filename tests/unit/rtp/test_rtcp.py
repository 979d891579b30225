# SPDX-License-Identifier: AGPL-3.0-or-later
"""RTCP parsers and builders, cross-checked with aiortc's RTCP classes as an independent oracle."""

import struct

import pytest
from aiortc.rtp import (
    RtcpByePacket, RtcpPacket, RtcpPsfbPacket, RtcpReceiverInfo, RtcpRrPacket, RtcpRtpfbPacket,
    RtcpSdesPacket, RtcpSenderInfo, RtcpSrPacket, pack_remb_fci, unpack_remb_fci,
)

from sfu.rtp import rtcp

BLOCK = rtcp.ReportBlock(ssrc=0x0A0B0C0D, fraction_lost=25, packets_lost=-3, highest_sequence=70000,
                         jitter=123, last_sr=0x11112222, delay_since_last_sr=655)
OTHER_BLOCK = rtcp.ReportBlock(ssrc=7, fraction_lost=255, packets_lost=(1 << 23) - 1, highest_sequence=1,
                               jitter=0, last_sr=0, delay_since_last_sr=0)


def aiortc_info(block: rtcp.ReportBlock) -> RtcpReceiverInfo:
    return RtcpReceiverInfo(ssrc=block.ssrc, fraction_lost=block.fraction_lost, packets_lost=block.packets_lost,
                            highest_sequence=block.highest_sequence, jitter=block.jitter, lsr=block.last_sr,
                            dlsr=block.delay_since_last_sr)


def test_sender_report_parsed_by_aiortc() -> None:
    data = rtcp.build_sender_report(0x12345678, 0xE1234567_89ABCDEF, 90000, 10, 12000, [BLOCK, OTHER_BLOCK])

    [parsed] = RtcpPacket.parse(data)

    assert isinstance(parsed, RtcpSrPacket)
    assert parsed.ssrc == 0x12345678
    assert parsed.sender_info == RtcpSenderInfo(ntp_timestamp=0xE1234567_89ABCDEF, rtp_timestamp=90000,
                                                packet_count=10, octet_count=12000)
    assert parsed.reports == [aiortc_info(BLOCK), aiortc_info(OTHER_BLOCK)]


def test_sender_report_from_aiortc() -> None:
    packet = RtcpSrPacket(ssrc=5, sender_info=RtcpSenderInfo(ntp_timestamp=1 << 63, rtp_timestamp=1,
                                                             packet_count=2, octet_count=3))
    packet.reports.append(aiortc_info(BLOCK))

    report = rtcp.parse_sender_report(bytes(packet))

    assert report == rtcp.SenderReport(5, 1 << 63, 1, 2, 3, [BLOCK])


def test_receiver_report_round_trip_with_aiortc() -> None:
    data = rtcp.build_receiver_report(99, [BLOCK])
    [parsed] = RtcpPacket.parse(data)
    assert isinstance(parsed, RtcpRrPacket)
    assert parsed.ssrc == 99
    assert parsed.reports == [aiortc_info(BLOCK)]

    theirs = RtcpRrPacket(ssrc=4, reports=[aiortc_info(OTHER_BLOCK), aiortc_info(BLOCK)])
    assert rtcp.parse_receiver_report(bytes(theirs)) == rtcp.ReceiverReport(4, [OTHER_BLOCK, BLOCK])
    assert rtcp.parse_receiver_report(rtcp.build_receiver_report(1)) == rtcp.ReceiverReport(1, [])


def test_report_block_loss_saturates() -> None:
    block = BLOCK._replace(packets_lost=10_000_000)
    data = rtcp.build_receiver_report(1, [block, BLOCK._replace(packets_lost=-10_000_000)])

    reports = rtcp.parse_receiver_report(data).reports

    assert reports[0].packets_lost == (1 << 23) - 1
    assert reports[1].packets_lost == -(1 << 23)


def test_report_builders_reject_invalid_input() -> None:
    with pytest.raises(ValueError, match="31"):
        rtcp.build_receiver_report(1, [BLOCK] * 32)
    with pytest.raises(ValueError, match="fraction lost"):
        rtcp.build_receiver_report(1, [BLOCK._replace(fraction_lost=256)])
    with pytest.raises(ValueError, match="out of range"):
        rtcp.build_sender_report(1 << 32, 0, 0, 0, 0)


def test_sdes_cname_parsed_by_aiortc() -> None:
    for cname in ("a", "abc", "abcd", "hubs-sfu-ståhl"):
        [parsed] = RtcpPacket.parse(rtcp.build_sdes_cname(0x55, cname))
        assert isinstance(parsed, RtcpSdesPacket)
        assert parsed.chunks[0].ssrc == 0x55
        assert parsed.chunks[0].items == [(1, cname.encode())]

    with pytest.raises(ValueError, match="CNAME"):
        rtcp.build_sdes_cname(1, "")


def test_bye_round_trip_with_aiortc() -> None:
    data = rtcp.build_bye([1, 2])
    [parsed] = RtcpPacket.parse(data)
    assert isinstance(parsed, RtcpByePacket)
    assert parsed.sources == [1, 2]

    assert rtcp.parse_bye(bytes(RtcpByePacket(sources=[3]))) == rtcp.Bye([3], None)
    assert rtcp.parse_bye(rtcp.build_bye([9], "left the meeting")) == rtcp.Bye([9], "left the meeting")
    assert rtcp.parse_bye(rtcp.build_bye([], "")) == rtcp.Bye([], "")


NACK_CASES = {
    "single": ([5], [(5, 0)]),
    "one blp": ([10, 11, 26], [(10, 0x8001)]),
    "two entries": ([10, 27], [(10, 0), (27, 0)]),
    "wrap": ([65534, 65535, 0, 1], [(65534, 0b111)]),
    "duplicates and order": ([3, 1, 2, 1], [(1, 0b11)]),
    "wrap with far number": ([65535, 0, 40000], [(40000, 0), (65535, 1)]),
}


@pytest.mark.parametrize("name", NACK_CASES)
def test_build_nack_packs_pid_and_blp(name: str) -> None:
    lost, expected_items = NACK_CASES[name]

    data = rtcp.build_nack(0x01, 0x02, lost)

    items = [struct.unpack_from("!HH", data, offset) for offset in range(12, len(data), 4)]
    assert items == expected_items
    [parsed] = RtcpPacket.parse(data)
    assert isinstance(parsed, RtcpRtpfbPacket)
    assert (parsed.ssrc, parsed.media_ssrc) == (1, 2)
    # aiortc does not wrap PID + n at 65536, so compare modulo 2^16.
    assert sorted(number & 0xFFFF for number in parsed.lost) == sorted(set(lost))
    assert sorted(rtcp.parse_nack(data).lost) == sorted(set(lost))


def test_parse_nack_from_aiortc() -> None:
    packet = RtcpRtpfbPacket(fmt=1, ssrc=7, media_ssrc=8, lost=[100, 101, 116, 117, 300])

    nack = rtcp.parse_nack(bytes(packet))

    assert nack == rtcp.Nack(7, 8, [100, 101, 116, 117, 300])


@pytest.mark.parametrize("lost", [[], [65536], [-1]])
def test_build_nack_rejects_invalid_numbers(lost: list) -> None:
    with pytest.raises(ValueError, match="NACK"):
        rtcp.build_nack(1, 2, lost)


def test_pli_round_trip_with_aiortc() -> None:
    [parsed] = RtcpPacket.parse(rtcp.build_pli(3, 4))
    assert parsed == RtcpPsfbPacket(fmt=1, ssrc=3, media_ssrc=4)
    assert rtcp.parse_pli(bytes(RtcpPsfbPacket(fmt=1, ssrc=5, media_ssrc=6))) == rtcp.Pli(5, 6)


def test_fir_round_trip() -> None:
    data = rtcp.build_fir(3, [(0xAABBCCDD, 7), (5, 255)])
    [parsed] = RtcpPacket.parse(data)
    assert parsed.fmt == 4
    assert parsed.media_ssrc == 0
    assert parsed.fci == bytes.fromhex("aabbccdd07000000" "00000005ff000000")
    assert rtcp.parse_fir(data) == rtcp.Fir(3, [(0xAABBCCDD, 7), (5, 255)])

    with pytest.raises(ValueError, match="FIR"):
        rtcp.build_fir(3, [])
    with pytest.raises(ValueError, match="out of range"):
        rtcp.build_fir(3, [(1, 256)])


@pytest.mark.parametrize("bitrate", [0, 1, 0x3FFFF, 0x40000, 1_234_567, 2_500_000_000, (0x3FFFF << 63)])
def test_remb_round_trip_with_aiortc(bitrate: int) -> None:
    data = rtcp.build_remb(11, bitrate, [1, 2, 3])

    [parsed] = RtcpPacket.parse(data)
    their_bitrate, their_ssrcs = unpack_remb_fci(parsed.fci)
    ours = rtcp.parse_remb(data)

    assert their_ssrcs == [1, 2, 3]
    assert ours.ssrcs == [1, 2, 3]
    assert ours.bitrate == their_bitrate
    assert ours.bitrate <= bitrate
    assert bitrate - ours.bitrate < max(1, bitrate >> 17)
    assert rtcp.is_remb(data)


def test_parse_remb_from_aiortc() -> None:
    data = bytes(RtcpPsfbPacket(fmt=15, ssrc=1, media_ssrc=0, fci=pack_remb_fci(4_000_000, [0xDEADBEEF])))

    assert rtcp.parse_remb(data) == rtcp.Remb(1, 4_000_000, [0xDEADBEEF])


def test_remb_rejects_invalid() -> None:
    with pytest.raises(ValueError, match="negative"):
        rtcp.build_remb(1, -1, [])
    with pytest.raises(ValueError, match="largest"):
        rtcp.build_remb(1, 0x40000 << 63, [])
    other_afb = bytes(RtcpPsfbPacket(fmt=15, ssrc=1, media_ssrc=0, fci=b"GOOG\x00\x00\x00\x00"))
    assert not rtcp.is_remb(other_afb)
    with pytest.raises(ValueError, match="REMB"):
        rtcp.parse_remb(other_afb)
    too_many = bytes(RtcpPsfbPacket(fmt=15, ssrc=1, media_ssrc=0, fci=b"REMB\x05\x00\x00\x01"))
    with pytest.raises(ValueError, match="announces 5 SSRCs"):
        rtcp.parse_remb(too_many)


def test_iter_packets_splits_compound() -> None:
    compound = rtcp.build_compound([
        rtcp.build_receiver_report(1, [BLOCK]),
        rtcp.build_sdes_cname(1, "x"),
        rtcp.build_nack(1, 2, [7]),
        rtcp.build_pli(1, 2),
        rtcp.build_remb(1, 1000, [2]),
        rtcp.build_bye([1]),
    ])

    packets = list(rtcp.iter_packets(compound))

    assert [(packet_type, fmt) for packet_type, fmt, _ in packets] == [
        (rtcp.RR, 1), (rtcp.SDES, 1), (rtcp.RTPFB, 1), (rtcp.PSFB, 1), (rtcp.PSFB, 15), (rtcp.BYE, 1),
    ]
    assert rtcp.parse_receiver_report(packets[0][2]).reports == [BLOCK]
    assert rtcp.parse_nack(packets[2][2]).lost == [7]
    assert rtcp.parse_pli(packets[3][2]) == rtcp.Pli(1, 2)
    assert rtcp.parse_remb(packets[4][2]).bitrate == 1000
    assert b"".join(bytes(view) for _, _, view in packets) == compound


def test_iter_packets_accepts_padding() -> None:
    padded = bytes([0xA1, rtcp.RR, 0, 2]) + struct.pack("!I", 8) + b"\x00\x00\x00\x04"

    [(packet_type, count, view)] = rtcp.iter_packets(padded)

    assert (packet_type, count) == (rtcp.RR, 1)
    with pytest.raises(ValueError, match="announces 1 report blocks"):
        rtcp.parse_receiver_report(view)


MALFORMED_COMPOUNDS = {
    "empty": b"",
    "three bytes": b"\x80\xc9\x00",
    "version 1": bytes([0x41, 0xC9, 0, 1]) + bytes(4),
    "length past end": bytes([0x80, 0xC9, 0, 5]) + bytes(4),
    "second packet truncated": rtcp.build_pli(1, 2) + b"\x81\xce",
    "padding zero": bytes([0xA0, 0xC9, 0, 1]) + bytes(4),
    "padding past packet": bytes([0xA0, 0xC9, 0, 1]) + b"\x00\x00\x00\x09",
}


@pytest.mark.parametrize("name", MALFORMED_COMPOUNDS)
def test_iter_packets_rejects_malformed(name: str) -> None:
    with pytest.raises(ValueError):
        list(rtcp.iter_packets(MALFORMED_COMPOUNDS[name]))


MALFORMED_PACKETS = [
    ("sender report too short", rtcp.parse_sender_report, bytes([0x80, 200, 0, 1]) + bytes(4)),
    ("sender report blocks missing", rtcp.parse_sender_report, bytes([0x82, 200, 0, 6]) + bytes(24)),
    ("receiver report without ssrc", rtcp.parse_receiver_report, bytes([0x80, 201, 0, 0])),
    ("wrong type", rtcp.parse_receiver_report, rtcp.build_pli(1, 2)),
    ("nack without entries", rtcp.parse_nack, bytes([0x81, 205, 0, 2]) + bytes(8)),
    ("nack wrong fmt", rtcp.parse_nack, bytes([0x83, 205, 0, 3]) + bytes(12)),
    ("pli too short", rtcp.parse_pli, bytes([0x81, 206, 0, 1]) + bytes(4)),
    ("fir without entries", rtcp.parse_fir, bytes([0x84, 206, 0, 2]) + bytes(8)),
    ("remb too short", rtcp.parse_remb, bytes([0x8F, 206, 0, 3]) + bytes(8) + b"REMB"),
    ("bye ssrcs missing", rtcp.parse_bye, bytes([0x83, 203, 0, 1]) + bytes(4)),
    ("bye reason past end", rtcp.parse_bye, bytes([0x81, 203, 0, 2]) + bytes(4) + b"\x09abc"),
    ("length past buffer", rtcp.parse_pli, bytes([0x81, 206, 0, 9]) + bytes(8)),
    ("header only", rtcp.parse_pli, b"\x81\xce"),
    ("transport feedback too short", rtcp.parse_transport_feedback, bytes([0x8F, 205, 0, 3]) + bytes(12)),
]


@pytest.mark.parametrize("name, parse, data", MALFORMED_PACKETS, ids=[case[0] for case in MALFORMED_PACKETS])
def test_parsers_reject_malformed(name: str, parse, data: bytes) -> None:
    with pytest.raises(ValueError):
        parse(data)


def test_ntp_helpers() -> None:
    ntp = rtcp.ntp_timestamp(1.5)

    assert ntp >> 32 == 2_208_988_801
    assert ntp & 0xFFFFFFFF == 1 << 31
    assert rtcp.ntp_middle_bits(0x1122334455667788) == 0x33445566
