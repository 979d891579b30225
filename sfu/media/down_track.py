# SPDX-License-Identifier: AGPL-3.0-or-later
"""One published track as one subscriber receives it.

The down track owns what is per subscriber: the negotiated SSRCs and payload
types, and the choice of layer. It rewrites sequence numbers, timestamps and
VP8 picture ids so that the stream stays continuous across simulcast layer
switches. It retransmits on NACK as RTX, so a retransmitted packet never
reuses an SRTP nonce.

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
from sfu.rtp.header import FIXED_HEADER, FIXED_HEADER_SIZE, packet_layout, parse_fixed, rewrite_with_layout
from sfu.rtp.rtx import wrap_rtx
from sfu.rtp.sequence_rewriter import SequenceRewriter

if TYPE_CHECKING:
    from sfu.media.layer import Layer, PacketView
    from sfu.media.published_track import PublishedTrack
    from sfu.room.subscriber_session import SubscriberSession
    from sfu.webrtc.subscriber_offer import Slot

logger = logging.getLogger(__name__)

_pack_fixed_header = FIXED_HEADER.pack_into


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
        # Paused down tracks forward nothing: the subscriber disabled the
        # track (adaptive stream) or last-N left its publisher off stage.
        self.disabled = False
        self.last_n_paused = False

        self._rtx_sequence = random_ssrc() & 0xFFFF
        self._picture_id_offset = 0
        self._tl0_offset = 0
        self._last_picture_id: int | None = None
        self._last_tl0: int | None = None
        self.packets_sent = 0
        self.owner_stats = track.owner.forwarding
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
        if self.paused:
            return
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
        if not self.is_video or self.closed or self.paused:
            return
        target = self.track.layers[min(self.target_index, len(self.track.layers) - 1)]
        if target is not self.layer and self in target.pending_switches:
            self.request_keyframe(target)

    def request_keyframe(self, layer: "Layer | None" = None) -> None:
        layer = layer or (self.track.layers[self.target_index] if self.is_video else None)
        if layer is None:
            return
        self.track.owner.publisher.ingress.request_keyframe(layer)

    def switch_to(self, layer: "Layer", view: "PacketView") -> None:
        """Start forwarding `layer` from this keyframe packet on."""
        if self.closed:
            return
        previous = self.layer
        self._attach(layer)
        self.rewriter.switch_source(layer.ssrc or 0, view.sequence, view.timestamp, view.now_ms,
                                    self.clock_rate)
        if view.picture_id is not None and self._last_picture_id is not None:
            # Continue the subscriber's picture ids across the switch (RFC 7741 §4.2).
            self._picture_id_offset = (view.picture_id - self._last_picture_id - 1) & 0x7FFF
        if view.tl0picidx is not None and self._last_tl0 is not None:
            self._tl0_offset = (view.tl0picidx - self._last_tl0 - 1) & 0xFF
        logger.debug("%s: switched from %s to %s", self.label, previous, layer)
        self.forward(view)

    # Forwarding ------------------------------------------------------------------

    def forward(self, view: "PacketView") -> None:
        """Rewrite one packet of the current layer for this subscriber and send it.

        The packet is assembled in the transport's SRTP sender buffer from
        this subscriber's fixed header and the view's shared `body`, which
        gives the same bytes as `rewrite_with_layout` without a copy per
        subscriber.
        """
        transport = self.transport
        if self.disabled or self.last_n_paused or not transport.connected:
            return
        rewriter = self.rewriter
        if not self.is_video and rewriter.source_ssrc != self.layer.ssrc:
            # Audio needs no keyframe: it starts (or follows a restarted
            # publisher SSRC) at whatever packet comes first.
            rewriter.switch_source(self.layer.ssrc or 0, view.sequence, view.timestamp,
                                   view.now_ms, self.clock_rate)
        rewritten = rewriter.rewrite(view.sequence, view.timestamp)
        if rewritten is None:
            return
        out_sequence, out_timestamp = rewritten

        sender = transport.rtp_sender
        buffer = sender.buffer
        length = view.out_length
        _pack_fixed_header(buffer, 0, view.out_first_byte, view.marker | self.payload_type,
                           out_sequence, out_timestamp, self.ssrc)
        buffer[FIXED_HEADER_SIZE:length] = view.body
        if view.picture_id is not None:
            self._rewrite_picture_id(buffer, length, view)

        self.packets_sent += 1
        if self.is_video:
            self.owner_stats.video_forwarded += 1
        else:
            self.owner_stats.audio_forwarded += 1
        self.octets_sent += length
        self.last_timestamp = out_timestamp
        self.last_sent_ms = view.now_ms
        sender.send_buffer(length)

    def _rewrite_picture_id(self, buffer: memoryview, length: int, view: "PacketView") -> None:
        """Apply the picture id offsets to the packet in `buffer[:length]` and record the values sent."""
        picture_id = (view.picture_id - self._picture_id_offset) & 0x7FFF
        self._last_picture_id = picture_id
        tl0 = None
        if view.tl0picidx is not None:
            tl0 = (view.tl0picidx - self._tl0_offset) & 0xFF
            self._last_tl0 = tl0
        if self._picture_id_offset or self._tl0_offset:
            vp8.rewrite_picture_id(buffer[:length], view.out_payload_start, picture_id, tl0)

    # Repair ------------------------------------------------------------------------

    def retransmit(self, lost: list[int]) -> None:
        """Retransmit the packets a subscriber's NACK lists, from the layer history, as RTX.

        Only packets of the current layer can be repaired: the rewriter maps
        output numbers back to the current source only.
        """
        layer = self.layer
        if self.rtx_ssrc is None or self.rtx_payload_type is None or layer is None:
            return
        for out_sequence in lost:
            sequence = self.rewriter.original_sequence(out_sequence)
            original = layer.history.get(sequence) if sequence is not None else None
            if original is None:
                continue
            _, _, _, timestamp, _ = parse_fixed(original)
            rewritten = self.rewriter.rewrite(sequence, timestamp)
            if rewritten is None or rewritten[0] != out_sequence:
                continue
            csrc_end, payload_start = packet_layout(original)
            out = rewrite_with_layout(original, csrc_end, payload_start, self.payload_type,
                                      out_sequence, rewritten[1], self.ssrc, b"")
            if self.is_vp8 and (self._picture_id_offset or self._tl0_offset):
                # Without an extension block the payload starts right after the CSRCs.
                self._shift_picture_id(out, csrc_end)
            self._rtx_sequence = (self._rtx_sequence + 1) & 0xFFFF
            self.transport.send_rtp(wrap_rtx(out, self.rtx_ssrc, self.rtx_payload_type,
                                             self._rtx_sequence))
            self.retransmissions += 1

    def _shift_picture_id(self, out: bytearray, start: int) -> None:
        """Apply the current picture id offsets to a retransmitted copy."""
        try:
            descriptor = vp8.parse_descriptor(memoryview(out)[start:])
        except ValueError:
            return
        if descriptor.picture_id is None:
            return
        tl0 = None if descriptor.tl0picidx is None else (descriptor.tl0picidx - self._tl0_offset) & 0xFF
        vp8.rewrite_picture_id(out, start, (descriptor.picture_id - self._picture_id_offset) & 0x7FFF, tl0)

    # Settings ----------------------------------------------------------------------

    def apply_settings(self, settings: rtc_pb.UpdateTrackSettings) -> None:
        logger.debug("%s: settings disabled=%s quality=%s size=%dx%d", self.label, settings.disabled,
                     settings.quality, settings.width, settings.height)
        was_paused = self.paused
        self.disabled = settings.disabled
        if self.is_video:
            self.requested_max_index = self._index_for_settings(settings)
        self._after_pause_change(was_paused)

    @property
    def paused(self) -> bool:
        return self.disabled or self.last_n_paused

    def set_last_n_paused(self, paused: bool) -> None:
        was_paused = self.paused
        self.last_n_paused = paused
        self._after_pause_change(was_paused)

    def _after_pause_change(self, was_paused: bool) -> None:
        """Leave the fan-out while paused, and resume video on a keyframe so no gap reaches the browser.

        A paused down track keeps `layer` (the layer to resume on) but is
        off every layer's lists. Under last-N most of a large meeting's
        video down tracks are paused, and each would otherwise cost a call
        per forwarded packet.
        """
        if not self.is_video:
            return
        if self.paused and not was_paused:
            for layer in self.track.layers:
                layer.detach(self)
        if was_paused and not self.paused and self.layer is not None:
            layer = self.layer
            layer.detach(self)
            self.layer = None
            layer.pending_switches.append(self)
            self.target_index = layer.index
            self.request_keyframe(layer)
        self.choose_layer(int(time.monotonic() * 1000))

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
