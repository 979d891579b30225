# SPDX-License-Identifier: AGPL-3.0-or-later
"""The thread that turns one recording's RTP packets into a WebM file.

The event loop only appends packets to a queue (the taps do that on the
forwarding hot path). Everything else runs here, off the loop: VP8 frame
assembly, Opus decoding, mixing, Opus encoding and muxing. libavcodec and
libavformat release the GIL while they work, so forwarding keeps running
while a frame is encoded or written.

Audio frames leave the mixer MIXING_DELAY_MS behind real time, so packets
delayed by jitter still land in their frame; the worker wakes every
TICK_S to move that horizon on even when no packet arrives.
"""

import logging
import queue
import threading
import time
from typing import Callable

from sfu.recording.audio_mixer import SAMPLE_RATE, AudioMixer
from sfu.recording.opus_source import OpusSource
from sfu.recording.stream_clock import StreamClock
from sfu.recording.vp8_frame_assembler import Vp8FrameAssembler
from sfu.recording.webm_writer import RecordingDiscarded, WebmWriter, WrittenFile

logger = logging.getLogger(__name__)

MIXING_DELAY_MS = 200
TICK_S = 0.02
# Packets waiting for the worker; about 25 s of four speakers' audio and video.
# Beyond it the worker has fallen behind, and new packets are dropped.
MAX_QUEUED_PACKETS = 20_000
# Keyframe requests after a video loss are at most this frequent.
KEYFRAME_REQUEST_INTERVAL_MS = 500

_AUDIO, _VIDEO, _STOP = 0, 1, 2


class RecordingWorker(threading.Thread):
    def __init__(self, label: str, writer: WebmWriter, start_ms: int, min_duration_ms: int,
                 on_keyframe_needed: Callable[[], None],
                 on_finished: Callable[["RecordingWorker"], None]) -> None:
        super().__init__(name=f"recorder {writer.path.stem}", daemon=True)
        self.label = label
        self.writer = writer
        # Monotonic milliseconds of the recording's time zero.
        self.start_ms = start_ms
        self.min_duration_ms = min_duration_ms
        self._on_keyframe_needed = on_keyframe_needed
        self._on_finished = on_finished
        self._queue: queue.SimpleQueue = queue.SimpleQueue()

        self._mixer = AudioMixer()
        self._audio_sources: dict[str, OpusSource] = {}
        self._video_key: str | None = None
        self._assembler = Vp8FrameAssembler()
        self._video_clock = StreamClock(90_000)
        self._last_keyframe_request_ms = -KEYFRAME_REQUEST_INTERVAL_MS
        self.malformed_packets = 0
        self.dropped_packets = 0
        self.has_media = False

        # Outcome, read by the event loop after on_finished.
        self.result: WrittenFile | None = None
        self.discard_reason: str | None = None
        self.error: BaseException | None = None

    # Called on the event loop ------------------------------------------------------

    def submit_audio(self, source_key: str, packet: bytes, arrival_ms: int) -> None:
        self._submit((_AUDIO, source_key, packet, arrival_ms))

    def submit_video(self, source_key: str, packet: bytes, arrival_ms: int) -> None:
        self._submit((_VIDEO, source_key, packet, arrival_ms))

    def _submit(self, item: tuple) -> None:
        if self._queue.qsize() < MAX_QUEUED_PACKETS:
            self._queue.put(item)
            return
        self.dropped_packets += 1
        if self.dropped_packets in (1, 1000) or self.dropped_packets % 100_000 == 0:
            logger.warning("%s: the recorder has fallen behind; %d packets dropped so far",
                           self.label, self.dropped_packets)

    def request_stop(self, end_ms: int) -> None:
        """Finish the file with everything up to `end_ms` (monotonic ms); later packets are ignored."""
        self._queue.put((_STOP, "", b"", end_ms))

    # The thread ----------------------------------------------------------------------

    def run(self) -> None:
        try:
            end_ms = self._process_until_stop()
            self._finish(end_ms)
        except Exception as error:  # noqa: BLE001 - any failure must still end the recording
            logger.exception("%s: recording failed", self.label)
            self.error = error
            self.writer.discard()
        finally:
            self._on_finished(self)

    def _process_until_stop(self) -> int:
        while True:
            try:
                kind, key, packet, arrival_ms = self._queue.get(timeout=TICK_S)
            except queue.Empty:
                kind = None
            if kind == _STOP:
                return arrival_ms
            if kind is not None:
                self._handle(kind, key, packet, arrival_ms - self.start_ms)
            self._mix_until(_monotonic_ms() - self.start_ms - MIXING_DELAY_MS)

    def _handle(self, kind: int, key: str, packet: bytes, at_ms: int) -> None:
        try:
            if kind == _AUDIO:
                self._handle_audio(key, packet, at_ms)
            else:
                self._handle_video(key, packet, at_ms)
        except ValueError:
            # SRTP authenticated the packet, so a malformed one is the publisher's bug.
            self.malformed_packets += 1

    def _handle_audio(self, key: str, packet: bytes, at_ms: int) -> None:
        source = self._audio_sources.get(key)
        if source is None:
            source = self._audio_sources[key] = OpusSource()
            logger.info("%s: mixing audio track %s", self.label, key)
        source.push(packet, at_ms, self._mixer)
        self.has_media = True

    def _handle_video(self, key: str, packet: bytes, at_ms: int) -> None:
        if key != self._video_key:
            # The tap switched sources on a key frame: start the new one clean.
            logger.info("%s: recording video from %s", self.label, key)
            self._video_key = key
            self._assembler = Vp8FrameAssembler()
            self._video_clock = StreamClock(90_000)

        for frame in self._assembler.push(packet, at_ms):
            frame_ms = self._video_clock.to_recording_ms(frame.timestamp, frame.arrival_ms)
            self.writer.write_video(frame, round(frame_ms))
            self.has_media = True
        if self._assembler.awaiting_keyframe and at_ms - self._last_keyframe_request_ms >= \
                KEYFRAME_REQUEST_INTERVAL_MS:
            self._last_keyframe_request_ms = at_ms
            self._on_keyframe_needed()

    def _mix_until(self, at_ms: int) -> None:
        if at_ms <= 0:
            return
        first = self._mixer.next_frame
        for offset, samples in enumerate(self._mixer.take_until(at_ms * SAMPLE_RATE // 1000)):
            self.writer.write_audio(first + offset, samples)
        self.writer.open_without_video(at_ms)

    def _finish(self, end_ms: int) -> None:
        self._mix_until(end_ms - self.start_ms)
        try:
            self.result = self.writer.finish(self.min_duration_ms, self.has_media)
        except RecordingDiscarded as discarded:
            self.discard_reason = str(discarded)


def _monotonic_ms() -> int:
    return int(time.monotonic() * 1000)
