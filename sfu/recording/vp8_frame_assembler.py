# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reassemble VP8 frames from the RTP packets of one stream (RFC 7741).

A frame is every packet with one RTP timestamp: the first packet starts
partition 0 (S=1, PID=0), the last carries the marker bit, and the sequence
numbers in between are contiguous. The frame is the concatenation of the
payloads without their payload descriptors.

Packets may arrive out of order within a frame. Frames are released in
timestamp order as soon as they are complete. An older frame still missing
a packet when a newer one completes counts as lost: it is dropped, and so is
every frame after it until the next key frame, because a decoder would
predict them from the missing picture.
"""

from dataclasses import dataclass, field

from sfu.rtp import vp8
from sfu.rtp.header import parse_fixed, payload_bounds

# Frames under assembly at once; more means packets keep going missing.
MAX_PENDING_FRAMES = 32
# Packets per frame accepted; a 1080p key frame is about 200 packets.
MAX_PACKETS_PER_FRAME = 1024


@dataclass
class Vp8Frame:
    data: bytes
    # RTP timestamp, 90 kHz.
    timestamp: int
    keyframe: bool
    # Arrival of the frame's first packet, milliseconds on the caller's clock.
    arrival_ms: int
    # (width, height) from a key frame's header, None for inter frames.
    size: tuple[int, int] | None


@dataclass
class _PartialFrame:
    arrival_ms: int
    payloads: dict[int, bytes] = field(default_factory=dict)
    first_sequence: int | None = None
    last_sequence: int | None = None
    keyframe: bool = False
    size: tuple[int, int] | None = None

    def is_complete(self) -> bool:
        if self.first_sequence is None or self.last_sequence is None:
            return False
        count = ((self.last_sequence - self.first_sequence) & 0xFFFF) + 1
        return count == len(self.payloads) and count <= MAX_PACKETS_PER_FRAME

    def assemble(self) -> bytes:
        assert self.first_sequence is not None
        sequences = (((self.first_sequence + offset) & 0xFFFF) for offset in range(len(self.payloads)))
        return b"".join(self.payloads[sequence] for sequence in sequences)


class Vp8FrameAssembler:
    def __init__(self) -> None:
        self._pending: dict[int, _PartialFrame] = {}
        self._last_released: int | None = None
        # True until a key frame arrives: at the start and after a loss.
        self.awaiting_keyframe = True
        self.frames_released = 0
        self.frames_dropped = 0

    def push(self, packet: bytes, arrival_ms: int) -> list[Vp8Frame]:
        """Add one RTP packet and return the frame it completes, if any, as a list.

        Raises ``ValueError`` for a packet whose header or payload
        descriptor is malformed; the assembler state is unchanged then.
        """
        marker, _, sequence, timestamp, _ = parse_fixed(packet)
        start, end = payload_bounds(packet)
        if end <= start:
            return []  # padding only, sent to probe bandwidth
        payload = memoryview(packet)[start:end]
        descriptor = vp8.parse_descriptor(payload)
        size = vp8.keyframe_size(payload)

        if self._last_released is not None and not _is_newer(timestamp, self._last_released):
            return []  # a late packet of a frame already released or dropped

        partial = self._pending.get(timestamp)
        if partial is None:
            partial = self._pending[timestamp] = _PartialFrame(arrival_ms)
        partial.arrival_ms = min(partial.arrival_ms, arrival_ms)
        partial.payloads[sequence] = bytes(payload[descriptor.descriptor_size:])
        if descriptor.start_of_partition and descriptor.partition_id == 0:
            partial.first_sequence = sequence
            partial.keyframe = size is not None
            partial.size = size
        if marker:
            partial.last_sequence = sequence

        if len(self._pending) > MAX_PENDING_FRAMES:
            self._drop_oldest()
        if not partial.is_complete():
            return []
        return self._release_through(timestamp)

    def _release_through(self, timestamp: int) -> list[Vp8Frame]:
        """Release the complete frame at `timestamp` after dropping older, incomplete ones."""
        older = [t for t in self._pending if t != timestamp and not _is_newer(t, timestamp)]
        for lost in older:
            del self._pending[lost]
            self._count_loss()

        frame = self._finish(timestamp, self._pending.pop(timestamp))
        self._last_released = timestamp
        return [frame] if frame is not None else []

    def _finish(self, timestamp: int, partial: _PartialFrame) -> Vp8Frame | None:
        if self.awaiting_keyframe and not partial.keyframe:
            self.frames_dropped += 1
            return None
        self.awaiting_keyframe = False
        self.frames_released += 1
        return Vp8Frame(partial.assemble(), timestamp, partial.keyframe, partial.arrival_ms,
                        partial.size)

    def _drop_oldest(self) -> None:
        oldest = min(self._pending, key=lambda t: self._pending[t].arrival_ms)
        del self._pending[oldest]
        self._last_released = oldest
        self._count_loss()

    def _count_loss(self) -> None:
        self.frames_dropped += 1
        self.awaiting_keyframe = True


def _is_newer(timestamp: int, reference: int) -> bool:
    """True if `timestamp` comes after `reference` in 32-bit RTP timestamp order."""
    difference = (timestamp - reference) & 0xFFFFFFFF
    return 0 < difference < 0x80000000
