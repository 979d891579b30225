# SPDX-License-Identifier: AGPL-3.0-or-later
"""Start and stop room recordings, and remember how recent ones ended.

At most one recording runs per room. Starting is rejected, with a reason
the admin API returns, when this SFU has no recording folder, when the
room already records, and when any track in the room is end-to-end
encrypted. While a recording runs the room's `active_recording` flag is
set, which clients see in JoinResponse and RoomUpdate. Start and end are
reported as LiveKit `egress_started` and `egress_ended` webhooks.
"""

import asyncio
import logging
from collections import deque
from typing import TYPE_CHECKING

from livekit.protocol import egress as egress_pb
from livekit.protocol import models as pb

from sfu.config import SfuConfig
from sfu.recording.recovery import recover_interrupted
from sfu.recording.room_recorder import STOPPED_BY_REQUEST, RoomRecorder

if TYPE_CHECKING:
    from sfu.admin.webhooks import WebhookNotifier
    from sfu.room.room import Room

logger = logging.getLogger(__name__)

# Finished recordings that ListRoomRecordings still reports.
HISTORY_SIZE = 200


class RecordingRejected(Exception):
    """A recording cannot start or stop; `code` is the Twirp error code to answer with."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class RecordingManager:
    def __init__(self, config: SfuConfig, webhooks: "WebhookNotifier") -> None:
        self._config = config.recording
        self._webhooks = webhooks
        self._history: deque[egress_pb.EgressInfo] = deque(maxlen=HISTORY_SIZE)
        self._active: dict[str, RoomRecorder] = {}
        self._recovery: asyncio.Task[None] | None = None

    @property
    def enabled(self) -> bool:
        return self._config.directory is not None

    def start_recovery(self) -> None:
        """Repair files a killed SFU left unfinished, in a background thread."""
        if self.enabled and self._recovery is None:
            self._recovery = asyncio.ensure_future(asyncio.to_thread(
                recover_interrupted, self._config.directory, self._config.min_duration_s * 1000))

    async def start(self, room: "Room", initiator_identities: tuple[str, ...]) -> egress_pb.EgressInfo:
        if self._config.directory is None:
            raise RecordingRejected("failed_precondition",
                                   "recording is not enabled on this SFU (recording.directory is not set)")
        if room.recording is not None:
            raise RecordingRejected("already_exists",
                                   f"the room is already being recorded ({room.recording.egress_id})")
        encrypted = [track.sid for participant in room.participants.values()
                     for track in participant.tracks.values()
                     if track.encryption != pb.Encryption.NONE]
        if encrypted:
            raise RecordingRejected("failed_precondition",
                                   "the room has end-to-end encrypted tracks, which cannot be recorded")

        recorder = RoomRecorder(room, self._config, self._config.directory, initiator_identities,
                                on_ended=self._on_ended)
        room.recording = recorder
        room.active_recording = True
        self._active[recorder.egress_id] = recorder
        recorder.start()
        await room.broadcast_room_update()
        info = recorder.to_egress_info()
        self._webhooks.egress_event("egress_started", info)
        return info

    async def stop(self, room: "Room") -> egress_pb.EgressInfo:
        if room.recording is None:
            raise RecordingRejected("not_found", "the room is not being recorded")
        return await room.recording.stop(STOPPED_BY_REQUEST)

    def list(self, room_name: str | None) -> list[egress_pb.EgressInfo]:
        """Running recordings first, then finished ones, newest first."""
        running = [recorder.to_egress_info() for recorder in self._active.values()]
        finished = list(reversed(self._history))
        return [info for info in running + finished if room_name is None or info.room_name == room_name]

    async def stop_all(self) -> None:
        """Finalise every running recording; the SFU is shutting down."""
        for recorder in list(self._active.values()):
            await recorder.stop("the SFU is shutting down")

    def _on_ended(self, recorder: RoomRecorder, info: egress_pb.EgressInfo) -> None:
        self._active.pop(recorder.egress_id, None)
        self._history.append(info)
        room = recorder.room
        if room.recording is recorder:
            room.recording = None
            room.active_recording = False
            if not room.closed:
                task = asyncio.ensure_future(room.broadcast_room_update())
                task.add_done_callback(_log_failure)
        self._webhooks.egress_event("egress_ended", info)


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("Announcing the end of a recording failed", exc_info=task.exception())
