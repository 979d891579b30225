# SPDX-License-Identifier: AGPL-3.0-or-later
"""Dominant speaker detection on synthetic RFC 6464 level traces (one level per 20 ms packet).

Levels are in -dBov, where 127 is silence. Background noise is around
90 dBov. Speech is around 28-40 dBov with a short dip to the noise floor
once per second, roughly like a person breathing between phrases.
"""

from collections.abc import Callable

import pytest

from sfu.rtp.speaker_detector import DominantSpeakerDetector

PACKET_MS = 20
NOISE = 90


def noise(t: int) -> int:
    return NOISE + (t // PACKET_MS) % 3


def speech(t: int) -> int:
    if t % 1000 < 60:
        return NOISE
    return 28 + (t // PACKET_MS) % 7 * 2


def cough(start: int, length: int) -> Callable[[int], int]:
    return lambda t: 10 if start <= t < start + length else noise(t)


def talks_between(start: int, end: int) -> Callable[[int], int]:
    return lambda t: speech(t) if start <= t < end else noise(t)


def simulate(detector: DominantSpeakerDetector, traces: dict, until_ms: int, start_ms: int = 0) -> dict[int, str]:
    """Feed every speaker's trace, decide every packet interval and return the dominant speaker per time."""
    dominant = {}
    for t in range(start_ms, until_ms, PACKET_MS):
        for speaker_id, trace in traces.items():
            level = trace(t)
            if level is not None:
                detector.on_level(speaker_id, level, t)
        dominant[t] = detector.decide(t)
    return dominant


def room(*speaker_ids: str) -> DominantSpeakerDetector:
    detector = DominantSpeakerDetector()
    for speaker_id in speaker_ids:
        detector.add_speaker(speaker_id)
    return detector


def first_time(dominant: dict[int, str], speaker_id: str, after_ms: int = 0) -> int | None:
    return next((t for t, current in dominant.items() if t >= after_ms and current == speaker_id), None)


def test_clear_speaker_wins_within_a_second() -> None:
    detector = room("alice", "bob", "carol")
    traces = {"alice": noise, "bob": talks_between(2000, 10_000), "carol": noise}

    dominant = simulate(detector, traces, 6000)

    assert dominant[1980] == "alice"  # nominated first while no one spoke yet
    switched_at = first_time(dominant, "bob")
    assert switched_at is not None
    assert 2000 <= switched_at <= 3000
    assert all(current == "bob" for t, current in dominant.items() if t >= switched_at)


def test_short_cough_does_not_steal() -> None:
    detector = room("alice", "bob")
    traces = {"alice": talks_between(1000, 10_000), "bob": cough(5000, 200)}

    dominant = simulate(detector, traces, 8000)

    assert dominant[2500] == "alice"
    assert all(current == "alice" for t, current in dominant.items() if t >= 2500)


def test_silence_keeps_last_speaker() -> None:
    detector = room("alice", "bob")
    traces = {"alice": noise, "bob": talks_between(1000, 4000)}

    dominant = simulate(detector, traces, 12_000)

    assert dominant[3000] == "bob"
    assert all(current == "bob" for t, current in dominant.items() if t >= 3000)


def test_no_packets_keep_last_speaker() -> None:
    detector = room("alice", "bob")
    simulate(detector, {"alice": noise, "bob": talks_between(1000, 4000)}, 4000)

    dominant = simulate(detector, {"alice": lambda t: None, "bob": lambda t: None}, 9000, start_ms=4000)

    assert set(dominant.values()) == {"bob"}


def test_speaker_change_takes_effect() -> None:
    detector = room("alice", "bob", "carol")
    traces = {"alice": talks_between(1000, 5000), "bob": talks_between(5500, 12_000), "carol": noise}

    dominant = simulate(detector, traces, 10_000)

    assert dominant[4900] == "alice"
    switched_at = first_time(dominant, "bob", after_ms=5000)
    assert switched_at is not None
    assert switched_at <= 6500
    assert all(current == "bob" for t, current in dominant.items() if t >= switched_at)


def test_interruption_while_dominant_talks() -> None:
    # Bob talks over Alice for 3 s. Alice keeps talking, so the long-term
    # activity never favours Bob enough (the long-window ratio must exceed 1).
    detector = room("alice", "bob")
    traces = {"alice": talks_between(1000, 20_000), "bob": talks_between(4000, 7000)}

    dominant = simulate(detector, traces, 9000)

    assert all(current == "alice" for t, current in dominant.items() if t >= 2500)


def test_decision_only_once_per_interval() -> None:
    detector = room("alice", "bob")
    for t in range(0, 1000, PACKET_MS):
        detector.on_level("alice", noise(t), t)
        detector.on_level("bob", noise(t), t)
    assert detector.decide(1000) == "alice"

    for t in range(1000, 1300, PACKET_MS):
        detector.on_level("alice", noise(t), t)
        detector.on_level("bob", speech(t + 100), t)
    # Bob would win now, but the previous decision was less than 300 ms ago.
    assert detector.decide(1270) == "alice"
    # A timer call that comes up to 20 ms early still decides.
    assert detector.decide(1285) == "bob"


def test_single_and_no_speaker() -> None:
    detector = DominantSpeakerDetector()
    assert detector.decide(0) is None

    detector.add_speaker("alice")
    assert detector.decide(1000) == "alice"

    detector.remove_speaker("alice")
    assert detector.decide(1001) is None


def test_removing_dominant_decides_again_at_once() -> None:
    detector = room("alice", "bob", "carol")
    simulate(detector, {"alice": noise, "bob": talks_between(500, 5000), "carol": noise}, 2000)
    assert detector.dominant == "bob"

    detector.remove_speaker("bob")

    assert detector.dominant is None
    assert detector.decide(2001) == "alice"


def test_unknown_speaker_levels_are_ignored() -> None:
    detector = room("alice")
    detector.on_level("ghost", 10, 0)
    detector.add_speaker("alice")  # adding again keeps its state

    assert detector.decide(0) == "alice"
    assert detector.loudest(0, 3) == []


def test_late_level_is_ignored() -> None:
    detector = room("alice", "bob")
    simulate(detector, {"alice": noise, "bob": noise}, 1000)
    for t in range(1000, 1200, PACKET_MS):
        detector.on_level("bob", 20, t)

    detector.on_level("bob", 20, 500)  # older than Bob's previous level: dropped

    assert detector.loudest(1200, 2) == ["bob"]


def dave_trace(t: int) -> int | None:
    if t < 1000:
        return NOISE
    if t < 1500:
        return 30
    return None


def test_loudest_order_and_expiry() -> None:
    detector = room("alice", "bob", "carol", "dave")
    traces = {
        "alice": lambda t: 50 if t >= 1000 else NOISE,
        "bob": lambda t: 20 if t >= 1000 else NOISE,
        "carol": noise,
        "dave": dave_trace,
    }
    simulate(detector, traces, 1600)

    # Carol is at her own noise floor, and Dave's last level (1480 ms) is 160 ms old at 1640 ms.
    assert detector.loudest(1640, 4) == ["bob", "alice"]
    assert detector.loudest(1580, 4) == ["bob", "dave", "alice"]
    assert detector.loudest(1580, 1) == ["bob"]


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="decision interval"):
        DominantSpeakerDetector(decision_interval_ms=50)
    with pytest.raises(ValueError, match="decision interval"):
        DominantSpeakerDetector(decision_interval_ms=6000)
    detector = room("alice")
    for level in (-1, 128):
        with pytest.raises(ValueError, match="0-127"):
            detector.on_level("alice", level, 0)
