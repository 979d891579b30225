# SPDX-License-Identifier: AGPL-3.0-or-later
"""Retransmission buffer keyed by 16-bit sequence numbers."""

import pytest

from sfu.rtp.packet_history import PacketHistory


def test_put_and_get() -> None:
    history = PacketHistory(4)
    history.put(10, b"ten")
    history.put(11, b"eleven")

    assert history.get(10) == b"ten"
    assert history.get(11) == b"eleven"
    assert history.get(12) is None


def test_overwritten_after_capacity() -> None:
    history = PacketHistory(4)
    for sequence in range(10, 15):
        history.put(sequence, bytes([sequence]))

    assert history.get(10) is None
    assert history.get(11) == b"\x0b"
    assert history.get(14) == b"\x0e"


def test_wraparound() -> None:
    history = PacketHistory(8)
    for sequence in (65534, 65535, 0, 1):
        history.put(sequence, sequence.to_bytes(2, "big"))

    assert [history.get(s) for s in (65534, 65535, 0, 1)] == [b"\xff\xfe", b"\xff\xff", b"\x00\x00", b"\x00\x01"]


def test_stale_slot_not_returned_after_gap() -> None:
    history = PacketHistory(100)
    history.put(0, b"old")
    history.put(150, b"new")  # 1..149 lost, so the slot of 0 was never overwritten

    assert history.get(0) is None
    assert history.get(150) == b"new"


def test_stale_slot_after_full_wrap() -> None:
    history = PacketHistory(16)
    history.put(5, b"first lap")
    for step in range(1, 5):
        history.put((5 + step * 16_000) & 0xFFFF, b"x")
    # 5 + 64000 is 69005, i.e. 3469 on the next lap, far ahead of the stale slot
    assert history.get(5) is None


def test_late_packet_within_window_is_stored() -> None:
    history = PacketHistory(8)
    history.put(10, b"ten")
    history.put(8, b"eight")
    history.put(1, b"too old")

    assert history.get(8) == b"eight"
    assert history.get(1) is None


def test_invalid_input() -> None:
    with pytest.raises(ValueError, match="capacity"):
        PacketHistory(0)
    history = PacketHistory(4)
    with pytest.raises(ValueError, match="0-65535"):
        history.put(70000, b"x")
    assert history.get(70000) is None


def test_clear() -> None:
    history = PacketHistory(4)
    history.put(1, b"x")
    history.clear()

    assert history.get(1) is None
