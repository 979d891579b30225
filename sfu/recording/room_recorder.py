# SPDX-License-Identifier: AGPL-3.0-or-later
"""One recording of one room, run from the event loop.

The recorder taps every recordable audio track and one video source (see
video_source.py), hands the packets to its RecordingWorker thread, and ends
the recording when asked to, when the room empties, when its initiator
leaves (after a grace period when the client was only asked to rejoin),
when the room closes
(SFU shutdown included), at the maximum duration, or when the worker fails.
Whatever the reason, the file is finalised (or discarded when too short),
clients learn through RoomUpdate that recording stopped, and an
`egress_ended` webhook carries the outcome.

End-to-end encrypted tracks are never tapped: the SFU cannot read them,
and a room that already has one cannot start a recording at all.
"""

import asyncio
import logging
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from livekit.protocol import egress as egress_pb
from livekit.protocol import models as pb

from sfu.recording.recording_taps import AudioTap, VideoTap
from sfu.recording.recording_worker import RecordingWorker
from sfu.recording.video_source import choose_layer, choose_video_track
from sfu.recording.webm_writer import WebmWriter

if TYPE_CHECKING:
    from sfu.config import RecordingConfig
    from sfu.media.published_track import PublishedTrack
    from sfu.room.participant import Participant
    from sfu.room.room import Room

logger = logging.getLogger(__name__)

CHECK_INTERVAL_S = 0.5
# Finishing a file takes milliseconds; a worker still busy after this is stuck,
# and the .part file it leaves is repaired at the next SFU start.
FINISH_TIMEOUT_S = 30

# Reasons a recording ends, sent as EgressInfo.details and logged.
STOPPED_BY_REQUEST = "stopped through the admin API"
STOPPED_ROOM_EMPTY = "everyone left the room"
STOPPED_INITIATOR_LEFT = "the participant who started it left"
STOPPED_ROOM_CLOSED = "the room closed"
STOPPED_LIMIT = "the maximum duration was reached"
STOPPED_WORKER_FAILED = "writing the file failed"


def new_egress_id() -> str:
    return "EG_" + secrets.token_urlsafe(9).replace("-", "x").replace("_", "y")


class RoomRecorder:
    def __init__(self, room: "Room", config: "RecordingConfig", directory: Path,
                 initiator_identities: tuple[str, ...],
                 on_ended: Callable[["RoomRecorder", egress_pb.EgressInfo], None]) -> None:
        self.room = room
        self.egress_id = new_egress_id()
        self.label = f"room={room.name} recording={self.egress_id}"
        self.config = config
        self.initiator_identities = frozenset(initiator_identities)
        self.started_at_ns = time.time_ns()
        self.start_ms = _monotonic_ms()
        self._on_ended = on_ended
        self._loop = asyncio.get_running_loop()

        self.writer = WebmWriter(directory / f"{self.egress_id}.webm")
        self.worker = RecordingWorker(
            self.label, self.writer, self.start_ms, config.min_duration_s * 1000,
            on_keyframe_needed=lambda: self._loop.call_soon_threadsafe(self._video.request_keyframe),
            on_finished=lambda worker: self._loop.call_soon_threadsafe(self._on_worker_finished),
        )
        self._finished = self._loop.create_future()
        self._audio_taps: dict[str, AudioTap] = {}
        self._video = VideoTap(self.worker, self.label)
        self._video_track: "PublishedTrack | None" = None
        self._video_since_ms = 0
        self._initiator_seen = False
        self._departure_timer: asyncio.TimerHandle | None = None
        self._check_task: asyncio.Task[None] | None = None
        self._stopping: asyncio.Task[egress_pb.EgressInfo] | None = None
        self.ended_info: egress_pb.EgressInfo | None = None

    # Starting ---------------------------------------------------------------------

    def start(self) -> None:
        self.worker.start()
        for participant in self.room.participants.values():
            self._note_initiator(participant)
            self.on_tracks_published(list(participant.tracks.values()))
        self._choose_video()
        self._check_task = asyncio.ensure_future(self._check_forever())
        logger.info("%s: started (initiators: %d, file %s)", self.label,
                    len(self.initiator_identities), self.writer.path)

    # Room events ------------------------------------------------------------------

    def on_participant_joined(self, participant: "Participant") -> None:
        self._note_initiator(participant)
        if self._departure_timer is not None and not self._departure_reason():
            logger.info("%s: %s came back; recording continues", self.label, participant.identity)
            self._departure_timer.cancel()
            self._departure_timer = None

    def on_tracks_published(self, tracks: list["PublishedTrack"]) -> None:
        for track in tracks:
            if track.is_video or track.sid in self._audio_taps or not track.published:
                continue
            if track.encryption != pb.Encryption.NONE:
                logger.info("%s: not recording end-to-end encrypted track %s", self.label, track.sid)
                continue
            if track.codec is None or track.codec.mime_type != "opus":
                logger.info("%s: not recording audio track %s: codec %s is not Opus", self.label,
                            track.sid, track.codec.mime_type if track.codec else "unknown")
                continue
            tap = self._audio_taps[track.sid] = AudioTap(track, self.worker)
            tap.start()
        self._choose_video()

    def on_track_unpublished(self, track: "PublishedTrack") -> None:
        tap = self._audio_taps.pop(track.sid, None)
        if tap is not None:
            tap.close()
        self._video.forget_track(track)
        if self._video_track is track:
            self._video_track = None
            self._choose_video()

    def on_participant_left(self, participant: "Participant", reason: int) -> None:
        if reason == pb.DisconnectReason.DUPLICATE_IDENTITY or self._departure_timer is not None:
            return  # the same identity connected again at once
        departure = self._departure_reason()
        if departure is None:
            return
        if reason != pb.DisconnectReason.MEDIA_FAILURE:
            # A lost signal connection was already given the departure
            # timeout to come back; a deliberate leave needs none.
            self.request_stop(departure)
            return
        # The client was asked to rejoin after a media failure, so give it time.
        grace_s = self.room.config.room.departure_timeout_s
        logger.info("%s: %s; stopping in %d s unless they return", self.label, departure, grace_s)
        self._departure_timer = self._loop.call_later(
            grace_s, lambda: self.request_stop(departure))

    def _note_initiator(self, participant: "Participant") -> None:
        if participant.identity in self.initiator_identities:
            self._initiator_seen = True

    def _departure_reason(self) -> str | None:
        present = [p for p in self.room.participants.values() if not p.hidden]
        if not present:
            return STOPPED_ROOM_EMPTY
        if self._initiator_seen and not any(p.identity in self.initiator_identities for p in present):
            return STOPPED_INITIATOR_LEFT
        return None

    # Video source -----------------------------------------------------------------

    async def _check_forever(self) -> None:
        while True:
            await asyncio.sleep(CHECK_INTERVAL_S)
            try:
                self._check()
            except Exception:
                logger.exception("%s: periodic check failed", self.label)

    def _check(self) -> None:
        if _monotonic_ms() - self.start_ms >= self.config.max_duration_s * 1000:
            self.request_stop(STOPPED_LIMIT, egress_pb.EgressStatus.EGRESS_LIMIT_REACHED)
            return
        self._choose_video()
        self._video.retry_pending_switch()

    def _choose_video(self) -> None:
        now_ms = _monotonic_ms()
        tracks = [track for participant in self.room.participants.values()
                  for track in participant.tracks.values()]
        chosen = choose_video_track(tracks, self.room.speakers.dominant, self._video_track,
                                    self._video_since_ms, now_ms)
        if chosen is not self._video_track:
            logger.info("%s: video source is now %s", self.label,
                        f"{chosen.owner.identity} {chosen.sid}" if chosen else "none")
            self._video_track = chosen
            self._video_since_ms = now_ms
        self._video.aim(choose_layer(chosen, now_ms) if chosen is not None else None)

    # Stopping ---------------------------------------------------------------------

    def request_stop(self, reason: str,
                     status: int = egress_pb.EgressStatus.EGRESS_COMPLETE) -> None:
        """Stop in the background; for callers that cannot await."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop(reason, status))

    async def stop(self, reason: str,
                   status: int = egress_pb.EgressStatus.EGRESS_COMPLETE) -> egress_pb.EgressInfo:
        """Finalise the file and return the recording's outcome; later calls return the same."""
        self.request_stop(reason, status)
        assert self._stopping is not None
        return await asyncio.shield(self._stopping)

    async def _stop(self, reason: str, status: int) -> egress_pb.EgressInfo:
        logger.info("%s: stopping: %s", self.label, reason)
        ended_at_ns = time.time_ns()
        self._detach()
        self.worker.request_stop(_monotonic_ms())
        try:
            await asyncio.wait_for(asyncio.shield(self._finished), FINISH_TIMEOUT_S)
        except asyncio.TimeoutError:
            logger.error("%s: the recorder did not finish the file within %d s", self.label,
                         FINISH_TIMEOUT_S)
            self.worker.error = TimeoutError(f"file not finished within {FINISH_TIMEOUT_S} s")
        info = self._outcome(reason, status, ended_at_ns)
        self.ended_info = info
        self._on_ended(self, info)
        return info

    def _detach(self) -> None:
        if self._check_task is not None:
            self._check_task.cancel()
        if self._departure_timer is not None:
            self._departure_timer.cancel()
        for tap in self._audio_taps.values():
            tap.close()
        self._audio_taps.clear()
        self._video.close()

    def _on_worker_finished(self) -> None:
        if not self._finished.done():
            self._finished.set_result(None)
        if self.worker.error is not None:
            self.request_stop(STOPPED_WORKER_FAILED, egress_pb.EgressStatus.EGRESS_FAILED)

    def _outcome(self, reason: str, status: int, ended_at_ns: int) -> egress_pb.EgressInfo:
        info = self.to_egress_info()
        info.ended_at = ended_at_ns
        info.updated_at = ended_at_ns
        info.details = reason
        worker = self.worker
        if worker.error is not None:
            info.status = egress_pb.EgressStatus.EGRESS_FAILED
            info.error = f"{STOPPED_WORKER_FAILED}: {worker.error}"
            logger.error("%s: failed: %s", self.label, worker.error)
        elif worker.result is None:
            info.status = egress_pb.EgressStatus.EGRESS_ABORTED
            info.error = f"discarded: {worker.discard_reason}"
            logger.info("%s: discarded, nothing kept: %s", self.label, worker.discard_reason)
        else:
            info.status = status
            written = worker.result
            info.file_results.append(egress_pb.FileInfo(
                filename=written.path.name, location=str(written.path),
                started_at=self.started_at_ns, ended_at=ended_at_ns,
                duration=written.duration_ms * 1_000_000, size=written.size_bytes,
            ))
            logger.info("%s: finished (%s): %s, %.1f s, %d bytes, %d video frames, "
                        "%d audio frames, %d malformed and %d dropped packets", self.label, reason,
                        written.path.name, written.duration_ms / 1000, written.size_bytes,
                        self.writer.video_frames, self.writer.audio_frames,
                        worker.malformed_packets, worker.dropped_packets)
        return info

    def to_egress_info(self) -> egress_pb.EgressInfo:
        """Return the recording as LiveKit's EgressInfo: ids, status and times."""
        return egress_pb.EgressInfo(
            egress_id=self.egress_id, room_id=self.room.sid, room_name=self.room.name,
            source_type=egress_pb.EgressSourceType.EGRESS_SOURCE_TYPE_SDK,
            status=egress_pb.EgressStatus.EGRESS_ACTIVE,
            started_at=self.started_at_ns, updated_at=time.time_ns(),
        )


def _monotonic_ms() -> int:
    return int(time.monotonic() * 1000)
