# SPDX-License-Identifier: AGPL-3.0-or-later
"""One published track as one subscriber receives it.

The down track owns everything per subscriber: the SSRCs and payload types
the subscriber negotiated, the rewriting of sequence numbers, timestamps and
VP8 picture ids so that the stream stays continuous across simulcast layer
switches, the choice of layer, and retransmissions on NACK (as RTX, so a
retransmitted packet never reuses an SRTP nonce).

A layer switch happens only on a keyframe of the target layer: the down
track keeps forwarding its current layer, asks the publisher for a keyframe
of the target (PLIs coalesced per layer), and moves when it arrives.
"""

import logging
import time
from typing import TYPE_CHECKING

from livekit.protocol import models as pb
from livekit.protocol import rtc as rtc_pb

from sfu.room.ids import random_ssrc
from sfu.rtp import vp8
from sfu.rtp.header import (
    encode_abs_send_time,
    encode_audio_level,
    find_audio_level,
    parse_fixed,
    payload_offset,
    rewrite_packet,
)
from sfu.rtp.rtx import wrap_rtx
from sfu.rtp.sequence_rewriter import SequenceRewriter
from sfu.webrtc import rtp_extensions as ext

if TYPE_CHECKING:
    from sfu.media.layer import Layer
    from sfu.media.published_track import PublishedTrack
    from sfu.room.subscriber_session import SubscriberSession
    from sfu.webrtc.subscriber_offer import Slot

logger = logging.getLogger(__name__)

# Forwarded packets remembered per down track to answer NACKs (a power of two).
SENT_MAP_SIZE = 1024


class DownTrack:
    def __init__(self, session: "SubscriberSession", track: "PublishedTrack", slot: "Slot") -> None:
        self.session = session
        self.transport = session.transport
        self.track = track
        self.slot = slot
        codec = slot.codec
        assert codec is not None
        self.ssrc = slot.ssrc
        self.rtx_ssrc = slot.rtx_ssrc
        self.payload_type = codec.payload_type
        self.rtx_payload_type = codec.rtx_payload_type
        self.clock_rate = codec.clock_rate
        self.is_video = track.is_video
        self.is_vp8 = track.codec is not None and track.codec.mime_type == "vp8"

        self.rewriter = SequenceRewriter()
        self.layer: "Layer | None" = None
        self.target_index = len(track.layers) - 1
        # Highest layer the subscriber asked for (adaptive stream) and the
        # highest its bandwidth allows; the target is the lower of the two.
        self.requested_max_index = len(track.layers) - 1
        self.bandwidth_max_index = len(track.layers) - 1
        self.disabled = False
        self.last_n_paused = False

        self._sent_sources: list[tuple["Layer", int] | None] = [None] * SENT_MAP_SIZE
        self._rtx_sequence = random_ssrc() & 0xFFFF
        self._picture_id_offset = 0
        self._tl0_offset = 0
        self._last_picture_id: int | None = None
        self._last_tl0: int | None = None
        self.packets_sent = 0
        self.octets_sent = 0
        self.retransmissions = 0
        self.last_timestamp = 0
        self.last_sent_ms = 0
        self.closed = False

    @property
    def label(self) -> str:
        return f"{self.session.label} track={self.track.sid}"

    # Attachment ----------------------------------------------------------------

    def start(self) -> None:
        self.track.down_tracks.append(self)
        if not self.is_video:
            self._attach(self.track.layers[0])
            return
        self.choose_layer(int(time.monotonic() * 1000))

    def _attach(self, layer: "Layer") -> None:
        if self.layer is not None:
            self.layer.detach(self)
        self.layer = layer
        layer.down_tracks.append(self)

    def _wanted_index(self) -> int:
        return max(0, min(self.requested_max_index, self.bandwidth_max_index,
                          len(self.track.layers) - 1))

    def choose_layer(self, now_ms: int) -> None:
        """Aim for the highest layer that is allowed and that the publisher is sending.

        Browsers start the top layer late and drop it under CPU or
        bandwidth pressure, so a subscriber starts on the best layer that
        already flows and moves up later instead of waiting for it.
        """
        layers = self.track.layers
        limit = self._wanted_index()
        active = [layer.index for layer in layers if layer.is_active(now_ms)]
        allowed = [index for index in active if index <= limit]
        if allowed:
            index = max(allowed)
        elif active:
            index = min(active)
        else:
            index = 0
        if index != self.target_index or self.layer is None:
            self.request_layer(index)

    def request_layer(self, index: int) -> None:
        """Aim for layer `index`; the switch happens on its next keyframe."""
        layers = self.track.layers
        index = max(0, min(index, len(layers) - 1))
        self.target_index = index
        target = layers[index]
        if target is self.layer:
            return
        for layer in layers:
            if self in layer.pending_switches and layer is not target:
                layer.pending_switches.remove(self)
        if self not in target.pending_switches:
            target.pending_switches.append(self)
        self.request_keyframe(target)

    def retry_pending_switch(self) -> None:
        """Ask again for the target layer's keyframe if the switch is still waiting.

        A PLI can be lost, or ignored by an encoder that just sent a
        keyframe, so a waiting switch repeats its request (the layer still
        limits PLIs to one per 500 ms).
        """
        if not self.is_video or self.closed:
            return
        target = self.track.layers[min(self.target_index, len(self.track.layers) - 1)]
        if target is not self.layer and self in target.pending_switches:
            self.request_keyframe(target)

    def request_keyframe(self, layer: "Layer | None" = None) -> None:
        layer = layer or (self.track.layers[self.target_index] if self.is_video else None)
        if layer is None:
            return
        self.track.owner.publisher.ingress.request_keyframe(layer)

    def switch_to(self, layer: "Layer", packet: bytes, sequence: int, timestamp: int,
                  offset: int, now_ms: int) -> None:
        """Start forwarding `layer` from this keyframe packet on."""
        if self.closed:
            return
        previous = self.layer
        self._attach(layer)
        self.rewriter.switch_source(layer.ssrc or 0, sequence, timestamp, now_ms, self.clock_rate)
        if self.is_vp8:
            self._align_picture_ids(packet, offset)
        logger.debug("%s: switched from %s to %s", self.label, previous, layer)
        self.forward(packet, sequence, timestamp, offset, True, now_ms)

    def _align_picture_ids(self, packet: bytes, offset: int) -> None:
        try:
            descriptor = vp8.parse_descriptor(memoryview(packet)[offset:])
        except ValueError:
            return
        if descriptor.picture_id is not None and self._last_picture_id is not None:
            modulus = 1 << 15
            self._picture_id_offset = (descriptor.picture_id - self._last_picture_id - 1) % modulus
        if descriptor.tl0picidx is not None and self._last_tl0 is not None:
            self._tl0_offset = (descriptor.tl0picidx - self._last_tl0 - 1) % 256

    # Forwarding ------------------------------------------------------------------

    def forward(self, packet: bytes, sequence: int, timestamp: int, offset: int,
                keyframe: bool, now_ms: int) -> None:
        """Rewrite one packet of the current layer for this subscriber and send it."""
        if self.disabled or self.last_n_paused or not self.transport.connected:
            return
        if not self.is_video and self.rewriter.source_ssrc != self.layer.ssrc:
            # Audio needs no keyframe: it starts (or follows a restarted
            # publisher SSRC) at whatever packet comes first.
            self.rewriter.switch_source(self.layer.ssrc or 0, sequence, timestamp, now_ms,
                                        self.clock_rate)
        rewritten = self.rewriter.rewrite(sequence, timestamp)
        if rewritten is None:
            return
        out_sequence, out_timestamp = rewritten

        if self.is_video:
            extensions = [(ext.SUBSCRIBER_ABS_SEND_TIME_ID, encode_abs_send_time(int(time.time() * 1_000_000)))]
        else:
            extensions = self._audio_level_extension(packet)
        out = rewrite_packet(packet, self.payload_type, out_sequence, out_timestamp, self.ssrc,
                             extensions)
        if self.is_vp8:
            self._rewrite_picture_id(out)

        self._sent_sources[out_sequence & (SENT_MAP_SIZE - 1)] = (self.layer, sequence)
        self.packets_sent += 1
        self.octets_sent += len(out)
        self.last_timestamp = out_timestamp
        self.last_sent_ms = now_ms
        self.transport.send_rtp(out)

    def _audio_level_extension(self, packet: bytes) -> list[tuple[int, bytes]]:
        extension_id = self.track.audio_level_extension_id
        if not extension_id:
            return []
        level = find_audio_level(packet, extension_id)
        if level is None:
            return []
        voice, dbov = level
        return [(ext.SUBSCRIBER_AUDIO_LEVEL_ID, encode_audio_level(dbov, voice))]

    def _rewrite_picture_id(self, out: bytearray) -> None:
        offset = payload_offset(out)
        try:
            descriptor = vp8.parse_descriptor(memoryview(out)[offset:])
        except ValueError:
            return
        picture_id = descriptor.picture_id
        tl0 = descriptor.tl0picidx
        if picture_id is not None:
            picture_id = (picture_id - self._picture_id_offset) % (1 << 15)
            self._last_picture_id = picture_id
        if tl0 is not None:
            tl0 = (tl0 - self._tl0_offset) % 256
            self._last_tl0 = tl0
        if picture_id is not None and (self._picture_id_offset or self._tl0_offset):
            vp8.rewrite_picture_id(out, offset, picture_id, tl0)

    # Repair ------------------------------------------------------------------------

    def retransmit(self, lost: list[int]) -> None:
        """Answer a subscriber's NACK from the layers' packet history, as RTX."""
        if self.rtx_ssrc is None or self.rtx_payload_type is None:
            return
        for out_sequence in lost:
            source = self._sent_sources[out_sequence & (SENT_MAP_SIZE - 1)]
            if source is None:
                continue
            layer, sequence = source
            original = layer.history.get(sequence)
            if original is None:
                continue
            _, _, _, timestamp, _ = parse_fixed(original)
            rewritten = self.rewriter.rewrite(sequence, timestamp)
            if rewritten is None or rewritten[0] != out_sequence:
                continue
            out = rewrite_packet(original, self.payload_type, out_sequence, rewritten[1], self.ssrc, [])
            if self.is_vp8:
                self._rewrite_picture_id(out)
            self._rtx_sequence = (self._rtx_sequence + 1) & 0xFFFF
            self.transport.send_rtp(wrap_rtx(out, self.rtx_ssrc, self.rtx_payload_type, self._rtx_sequence))
            self.retransmissions += 1

    # Settings ----------------------------------------------------------------------

    def apply_settings(self, settings: rtc_pb.UpdateTrackSettings) -> None:
        logger.debug("%s: settings disabled=%s quality=%s size=%dx%d", self.label, settings.disabled,
                     settings.quality, settings.width, settings.height)
        was_disabled = self.disabled
        self.disabled = settings.disabled
        if self.is_video:
            self.requested_max_index = self._index_for_settings(settings)
            self.choose_layer(int(time.monotonic() * 1000))
            if was_disabled and not self.disabled:
                self.request_keyframe()

    def _index_for_settings(self, settings: rtc_pb.UpdateTrackSettings) -> int:
        top = len(self.track.layers) - 1
        if settings.width or settings.height:
            dimensions = sorted(
                (layer.quality, layer.width, layer.height) for layer in self.track.requested_layers)
            for index, (_, width, height) in enumerate(dimensions[: top + 1]):
                if width >= settings.width and height >= settings.height:
                    return index
            return top
        if settings.quality != pb.VideoQuality.OFF:
            return min(int(settings.quality), top)
        return top

    def set_bandwidth_limit(self, index: int, now_ms: int) -> None:
        self.bandwidth_max_index = index
        self.choose_layer(now_ms)

    def close(self) -> None:
        self.closed = True
        for layer in self.track.layers:
            layer.detach(self)
        if self in self.track.down_tracks:
            self.track.down_tracks.remove(self)
        self.layer = None
