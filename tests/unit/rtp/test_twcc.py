# SPDX-License-Identifier: AGPL-3.0-or-later
"""Transport-wide feedback: hand-computed packets, parser round trips and edge cases.

Hand-computed vectors follow draft-holmer-rmcat-transport-wide-cc-extensions-01
§3.1. The reference time is the first received packet's arrival floored to
64 ms. Each receive delta is the arrival rounded to 250 µs ticks from that
reference, minus the previous received packet's ticks. Deltas of 0-255 ticks
take one byte (symbol 01), other values two signed bytes (symbol 10).
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfu.rtp import rtcp
from sfu.rtp.twcc import TransportCcRecorder

SENDER = 0x01020304
MEDIA = 0x05060708


def test_two_bit_vector_negative_delta() -> None:
    # 100 at 1.000000 s: reference 15 (960 ms), delta 40 ms = 160 ticks = 0xa0 (small)
    # 101 lost                                       -> symbol 00
    # 102 at 1.000500 s: ticks 162, delta 2 = 0x02   (small)
    # 103 at 1.100000 s: ticks 560, delta 398 = 0x018e (large)
    # 104 at 1.090000 s: ticks 520, delta -40 = 0xffd8 (large, arrived before 103)
    # Symbols 01 00 01 10 10 (+ two 00 fillers) in a 2-bit vector: 11 01 00 01 10 10 00 00 = 0xd1a0.
    # 20 header bytes + 2 chunk bytes + 6 delta bytes = 28, so no padding and length 6.
    recorder = TransportCcRecorder()
    for sequence, arrival in [(100, 1_000_000), (102, 1_000_500), (103, 1_100_000), (104, 1_090_000)]:
        recorder.record(sequence, arrival)

    [packet] = recorder.build_feedback(SENDER, MEDIA)

    assert packet.hex() == "8fcd0006" "01020304" "05060708" "0064" "0005" "00000f00" "d1a0" "a002018effd8"


def test_run_length_chunk_across_wrap() -> None:
    # 20 packets from 65530 to 13, 1 ms apart, starting at exactly 64 ms:
    # reference 1, first delta 0, then 4 ticks each. All symbols 01, so one
    # run-length chunk 0 01 0000000010100 = 0x2014. 20 + 2 + 20 = 42 bytes,
    # padded by 2 (P bit, last byte 2) to 44, length field 10.
    recorder = TransportCcRecorder()
    for index in range(20):
        recorder.record((65530 + index) & 0xFFFF, 64_000 + index * 1000)

    [packet] = recorder.build_feedback(SENDER, MEDIA)

    expected = "afcd000a" "01020304" "05060708" "fffa" "0014" "00000100" "2014" + "00" + "04" * 19 + "0002"
    assert packet.hex() == expected
    parsed = rtcp.parse_transport_feedback(packet)
    assert [sequence for sequence, _, _ in parsed.packets] == [(65530 + i) & 0xFFFF for i in range(20)]


def test_one_bit_vector_for_alternating_loss() -> None:
    # Even numbers 0..12 and then 13 received 1 ms apart from 128 ms (reference 2,
    # first delta 0, then 4 ticks each). The 14 symbols 1,0,1,0,...,1,0,1,1 fit one
    # 1-bit vector: 1 0 10101010101011 = 0xaaab. 20 + 2 + 8 = 30 bytes, padded by 2.
    recorder = TransportCcRecorder()
    for index in range(7):
        recorder.record(index * 2, 128_000 + index * 1000)
    recorder.record(13, 135_000)

    [packet] = recorder.build_feedback(SENDER, MEDIA)

    assert packet.hex() == "afcd0007" "01020304" "05060708" "0000" "000e" "00000200" "aaab" "00" + "04" * 7 + "0002"
    parsed = rtcp.parse_transport_feedback(packet)
    assert [received for _, received, _ in parsed.packets] == [i % 2 == 0 for i in range(13)] + [True]
    assert parsed.packets[13][2] == 1000


def test_large_delta_after_thirteen_small_symbols() -> None:
    # As above, but 13 arrives at 200 ms: 288 ticks, delta 264 needs symbol 10.
    # The 13 pending 0/1 symbols cannot become a 1-bit vector mid-packet (it always
    # covers 14), so the first 7 go into a 2-bit vector 11 01 00 01 00 01 00 01 = 0xd111
    # and the last 7 (0,1,0,1,0,1,2) into 11 00 01 00 01 00 01 10 = 0xc446.
    recorder = TransportCcRecorder()
    for index in range(7):
        recorder.record(index * 2, 128_000 + index * 1000)
    recorder.record(13, 200_000)

    [packet] = recorder.build_feedback(SENDER, MEDIA)

    assert packet[20:24].hex() == "d111c446"
    assert packet[24:].hex() == "00" + "04" * 6 + "0108" + "000003"
    parsed = rtcp.parse_transport_feedback(packet)
    assert [received for _, received, _ in parsed.packets] == [i % 2 == 0 for i in range(13)] + [True]
    assert parsed.packets[13][2] == 264 * 250


def test_feedback_count_increments_and_wraps() -> None:
    recorder = TransportCcRecorder()
    counts = []
    for round_number in range(260):
        recorder.record(round_number & 0xFFFF, 1_000_000 + round_number * 20_000)
        [packet] = recorder.build_feedback(SENDER, MEDIA)
        counts.append(rtcp.parse_transport_feedback(packet).feedback_count)

    assert counts[:3] == [0, 1, 2]
    assert counts[255] == 255
    assert counts[256] == 0


def test_nothing_new_gives_no_feedback() -> None:
    recorder = TransportCcRecorder()
    assert recorder.build_feedback(SENDER, MEDIA) == []

    recorder.record(5, 1000)
    assert len(recorder.build_feedback(SENDER, MEDIA)) == 1
    assert recorder.build_feedback(SENDER, MEDIA) == []


def test_duplicate_keeps_first_arrival() -> None:
    recorder = TransportCcRecorder()
    recorder.record(1, 64_000)
    recorder.record(1, 90_000)

    [packet] = recorder.build_feedback(SENDER, MEDIA)

    assert rtcp.parse_transport_feedback(packet).packets == [(1, True, 0)]


def test_late_packet_reported_again() -> None:
    recorder = TransportCcRecorder()
    recorder.record(10, 1_000_000)
    recorder.record(12, 1_010_000)
    first = rtcp.parse_transport_feedback(recorder.build_feedback(SENDER, MEDIA)[0])
    assert [received for _, received, _ in first.packets] == [True, False, True]

    recorder.record(11, 1_020_000)
    recorder.record(13, 1_021_000)
    second = rtcp.parse_transport_feedback(recorder.build_feedback(SENDER, MEDIA)[0])

    assert second.base_sequence == 11
    assert [(sequence, received) for sequence, received, _ in second.packets] == [
        (11, True), (12, True), (13, True),
    ]


def test_huge_gap_between_arrivals_splits_feedback() -> None:
    # 10 s between two received packets does not fit a signed 16-bit delta (8.19 s).
    recorder = TransportCcRecorder()
    recorder.record(1, 1_000_000)
    recorder.record(2, 11_000_000)

    packets = [rtcp.parse_transport_feedback(packet) for packet in recorder.build_feedback(SENDER, MEDIA)]

    assert [feedback.base_sequence for feedback in packets] == [1, 2]
    assert [feedback.feedback_count for feedback in packets] == [0, 1]
    assert reconstruct(packets) == {1: 1_000_000, 2: 11_000_000}


@pytest.mark.parametrize("limit", [64, 200, 1200])
def test_large_feedback_split_by_size(limit: int) -> None:
    recorder = TransportCcRecorder(max_packet_size=limit)
    arrivals = {}
    for sequence in range(3000):
        if sequence % 7 == 3:
            continue
        # alternate small and large deltas so both symbol kinds appear
        arrivals[sequence] = 5_000_000 + sequence * 1000 + (70_000 if sequence % 11 == 0 else 0)
        recorder.record(sequence, arrivals[sequence])

    packets = recorder.build_feedback(SENDER, MEDIA)
    parsed = [rtcp.parse_transport_feedback(packet) for packet in packets]

    assert len(packets) > 1
    assert all(len(packet) <= limit for packet in packets)
    assert all(len(packet) % 4 == 0 for packet in packets)
    covered = [sequence for feedback in parsed for sequence, _, _ in feedback.packets]
    assert covered == list(range(max(arrivals) + 1))
    assert within_rounding(reconstruct(parsed), arrivals)


def test_max_packet_size_minimum() -> None:
    with pytest.raises(ValueError, match="64-byte minimum"):
        TransportCcRecorder(max_packet_size=10)


def test_record_rejects_invalid_sequence() -> None:
    recorder = TransportCcRecorder()
    for sequence in (-1, 65536):
        with pytest.raises(ValueError, match="0-65535"):
            recorder.record(sequence, 0)


def reconstruct(packets: list[rtcp.TransportFeedback]) -> dict[int, int]:
    """Absolute arrival times (µs) from the reference time plus the running sum of deltas."""
    arrivals = {}
    for feedback in packets:
        time_us = feedback.reference_time * rtcp.TRANSPORT_REFERENCE_US
        for sequence, received, delta in feedback.packets:
            if received:
                time_us += delta
                arrivals[sequence] = time_us
    return arrivals


def within_rounding(reported: dict[int, int], recorded: dict[int, int]) -> bool:
    return reported.keys() == recorded.keys() and all(
        abs(reported[sequence] - recorded[sequence]) <= 125 for sequence in recorded
    )


@settings(max_examples=200, deadline=None, database=None)
@given(
    start=st.integers(0, 0xFFFF),
    steps=st.lists(st.tuples(st.booleans(), st.integers(-20_000, 120_000)), min_size=1, max_size=400),
)
def test_round_trip_reports_every_packet(start: int, steps: list) -> None:
    recorder = TransportCcRecorder()
    recorded: dict[int, int] = {}
    clock = 10_000_000
    last_sequence = start
    for offset, (received, jitter) in enumerate(steps):
        clock += 1000
        sequence = (start + offset) & 0xFFFF
        if received or offset == len(steps) - 1:
            arrival = max(clock + jitter, 0)
            recorder.record(sequence, arrival)
            recorded[sequence] = arrival
            last_sequence = sequence

    packets = [rtcp.parse_transport_feedback(packet) for packet in recorder.build_feedback(SENDER, MEDIA)]

    covered = [sequence for feedback in packets for sequence, _, _ in feedback.packets]
    first_received = next(iter(recorded))
    assert covered[0] == first_received
    assert covered[-1] == last_sequence
    assert len(covered) == len(set(covered))
    assert within_rounding(reconstruct(packets), recorded)


@settings(max_examples=150, deadline=None, database=None)
@given(
    start=st.integers(0, 0xFFFF),
    runs=st.lists(
        st.tuples(st.sampled_from(["lost", "small", "large"]), st.integers(1, 40)), min_size=1, max_size=40,
    ),
)
def test_round_trip_of_long_runs(start: int, runs: list) -> None:
    recorder = TransportCcRecorder()
    recorded: dict[int, int] = {}
    clock = 3_000_000
    offset = 0
    for kind, length in runs + [("small", 1)]:
        for _ in range(length):
            sequence = (start + offset) & 0xFFFF
            offset += 1
            if kind == "lost":
                continue
            clock += 1000 if kind == "small" else 100_000
            recorder.record(sequence, clock)
            recorded[sequence] = clock

    packets = [rtcp.parse_transport_feedback(packet) for packet in recorder.build_feedback(SENDER, MEDIA)]

    covered = [sequence for feedback in packets for sequence, _, _ in feedback.packets]
    assert covered[-1] == (start + offset - 1) & 0xFFFF
    assert len(covered) == len(set(covered))
    assert within_rounding(reconstruct(packets), recorded)


def test_history_bounded_without_feedback() -> None:
    recorder = TransportCcRecorder()
    for sequence in range(40_000):
        recorder.record(sequence & 0xFFFF, sequence * 1000)

    assert len(recorder._arrivals) == 1 << 15
    packets = [rtcp.parse_transport_feedback(packet) for packet in recorder.build_feedback(SENDER, MEDIA)]
    covered = [sequence for feedback in packets for sequence, _, _ in feedback.packets]
    assert covered[0] == 40_000 - (1 << 15)
    assert covered[-1] == 39_999
    assert all(received for feedback in packets for _, received, _ in feedback.packets)


def test_packet_later_than_history_is_ignored() -> None:
    recorder = TransportCcRecorder()
    recorder.record(10, 0)
    recorder.record(12, 1000)
    recorder.build_feedback(SENDER, MEDIA)
    for sequence in range(13, 40):
        recorder.record(sequence, sequence * 25_000)  # up to 975 ms
        recorder.build_feedback(SENDER, MEDIA)

    recorder.record(11, 980_000)  # 11 was forgotten with the packets older than 500 ms

    assert recorder.build_feedback(SENDER, MEDIA) == []
