# SPDX-License-Identifier: AGPL-3.0-or-later
"""Place the RTP timestamps of one stream on the recording's timeline.

Every stream has its own random RTP timestamp origin, so the first packet
anchors the stream: its arrival time on the recording clock is paired with
its RTP timestamp, and later packets are placed by their RTP timestamp
distance from the anchor. That keeps network jitter out of the timeline.
Timestamps keep counting through silence (Opus DTX) and paused video, so
the distance stays right across gaps. A stream whose placement drifts too
far from its arrival times (a restarted encoder, a clock that runs fast) is
anchored again.
"""

# TODO: anchor with RTCP sender reports; arrival-time anchors leave lip sync to network jitter.
# A placement further than this from the arrival time re-anchors the stream.
RESYNC_THRESHOLD_MS = 500


class StreamClock:
    def __init__(self, clock_rate: int) -> None:
        self.clock_rate = clock_rate
        self._anchor_timestamp: int | None = None
        self._anchor_ms = 0.0
        self.resyncs = 0

    def to_recording_ms(self, timestamp: int, arrival_ms: float) -> float:
        """Return where an RTP `timestamp` that arrived at `arrival_ms` belongs, in recording ms."""
        if self._anchor_timestamp is not None:
            placed = self._anchor_ms + _signed_distance(timestamp, self._anchor_timestamp) * 1000 / self.clock_rate
            if abs(placed - arrival_ms) <= RESYNC_THRESHOLD_MS:
                return placed
            self.resyncs += 1
        self._anchor_timestamp = timestamp
        self._anchor_ms = arrival_ms
        return arrival_ms


def _signed_distance(timestamp: int, reference: int) -> int:
    """Return timestamp - reference in 32-bit RTP arithmetic, negative when older."""
    difference = (timestamp - reference) & 0xFFFFFFFF
    return difference - 0x100000000 if difference >= 0x80000000 else difference
