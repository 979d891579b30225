# SPDX-License-Identifier: AGPL-3.0-or-later
"""Gap tracking and NACK timing for one incoming stream."""

import pytest

from sfu.rtp.nack import NackTracker


def test_gap_requested_after_reorder_wait() -> None:
    tracker = NackTracker(reorder_wait_ms=20)
    tracker.on_packet(100, 0)
    tracker.on_packet(103, 5)

    assert tracker.due(10, rtt_ms=50) == []
    assert tracker.due(25, rtt_ms=50) == [101, 102]


def test_reordered_packet_fills_gap_before_request() -> None:
    tracker = NackTracker(reorder_wait_ms=20)
    tracker.on_packet(100, 0)
    tracker.on_packet(102, 1)
    tracker.on_packet(101, 3)

    assert tracker.missing_count == 0
    assert tracker.due(50, rtt_ms=50) == []


def test_retries_spaced_by_rtt_and_limited() -> None:
    tracker = NackTracker(reorder_wait_ms=0, max_retries=3, max_age_ms=10_000)
    tracker.on_packet(1, 0)
    tracker.on_packet(3, 0)

    assert tracker.due(0, rtt_ms=100) == [2]
    assert tracker.due(50, rtt_ms=100) == []
    assert tracker.due(100, rtt_ms=100) == [2]
    assert tracker.due(199, rtt_ms=100) == []
    assert tracker.due(200, rtt_ms=100) == [2]
    assert tracker.due(300, rtt_ms=100) == []
    assert tracker.missing_count == 0


def test_unknown_rtt_uses_default_interval() -> None:
    tracker = NackTracker(reorder_wait_ms=0)
    tracker.on_packet(1, 0)
    tracker.on_packet(3, 0)
    assert tracker.due(0, rtt_ms=0) == [2]

    assert tracker.due(99, rtt_ms=0) == []
    assert tracker.due(100, rtt_ms=-1) == [2]


def test_old_gaps_expire() -> None:
    tracker = NackTracker(reorder_wait_ms=0, max_age_ms=1000)
    tracker.on_packet(1, 0)
    tracker.on_packet(3, 0)
    tracker.on_packet(6, 900)

    assert tracker.due(1001, rtt_ms=2000) == [4, 5]
    assert tracker.missing_count == 2


def test_wraparound_gap() -> None:
    tracker = NackTracker(reorder_wait_ms=0)
    tracker.on_packet(65534, 0)
    tracker.on_packet(2, 1)

    assert tracker.due(10, rtt_ms=50) == [65535, 0, 1]


def test_huge_jump_resets_instead_of_requesting() -> None:
    tracker = NackTracker(reorder_wait_ms=0, max_gap=100)
    tracker.on_packet(10, 0)
    tracker.on_packet(12, 0)

    assert tracker.on_packet(5000, 1) is True
    assert tracker.missing_count == 0
    assert tracker.due(10, rtt_ms=50) == []
    assert tracker.on_packet(5002, 2) is False
    assert tracker.due(30, rtt_ms=50) == [5001]


def test_old_and_duplicate_packets_ignored() -> None:
    tracker = NackTracker(reorder_wait_ms=0)
    tracker.on_packet(1000, 0)
    tracker.on_packet(1000, 1)
    tracker.on_packet(900, 2)

    assert tracker.missing_count == 0
    assert tracker.due(10, rtt_ms=50) == []


def test_reset_forgets_state() -> None:
    tracker = NackTracker(reorder_wait_ms=0)
    tracker.on_packet(1, 0)
    tracker.on_packet(5, 0)
    tracker.reset()
    tracker.on_packet(40000, 1)

    assert tracker.due(10, rtt_ms=50) == []


@pytest.mark.parametrize("sequence", [-1, 65536])
def test_rejects_invalid_sequence(sequence: int) -> None:
    with pytest.raises(ValueError, match="0-65535"):
        NackTracker().on_packet(sequence, 0)


def test_rejects_invalid_settings() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        NackTracker(max_retries=0)
    with pytest.raises(ValueError, match="max_gap"):
        NackTracker(max_gap=0)
