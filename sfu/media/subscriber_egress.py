# SPDX-License-Identifier: AGPL-3.0-or-later
"""RTCP on a participant's subscriber connection, and its bandwidth allocation.

Incoming: keyframe requests (PLI, FIR) go to the down track, which asks the
publisher through its coalescing layer; NACKs are answered from the layer
history; REMB gives this subscriber's bandwidth estimate. Outgoing: sender
reports for every active down track once a second, so the browser can
synchronise audio and video of a participant.

Allocation: every half second the estimate is shared between the
subscriber's video down tracks, screen shares first, then the dominant
speaker, then the rest. Each gets the highest layer that fits, and at
least its lowest layer. Without any estimate yet, nothing is limited.
"""

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from livekit.protocol import models as pb

from sfu.room.ids import random_ssrc
from sfu.rtp import rtcp

if TYPE_CHECKING:
    from sfu.media.down_track import DownTrack
    from sfu.room.participant import Participant
    from sfu.room.subscriber_session import SubscriberSession

logger = logging.getLogger(__name__)

TICK_S = 0.5
# Headroom kept below the estimate, since a layer's bitrate varies with motion.
ESTIMATE_USE_RATIO = 0.9


class SubscriberEgress:
    def __init__(self, participant: "Participant", session: "SubscriberSession") -> None:
        self.participant = participant
        self.session = session
        session.transport.on_rtcp = self.on_rtcp
        self.sender_ssrc = random_ssrc()
        self.estimate_bps: int | None = None
        self.keyframe_requests = 0
        self.nacks_received = 0
        self._task: asyncio.Task[None] | None = None

    def on_connected(self) -> None:
        # Packets forwarded before the connection was up were dropped, so each
        # video down track needs a fresh keyframe to start decoding.
        for down_track in self.session.down_tracks.values():
            if down_track.is_video:
                down_track.request_keyframe()
        if self._task is None:
            self._task = asyncio.ensure_future(self._loop())

    # RTCP from the subscriber ----------------------------------------------------

    def _down_track_for(self, ssrc: int) -> "DownTrack | None":
        for down_track in self.session.down_tracks.values():
            if down_track.ssrc == ssrc:
                return down_track
        return None

    def on_rtcp(self, packet: bytes) -> None:
        try:
            for packet_type, fmt, body in rtcp.iter_packets(packet):
                self._handle(packet_type, fmt, body)
        except ValueError:
            logger.debug("%s: ignoring malformed RTCP from subscriber", self.participant.label)

    def _handle(self, packet_type: int, fmt: int, body) -> None:
        if packet_type == rtcp.PSFB and fmt == rtcp.PSFB_PLI:
            self._on_keyframe_request(rtcp.parse_pli(body).media_ssrc)
        elif packet_type == rtcp.PSFB and fmt == rtcp.PSFB_FIR:
            for ssrc, _ in rtcp.parse_fir(body).entries:
                self._on_keyframe_request(ssrc)
        elif packet_type == rtcp.PSFB and fmt == rtcp.PSFB_APPLICATION and rtcp.is_remb(body):
            self.estimate_bps = rtcp.parse_remb(body).bitrate
        elif packet_type == rtcp.RTPFB and fmt == rtcp.RTPFB_NACK:
            nack = rtcp.parse_nack(body)
            down_track = self._down_track_for(nack.media_ssrc)
            if down_track is not None:
                self.nacks_received += 1
                down_track.retransmit(nack.lost)

    def _on_keyframe_request(self, ssrc: int) -> None:
        down_track = self._down_track_for(ssrc)
        if down_track is not None and down_track.is_video:
            self.keyframe_requests += 1
            down_track.request_keyframe(down_track.layer)

    # Periodic work -----------------------------------------------------------------

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            try:
                self._send_sender_reports()
                self.allocate()
            except Exception:
                logger.exception("%s: subscriber RTCP tick failed", self.participant.label)

    def _send_sender_reports(self) -> None:
        transport = self.session.transport
        if not transport.connected:
            return
        now = time.time()
        reports = []
        for down_track in self.session.down_tracks.values():
            if down_track.packets_sent == 0 or down_track.layer is None:
                continue
            rtp_now = _rtp_time_now(down_track, now)
            reports.append(rtcp.build_sender_report(
                down_track.ssrc, rtcp.ntp_timestamp(now), rtp_now,
                down_track.packets_sent, down_track.octets_sent))
        for report in reports:
            transport.send_rtcp(report)

    def allocate(self) -> None:
        """Give each video down track the best layer the estimate allows."""
        video = [d for d in self.session.down_tracks.values()
                 if d.is_video and len(d.track.layers) > 1]
        if not video:
            return
        now_ms = int(time.monotonic() * 1000)
        if self.estimate_bps is None:
            for down_track in video:
                down_track.set_bandwidth_limit(len(down_track.track.layers) - 1, now_ms)
            return

        dominant = self.participant.room.speakers.dominant
        video.sort(key=lambda d: (d.track.source != pb.TrackSource.SCREEN_SHARE,
                                  d.track.owner.sid != dominant))
        budget = self.estimate_bps * ESTIMATE_USE_RATIO
        for down_track in video:
            layers = down_track.track.layers
            chosen = 0
            for index in range(len(layers) - 1, -1, -1):
                cost = layers[index].bitrate_bps
                if cost <= budget or index == 0:
                    chosen = index
                    break
            budget -= layers[chosen].bitrate_bps
            down_track.set_bandwidth_limit(chosen, now_ms)

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


def _rtp_time_now(down_track: "DownTrack", now: float) -> int:
    """Estimate the RTP timestamp of `now` on this down track's output clock."""
    layer = down_track.layer
    elapsed_ms = int(time.monotonic() * 1000) - (layer.highest_timestamp_ms if layer else 0)
    elapsed_ticks = elapsed_ms * down_track.clock_rate // 1000
    return (down_track.last_timestamp + elapsed_ticks) & 0xFFFFFFFF
