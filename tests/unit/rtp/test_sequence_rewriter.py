# SPDX-License-Identifier: AGPL-3.0-or-later
"""Sequence number and timestamp continuity of one outgoing stream across source switches."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfu.rtp.sequence_rewriter import MAX_DROP_SEGMENTS, SequenceRewriter

VIDEO_CLOCK = 90_000


def forward(rewriter: SequenceRewriter, first_seq: int, first_ts: int, count: int, ts_step: int = 3000) -> list:
    return [rewriter.rewrite((first_seq + i) & 0xFFFF, (first_ts + i * ts_step) & 0xFFFFFFFF) for i in range(count)]


def test_nothing_forwarded_before_a_source() -> None:
    rewriter = SequenceRewriter()

    assert rewriter.rewrite(1, 2) is None
    assert rewriter.last_sequence is None
    assert rewriter.original_sequence(1) is None
    assert rewriter.drop(1) is True


def test_first_source_keeps_its_numbers() -> None:
    rewriter = SequenceRewriter()
    rewriter.switch_source(0xA, 100, 5000, now_ms=0, clock_rate=VIDEO_CLOCK)

    assert forward(rewriter, 100, 5000, 3) == [(100, 5000), (101, 8000), (102, 11000)]
    assert rewriter.last_sequence == 102
    assert rewriter.last_timestamp == 11000
    assert rewriter.source_ssrc == 0xA


def test_switch_continues_sequence_and_timestamp() -> None:
    rewriter = SequenceRewriter()
    rewriter.switch_source(0xA, 100, 5000, now_ms=1000, clock_rate=VIDEO_CLOCK)
    forward(rewriter, 100, 5000, 10)  # last packet: ts 32000, sent 300 ms after the switch

    rewriter.switch_source(0xB, 40000, 7, now_ms=1500, clock_rate=VIDEO_CLOCK)

    # 200 ms after the last packet at 90 kHz is 18000 ticks.
    assert rewriter.rewrite(40000, 7) == (110, 32000 + 18000)
    assert rewriter.rewrite(40001, 3007) == (111, 53000)
    assert rewriter.source_ssrc == 0xB


def test_switch_timestamp_advances_one_tick() -> None:
    rewriter = SequenceRewriter()
    rewriter.switch_source(0xA, 0, 0, now_ms=0, clock_rate=VIDEO_CLOCK)
    forward(rewriter, 0, 0, 30)  # timestamps claim 0.97 s of media

    rewriter.switch_source(0xB, 9, 9, now_ms=10, clock_rate=VIDEO_CLOCK)  # the wall clock gives 10 ms

    assert rewriter.rewrite(9, 9) == (30, 29 * 3000 + 1)


def test_packets_from_before_switch_are_rejected() -> None:
    rewriter = SequenceRewriter()
    rewriter.switch_source(0xA, 500, 0, now_ms=0, clock_rate=VIDEO_CLOCK)
    forward(rewriter, 500, 0, 5)
    rewriter.switch_source(0xB, 1000, 0, now_ms=233, clock_rate=VIDEO_CLOCK)  # 100 ms after ts 12000

    assert rewriter.rewrite(999, 0) is None
    assert rewriter.rewrite(1000, 0) == (505, 12000 + 9000)
    assert rewriter.rewrite(998, 0) is None


def test_reordered_packets_keep_their_numbers() -> None:
    rewriter = SequenceRewriter()
    rewriter.switch_source(0xA, 10, 0, now_ms=0, clock_rate=VIDEO_CLOCK)

    assert rewriter.rewrite(10, 0) == (10, 0)
    assert rewriter.rewrite(12, 6000) == (12, 6000)
    assert rewriter.rewrite(11, 3000) == (11, 3000)
    assert rewriter.rewrite(13, 9000) == (13, 9000)
    assert rewriter.last_sequence == 13


def test_sequence_and_timestamp_wrap() -> None:
    rewriter = SequenceRewriter()
    rewriter.switch_source(0xA, 65534, 0xFFFFF000, now_ms=0, clock_rate=VIDEO_CLOCK)

    assert forward(rewriter, 65534, 0xFFFFF000, 3) == [(65534, 0xFFFFF000), (65535, 0xFFFFFBB8), (0, 0x770)]

    rewriter.switch_source(0xB, 65535, 0xFFFFFFFF, now_ms=1000, clock_rate=VIDEO_CLOCK)
    out_seq, out_ts = rewriter.rewrite(65535, 0xFFFFFFFF)
    assert out_seq == 1
    assert out_ts == (0x770 + (1000 - 66) * 90) & 0xFFFFFFFF  # last packet sent at 6000 ticks = 66 ms
    assert rewriter.rewrite(0, 2999) == (2, (out_ts + 3000) & 0xFFFFFFFF)


def test_drop_closes_the_gap() -> None:
    rewriter = SequenceRewriter()
    rewriter.switch_source(0xA, 100, 0, now_ms=0, clock_rate=VIDEO_CLOCK)
    rewriter.rewrite(100, 0)

    assert rewriter.drop(101) is True
    assert rewriter.drop(102) is True
    assert rewriter.rewrite(103, 9000) == (101, 9000)
    assert rewriter.drop(104) is True
    assert rewriter.rewrite(105, 15000) == (102, 15000)


def test_dropped_packet_stays_dropped_when_retransmitted() -> None:
    rewriter = SequenceRewriter()
    rewriter.switch_source(0xA, 100, 0, now_ms=0, clock_rate=VIDEO_CLOCK)
    rewriter.rewrite(100, 0)
    rewriter.drop(101)
    rewriter.rewrite(102, 6000)

    assert rewriter.rewrite(101, 3000) is None
    assert rewriter.rewrite(100, 0) == (100, 0)
    assert rewriter.drop(101) is True


def test_drop_of_already_reserved_number_fails() -> None:
    rewriter = SequenceRewriter()
    rewriter.switch_source(0xA, 100, 0, now_ms=0, clock_rate=VIDEO_CLOCK)
    rewriter.rewrite(100, 0)
    rewriter.rewrite(102, 6000)  # 101 is late

    assert rewriter.drop(101) is False
    assert rewriter.rewrite(101, 3000) == (101, 3000)


def test_drop_of_first_packet_after_switch() -> None:
    rewriter = SequenceRewriter()
    rewriter.switch_source(0xA, 100, 0, now_ms=0, clock_rate=VIDEO_CLOCK)
    rewriter.rewrite(100, 0)
    rewriter.switch_source(0xB, 7, 0, now_ms=33, clock_rate=VIDEO_CLOCK)

    assert rewriter.drop(7) is True
    assert rewriter.rewrite(8, 3000)[0] == 101
    assert rewriter.rewrite(7, 0) is None


def test_switch_after_trailing_drops() -> None:
    rewriter = SequenceRewriter()
    rewriter.switch_source(0xA, 100, 0, now_ms=0, clock_rate=VIDEO_CLOCK)
    rewriter.rewrite(100, 0)
    rewriter.drop(101)
    rewriter.drop(102)
    rewriter.switch_source(0xB, 9000, 0, now_ms=100, clock_rate=VIDEO_CLOCK)

    assert rewriter.rewrite(9000, 0)[0] == 101


def test_original_sequence_maps_back() -> None:
    rewriter = SequenceRewriter()
    rewriter.switch_source(0xA, 100, 0, now_ms=0, clock_rate=VIDEO_CLOCK)
    forward(rewriter, 100, 0, 2)
    rewriter.switch_source(0xB, 5000, 0, now_ms=100, clock_rate=VIDEO_CLOCK)
    rewriter.rewrite(5000, 0)  # out 102
    rewriter.drop(5001)
    rewriter.rewrite(5002, 6000)  # out 103
    rewriter.drop(5003)
    rewriter.drop(5004)
    rewriter.rewrite(5005, 15000)  # out 104

    assert [rewriter.original_sequence(out) for out in (102, 103, 104)] == [5000, 5002, 5005]
    assert rewriter.original_sequence(101) is None  # earlier source
    assert rewriter.original_sequence(105) is None  # not given out yet
    assert rewriter.original_sequence(40000) is None


def test_rewrite_timestamp_for_sender_reports() -> None:
    rewriter = SequenceRewriter()
    rewriter.switch_source(0xA, 1, 100, now_ms=0, clock_rate=VIDEO_CLOCK)
    rewriter.rewrite(1, 100)
    rewriter.switch_source(0xB, 1, 0xFFFFFFF0, now_ms=1000, clock_rate=VIDEO_CLOCK)

    out_seq, out_ts = rewriter.rewrite(1, 0xFFFFFFF0)

    assert rewriter.rewrite_timestamp(0xFFFFFFF0) == out_ts
    assert rewriter.rewrite_timestamp(0x10) == (out_ts + 0x20) & 0xFFFFFFFF


def test_many_drop_segments_are_pruned() -> None:
    rewriter = SequenceRewriter()
    rewriter.switch_source(0xA, 0, 0, now_ms=0, clock_rate=VIDEO_CLOCK)
    outputs = []
    for sequence in range(0, 8 * MAX_DROP_SEGMENTS, 2):
        outputs.append(rewriter.rewrite(sequence & 0xFFFF, sequence * 1500)[0])
        rewriter.drop((sequence + 1) & 0xFFFF)

    assert outputs == list(range(len(outputs)))
    assert len(rewriter._boundaries) <= 2 * MAX_DROP_SEGMENTS
    assert rewriter.rewrite(2, 3000) is None  # older than the kept mapping
    last_in = 8 * MAX_DROP_SEGMENTS - 2
    assert rewriter.rewrite(last_in - 2, 0)[0] == outputs[-2]


@pytest.mark.parametrize("arguments, message", [
    ((1, 65536, 0, 0, 90000), "0-65535"),
    ((1, 0, 1 << 32, 0, 90000), "timestamp"),
    ((1, 0, 0, 0, 0), "clock rate"),
])
def test_switch_source_rejects_invalid(arguments: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SequenceRewriter().switch_source(*arguments)


class Source:
    """A live stream that keeps advancing whether or not it is forwarded."""

    def __init__(self, ssrc: int, seq: int, ts: int, ts_step: int) -> None:
        self.ssrc = ssrc
        self.seq = seq
        self.ts = ts
        self.ts_step = ts_step

    def next(self) -> tuple[int, int]:
        packet = (self.seq, self.ts)
        self.seq = (self.seq + 1) & 0xFFFF
        self.ts = (self.ts + self.ts_step) & 0xFFFFFFFF
        return packet


sources_strategy = st.lists(
    st.tuples(st.integers(0, 0xFFFF), st.integers(0, 0xFFFFFFFF), st.integers(1, 6000)), min_size=1, max_size=4,
)
schedule_strategy = st.lists(
    st.tuples(
        st.integers(0, 3),  # source to switch to (modulo the number of sources)
        st.integers(0, 3000),  # wall time in ms before the switch
        st.lists(st.booleans(), min_size=1, max_size=60),  # per packet: drop it?
        st.integers(1, 60),  # ms between packets
    ),
    min_size=1, max_size=12,
)


def run_schedule(sources_spec: list, schedule: list, resend: st.DataObject | None = None) -> list:
    """Feed a switch schedule through a rewriter and return ``(source, seq, out_seq, out_ts, now_ms)`` rows."""
    sources = [Source(index, seq, ts, step) for index, (seq, ts, step) in enumerate(sources_spec)]
    rewriter = SequenceRewriter()
    forwarded: list = []
    mapping: dict = {}
    now_ms = 0
    for source_index, pause_ms, drops, interval_ms in schedule:
        source = sources[source_index % len(sources)]
        now_ms += pause_ms
        # Every source advances in real time, forwarded or not.
        for other in sources:
            for _ in range(pause_ms // 20):
                other.next()
        first_seq, first_ts = source.seq, source.ts
        rewriter.switch_source(source.ssrc, first_seq, first_ts, now_ms, clock_rate=VIDEO_CLOCK)
        sent = []
        for drop in drops:
            seq, ts = source.next()
            if drop:
                assert rewriter.drop(seq) is True
                mapping[(source.ssrc, seq)] = None
            else:
                result = rewriter.rewrite(seq, ts)
                assert result is not None
                forwarded.append((source.ssrc, seq) + result + (now_ms,))
                mapping[(source.ssrc, seq)] = result
            sent.append((seq, ts))
            if resend is not None and sent:
                old_seq, old_ts = resend.draw(st.sampled_from(sent))
                assert rewriter.rewrite(old_seq, old_ts) == mapping[(source.ssrc, old_seq)]
            now_ms += interval_ms
    return forwarded


@settings(max_examples=300, deadline=None, database=None)
@given(sources_spec=sources_strategy, schedule=schedule_strategy)
def test_output_is_continuous_across_random_switches(sources_spec: list, schedule: list) -> None:
    forwarded = run_schedule(sources_spec, schedule)

    for previous, current in zip(forwarded, forwarded[1:]):
        assert current[2] == (previous[2] + 1) & 0xFFFF
        ts_advance = (current[3] - previous[3]) & 0xFFFFFFFF
        assert 0 < ts_advance < 1 << 31


@settings(max_examples=200, deadline=None, database=None)
@given(sources_spec=sources_strategy, schedule=schedule_strategy, data=st.data())
def test_reordered_packets_map_consistently(sources_spec: list, schedule: list, data: st.DataObject) -> None:
    in_order = run_schedule(sources_spec, schedule)
    with_resends = run_schedule(sources_spec, schedule, resend=data)

    assert with_resends == in_order


real_time_sources = st.lists(
    st.tuples(st.integers(0, 0xFFFF), st.integers(0, 0xFFFFFFFF), st.just(1800)), min_size=1, max_size=4,
)
real_time_schedule = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 3000), st.lists(st.booleans(), min_size=1, max_size=60),
              st.just(20)),
    min_size=1, max_size=12,
)


@settings(max_examples=200, deadline=None, database=None)
@given(sources_spec=real_time_sources, schedule=real_time_schedule)
def test_output_timestamps_follow_wall_clock(sources_spec: list, schedule: list) -> None:
    # Sources send a 90 kHz packet every 20 ms (1800 ticks), so their timestamps run
    # with the wall clock and so must the output, across switches and dropped runs.
    forwarded = run_schedule(sources_spec, schedule)

    for previous, current in zip(forwarded, forwarded[1:]):
        ts_advance = (current[3] - previous[3]) & 0xFFFFFFFF
        assert ts_advance == (current[4] - previous[4]) * 90
