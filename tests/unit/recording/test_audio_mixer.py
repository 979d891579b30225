# SPDX-License-Identifier: AGPL-3.0-or-later
"""The recorder's audio mix: placement on the timeline, silence, late samples, limiting."""

import numpy as np

from sfu.recording.audio_mixer import FRAME_SAMPLES, AudioMixer


def test_two_sources_sum_in_place():
    mixer = AudioMixer()
    mixer.add(0, np.full(FRAME_SAMPLES, 0.25, dtype=np.float32))
    mixer.add(FRAME_SAMPLES // 2, np.full(FRAME_SAMPLES, 0.5, dtype=np.float32))

    first, second = mixer.take_until(2 * FRAME_SAMPLES)
    assert first[: FRAME_SAMPLES // 2].tolist() == [0.25] * (FRAME_SAMPLES // 2)
    assert first[FRAME_SAMPLES // 2:].tolist() == [0.75] * (FRAME_SAMPLES // 2)
    assert second[: FRAME_SAMPLES // 2].tolist() == [0.5] * (FRAME_SAMPLES // 2)
    assert second[FRAME_SAMPLES // 2:].tolist() == [0.0] * (FRAME_SAMPLES // 2)


def test_gaps_come_out_as_silence():
    mixer = AudioMixer()
    mixer.add(3 * FRAME_SAMPLES, np.ones(10, dtype=np.float32))
    frames = mixer.take_until(4 * FRAME_SAMPLES + 5)
    assert len(frames) == 4
    assert all(not frame.any() for frame in frames[:3])
    assert frames[3][:10].tolist() == [1.0] * 10
    assert mixer.next_frame == 4


def test_samples_for_taken_frames_dropped():
    mixer = AudioMixer()
    mixer.take_until(2 * FRAME_SAMPLES)
    mixer.add(FRAME_SAMPLES, np.ones(2 * FRAME_SAMPLES, dtype=np.float32))
    assert mixer.late_samples == FRAME_SAMPLES
    (frame,) = mixer.take_until(3 * FRAME_SAMPLES)
    assert frame.tolist() == [1.0] * FRAME_SAMPLES


def test_loud_sum_scaled_not_clipped():
    mixer = AudioMixer()
    tone = np.sin(np.linspace(0, 20 * np.pi, FRAME_SAMPLES)).astype(np.float32) * 0.9
    mixer.add(0, tone)
    mixer.add(0, tone)
    (frame,) = mixer.take_until(FRAME_SAMPLES)
    assert abs(float(np.max(np.abs(frame))) - 1.0) < 1e-6
    assert np.allclose(frame, tone / np.max(np.abs(tone)), atol=1e-5)
