# SPDX-License-Identifier: AGPL-3.0-or-later
"""Placing RTP timestamps on the recording timeline."""

from sfu.recording.stream_clock import StreamClock


def test_jitter_does_not_move_placement():
    clock = StreamClock(48_000)
    assert clock.to_recording_ms(1000, 100) == 100
    # Arrives 30 ms late, but its timestamp puts it 20 ms after the first packet.
    assert clock.to_recording_ms(1000 + 960, 150) == 120


def test_timestamp_wraparound():
    clock = StreamClock(90_000)
    clock.to_recording_ms(0xFFFFFF00, 1000)
    assert clock.to_recording_ms(0x00000100 - 0, 1000) == 1000 + 0x200 * 1000 / 90_000


def test_gap_in_timestamps_kept_across_silence():
    clock = StreamClock(48_000)
    clock.to_recording_ms(0, 0)
    # Two seconds of DTX silence: the timestamp advanced with the clock.
    assert clock.to_recording_ms(96_000, 2005) == 2000
    assert clock.resyncs == 0


def test_restarted_stream_anchored_again():
    clock = StreamClock(48_000)
    clock.to_recording_ms(0, 0)
    assert clock.to_recording_ms(123_456_789, 3000) == 3000
    assert clock.resyncs == 1
