# SPDX-License-Identifier: AGPL-3.0-or-later
"""One incoming RTP stream of a published track: a simulcast layer, or the only stream.

The layer keeps what forwarding and repair need. That is the SSRCs it
arrives on and a short history of plaintext packets for retransmissions to
subscribers. It also tracks the gaps to NACK towards the publisher, keyframe
timing, a bitrate estimate and the last sender report.
`receive` runs once per packet on the hot path and then fans the packet
out to every down track currently attached to the layer.
"""

from typing import TYPE_CHECKING

from sfu.media.reception_stats import ReceptionStats
from sfu.rtp import h264, vp8
from sfu.rtp.header import (
    FIXED_HEADER_SIZE,
    encode_abs_send_time,
    encode_audio_level,
    encode_extension_block,
    find_audio_level,
    packet_layout,
    parse_fixed,
)
from sfu.webrtc import rtp_extensions as ext
from sfu.rtp.nack import NackTracker
from sfu.rtp.packet_history import PacketHistory

if TYPE_CHECKING:
    from sfu.media.down_track import DownTrack
    from sfu.media.published_track import PublishedTrack

# Packets kept for retransmission: about one second of 720p video.
HISTORY_PACKETS = 512
# Publisher keyframe requests for one layer are at most this frequent (C3:
# coalesce subscribers' PLIs instead of relaying a storm).
KEYFRAME_REQUEST_INTERVAL_MS = 500
BITRATE_WINDOW_MS = 1000
# A layer with no packet for this long counts as stopped by the publisher.
INACTIVE_AFTER_MS = 1000


class PacketView:
    """Fields of the packet being forwarded that every down track needs, computed once.

    Each layer owns one view and overwrites it for every packet. Down
    tracks copy `body` into their SRTP sender's buffer, so the fan-out
    allocates nothing per subscriber.
    """

    __slots__ = ("data", "sequence", "timestamp", "csrc_end", "payload_start", "keyframe",
                 "extension_block", "picture_id", "tl0picidx", "now_ms",
                 "out_first_byte", "marker", "body", "out_length", "out_payload_start")

    def __init__(self) -> None:
        self.data = b""
        self.sequence = 0
        self.timestamp = 0
        self.csrc_end = 0
        self.payload_start = 0
        self.keyframe = False
        # The header extensions every subscriber gets (abs-send-time or audio level).
        self.extension_block = b""
        self.picture_id: int | None = None
        self.tl0picidx: int | None = None
        self.now_ms = 0
        # The outgoing packet without its fixed header, which is the same for
        # every subscriber: first header byte (X bit set for the new
        # extension block), marker bit, then CSRCs, extension block, payload
        # and padding. Down tracks add their own payload type, sequence
        # number, timestamp and SSRC.
        self.out_first_byte = 0
        self.marker = 0
        self.body = b""
        self.out_length = 0
        self.out_payload_start = 0

    def prepare_output(self) -> None:
        """Compute the shared part of the outgoing packet, as `rewrite_with_layout` would build it."""
        packet = self.data
        block = self.extension_block
        first = packet[0]
        self.out_first_byte = first | 0x10 if block else first & 0xEF
        self.marker = packet[1] & 0x80
        payload = memoryview(packet)[self.payload_start:]
        if self.csrc_end > FIXED_HEADER_SIZE:
            self.body = b"".join((packet[FIXED_HEADER_SIZE:self.csrc_end], block, payload))
        else:
            self.body = b"".join((block, payload))
        self.out_length = FIXED_HEADER_SIZE + len(self.body)
        self.out_payload_start = self.csrc_end + len(block)


class Layer:
    def __init__(self, track: "PublishedTrack", index: int, rid: str | None) -> None:
        self.track = track
        self.index = index
        self.rid = rid
        self.ssrc: int | None = None
        self.rtx_ssrc: int | None = None
        # Down tracks currently forwarding this layer.
        self.down_tracks: list["DownTrack"] = []
        # Down tracks waiting for a keyframe of this layer before switching to it.
        self.pending_switches: list["DownTrack"] = []

        self.history = PacketHistory(HISTORY_PACKETS)
        self.nack = NackTracker()
        self.stats = ReceptionStats(track.codec.clock_rate if track.codec else 90000)
        self.packets = 0
        self.octets = 0
        self.last_packet_ms = 0
        self.last_keyframe_ms = 0
        self.last_keyframe_request_ms = -KEYFRAME_REQUEST_INTERVAL_MS
        self.keyframe_requests_sent = 0
        self.bitrate_bps = 0
        self._window_start_ms = 0
        self._window_octets = 0
        # Last RTCP sender report: (64-bit NTP timestamp, RTP timestamp, arrival ms).
        self.sender_report: tuple[int, int, int] | None = None
        self.highest_timestamp = 0
        self.highest_timestamp_ms = 0
        self.view = PacketView()

    def __repr__(self) -> str:
        return f"Layer({self.track.sid}, {self.rid or 'single'}, ssrc={self.ssrc})"

    def is_active(self, now_ms: int) -> bool:
        """True while packets arrive; browsers stop sending a layer under CPU or bandwidth limits."""
        return self.packets > 0 and now_ms - self.last_packet_ms < INACTIVE_AFTER_MS

    def receive(self, packet: bytes, now_ms: int) -> None:
        """Store and forward one plaintext RTP packet of this layer."""
        _, payload_type, sequence, timestamp, _ = parse_fixed(packet)
        track = self.track
        codec = track.codec
        if codec is None or payload_type != codec.payload_type:
            return
        csrc_end, payload_start = packet_layout(packet)

        self.nack.on_packet(sequence, now_ms)
        self.history.put(sequence, packet)
        self.stats.on_packet(sequence, timestamp, now_ms)
        self._count(len(packet), now_ms)
        if timestamp != self.highest_timestamp:
            self.highest_timestamp = timestamp
            self.highest_timestamp_ms = now_ms

        view = self.view
        view.data = packet
        view.sequence = sequence
        view.timestamp = timestamp
        view.csrc_end = csrc_end
        view.payload_start = payload_start
        view.now_ms = now_ms
        if track.is_video:
            self._describe_video(view, codec.mime_type, now_ms)
        else:
            self._describe_audio(view, now_ms)

        if track.server_muted or not (self.down_tracks or self.pending_switches):
            return
        view.prepare_output()

        for down_track in self.down_tracks:
            down_track.forward(view)
        if view.keyframe and self.pending_switches:
            waiting, self.pending_switches = self.pending_switches, []
            for down_track in waiting:
                down_track.switch_to(self, view)

    def _describe_video(self, view: PacketView, mime_type: str, now_ms: int) -> None:
        packet = view.data
        view.keyframe = _is_keyframe(mime_type, packet, view.payload_start)
        if view.keyframe:
            self.last_keyframe_ms = now_ms
        # abs-send-time lets the subscriber's browser estimate bandwidth (REMB).
        view.extension_block = encode_extension_block(
            [(ext.SUBSCRIBER_ABS_SEND_TIME_ID, encode_abs_send_time(now_ms * 1000))])
        view.picture_id = view.tl0picidx = None
        if mime_type == "vp8":
            try:
                descriptor = vp8.parse_descriptor(memoryview(packet)[view.payload_start:])
            except ValueError:
                return
            view.picture_id = descriptor.picture_id
            view.tl0picidx = descriptor.tl0picidx

    def _describe_audio(self, view: PacketView, now_ms: int) -> None:
        view.keyframe = False
        view.extension_block = b""
        extension_id = self.track.audio_level_extension_id
        if not extension_id:
            return
        level = find_audio_level(view.data, extension_id)
        if level is None:
            return
        voice, dbov = level
        self.track.owner.room.speakers.on_level(self.track.owner.sid, dbov, now_ms)
        view.extension_block = encode_extension_block(
            [(ext.SUBSCRIBER_AUDIO_LEVEL_ID, encode_audio_level(dbov, voice))])

    def receive_retransmission(self, packet: bytes, now_ms: int) -> None:
        """Store a packet recovered through RTX, so subscribers' NACKs can be answered.

        It is not forwarded again: subscribers that missed it ask for it
        with their own NACKs, and the others already have it.
        """
        _, _, sequence, _, _ = parse_fixed(packet)
        self.nack.on_packet(sequence, now_ms)
        if self.history.get(sequence) is None:
            self.history.put(sequence, packet)

    def _count(self, size: int, now_ms: int) -> None:
        self.packets += 1
        self.octets += size
        self.last_packet_ms = now_ms
        self._window_octets += size
        elapsed = now_ms - self._window_start_ms
        if elapsed >= BITRATE_WINDOW_MS:
            self.bitrate_bps = self._window_octets * 8000 // max(elapsed, 1)
            self._window_start_ms = now_ms
            self._window_octets = 0

    def wants_keyframe(self, now_ms: int) -> bool:
        """Return True (and note the time) if a PLI for this layer may go out now."""
        if now_ms - self.last_keyframe_request_ms < KEYFRAME_REQUEST_INTERVAL_MS:
            return False
        self.last_keyframe_request_ms = now_ms
        self.keyframe_requests_sent += 1
        return True

    def detach(self, down_track: "DownTrack") -> None:
        if down_track in self.down_tracks:
            self.down_tracks.remove(down_track)
        if down_track in self.pending_switches:
            self.pending_switches.remove(down_track)


def _is_keyframe(mime_type: str, packet: bytes, offset: int) -> bool:
    payload = memoryview(packet)[offset:]
    try:
        if mime_type == "vp8":
            return vp8.is_keyframe(payload)
        if mime_type == "h264":
            return h264.is_keyframe(payload)
    except ValueError:
        return False
    return False
