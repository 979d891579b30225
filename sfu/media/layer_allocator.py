# SPDX-License-Identifier: AGPL-3.0-or-later
"""Choose a simulcast layer for each of one subscriber's video down tracks.

The input is the subscriber's bandwidth estimate from REMB. A browser's
receive-side estimator reports at most about 1.5 times what it currently
receives: libwebrtc's AIMD rate control caps increases at
1.5 x throughput + 10 kbit/s. So an estimate alone can never justify
jumping from the 150 kbit/s layer to the 1.5 Mbit/s one. The allocator
therefore works in three modes:

- no estimate yet, or no congestion seen for CONGESTION_MEMORY_MS: no
  limit, so a subscriber that asks for a higher layer gets it at once;
- congested (estimate well below what is forwarded, and not climbing):
  fit the tracks into the estimate, screen shares first, then the dominant
  speaker. An estimate that is still climbing after a step up is the
  estimator catching up (about 8 % per second in libwebrtc), not congestion;
- recovering from recent congestion: take what the estimate allows
  outright, and otherwise probe one layer up at a time when the estimate
  is clearly above what is forwarded, backing off when a probe ends in
  congestion.
"""

from collections import deque
from typing import TYPE_CHECKING, Sequence

from livekit.protocol import models as pb

if TYPE_CHECKING:
    from sfu.media.down_track import DownTrack

# Below this share of the forwarded bitrate the link counts as congested.
CONGESTED_RATIO = 0.85
# At or above this share of the forwarded bitrate there is room to probe.
HEADROOM_RATIO = 1.4
# Part of the estimate planned for media; bitrate varies with motion.
ESTIMATE_USE_RATIO = 0.9
PROBE_INTERVAL_MS = 2000
MAX_PROBE_INTERVAL_MS = 30_000
# A congestion signal this soon after a probe counts against the probe.
PROBE_FAILURE_WINDOW_MS = 3000
# An estimate counts as climbing when it grew this much over ESTIMATE_TREND_MS.
CLIMBING_RATIO = 1.03
ESTIMATE_TREND_MS = 1000
# Without congestion for this long, the estimate no longer limits layers.
CONGESTION_MEMORY_MS = 10_000


class LayerAllocator:
    def __init__(self) -> None:
        self.probe_interval_ms = PROBE_INTERVAL_MS
        self._last_probe_ms = -PROBE_INTERVAL_MS
        self._probe_pending = False
        self._estimates: deque[tuple[int, int]] = deque()  # (time ms, bit/s)
        self._last_congestion_ms: int | None = None

    @property
    def estimate_bps(self) -> int | None:
        return self._estimates[-1][1] if self._estimates else None

    def on_estimate(self, bitrate_bps: int, now_ms: int) -> None:
        """Record a REMB value from the subscriber."""
        self._estimates.append((now_ms, bitrate_bps))
        while len(self._estimates) > 2 and self._estimates[1][0] <= now_ms - ESTIMATE_TREND_MS:
            self._estimates.popleft()

    def _climbing(self) -> bool:
        oldest_at, oldest = self._estimates[0]
        newest_at, newest = self._estimates[-1]
        return newest_at - oldest_at >= ESTIMATE_TREND_MS // 2 and newest > oldest * CLIMBING_RATIO

    def allocate(self, down_tracks: Sequence["DownTrack"], dominant_sid: str | None,
                 now_ms: int) -> None:
        estimate_bps = self.estimate_bps
        video = [d for d in down_tracks if d.is_video and len(d.track.layers) > 1]
        if not video:
            return
        if estimate_bps is None:
            self._unlimit(video, now_ms)
            return

        video.sort(key=lambda d: (d.track.source != pb.TrackSource.SCREEN_SHARE,
                                  d.track.owner.sid != dominant_sid))
        forwarded = sum(d.layer.bitrate_bps for d in video if d.layer is not None)
        fitted = _fit(video, estimate_bps * ESTIMATE_USE_RATIO)

        probe_settled = now_ms - self._last_probe_ms >= PROBE_FAILURE_WINDOW_MS
        if forwarded and estimate_bps < forwarded * CONGESTED_RATIO and not self._climbing():
            if self._probe_pending and not probe_settled:
                # The last step up was too much: wait longer before the next.
                self.probe_interval_ms = min(self.probe_interval_ms * 2, MAX_PROBE_INTERVAL_MS)
            self._probe_pending = False
            self._last_congestion_ms = now_ms
            self._apply(video, fitted, now_ms)
            return

        if self._last_congestion_ms is None or now_ms - self._last_congestion_ms > CONGESTION_MEMORY_MS:
            self._unlimit(video, now_ms)
            return

        if self._probe_pending and probe_settled:
            self._probe_pending = False
            self.probe_interval_ms = PROBE_INTERVAL_MS

        current = [d.layer.index if d.layer is not None else 0 for d in video]
        limits = [max(a, b) for a, b in zip(fitted, current)]
        if limits == current and estimate_bps >= forwarded * HEADROOM_RATIO:
            limits = self._probe(video, limits, now_ms)
        self._apply(video, limits, now_ms)

    def _probe(self, video: list["DownTrack"], limits: list[int], now_ms: int) -> list[int]:
        if now_ms - self._last_probe_ms < self.probe_interval_ms:
            return limits
        for position, down_track in enumerate(video):
            if limits[position] < _top(down_track):
                limits = list(limits)
                limits[position] += 1
                self._last_probe_ms = now_ms
                self._probe_pending = True
                break
        return limits

    def _unlimit(self, video: list["DownTrack"], now_ms: int) -> None:
        for down_track in video:
            down_track.set_bandwidth_limit(_top(down_track), now_ms)

    def _apply(self, video: list["DownTrack"], limits: list[int], now_ms: int) -> None:
        for down_track, limit in zip(video, limits):
            down_track.set_bandwidth_limit(limit, now_ms)


def _top(down_track: "DownTrack") -> int:
    return len(down_track.track.layers) - 1


def _fit(video: list["DownTrack"], budget: float) -> list[int]:
    """Highest layer per track that fits the budget in priority order; at least layer 0."""
    chosen = []
    for down_track in video:
        layers = down_track.track.layers
        index = 0
        for candidate in range(len(layers) - 1, -1, -1):
            if layers[candidate].bitrate_bps <= budget:
                index = candidate
                break
        budget -= layers[index].bitrate_bps
        chosen.append(index)
    return chosen
