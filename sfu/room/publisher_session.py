# SPDX-License-Identifier: AGPL-3.0-or-later
"""The publisher side of a participant: AddTrack, the client's offers, incoming media.

The client announces each track with AddTrackRequest (the SFU answers with
TrackPublishedResponse and a TR_ id), then renegotiates its publisher
connection. The offer's msid names the track by the client's `cid`, which is
how an m-section is bound to its PublishedTrack. Tracks the grants do not
allow are refused at AddTrack, and an m-section whose track was never
announced (or was refused) carries media that is never forwarded.
"""

import json
import logging
from typing import TYPE_CHECKING

from livekit.protocol import models as pb
from livekit.protocol import rtc as rtc_pb

from sfu.media.published_track import PublishedTrack
from sfu.media.publisher_ingress import PublisherIngress
from sfu.signaling import protocol
from sfu.webrtc import sdp
from sfu.webrtc.peer_transport import PeerTransport, RemoteParameters
from sfu.webrtc.publisher_answer import AcceptedMedia, build_answer

if TYPE_CHECKING:
    from sfu.room.participant import Participant

logger = logging.getLogger(__name__)

# A client may announce more tracks than it publishes, but not without bound.
MAX_TRACKS_PER_PARTICIPANT = 16


class PublisherSession:
    def __init__(self, participant: "Participant") -> None:
        self.participant = participant
        room = participant.room
        self.transport = PeerTransport(
            f"{participant.label} publisher", ice_controlling=False, with_sctp=True,
            allowed_remote_networks=room.config.rtc.allowed_remote_networks,
        )
        self.pending: dict[str, PublishedTrack] = {}  # cid -> announced, not yet bound
        self.ingress = PublisherIngress(participant, self.transport)
        self.transport.on_closed = self._on_transport_closed
        if self.transport.sctp is not None:
            self.transport.sctp.on("datachannel", participant.data.adopt_channel)

    async def prepare(self) -> None:
        await self.transport.gather()

    @property
    def label(self) -> str:
        return self.participant.label

    # AddTrack ------------------------------------------------------------------

    async def handle_add_track(self, request: rtc_pb.AddTrackRequest) -> None:
        participant = self.participant
        source_name = protocol.SOURCE_NAMES.get(request.source, "camera" if
                                                request.type == pb.TrackType.VIDEO else "microphone")

        reason = None
        if not participant.grant.may_publish_source(source_name):
            reason = f"publishing {source_name} is not allowed for this participant"
        elif request.type not in (pb.TrackType.AUDIO, pb.TrackType.VIDEO):
            reason = "only audio and video tracks can be published"
        elif len(participant.tracks) + len(self.pending) >= MAX_TRACKS_PER_PARTICIPANT:
            reason = f"at most {MAX_TRACKS_PER_PARTICIPANT} tracks per participant"
        elif not request.cid or request.cid in self.pending:
            reason = "missing or duplicate track cid"

        if reason is not None:
            logger.info("%s: rejected AddTrack cid=%s source=%s: %s", self.label,
                        request.cid[:64], source_name, reason)
            await participant.send(rtc_pb.SignalResponse(request_response=rtc_pb.RequestResponse(
                reason=rtc_pb.RequestResponse.NOT_ALLOWED, message=reason, add_track=request,
            )))
            return

        track = PublishedTrack(participant, request)
        self.pending[request.cid] = track
        logger.info("%s: track %s announced (cid=%s, %s, %s)", self.label, track.sid,
                    request.cid[:64], track.kind, source_name)
        await participant.send(rtc_pb.SignalResponse(track_published=rtc_pb.TrackPublishedResponse(
            cid=request.cid, track=track.to_proto(),
        )))

    # Offer/answer --------------------------------------------------------------

    async def handle_offer(self, offer: rtc_pb.SessionDescription) -> None:
        try:
            description = sdp.parse(offer.sdp)
            self._check_transport_lines(description)
        except sdp.SdpError as error:
            logger.warning("%s: rejected publisher offer: %s", self.label, error)
            await self.participant.room.remove(
                self.participant, pb.DisconnectReason.STATE_MISMATCH,
                message=f"invalid SDP offer: {error}",
            )
            return

        transport = self.transport
        answer = build_answer(description, transport.ice_parameters.usernameFragment,
                              transport.ice_parameters.password, transport.fingerprints,
                              transport.candidate_lines())
        newly_bound = self._bind_tracks(answer.accepted)
        self.ingress.configure(answer.accepted)

        text = sdp.write(answer.description, session_id=id(self) & 0xFFFFFFFF,
                         session_version=offer.id)
        await self.participant.send(rtc_pb.SignalResponse(answer=rtc_pb.SessionDescription(
            type="answer", sdp=text, id=offer.id,
        )))

        first = description.media[0] if description.media else None
        if first is not None:
            for media in description.media:
                for candidate in media.candidates:
                    await transport.add_remote_candidate(candidate)
            transport.start(RemoteParameters(
                ice_ufrag=first.ice_ufrag or "", ice_pwd=first.ice_pwd or "",
                fingerprints=first.fingerprints, ice_lite=description.ice_lite,
                sctp_port=answer.sctp_port, max_message_size=answer.max_message_size,
            ), dtls_role="client")

        # livekit-client unpublishes by removing the sender and renegotiating:
        # the track's m-section stops sending, and no message says so.
        sending = {media.mid for media in answer.accepted}
        for track in list(self.participant.tracks.values()):
            if track.mid not in sending:
                await self.unpublish(track, reason="the client stopped sending it")

        if newly_bound:
            await self.participant.room.publish_tracks(self.participant, newly_bound)

    def _check_transport_lines(self, description: sdp.SessionDescription) -> None:
        if not description.media:
            raise sdp.SdpError("offer has no media sections")
        first = description.media[0]
        if not first.ice_ufrag or not first.ice_pwd:
            raise sdp.SdpError("offer lacks ICE credentials")
        if not first.fingerprints:
            raise sdp.SdpError("offer lacks a DTLS fingerprint")

    def _bind_tracks(self, accepted: list[AcceptedMedia]) -> list[PublishedTrack]:
        newly_bound = []
        for media in accepted:
            track = self.pending.pop(media.track_id or "", None)
            if track is None:
                if not any(t.mid == media.mid for t in self.participant.tracks.values()):
                    logger.info("%s: m-section mid=%s carries no announced track; its media "
                                "is not forwarded", self.label, media.mid)
                continue
            source_name = _source_name(track)
            if not self.participant.grant.may_publish_source(source_name):
                # The grant was revoked between AddTrack and this offer.
                logger.info("%s: track %s (%s) no longer allowed; its media is not forwarded",
                            self.label, track.sid, source_name)
                continue
            if track.kind != media.kind:
                logger.warning("%s: track %s announced as %s but negotiated as %s",
                               self.label, track.sid, track.kind, media.kind)
                continue
            track.bind(media.mid, media.codec, media.rtx_payload_type, media.rids)
            self.participant.tracks[track.sid] = track
            newly_bound.append(track)
        return newly_bound

    async def add_trickle_candidate(self, candidate_init: str) -> None:
        await add_trickle_candidate(self.transport, candidate_init, self.label)

    def drop_disallowed_pending(self) -> None:
        """Forget announced, not yet negotiated tracks that the current grant no longer allows."""
        for cid, track in list(self.pending.items()):
            source_name = _source_name(track)
            if not self.participant.grant.may_publish_source(source_name):
                del self.pending[cid]
                logger.info("%s: announced track %s (%s) dropped: permission revoked",
                            self.label, track.sid, source_name)

    # Unpublish -------------------------------------------------------------------

    async def unpublish(self, track: PublishedTrack, reason: str) -> None:
        if self.participant.tracks.pop(track.sid, None) is None:
            return
        logger.info("%s: track %s unpublished (%s)", self.label, track.sid, reason)
        self.ingress.forget_track(track)
        await self.participant.send(rtc_pb.SignalResponse(
            track_unpublished=rtc_pb.TrackUnpublishedResponse(track_sid=track.sid)))
        await self.participant.room.unpublish_track(track)

    def _on_transport_closed(self) -> None:
        self.participant.room.on_media_lost(self.participant)

    async def close(self) -> None:
        self.ingress.stop()
        await self.transport.close()


def _source_name(track: PublishedTrack) -> str:
    """Return the grant name of a track's source; AddTrack judges an unknown source the same way."""
    return protocol.SOURCE_NAMES.get(track.source, "camera" if track.is_video else "microphone")


async def add_trickle_candidate(transport: PeerTransport, candidate_init: str, label: str) -> None:
    """Add a trickled candidate given as JSON RTCIceCandidateInit; bad input is logged."""
    try:
        candidate = json.loads(candidate_init).get("candidate", "")
    except (ValueError, AttributeError):
        logger.info("%s: ignoring malformed trickle candidate", label)
        return
    if not isinstance(candidate, str) or not candidate:
        return  # end-of-candidates
    try:
        await transport.add_remote_candidate(candidate)
    except (ValueError, IndexError) as error:
        logger.info("%s: ignoring invalid ICE candidate: %s", label, error)
