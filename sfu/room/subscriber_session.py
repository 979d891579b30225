# SPDX-License-Identifier: AGPL-3.0-or-later
"""The subscriber side of a participant: what it receives and the SFU's offers.

Every subscription is a DownTrack in its own m-section slot. Changes are
collected and negotiated one offer at a time: the next offer goes out only
after the browser answered the previous one, because both sides may not
have offers outstanding on one connection (JSEP).
"""

import asyncio
import logging
from typing import TYPE_CHECKING

from livekit.protocol import rtc as rtc_pb

from sfu.media.down_track import DownTrack
from sfu.media.subscriber_egress import SubscriberEgress
from sfu.room.publisher_session import add_trickle_candidate
from sfu.webrtc import sdp
from sfu.webrtc.peer_transport import PeerTransport, RemoteParameters
from sfu.webrtc.subscriber_offer import CodecChoice, SubscriberOfferState, build_offer

if TYPE_CHECKING:
    from sfu.media.published_track import PublishedTrack
    from sfu.room.participant import Participant

logger = logging.getLogger(__name__)

# An offer unanswered for this long is considered lost and offered again.
ANSWER_TIMEOUT_S = 10.0


class SubscriberSession:
    def __init__(self, participant: "Participant") -> None:
        self.participant = participant
        self.transport = PeerTransport(
            f"{participant.label} subscriber", ice_controlling=True, with_sctp=False,
            allowed_remote_networks=participant.room.config.rtc.allowed_remote_networks,
        )
        self.offer_state = SubscriberOfferState()
        self.down_tracks: dict[str, DownTrack] = {}
        self.egress = SubscriberEgress(participant, self)
        self.transport.on_connected = self.egress.on_connected
        self.transport.on_closed = self._on_transport_closed

        self._offer_id = 0
        self._awaiting_answer: int | None = None
        self._offer_timer: asyncio.TimerHandle | None = None
        self._renegotiate = False
        self._negotiation_task: asyncio.Task[None] | None = None

    @property
    def label(self) -> str:
        return self.participant.label

    async def prepare(self) -> None:
        await self.transport.gather()

    # Subscriptions ---------------------------------------------------------------

    def subscribe(self, track: "PublishedTrack") -> None:
        participant = self.participant
        if track.sid in self.down_tracks or track.owner is participant:
            return
        if not participant.grant.can_subscribe or track.codec is None:
            return

        slot = self.offer_state.take_slot(track.kind)
        slot.assign(f"{track.owner.sid}|{track.sid}", track.sid,
                    CodecChoice.for_publisher_codec(track.kind, track.codec))
        down_track = DownTrack(self, track, slot)
        self.down_tracks[track.sid] = down_track
        down_track.start()
        participant.room.last_n.apply(participant)
        logger.info("%s: subscribed to %s (mid %s)", self.label, track.sid, slot.mid)
        self.request_negotiation()

    def unsubscribe(self, track: "PublishedTrack") -> None:
        down_track = self.down_tracks.pop(track.sid, None)
        if down_track is None:
            return
        down_track.close()
        down_track.slot.release()
        logger.info("%s: unsubscribed from %s", self.label, track.sid)
        self.request_negotiation()

    async def update_subscriptions(self, track_sids: list[str], subscribe: bool) -> None:
        for track_sid in track_sids:
            track = self.participant.room.find_track(track_sid)
            if track is None:
                continue
            if subscribe:
                self.subscribe(track)
            else:
                self.unsubscribe(track)

    def update_track_settings(self, request: rtc_pb.UpdateTrackSettings) -> None:
        for track_sid in request.track_sids:
            down_track = self.down_tracks.get(track_sid)
            if down_track is not None:
                down_track.apply_settings(request)

    # Negotiation -----------------------------------------------------------------

    def request_negotiation(self) -> None:
        if self.participant.closed:
            return
        if self._awaiting_answer is not None:
            self._renegotiate = True
            return
        if self._negotiation_task is None or self._negotiation_task.done():
            self._negotiation_task = asyncio.ensure_future(self._send_offer())

    async def _send_offer(self) -> None:
        # Let other changes of the same moment join this offer.
        await asyncio.sleep(0)
        if not self.offer_state.slots or self._awaiting_answer is not None:
            return

        self._offer_id += 1
        params = self.transport.ice_parameters
        description = build_offer(
            self.offer_state, params.usernameFragment, params.password,
            self.transport.fingerprints, self.transport.candidate_lines(),
            cname=self.participant.sid,
        )
        text = sdp.write(description, session_id=id(self) & 0xFFFFFFFF, session_version=self._offer_id)
        self._awaiting_answer = self._offer_id
        self._renegotiate = False
        loop = asyncio.get_running_loop()
        self._offer_timer = loop.call_later(ANSWER_TIMEOUT_S, self._on_answer_timeout, self._offer_id)
        await self.participant.send(rtc_pb.SignalResponse(offer=rtc_pb.SessionDescription(
            type="offer", sdp=text, id=self._offer_id,
        )))

    def _on_answer_timeout(self, offer_id: int) -> None:
        if self._awaiting_answer == offer_id:
            logger.warning("%s: subscriber offer %d unanswered after %.0f s; offering again",
                           self.label, offer_id, ANSWER_TIMEOUT_S)
            self._awaiting_answer = None
            self.request_negotiation()

    async def handle_answer(self, answer: rtc_pb.SessionDescription) -> None:
        if self._awaiting_answer is None or (answer.id and answer.id != self._awaiting_answer):
            logger.info("%s: ignoring unexpected subscriber answer id=%d", self.label, answer.id)
            return
        try:
            description = sdp.parse(answer.sdp)
            if not description.media or not description.media[0].ice_ufrag:
                raise sdp.SdpError("answer lacks ICE credentials")
        except sdp.SdpError as error:
            logger.warning("%s: invalid subscriber answer: %s", self.label, error)
            return

        if self._offer_timer is not None:
            self._offer_timer.cancel()
        self._awaiting_answer = None
        self.offer_state.mark_answered()

        first = description.media[0]
        for media in description.media:
            for candidate in media.candidates:
                await self.transport.add_remote_candidate(candidate)
        # Our offer has setup:actpass, so an active answerer makes the SFU the DTLS server.
        role = "client" if first.setup == "passive" else "server"
        self.transport.start(RemoteParameters(
            ice_ufrag=first.ice_ufrag or "", ice_pwd=first.ice_pwd or "",
            fingerprints=first.fingerprints, ice_lite=description.ice_lite,
        ), dtls_role=role)

        if self._renegotiate:
            self.request_negotiation()

    async def add_trickle_candidate(self, candidate_init: str) -> None:
        await add_trickle_candidate(self.transport, candidate_init, self.label)

    def _on_transport_closed(self) -> None:
        self.participant.room.on_media_lost(self.participant)

    async def close(self) -> None:
        if self._offer_timer is not None:
            self._offer_timer.cancel()
        for down_track in self.down_tracks.values():
            down_track.close()
        self.down_tracks.clear()
        self.egress.stop()
        await self.transport.close()
