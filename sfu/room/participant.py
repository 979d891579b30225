# SPDX-License-Identifier: AGPL-3.0-or-later
"""A participant: identity and grants, its two peer connections and its tracks.

Signaling requests from the client's WebSocket arrive in `handle_request`.
Publishing is handled by PublisherSession, forwarding to this participant by
SubscriberSession; this class holds the state both need and what the room
shows to other participants.
"""

import asyncio
import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Awaitable, Callable

from livekit.protocol import models as pb
from livekit.protocol import rtc as rtc_pb

from sfu.auth import AccessToken, VideoGrant
from sfu.media.forwarding_stats import ForwardingStats
from sfu.room.data_relay import DataRelay
from sfu.room.ids import participant_sid
from sfu.room.publisher_session import PublisherSession
from sfu.room.subscriber_session import SubscriberSession
from sfu.signaling import protocol

if TYPE_CHECKING:
    from sfu.media.published_track import PublishedTrack
    from sfu.room.room import Room

logger = logging.getLogger(__name__)

SignalSender = Callable[[rtc_pb.SignalResponse], Awaitable[None]]


class Participant:
    def __init__(self, room: "Room", access: AccessToken, auto_subscribe: bool) -> None:
        self.room = room
        self.sid = participant_sid()
        self.identity = access.identity
        self.name = access.name
        self.metadata = access.metadata
        self.attributes = dict(access.attributes)
        self.grant: VideoGrant = access.video
        self.access = access
        self.auto_subscribe = auto_subscribe
        self.joined_at = time.time()
        self.state = pb.ParticipantInfo.JOINING
        self.version = 0
        self.disconnect_reason = pb.DisconnectReason.UNKNOWN_REASON

        self.tracks: dict[str, "PublishedTrack"] = {}
        self.forwarding = ForwardingStats()
        self.data = DataRelay(self)
        self.publisher = PublisherSession(self)
        self.subscriber = SubscriberSession(self)

        self._send: SignalSender | None = None
        self.last_signal_at = time.monotonic()
        self.closed = False

    @property
    def label(self) -> str:
        """Room and participant ids for log lines."""
        return f"room={self.room.name} participant={self.sid} ({self.identity})"

    @property
    def hidden(self) -> bool:
        return self.grant.hidden

    # Signaling ---------------------------------------------------------------

    def attach_signal(self, send: SignalSender) -> None:
        self._send = send
        self.last_signal_at = time.monotonic()

    def detach_signal(self) -> None:
        self._send = None

    async def send(self, response: rtc_pb.SignalResponse) -> None:
        if self._send is None or self.closed:
            return
        try:
            await self._send(response)
        except ConnectionError:
            logger.info("%s: signal connection gone while sending", self.label)
            self._send = None

    async def start(self) -> None:
        """Gather ICE candidates for both connections before the client negotiates."""
        await asyncio.gather(self.publisher.prepare(), self.subscriber.prepare())
        self.state = pb.ParticipantInfo.JOINED

    async def handle_request(self, request: rtc_pb.SignalRequest) -> None:
        self.last_signal_at = time.monotonic()
        kind = request.WhichOneof("message")
        handler = getattr(self, f"_on_{kind}", None)
        if handler is None:
            logger.debug("%s: ignoring unsupported request %s", self.label, kind)
            return
        await handler(getattr(request, kind))

    async def _on_offer(self, offer: rtc_pb.SessionDescription) -> None:
        await self.publisher.handle_offer(offer)

    async def _on_answer(self, answer: rtc_pb.SessionDescription) -> None:
        await self.subscriber.handle_answer(answer)

    async def _on_trickle(self, trickle: rtc_pb.TrickleRequest) -> None:
        session = self.publisher if trickle.target == rtc_pb.PUBLISHER else self.subscriber
        await session.add_trickle_candidate(trickle.candidateInit)

    async def _on_add_track(self, request: rtc_pb.AddTrackRequest) -> None:
        await self.publisher.handle_add_track(request)

    async def _on_mute(self, request: rtc_pb.MuteTrackRequest) -> None:
        track = self.tracks.get(request.sid)
        if track is None:
            return
        track.client_muted = request.muted
        logger.info("%s: track %s %s by client", self.label, track.sid,
                    "muted" if request.muted else "unmuted")
        self.version += 1
        await self.room.broadcast_update([self])

    async def _on_subscription(self, request: rtc_pb.UpdateSubscription) -> None:
        track_sids = list(request.track_sids)
        for participant_tracks in request.participant_tracks:
            track_sids.extend(participant_tracks.track_sids)
        await self.subscriber.update_subscriptions(track_sids, request.subscribe)

    async def _on_track_setting(self, request: rtc_pb.UpdateTrackSettings) -> None:
        self.subscriber.update_track_settings(request)

    async def _on_leave(self, request: rtc_pb.LeaveRequest) -> None:
        logger.info("%s: client asked to leave", self.label)
        await self.room.remove(self, pb.DisconnectReason.CLIENT_INITIATED, notify=False)

    async def _on_ping(self, timestamp: int) -> None:
        await self.send(rtc_pb.SignalResponse(pong=int(time.time() * 1000)))

    async def _on_ping_req(self, ping: rtc_pb.Ping) -> None:
        await self.send(rtc_pb.SignalResponse(pong_resp=rtc_pb.Pong(
            last_ping_timestamp=ping.timestamp, timestamp=int(time.time() * 1000),
        )))

    async def _on_update_metadata(self, request: rtc_pb.UpdateParticipantMetadata) -> None:
        if not self.grant.can_update_own_metadata:
            await self._reply(request.request_id, rtc_pb.RequestResponse.NOT_ALLOWED,
                              "the token does not allow updating metadata",
                              update_metadata=request)
            return
        if request.name:
            self.name = request.name
        if request.metadata:
            self.metadata = request.metadata
        self.attributes.update(request.attributes)
        self.version += 1
        await self._reply(request.request_id, rtc_pb.RequestResponse.OK, "",
                          update_metadata=request)
        await self.room.broadcast_update([self])

    async def _reply(self, request_id: int, reason: int, message: str, **request: object) -> None:
        await self.send(rtc_pb.SignalResponse(request_response=rtc_pb.RequestResponse(
            request_id=request_id, reason=reason, message=message, **request,
        )))

    # Permissions -------------------------------------------------------------

    async def update_permission(self, permission: pb.ParticipantPermission) -> None:
        """Apply new grants from the admin API; publishing stops at once if revoked."""
        sources = tuple(protocol.SOURCE_NAMES[s] for s in permission.can_publish_sources
                        if s in protocol.SOURCE_NAMES) or ("camera", "microphone",
                                                           "screen_share", "screen_share_audio")
        self.grant = replace(
            self.grant,
            can_publish=permission.can_publish,
            can_subscribe=permission.can_subscribe,
            can_publish_data=permission.can_publish_data,
            can_publish_sources=sources,
            hidden=permission.hidden,
            can_update_own_metadata=permission.can_update_metadata,
        )
        self.room.permission_overrides.remember(self.access, self.grant)
        logger.info("%s: permissions updated (publish=%s, sources=%s)", self.label,
                    self.grant.can_publish, ",".join(sources))
        self.publisher.drop_disallowed_pending()
        for track in list(self.tracks.values()):
            if not self.grant.may_publish_source(protocol.SOURCE_NAMES.get(track.source, "")):
                await self.publisher.unpublish(track, reason="permission revoked")
        self.version += 1
        await self.room.broadcast_update([self], include_self=True)

    # Presentation --------------------------------------------------------------

    def to_proto(self) -> pb.ParticipantInfo:
        return pb.ParticipantInfo(
            sid=self.sid,
            identity=self.identity,
            state=self.state,
            tracks=[t.to_proto() for t in self.tracks.values() if t.published],
            metadata=self.metadata,
            joined_at=int(self.joined_at),
            joined_at_ms=int(self.joined_at * 1000),
            name=self.name,
            version=self.version,
            permission=protocol.permission(self.grant),
            is_publisher=bool(self.tracks),
            kind=pb.ParticipantInfo.STANDARD,
            attributes=self.attributes,
            disconnect_reason=self.disconnect_reason,
        )

    # Shutdown ------------------------------------------------------------------

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.state = pb.ParticipantInfo.DISCONNECTED
        self._send = None
        await self.subscriber.close()
        await self.publisher.close()
        logger.info("%s: closed", self.label)
