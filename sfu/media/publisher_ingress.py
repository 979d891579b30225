# SPDX-License-Identifier: AGPL-3.0-or-later
"""Media arriving on a participant's publisher connection.

Each RTP packet is routed by SSRC to the layer it belongs to. SSRCs are
learnt from the offer (`a=ssrc` lines) or, with simulcast, from the mid and
rid header extensions of the first packet of each stream (RFC 8852), and
RTX streams from repaired-rid or their FID pairing. RTCP towards the
publisher is terminated here: the SFU sends its own receiver reports, NACKs
for gaps it saw, keyframe requests and transport-wide congestion control
feedback, instead of relaying subscribers' RTCP.
"""

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from sfu.media.layer import Layer
from sfu.room.ids import random_ssrc
from sfu.rtp import rtcp
from sfu.rtp.header import (
    decode_mid,
    decode_rid,
    find_extension,
    find_transport_sequence,
    payload_bounds,
)
from sfu.rtp.rtx import restore_original
from sfu.rtp.twcc import TransportCcRecorder
from sfu.webrtc import rtp_extensions as ext

if TYPE_CHECKING:
    from sfu.media.published_track import PublishedTrack
    from sfu.room.participant import Participant
    from sfu.webrtc.peer_transport import PeerTransport
    from sfu.webrtc.publisher_answer import AcceptedMedia

logger = logging.getLogger(__name__)

FEEDBACK_INTERVAL_S = 0.05
RECEIVER_REPORT_INTERVAL_MS = 1000
# RTT assumed for NACK retry spacing until receiver reports tell otherwise.
DEFAULT_RTT_MS = 50


class PublisherIngress:
    def __init__(self, participant: "Participant", transport: "PeerTransport") -> None:
        self.participant = participant
        self.transport = transport
        transport.on_rtp = self.on_rtp
        transport.on_rtcp = self.on_rtcp
        transport.on_connected = self._on_connected

        self._routes: dict[int, tuple[Layer, bool]] = {}
        self._media: dict[str, "AcceptedMedia"] = {}
        self._mid_id: int | None = None
        self._rid_id: int | None = None
        self._repaired_rid_id: int | None = None
        self._transport_cc_id: int | None = None
        self._twcc = TransportCcRecorder()
        self.sender_ssrc = random_ssrc()
        self.unknown_packets = 0
        self._task: asyncio.Task[None] | None = None
        self._last_report_ms = 0

    # Configuration -------------------------------------------------------------

    def configure(self, accepted: list["AcceptedMedia"]) -> None:
        """Take the negotiated m-sections of the latest publisher answer."""
        for media in accepted:
            self._media[media.mid] = media
            ids = media.extension_ids
            self._mid_id = ids.get(ext.MID, self._mid_id)
            self._rid_id = ids.get(ext.RID, self._rid_id)
            self._repaired_rid_id = ids.get(ext.REPAIRED_RID, self._repaired_rid_id)
            self._transport_cc_id = ids.get(ext.TRANSPORT_CC, self._transport_cc_id)

            track = self._track_for_mid(media.mid)
            if track is None:
                continue
            track.audio_level_extension_id = ids.get(ext.AUDIO_LEVEL)
            # Without simulcast the offer names the SSRCs up front.
            if not track.layers[0].rid:
                for primary, rtx in media.ssrc_pairs[:1]:
                    self._route(track.layers[0], primary, rtx)

    def _track_for_mid(self, mid: str) -> "PublishedTrack | None":
        for track in self.participant.tracks.values():
            if track.mid == mid:
                return track
        return None

    def _route(self, layer: Layer, ssrc: int, rtx_ssrc: int | None) -> None:
        layer.ssrc = ssrc
        self._routes[ssrc] = (layer, False)
        if rtx_ssrc is not None:
            layer.rtx_ssrc = rtx_ssrc
            self._routes[rtx_ssrc] = (layer, True)

    def forget_track(self, track: "PublishedTrack") -> None:
        for ssrc, (layer, _) in list(self._routes.items()):
            if layer.track is track:
                del self._routes[ssrc]

    # RTP -----------------------------------------------------------------------

    def on_rtp(self, packet: bytes) -> None:
        self.participant.forwarding.packets_received += 1
        ssrc = int.from_bytes(packet[8:12], "big")
        route = self._routes.get(ssrc)
        if route is None:
            route = self._learn(packet, ssrc)
            if route is None:
                self.unknown_packets += 1
                return

        now_ms = int(time.monotonic() * 1000)
        if self._transport_cc_id is not None:
            sequence = find_transport_sequence(packet, self._transport_cc_id)
            if sequence is not None:
                self._twcc.record(sequence, int(time.monotonic() * 1_000_000))

        layer, is_rtx = route
        try:
            if is_rtx:
                self._receive_rtx(layer, packet, now_ms)
            else:
                layer.receive(packet, now_ms)
        except ValueError:
            # A malformed packet from the network; SRTP authenticated it, so
            # it is the publisher's bug, and dropping it is all we can do.
            self.unknown_packets += 1

    def _receive_rtx(self, layer: Layer, packet: bytes, now_ms: int) -> None:
        track = layer.track
        if track.rtx_payload_type is None or packet[1] & 0x7F != track.rtx_payload_type:
            return
        start, end = payload_bounds(packet)
        if end - start < 2:
            return  # padding only: the browser probes bandwidth with these
        recovered = restore_original(packet, start, layer.ssrc or 0, track.codec.payload_type)
        layer.receive_retransmission(bytes(recovered), now_ms)

    def _learn(self, packet: bytes, ssrc: int) -> tuple[Layer, bool] | None:
        """Find the layer of a new SSRC from its mid and rid header extensions."""
        if self._mid_id is None:
            return None
        try:
            mid_value = find_extension(packet, self._mid_id)
            if mid_value is None:
                return None
            track = self._track_for_mid(decode_mid(mid_value))
            if track is None:
                return None

            rid = None
            is_rtx = False
            if self._rid_id is not None and (value := find_extension(packet, self._rid_id)):
                rid = decode_rid(value)
            elif self._repaired_rid_id is not None and (
                    value := find_extension(packet, self._repaired_rid_id)):
                rid = decode_rid(value)
                is_rtx = True
            elif track.rtx_payload_type is not None and packet[1] & 0x7F == track.rtx_payload_type:
                is_rtx = True
        except ValueError:
            return None

        layer = track.layer_for_rid(rid)
        if layer is None and len(track.layers) == 1:
            # One encoding: a rid, if the client sends one at all, names no layer.
            layer = track.layers[0]
        if layer is None:
            return None
        if is_rtx:
            layer.rtx_ssrc = ssrc
        else:
            layer.ssrc = ssrc
        self._routes[ssrc] = (layer, is_rtx)
        logger.info("%s: SSRC %d is %s of track %s layer %s", self.participant.label, ssrc,
                    "RTX" if is_rtx else "media", track.sid, layer.rid or "single")
        return layer, is_rtx

    # RTCP from the publisher -----------------------------------------------------

    def on_rtcp(self, packet: bytes) -> None:
        try:
            for packet_type, _, body in rtcp.iter_packets(packet):
                if packet_type == rtcp.SR:
                    self._on_sender_report(rtcp.parse_sender_report(body))
        except ValueError:
            logger.debug("%s: ignoring malformed RTCP from publisher", self.participant.label)

    def _on_sender_report(self, report) -> None:
        route = self._routes.get(report.ssrc)
        if route is not None and not route[1]:
            now_ms = int(time.monotonic() * 1000)
            route[0].sender_report = (report.ntp_timestamp, report.rtp_timestamp, now_ms)
            route[0].stats.on_sender_report(report.ntp_timestamp, now_ms)

    # Feedback to the publisher ---------------------------------------------------

    def request_keyframe(self, layer: Layer) -> None:
        """Ask the publisher for a keyframe of `layer`, at most every 500 ms."""
        now_ms = int(time.monotonic() * 1000)
        if layer.ssrc is None or not layer.wants_keyframe(now_ms):
            return
        logger.debug("%s: PLI for %s", self.participant.label, layer)
        self.transport.send_rtcp(rtcp.build_pli(self.sender_ssrc, layer.ssrc))

    def _on_connected(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._feedback_loop())

    async def _feedback_loop(self) -> None:
        while True:
            await asyncio.sleep(FEEDBACK_INTERVAL_S)
            try:
                self._send_feedback(int(time.monotonic() * 1000))
            except Exception:
                logger.exception("%s: sending publisher feedback failed", self.participant.label)

    def _send_feedback(self, now_ms: int) -> None:
        transport = self.transport
        if not transport.connected:
            return

        media_ssrc = next(iter(self._routes), 0)
        for feedback in self._twcc.build_feedback(self.sender_ssrc, media_ssrc):
            transport.send_rtcp(feedback)

        layers = {layer for layer, is_rtx in self._routes.values() if not is_rtx}
        for layer in layers:
            lost = layer.nack.due(now_ms, DEFAULT_RTT_MS)
            if lost and layer.ssrc is not None:
                transport.send_rtcp(rtcp.build_nack(self.sender_ssrc, layer.ssrc, lost))

        if now_ms - self._last_report_ms >= RECEIVER_REPORT_INTERVAL_MS:
            self._last_report_ms = now_ms
            blocks = [block for layer in layers if layer.ssrc is not None
                      and (block := layer.stats.report_block(layer.ssrc, now_ms)) is not None]
            if blocks:
                transport.send_rtcp(rtcp.build_receiver_report(self.sender_ssrc, blocks))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
