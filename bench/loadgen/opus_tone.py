# SPDX-License-Identifier: AGPL-3.0-or-later
"""Real Opus audio for synthetic participants: a sine tone encoded once with libopus.

Each payload is one 20 ms Opus packet (48 kHz, mono), ready to go into an
RTP packet, so tests can check what a receiver decodes, such as the tones
of several speakers in a recorded mix.
"""

from fractions import Fraction

import av
import numpy as np

SAMPLE_RATE = 48_000
FRAME_SAMPLES = 960


def encode_tone(frequency_hz: float, duration_s: float = 2.0, amplitude: float = 0.3,
                bitrate: int = 32_000) -> list[bytes]:
    """Return 20 ms Opus packets of a sine tone; the tone period fits the loop seamlessly
    when `duration_s` × `frequency_hz` is a whole number."""
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate = SAMPLE_RATE
    encoder.layout = "mono"
    encoder.format = "s16"
    encoder.bit_rate = bitrate
    encoder.time_base = Fraction(1, SAMPLE_RATE)
    encoder.options = {"frame_duration": "20", "application": "audio"}

    total = int(duration_s * SAMPLE_RATE) // FRAME_SAMPLES * FRAME_SAMPLES
    times = np.arange(total) / SAMPLE_RATE
    pcm = (np.sin(2 * np.pi * frequency_hz * times) * amplitude * 32767).astype(np.int16)

    payloads = []
    for start in range(0, total, FRAME_SAMPLES):
        frame = av.AudioFrame.from_ndarray(pcm[None, start:start + FRAME_SAMPLES], format="s16",
                                           layout="mono")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = start
        payloads.extend(bytes(packet) for packet in encoder.encode(frame))
    payloads.extend(bytes(packet) for packet in encoder.encode(None))
    return payloads
