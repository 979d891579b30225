# SPDX-License-Identifier: AGPL-3.0-or-later
"""Smoothed speaking level for SpeakerInfo.level from RFC 6464 levels."""

import pytest

from sfu.rtp.audio_level import AudioLevelMeter, linear_level


def feed(meter: AudioLevelMeter, level_dbov: int, start_ms: int, duration_ms: int) -> int:
    for t in range(start_ms, start_ms + duration_ms, 20):
        meter.observe(level_dbov, 20, t)
    return start_ms + duration_ms


def test_linear_level_table() -> None:
    assert linear_level(0) == 1.0
    assert linear_level(20) == pytest.approx(0.1)
    assert linear_level(127) == pytest.approx(10 ** (-127 / 20))
    with pytest.raises(ValueError, match="0-127"):
        linear_level(128)


def test_speech_rises_and_smooths() -> None:
    meter = AudioLevelMeter(window_ms=400, smoothing_windows=2)
    t = feed(meter, 20, 0, 400)

    first = meter.level(t)
    assert first == pytest.approx(0.1 * 2 / 3)
    assert meter.is_active(t)

    t = feed(meter, 20, t, 400)
    assert meter.level(t) == pytest.approx(first + (0.1 - first) * 2 / 3)


def test_quiet_window_drops_to_zero() -> None:
    meter = AudioLevelMeter()
    t = feed(meter, 20, 0, 800)
    assert meter.level(t) > 0.05

    t = feed(meter, 80, t, 400)  # below the -35 dBov active level

    assert meter.level(t) == 0.0
    assert not meter.is_active(t)


def test_sparse_speech_counts_as_silence() -> None:
    meter = AudioLevelMeter(min_active_share=0.4)
    t = feed(meter, 20, 0, 100)  # 25 % of the window
    t = feed(meter, 100, t, 300)

    assert meter.level(t) == 0.0


def test_partial_speech_is_weighted_by_share() -> None:
    meter = AudioLevelMeter(min_active_share=0.4, smoothing_windows=1)
    t = feed(meter, 20, 0, 200)
    t = feed(meter, 100, t, 200)

    assert meter.level(t) == pytest.approx(0.1 * 0.5)


def test_stale_level_reads_zero() -> None:
    meter = AudioLevelMeter(window_ms=400)
    t = feed(meter, 10, 0, 800)
    assert meter.level(t + 700) > 0

    assert meter.level(t + 800) == 0.0
    assert not meter.is_active(t + 800)
    assert AudioLevelMeter().level(0) == 0.0


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="active level"):
        AudioLevelMeter(active_level_dbov=200)
    with pytest.raises(ValueError, match="share"):
        AudioLevelMeter(min_active_share=1.5)
    with pytest.raises(ValueError, match="window"):
        AudioLevelMeter(window_ms=0)
    with pytest.raises(ValueError, match="smoothing"):
        AudioLevelMeter(smoothing_windows=0)
    with pytest.raises(ValueError, match="0-127"):
        AudioLevelMeter().observe(-1, 20, 0)
