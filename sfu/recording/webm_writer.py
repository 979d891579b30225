# SPDX-License-Identifier: AGPL-3.0-or-later
"""The WebM file of one recording, written with PyAV (libavformat's Matroska muxer).

Video frames are VP8 exactly as the publisher encoded them: they are muxed,
never decoded or re-encoded. The mixed audio is encoded to Opus here. The
file is written as `<name>.webm.part` and renamed to `<name>.webm` only
after the trailer (Cues and duration) is written and the data is on disk,
so a `.webm` file is always complete and seekable. A `.part` file left by a
killed process is repaired or removed at the next start (see recovery.py).

The Matroska header needs the picture size, so the file is opened at the
first video key frame. Audio mixed before that waits in memory. Without any
video within VIDEO_WAIT_MS the file opens with a nominal size; the VP8
frames themselves carry their real size, which decoders use, and which
changes anyway when the recorded speaker changes.
"""

import logging
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from sfu.recording.audio_mixer import FRAME_SAMPLES, SAMPLE_RATE
from sfu.recording.vp8_frame_assembler import Vp8Frame

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"
VIDEO_WAIT_MS = 5000
NOMINAL_SIZE = (1280, 720)
# Mixed speech of a whole meeting in one mono track.
AUDIO_BITRATE = 48_000
MILLISECONDS = Fraction(1, 1000)


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    duration_ms: int
    size_bytes: int


class RecordingDiscarded(Exception):
    """The recording was too short or had no media; its file was deleted."""


class WebmWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.part_path = path.with_name(path.name + PART_SUFFIX)
        self._container: av.container.OutputContainer | None = None
        self._video: av.stream.Stream | None = None
        self._audio: av.audio.stream.AudioStream | None = None
        self._waiting_audio: list[tuple[int, np.ndarray]] = []
        self._last_video_ms = -1
        self.video_frames = 0
        self.audio_frames = 0
        self.end_ms = 0

    @property
    def is_open(self) -> bool:
        return self._container is not None

    # Writing ------------------------------------------------------------------

    def write_video(self, frame: Vp8Frame, at_ms: int) -> None:
        """Mux one VP8 frame at `at_ms` (recording clock), keeping timestamps increasing."""
        if self._container is None:
            if not frame.keyframe:
                return
            self._open(frame.size or NOMINAL_SIZE)
        at_ms = max(at_ms, self._last_video_ms + 1)
        packet = av.Packet(frame.data)
        packet.stream = self._video
        packet.time_base = MILLISECONDS
        packet.pts = packet.dts = at_ms
        packet.is_keyframe = frame.keyframe
        self._container.mux(packet)
        self._last_video_ms = at_ms
        self.video_frames += 1
        self.end_ms = max(self.end_ms, at_ms)

    def write_audio(self, frame_index: int, samples: np.ndarray) -> None:
        """Encode one 20 ms mono frame of the mix; it belongs at `frame_index` × 20 ms."""
        if self._container is None:
            self._waiting_audio.append((frame_index, samples))
            return
        self._encode_audio(frame_index, samples)

    def open_without_video(self, now_ms: int) -> None:
        """Open with the nominal picture size once VIDEO_WAIT_MS passed without a key frame."""
        if self._container is None and now_ms >= VIDEO_WAIT_MS:
            logger.info("%s: no video key frame within %d ms; opening with a nominal size",
                        self.path.name, VIDEO_WAIT_MS)
            self._open(NOMINAL_SIZE)

    def _open(self, size: tuple[int, int]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        container = av.open(str(self.part_path), "w", format="webm")
        video = container.add_mux_stream("vp8", width=size[0], height=size[1])
        video.time_base = MILLISECONDS
        audio = container.add_stream("libopus", rate=SAMPLE_RATE)
        audio.layout = "mono"
        audio.format = "flt"
        audio.bit_rate = AUDIO_BITRATE
        audio.time_base = Fraction(1, SAMPLE_RATE)
        self._container, self._video, self._audio = container, video, audio
        logger.info("%s: opened %dx%d", self.part_path.name, size[0], size[1])

        waiting, self._waiting_audio = self._waiting_audio, []
        for frame_index, samples in waiting:
            self._encode_audio(frame_index, samples)

    def _encode_audio(self, frame_index: int, samples: np.ndarray) -> None:
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = frame_index * FRAME_SAMPLES
        frame.time_base = Fraction(1, SAMPLE_RATE)
        self._container.mux(self._audio.encode(frame))
        self.audio_frames += 1
        self.end_ms = max(self.end_ms, (frame_index + 1) * FRAME_SAMPLES * 1000 // SAMPLE_RATE)

    # Finishing ----------------------------------------------------------------

    def finish(self, min_duration_ms: int, has_media: bool) -> WrittenFile:
        """Write the trailer and move the file into place, or discard it.

        Raises RecordingDiscarded, after deleting the file, when the
        recording is shorter than `min_duration_ms` or carried no media.
        """
        if self._container is None and self._waiting_audio:
            self._open(NOMINAL_SIZE)
        if self._container is not None:
            self._container.mux(self._audio.encode(None))
            self._container.close()
            self._container = None

        if not has_media or self.end_ms < min_duration_ms:
            self.discard()
            reason = "no media was received" if not has_media else (
                f"{self.end_ms / 1000:.1f} s is shorter than the minimum {min_duration_ms / 1000:.0f} s")
            raise RecordingDiscarded(reason)

        _sync_to_disk(self.part_path)
        os.replace(self.part_path, self.path)
        _sync_to_disk(self.path.parent)
        return WrittenFile(self.path, self.end_ms, self.path.stat().st_size)

    def discard(self) -> None:
        """Close and delete the file, whatever state it is in."""
        if self._container is not None:
            try:
                self._container.close()
            except av.error.FFmpegError:
                logger.warning("%s: closing a discarded file failed", self.part_path.name, exc_info=True)
            self._container = None
        self.part_path.unlink(missing_ok=True)


def _sync_to_disk(path: Path) -> None:
    """fsync a file or directory, so a rename after it cannot expose a half-written file."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
