# SPDX-License-Identifier: AGPL-3.0-or-later
"""One speaker's audio track in a recording: Opus RTP packets decoded into the mix.

Audio is the only media the recorder decodes: each track's Opus packets are
decoded with libavcodec (through PyAV) to 48 kHz PCM, down-mixed to mono
and added to the mixer where the track's stream clock places them.
"""

import av
import numpy as np

from sfu.recording.audio_mixer import SAMPLE_RATE, AudioMixer
from sfu.recording.stream_clock import StreamClock
from sfu.rtp.header import parse_fixed, payload_bounds


class OpusSource:
    def __init__(self) -> None:
        self._decoder = av.CodecContext.create("opus", "r")
        self._clock = StreamClock(SAMPLE_RATE)
        self.packets = 0
        self.decode_errors = 0

    def push(self, packet: bytes, arrival_ms: float, mixer: AudioMixer) -> None:
        """Decode one RTP packet that arrived at `arrival_ms` (recording clock) into `mixer`.

        Raises ``ValueError`` for a malformed RTP header. A payload the
        decoder rejects is counted in `decode_errors` and skipped.
        """
        _, _, _, timestamp, _ = parse_fixed(packet)
        start, end = payload_bounds(packet)
        if end <= start:
            return
        position_ms = self._clock.to_recording_ms(timestamp, arrival_ms)
        self.packets += 1

        try:
            frames = self._decoder.decode(av.Packet(bytes(packet[start:end])))
        except av.error.FFmpegError:
            self.decode_errors += 1
            return
        position = round(position_ms * SAMPLE_RATE / 1000)
        for frame in frames:
            samples = _mono(frame)
            mixer.add(position, samples)
            position += len(samples)


def _mono(frame: av.AudioFrame) -> np.ndarray:
    """Return the frame as mono float32 samples in [-1, 1]."""
    pcm = frame.to_ndarray()
    channels = len(frame.layout.channels)
    if not frame.format.is_planar:
        pcm = pcm.reshape(-1, channels).T
    if pcm.dtype == np.int16:
        pcm = pcm.astype(np.float32) / 32768.0
    if channels > 1:
        return pcm.mean(axis=0).astype(np.float32)
    return pcm[0].astype(np.float32)
