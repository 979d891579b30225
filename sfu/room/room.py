# SPDX-License-Identifier: AGPL-3.0-or-later
"""A room: its participants, who sees whom, and fan-out of tracks and data.

All room state changes happen on the event loop, so no locking is needed;
an error while serving one participant is logged and never stops the room.
"""

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Iterable

from livekit.protocol import models as pb
from livekit.protocol import rtc as rtc_pb

from sfu.auth import AccessToken
from sfu.config import SfuConfig
from sfu.recording.room_recorder import STOPPED_ROOM_CLOSED
from sfu.room.ids import room_sid
from sfu.room.last_n import LastN
from sfu.room.participant import Participant
from sfu.room.permission_overrides import PermissionOverrides
from sfu.room.speakers import SpeakerTracker
from sfu.signaling import protocol

if TYPE_CHECKING:
    from sfu.admin.webhooks import WebhookNotifier
    from sfu.media.published_track import PublishedTrack
    from sfu.recording.room_recorder import RoomRecorder
    from sfu.room.registry import RoomRegistry

logger = logging.getLogger(__name__)


class Room:
    def __init__(self, name: str, config: SfuConfig, registry: "RoomRegistry",
                 webhooks: "WebhookNotifier") -> None:
        self.name = name
        self.sid = room_sid()
        self.config = config
        self.registry = registry
        self.webhooks = webhooks
        self.created_at = time.time()
        self.metadata = ""
        self.active_recording = False
        # The running recording, set and cleared by RecordingManager.
        self.recording: "RoomRecorder | None" = None
        self.participants: dict[str, Participant] = {}
        self.speakers = SpeakerTracker(self)
        self.last_n = LastN(self, config.room.last_n)
        self._departures: dict[str, asyncio.TimerHandle] = {}
        self.permission_overrides = PermissionOverrides(name)
        self.closed = False

    # Membership ----------------------------------------------------------------

    async def join(self, access: AccessToken, auto_subscribe: bool) -> Participant:
        existing = self.find_by_identity(access.identity)
        if existing is not None:
            # A second connection with the same identity replaces the first,
            # as after a page reload; the old one gets a leave with the reason.
            logger.info("room=%s: identity %s joined again; replacing %s",
                        self.name, access.identity, existing.sid)
            await self.remove(existing, pb.DisconnectReason.DUPLICATE_IDENTITY)

        participant = Participant(self, self.permission_overrides.apply(access), auto_subscribe)
        await participant.start()
        self.participants[participant.sid] = participant
        self.speakers.add(participant)
        self.last_n.add(participant)
        if self.recording is not None:
            self.recording.on_participant_joined(participant)
        logger.info("%s: joined (%d in room)", participant.label, len(self.participants))
        return participant

    def announce(self, participant: Participant) -> None:
        """Tell everyone about a participant that has received its JoinResponse."""
        participant.state = pb.ParticipantInfo.ACTIVE
        self._spawn(self.broadcast_update([participant]))
        self.webhooks.participant_event("participant_joined", self, participant)
        for other in list(self.participants.values()):
            if other is participant or not participant.auto_subscribe:
                continue
            for track in other.tracks.values():
                if track.published:
                    participant.subscriber.subscribe(track)

    async def remove(self, participant: Participant, reason: int, notify: bool = True,
                     message: str = "") -> None:
        if self.participants.pop(participant.sid, None) is None:
            return
        self._cancel_departure(participant)
        logger.info("%s: leaving (reason %s%s)", participant.label,
                    pb.DisconnectReason.Name(reason), f": {message}" if message else "")

        if notify:
            await participant.send(protocol.leave(reason))
        participant.disconnect_reason = reason
        self.speakers.remove(participant)
        self.last_n.remove(participant)

        for track in list(participant.tracks.values()):
            await self.unpublish_track(track)
        await participant.close()
        await self.broadcast_update([participant])
        self.webhooks.participant_event("participant_left", self, participant)
        if self.recording is not None:
            self.recording.on_participant_left(participant, reason)

        if not self.participants:
            self.registry.room_emptied(self)

    def find_by_identity(self, identity: str) -> Participant | None:
        for participant in self.participants.values():
            if participant.identity == identity:
                return participant
        return None

    def visible_participants(self) -> list[Participant]:
        return [p for p in self.participants.values() if not p.hidden]

    # Departures ----------------------------------------------------------------

    def on_signal_closed(self, participant: Participant) -> None:
        """Remove a participant whose WebSocket closed without a leave, unless it returns soon."""
        if participant.sid not in self.participants:
            return
        participant.detach_signal()
        timeout = self.config.room.departure_timeout_s
        logger.info("%s: signal connection lost; removing in %d s unless it returns",
                    participant.label, timeout)
        loop = asyncio.get_running_loop()
        self._departures[participant.sid] = loop.call_later(
            timeout, lambda: self._spawn(self.remove(participant, pb.DisconnectReason.SIGNAL_CLOSE,
                                                    notify=False)))

    def on_media_lost(self, participant: Participant) -> None:
        """A peer connection failed (ICE consent or DTLS); the client must rejoin."""
        if participant.sid not in self.participants or participant.closed:
            return
        logger.info("%s: media transport lost", participant.label)
        self._spawn(self._drop_for_rejoin(participant))

    async def _drop_for_rejoin(self, participant: Participant) -> None:
        await participant.send(protocol.leave(pb.DisconnectReason.MEDIA_FAILURE,
                                              action=rtc_pb.LeaveRequest.RECONNECT,
                                              can_reconnect=True))
        await self.remove(participant, pb.DisconnectReason.MEDIA_FAILURE, notify=False)

    def _cancel_departure(self, participant: Participant) -> None:
        handle = self._departures.pop(participant.sid, None)
        if handle is not None:
            handle.cancel()

    # Tracks --------------------------------------------------------------------

    async def publish_tracks(self, owner: Participant, tracks: list["PublishedTrack"]) -> None:
        for track in tracks:
            track.published = True
            self.webhooks.track_event("track_published", self, owner, track)
        owner.version += 1
        # Subscribers must know the track before an offer names it in an msid.
        await self.broadcast_update([owner])
        for participant in list(self.participants.values()):
            if participant is owner or not participant.auto_subscribe:
                continue
            for track in tracks:
                participant.subscriber.subscribe(track)
        if self.recording is not None:
            self.recording.on_tracks_published(tracks)

    async def unpublish_track(self, track: "PublishedTrack") -> None:
        track.published = False
        if self.recording is not None:
            self.recording.on_track_unpublished(track)
        for participant in list(self.participants.values()):
            participant.subscriber.unsubscribe(track)
        track.owner.tracks.pop(track.sid, None)
        track.owner.version += 1
        await self.broadcast_update([track.owner])

    def find_track(self, track_sid: str) -> "PublishedTrack | None":
        for participant in self.participants.values():
            track = participant.tracks.get(track_sid)
            if track is not None:
                return track
        return None

    # Broadcasts ----------------------------------------------------------------

    async def broadcast_update(self, changed: Iterable[Participant], include_self: bool = False) -> None:
        changed = list(changed)
        visible = [p for p in changed if not p.hidden]
        for participant in list(self.participants.values()):
            about = [p for p in visible if p is not participant]
            if include_self and participant in changed:
                about.append(participant)
            if about:
                await participant.send(protocol.participant_update(about))

    async def send_to_all(self, response: rtc_pb.SignalResponse) -> None:
        for participant in list(self.participants.values()):
            await participant.send(response)

    def relay_data(self, sender: Participant, packet: pb.DataPacket, label: str,
                   destinations: set[str]) -> None:
        payload = packet.SerializeToString()
        for participant in self.participants.values():
            if participant is sender:
                continue
            if destinations and participant.identity not in destinations:
                continue
            participant.data.send(label, payload)

    async def update_metadata(self, metadata: str) -> None:
        self.metadata = metadata
        await self.broadcast_room_update()

    async def broadcast_room_update(self) -> None:
        """Send the room's metadata and recording state to every participant."""
        await self.send_to_all(rtc_pb.SignalResponse(room_update=rtc_pb.RoomUpdate(room=self.to_proto())))

    def to_proto(self) -> pb.Room:
        return pb.Room(
            sid=self.sid,
            name=self.name,
            empty_timeout=self.config.room.empty_timeout_s,
            departure_timeout=self.config.room.departure_timeout_s,
            max_participants=self.config.room.max_participants,
            creation_time=int(self.created_at),
            creation_time_ms=int(self.created_at * 1000),
            metadata=self.metadata,
            num_participants=len(self.visible_participants()),
            num_publishers=sum(1 for p in self.participants.values() if p.tracks),
            active_recording=self.active_recording,
        )

    # Lifecycle -----------------------------------------------------------------

    async def close(self, reason: int = pb.DisconnectReason.ROOM_CLOSED) -> None:
        if self.closed:
            return
        self.closed = True
        if self.recording is not None:
            await self.recording.stop(STOPPED_ROOM_CLOSED)
        self.speakers.stop()
        for participant in list(self.participants.values()):
            await self.remove(participant, reason)
        logger.info("room=%s: closed", self.name)
        self.webhooks.room_event("room_finished", self)

    def _spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        task.add_done_callback(_log_task_error)


def _log_task_error(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("room task failed", exc_info=task.exception())
