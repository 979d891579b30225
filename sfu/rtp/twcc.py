# SPDX-License-Identifier: AGPL-3.0-or-later
"""Transport-wide congestion control feedback on the receiving side.

Records the arrival time of every packet that carries the transport-wide
sequence number extension and turns them into RTCP transport feedback
packets (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1). Such a
packet has a base sequence number, a reference time in units of 64 ms and
packet status chunks (run-length or 1-bit/2-bit status vectors). Receive
deltas follow in units of 250 µs, 1 byte when 0-63.75 ms, else 2 signed bytes.
"""

import struct

from sfu.rtp.rtcp import RTPFB, RTPFB_TRANSPORT_FEEDBACK, TRANSPORT_DELTA_US, TRANSPORT_REFERENCE_US

# Status symbols of §3.1.1.
NOT_RECEIVED = 0
SMALL_DELTA = 1
LARGE_DELTA = 2

DEFAULT_MAX_PACKET_SIZE = 1200

# A run-length chunk counts up to 13 bits of packets.
_MAX_RUN_LENGTH = 0x1FFF
# Packets older than this relative to the newest arrival are forgotten once reported,
# which bounds how late a reordered packet can still be reported (libwebrtc keeps 500 ms too).
_HISTORY_US = 500_000
# Hard bound on remembered packets when feedback is not being requested.
_MAX_HISTORY_PACKETS = 1 << 15
# Maximum sequence range one call to build_feedback reports.
_MAX_REPORTED_RANGE = 1 << 15

_FIXED_PART = struct.Struct("!BBHIIHHI")
_SIGNED_16 = struct.Struct("!h")
_FIXED_SIZE = 20


class _ChunkEncoder:
    """Packs status symbols into as few 2-byte chunks as a greedy pass allows.

    Pending symbols stay open until the next symbol no longer fits one chunk:
    a run of equal symbols (run-length chunk), up to 14 symbols of 0 and 1
    (1-bit vector) or up to 7 symbols of any kind (2-bit vector).
    """

    def __init__(self) -> None:
        self.chunks: list[int] = []
        self._symbols: list[int] = []  # the first 14 pending symbols, all a long run needs
        self._count = 0
        self._all_same = True
        self._has_large = False

    @property
    def chunk_count(self) -> int:
        """Chunks written so far plus the one the pending symbols will need."""
        return len(self.chunks) + (1 if self._count else 0)

    def add(self, symbol: int) -> None:
        count = self._count
        if count >= 14 and self._all_same and symbol == self._symbols[0] and count < _MAX_RUN_LENGTH:
            self._count = count + 1  # the usual case, a run of received packets that goes on
            return
        if count and not self._fits(symbol):
            self._emit_pending()
        self._append(symbol)

    def finish(self) -> list[int]:
        # In the last chunk a 1-bit vector may hold fewer than 14 symbols, because the
        # receiver ignores symbols beyond the packet status count.
        if self._count and not self._all_same and not self._has_large:
            self._emit_one_bit_vector()
        while self._count:
            self._emit_pending()
        return self.chunks

    def _fits(self, symbol: int) -> bool:
        count = self._count
        if self._all_same and symbol == self._symbols[0] and count < _MAX_RUN_LENGTH:
            return True
        if count < 7:
            return True
        return count < 14 and not self._has_large and symbol != LARGE_DELTA

    def _append(self, symbol: int) -> None:
        if self._count < 14:
            self._symbols.append(symbol)
        self._count += 1
        self._all_same = self._all_same and symbol == self._symbols[0]
        self._has_large = self._has_large or symbol == LARGE_DELTA

    def _emit_pending(self) -> None:
        symbols = self._symbols
        if self._all_same:
            self.chunks.append((symbols[0] << 13) | self._count)
            self._reset([])
        elif self._count == 14 and not self._has_large:
            self._emit_one_bit_vector()
        else:
            # A 2-bit vector takes the first 7 symbols, and the rest (at most 6) stay pending.
            vector = 0xC000
            for index, symbol in enumerate(symbols[:7]):
                vector |= symbol << (12 - 2 * index)
            self.chunks.append(vector)
            self._reset(symbols[7:])

    def _emit_one_bit_vector(self) -> None:
        vector = 0x8000
        for index, symbol in enumerate(self._symbols):
            vector |= symbol << (13 - index)
        self.chunks.append(vector)
        self._reset([])

    def _reset(self, remaining: list[int]) -> None:
        self._symbols = []
        self._count = 0
        self._all_same = True
        self._has_large = False
        for symbol in remaining:
            self._append(symbol)


class _FeedbackPacket:
    """One transport feedback packet under construction."""

    def __init__(self, base_sequence: int, reference_time: int) -> None:
        self.base_sequence = base_sequence
        self.reference_time = reference_time
        self.base_us = reference_time * TRANSPORT_REFERENCE_US
        self.previous_ticks = 0
        self.status_count = 0
        self.encoder = _ChunkEncoder()
        self.deltas = bytearray()

    def size_with(self, delta_size: int) -> int:
        """Size in bytes, padding included, if one more packet with ``delta_size`` delta bytes is added."""
        size = _FIXED_SIZE + 2 * (self.encoder.chunk_count + 1) + len(self.deltas) + delta_size
        return (size + 3) & ~3

    def serialize(self, sender_ssrc: int, media_ssrc: int, feedback_count: int) -> bytes:
        chunks = self.encoder.finish()
        body_size = _FIXED_SIZE + 2 * len(chunks) + len(self.deltas)
        padding = -body_size & 3
        first = 0x80 | RTPFB_TRANSPORT_FEEDBACK | (0x20 if padding else 0)
        parts = [
            _FIXED_PART.pack(
                first, RTPFB, (body_size + padding) // 4 - 1, sender_ssrc, media_ssrc,
                self.base_sequence & 0xFFFF, self.status_count,
                ((self.reference_time & 0xFFFFFF) << 8) | (feedback_count & 0xFF),
            ),
            struct.pack(f"!{len(chunks)}H", *chunks),
            bytes(self.deltas),
        ]
        if padding:
            # RTCP padding (RFC 3550 §6.4.1 P bit): zeros, then the padding count.
            parts.append(bytes(padding - 1) + bytes((padding,)))
        return b"".join(parts)


class TransportCcRecorder:
    """Arrival times of one transport (all SSRCs that share the transport-wide sequence).

    ``record`` is O(1) and meant for every received packet. ``build_feedback``
    reports everything since the previous feedback and is meant to run on a
    timer (about every 50-100 ms). A packet that arrives after its sequence
    number was reported as lost moves the start of the next feedback back to
    it, so it is reported again as received, as long as the packets between
    are still remembered (500 ms).
    """

    def __init__(self, max_packet_size: int = DEFAULT_MAX_PACKET_SIZE) -> None:
        if max_packet_size < 64:
            raise ValueError(f"max_packet_size {max_packet_size} is below the 64-byte minimum")
        self._max_packet_size = max_packet_size
        self._arrivals: dict[int, int] = {}  # unwrapped sequence -> arrival time in µs
        self._highest: int | None = None
        self._next_start: int | None = None
        # Every remembered sequence number is at or above this one, and every one below
        # it is forgotten. Forgetting goes up from here in sequence order, because
        # deleting a dict's oldest entries and then looking for the next oldest is
        # slow in CPython (it skips the deleted slots each time).
        self._lowest = 0
        self._feedback_count = 0

    def record(self, transport_sequence: int, arrival_time_us: int) -> None:
        """Record the arrival of a packet with a 16-bit transport-wide sequence number."""
        if not 0 <= transport_sequence <= 0xFFFF:
            raise ValueError(f"transport-wide sequence number {transport_sequence} is outside 0-65535")

        highest = self._highest
        if highest is None:
            sequence = transport_sequence
            self._highest = sequence
            self._next_start = sequence
            self._lowest = sequence
        else:
            sequence = highest + ((transport_sequence - highest + 0x8000) & 0xFFFF) - 0x8000
            if sequence > highest:
                self._highest = sequence
            elif sequence < self._next_start:  # type: ignore[operator]
                if sequence < self._lowest:
                    return
                self._next_start = sequence

        arrivals = self._arrivals
        if sequence in arrivals:
            return
        arrivals[sequence] = arrival_time_us
        if len(arrivals) > _MAX_HISTORY_PACKETS:
            self._forget_lowest()

    def build_feedback(self, sender_ssrc: int, media_ssrc: int) -> list[bytes]:
        """Return feedback packets for every sequence number since the previous call.

        Sequence numbers never received are reported as not received. Returns
        an empty list when nothing new arrived. Each packet stays within the
        configured size (1200 bytes by default), so the range is split into
        more packets when needed. It is also split where a receive delta
        would not fit 16 bits (8.2 s).
        """
        if self._highest is None or self._next_start is None or self._next_start > self._highest:
            return []

        end = self._highest
        start = max(self._next_start, self._lowest, end - _MAX_REPORTED_RANGE + 1)
        packets = []
        sequence = start
        while sequence <= end:
            packet, sequence = self._fill_packet(sequence, end)
            if packet is None:
                break
            packets.append(packet.serialize(sender_ssrc, media_ssrc, self._feedback_count))
            self._feedback_count = (self._feedback_count + 1) & 0xFF

        self._next_start = end + 1
        newest_arrival = self._arrivals.get(end)
        if newest_arrival is not None:
            self._forget_old(newest_arrival)
        return packets

    def _fill_packet(self, start: int, end: int) -> tuple["_FeedbackPacket | None", int]:
        """Add packets from ``start`` until ``end``, the size limit or a delta overflow.

        Returns the packet and the first sequence number it does not cover,
        or None when no packet in the range was received.
        """
        arrivals = self._arrivals
        first_arrival = next((arrivals[s] for s in range(start, end + 1) if s in arrivals), None)
        if first_arrival is None:
            return None, end + 1
        packet = _FeedbackPacket(start, first_arrival // TRANSPORT_REFERENCE_US)
        encoder = packet.encoder
        deltas = packet.deltas
        limit = self._max_packet_size

        sequence = start
        while sequence <= end and packet.status_count < 0xFFFF:
            arrival = arrivals.get(sequence)
            if arrival is None:
                symbol = NOT_RECEIVED
                delta = 0
                delta_size = 0
            else:
                ticks = (arrival - packet.base_us + TRANSPORT_DELTA_US // 2) // TRANSPORT_DELTA_US
                delta = ticks - packet.previous_ticks
                if 0 <= delta <= 0xFF:
                    symbol = SMALL_DELTA
                    delta_size = 1
                elif -0x8000 <= delta <= 0x7FFF:
                    symbol = LARGE_DELTA
                    delta_size = 2
                else:
                    # Only a later packet gets here, because the first received delta is
                    # at most 64 ms after the reference time (the arrival floored to 64 ms).
                    break

            # A cheap upper bound (one more chunk, the pending one and padding) before the exact size.
            if packet.status_count and _FIXED_SIZE + 2 * (len(encoder.chunks) + 2) + len(deltas) + delta_size + 3 > limit:
                if packet.size_with(delta_size) > limit:
                    break

            encoder.add(symbol)
            packet.status_count += 1
            if symbol == SMALL_DELTA:
                deltas.append(delta)
                packet.previous_ticks += delta
            elif symbol == LARGE_DELTA:
                deltas += _SIGNED_16.pack(delta)
                packet.previous_ticks += delta
            sequence += 1

        return packet, sequence

    def _forget_old(self, newest_arrival_us: int) -> None:
        """Drop reported packets that arrived more than 500 ms before ``newest_arrival_us``."""
        arrivals = self._arrivals
        cutoff = newest_arrival_us - _HISTORY_US
        while self._lowest < self._next_start:  # type: ignore[operator]
            arrival = arrivals.get(self._lowest)
            if arrival is not None:
                if arrival >= cutoff:
                    return
                del arrivals[self._lowest]
            self._lowest += 1

    def _forget_lowest(self) -> None:
        """Drop the packet with the lowest sequence number."""
        arrivals = self._arrivals
        while self._lowest not in arrivals:
            self._lowest += 1
        del arrivals[self._lowest]
        self._lowest += 1
