# SPDX-License-Identifier: AGPL-3.0-or-later
"""Recently forwarded packets of one stream, kept for retransmission on NACK."""

from typing import Union

Buffer = Union[bytes, bytearray, memoryview]

# Marks an empty slot, because no unwrapped sequence number gets this far below zero.
_EMPTY = -(1 << 62)


class PacketHistory:
    """Ring buffer of the last ``capacity`` sequence numbers of one stream.

    ``put`` stores the packet object itself, not a copy, so pass ``bytes``
    or a buffer that is not modified afterwards. ``get`` returns None for a
    sequence number that is absent, was overwritten, or lies more than
    ``capacity`` behind the newest one, so a stale packet from a previous
    16-bit wrap is never returned.
    """

    __slots__ = ("capacity", "_sequences", "_packets", "_highest")

    def __init__(self, capacity: int) -> None:
        if not 0 < capacity <= 0x8000:
            raise ValueError(f"packet history capacity {capacity} is outside 1-32768")
        self.capacity = capacity
        self._sequences: list[int] = [_EMPTY] * capacity  # unwrapped sequence stored in each slot
        self._packets: list[Buffer | None] = [None] * capacity
        self._highest: int | None = None

    def _unwrap(self, sequence: int) -> int:
        highest = self._highest
        if highest is None:
            return sequence
        return highest + ((sequence - highest + 0x8000) & 0xFFFF) - 0x8000

    def put(self, sequence: int, packet: Buffer) -> None:
        """Store ``packet`` under its 16-bit sequence number."""
        if not 0 <= sequence <= 0xFFFF:
            raise ValueError(f"RTP sequence number {sequence} is outside 0-65535")

        unwrapped = self._unwrap(sequence)
        if self._highest is None or unwrapped > self._highest:
            self._highest = unwrapped
        elif unwrapped <= self._highest - self.capacity:
            return
        slot = unwrapped % self.capacity
        self._sequences[slot] = unwrapped
        self._packets[slot] = packet

    def get(self, sequence: int) -> Buffer | None:
        """Return the packet stored under ``sequence``, or None."""
        if self._highest is None or not 0 <= sequence <= 0xFFFF:
            return None

        unwrapped = self._unwrap(sequence)
        if unwrapped <= self._highest - self.capacity:
            return None
        slot = unwrapped % self.capacity
        if self._sequences[slot] != unwrapped:
            return None
        return self._packets[slot]

    def clear(self) -> None:
        """Forget every packet."""
        self._sequences = [_EMPTY] * self.capacity
        self._packets = [None] * self.capacity
        self._highest = None
