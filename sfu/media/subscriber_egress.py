# SPDX-License-Identifier: AGPL-3.0-or-later
"""RTCP on a participant's subscriber connection, and its bandwidth allocation.

Incoming: keyframe requests (PLI, FIR) go to the down track, which asks the
publisher through its coalescing layer; NACKs are answered from the layer
history; REMB gives this subscriber's bandwidth estimate. Outgoing: sender
reports for every active down track once a second, so the browser can
synchronise audio and video of a participant. They travel as compound
RTCP, many reports per datagram, because one datagram per report costs an
SRTP protect and a sendto each: 8,000 a second for 250 subscribers with 16
tracks at the former half-second interval.

Every half second LayerAllocator shares the estimate between the
subscriber's video down tracks.
"""

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from sfu.media.layer_allocator import LayerAllocator
from sfu.room.ids import random_ssrc
from sfu.rtp import rtcp

if TYPE_CHECKING:
    from sfu.media.down_track import DownTrack
    from sfu.room.participant import Participant
    from sfu.room.subscriber_session import SubscriberSession

logger = logging.getLogger(__name__)

TICK_S = 0.5
# Sender reports go out every this many ticks, once a second.
SENDER_REPORT_TICKS = 2
# A compound RTCP datagram stays below this size, as media packets do (MTU).
RTCP_DATAGRAM_BYTES = 1200


class SubscriberEgress:
    def __init__(self, participant: "Participant", session: "SubscriberSession") -> None:
        self.participant = participant
        self.session = session
        session.transport.on_rtcp = self.on_rtcp
        self.sender_ssrc = random_ssrc()
        self.estimate_bps: int | None = None
        self.allocator = LayerAllocator()
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
            self.allocator.on_estimate(self.estimate_bps, int(time.monotonic() * 1000))
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
        tick = 0
        while True:
            await asyncio.sleep(TICK_S)
            tick += 1
            try:
                if tick % SENDER_REPORT_TICKS == 0:
                    self._send_sender_reports()
                self.allocate()
                for down_track in list(self.session.down_tracks.values()):
                    down_track.retry_pending_switch()
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
        for compound in _compound_datagrams(reports):
            transport.send_rtcp(compound)

    def allocate(self) -> None:
        self.allocator.allocate(list(self.session.down_tracks.values()),
                                self.participant.room.speakers.dominant,
                                int(time.monotonic() * 1000))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


def _compound_datagrams(packets: list[bytes]) -> list[bytes]:
    """Join RTCP packets into compound datagrams of at most RTCP_DATAGRAM_BYTES each."""
    datagrams: list[bytes] = []
    current: list[bytes] = []
    size = 0
    for packet in packets:
        if current and size + len(packet) > RTCP_DATAGRAM_BYTES:
            datagrams.append(rtcp.build_compound(current))
            current, size = [], 0
        current.append(packet)
        size += len(packet)
    if current:
        datagrams.append(rtcp.build_compound(current))
    return datagrams


def _rtp_time_now(down_track: "DownTrack", now: float) -> int:
    """Estimate the RTP timestamp of `now` on this down track's output clock."""
    layer = down_track.layer
    elapsed_ms = int(time.monotonic() * 1000) - (layer.highest_timestamp_ms if layer else 0)
    elapsed_ticks = elapsed_ms * down_track.clock_rate // 1000
    return (down_track.last_timestamp + elapsed_ticks) & 0xFFFFFFFF
