# SPDX-License-Identifier: AGPL-3.0-or-later
"""Sum the decoded audio of every speaker on one 48 kHz mono timeline.

The timeline is cut into 20 ms frames (960 samples). Sources add their PCM
at the sample position their stream clock gives; the recorder takes frames
out in order once no source can still add to them (the mixing delay covers
network jitter). A frame nobody added to is silence, so the mixed track
runs without gaps from the start of the recording to its end. Samples for
a frame already taken out arrive too late and are dropped.
"""

import numpy as np

SAMPLE_RATE = 48_000
FRAME_SAMPLES = 960  # 20 ms, the Opus frame size the encoder uses


class AudioMixer:
    def __init__(self) -> None:
        self._frames: dict[int, np.ndarray] = {}
        # Index of the next frame to take out; earlier frames are gone.
        self.next_frame = 0
        self.late_samples = 0

    def add(self, start_sample: int, samples: np.ndarray) -> None:
        """Add mono float32 `samples` whose first one belongs at `start_sample`."""
        position = start_sample
        offset = 0
        total = len(samples)
        while offset < total:
            index, within = divmod(position, FRAME_SAMPLES)
            count = min(FRAME_SAMPLES - within, total - offset)
            if index < self.next_frame:
                self.late_samples += count
            else:
                frame = self._frames.get(index)
                if frame is None:
                    frame = self._frames[index] = np.zeros(FRAME_SAMPLES, dtype=np.float32)
                frame[within:within + count] += samples[offset:offset + count]
            position += count
            offset += count

    def take_until(self, end_sample: int) -> list[np.ndarray]:
        """Take out, in order, every frame that ends at or before `end_sample`."""
        last = end_sample // FRAME_SAMPLES
        taken = []
        for index in range(self.next_frame, last):
            frame = self._frames.pop(index, None)
            taken.append(_limit(frame) if frame is not None else np.zeros(FRAME_SAMPLES, dtype=np.float32))
        self.next_frame = max(self.next_frame, last)
        return taken


def _limit(frame: np.ndarray) -> np.ndarray:
    """Scale a frame down when the sum of speakers exceeds full scale, instead of clipping."""
    peak = float(np.max(np.abs(frame))) if len(frame) else 0.0
    if peak > 1.0:
        frame /= peak
    return frame
