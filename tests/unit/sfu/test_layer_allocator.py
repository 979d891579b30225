# SPDX-License-Identifier: AGPL-3.0-or-later
"""Layer allocation from a subscriber's REMB estimate."""

from types import SimpleNamespace

from livekit.protocol import models as pb

from sfu.media.layer_allocator import CONGESTION_MEMORY_MS, PROBE_INTERVAL_MS, LayerAllocator

BITRATES = (150_000, 500_000, 1_500_000)


class FakeDownTrack:
    """The parts of DownTrack the allocator reads and sets."""

    def __init__(self, owner: str, current: int, source: int = pb.TrackSource.CAMERA) -> None:
        layers = [SimpleNamespace(index=i, bitrate_bps=b) for i, b in enumerate(BITRATES)]
        self.track = SimpleNamespace(layers=layers, source=source, owner=SimpleNamespace(sid=owner))
        self.is_video = True
        self.layer = layers[current]
        self.limit: int | None = None

    def set_bandwidth_limit(self, index: int, now_ms: int) -> None:
        self.limit = index


def estimates(allocator: LayerAllocator, values: list[int], start_ms: int, step_ms: int = 200) -> int:
    now = start_ms
    for value in values:
        allocator.on_estimate(value, now)
        now += step_ms
    return now


def test_no_estimate_means_no_limit():
    down_track = FakeDownTrack("a", current=0)

    LayerAllocator().allocate([down_track], None, 1000)

    assert down_track.limit == 2


def test_congestion_fits_tracks_into_estimate():
    allocator = LayerAllocator()
    down_track = FakeDownTrack("a", current=2)
    now = estimates(allocator, [600_000] * 6, 0)

    allocator.allocate([down_track], None, now)

    assert down_track.limit == 1


def test_climbing_estimate_is_not_congestion():
    allocator = LayerAllocator()
    down_track = FakeDownTrack("a", current=2)
    now = estimates(allocator, [700_000, 760_000, 820_000, 890_000, 960_000, 1_040_000], 0)

    allocator.allocate([down_track], None, now)

    assert down_track.limit == 2


def test_screen_share_gets_bandwidth_first():
    allocator = LayerAllocator()
    camera = FakeDownTrack("a", current=2)
    screen = FakeDownTrack("b", current=2, source=pb.TrackSource.SCREEN_SHARE)
    now = estimates(allocator, [1_900_000] * 6, 0)

    allocator.allocate([camera, screen], None, now)

    assert screen.limit == 2
    assert camera.limit == 0


def test_limit_lifts_after_congestion_is_forgotten():
    allocator = LayerAllocator()
    down_track = FakeDownTrack("a", current=2)
    now = estimates(allocator, [400_000] * 6, 0)
    allocator.allocate([down_track], None, now)
    assert down_track.limit == 0

    down_track.layer = down_track.track.layers[0]
    later = estimates(allocator, [230_000] * 6, now + CONGESTION_MEMORY_MS + 1)
    allocator.allocate([down_track], None, later)

    assert down_track.limit == 2


def test_probe_steps_up_one_layer_after_interval():
    allocator = LayerAllocator()
    down_track = FakeDownTrack("a", current=2)
    now = estimates(allocator, [200_000] * 6, 0)
    allocator.allocate([down_track], None, now)
    down_track.layer = down_track.track.layers[0]

    now = estimates(allocator, [230_000] * 6, now + PROBE_INTERVAL_MS)
    allocator.allocate([down_track], None, now)

    assert down_track.limit == 1


def test_failed_probe_doubles_interval():
    allocator = LayerAllocator()
    down_track = FakeDownTrack("a", current=2)
    now = estimates(allocator, [200_000] * 6, 0)
    allocator.allocate([down_track], None, now)
    down_track.layer = down_track.track.layers[0]
    now = estimates(allocator, [230_000] * 6, now + PROBE_INTERVAL_MS)
    allocator.allocate([down_track], None, now)

    down_track.layer = down_track.track.layers[1]
    now = estimates(allocator, [230_000] * 6, now)
    allocator.allocate([down_track], None, now)

    assert allocator.probe_interval_ms == 2 * PROBE_INTERVAL_MS
    assert down_track.limit == 0
