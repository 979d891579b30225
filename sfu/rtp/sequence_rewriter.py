# SPDX-License-Identifier: AGPL-3.0-or-later
"""Sequence number and timestamp rewriting for one outgoing RTP stream.

A subscriber receives one stream per track while the SFU changes what feeds it:
another simulcast layer, or another speaker under last-N. The receiver must
see sequence numbers that continue without gaps and timestamps that never
go backwards (RFC 3550 §5.1), or it reports loss, NACKs packets that never
existed, or stalls its jitter buffer.
"""

# Reordered packets are mapped correctly back to this many drop boundaries.
# Older ones are treated as from before the switch.
MAX_DROP_SEGMENTS = 256


class SequenceRewriter:
    """Output sequence numbers and timestamps of one outgoing stream.

    Call ``switch_source`` with the first packet of each new source (the
    very first one too), then ``rewrite`` for every packet of that source
    and ``drop`` for each one the SFU decides not to forward. The caller
    routes only packets whose SSRC is ``source_ssrc`` here.

    Output sequence numbers of forwarded packets continue at last + 1
    across switches and drops. The timestamp of a new source continues at
    the last output timestamp plus the wall time elapsed since that packet
    was sent, estimated from its timestamp, and at least one tick later.
    """

    def __init__(self) -> None:
        self.source_ssrc: int | None = None
        self._clock_rate = 0
        self._highest_in = 0  # unwrapped input sequence number of the newest packet seen
        # Piecewise mapping: input u >= _boundaries[k] (up to the next boundary) gets _offsets[k].
        # Each boundary after the first follows a run of dropped packets, which is
        # _offsets[k - 1] - _offsets[k] long, so the dropped numbers need no separate set.
        self._boundaries: list[int] = []
        self._offsets: list[int] = []
        self._timestamp_offset = 0
        self._last_out_timestamp: int | None = None
        self._switch_time_ms = 0
        self._switch_out_timestamp = 0

    @property
    def last_sequence(self) -> int | None:
        """Output sequence number (0-65535) given to the newest packet, or None before any."""
        if self._last_out_timestamp is None:
            return None
        return (self._highest_in + self._offsets[-1]) & 0xFFFF

    @property
    def last_timestamp(self) -> int | None:
        """Output timestamp of the newest forwarded packet, or None before any."""
        return self._last_out_timestamp

    def switch_source(self, new_ssrc: int, first_seq: int, first_ts: int, now_ms: int, clock_rate: int) -> None:
        """Make ``new_ssrc`` the source, starting at its packet ``first_seq``/``first_ts``.

        Packets of the new source older than ``first_seq`` are rejected by
        ``rewrite`` from now on. ``clock_rate`` is the RTP clock in Hz.
        """
        if not 0 <= first_seq <= 0xFFFF:
            raise ValueError(f"RTP sequence number {first_seq} is outside 0-65535")
        if not 0 <= first_ts <= 0xFFFFFFFF:
            raise ValueError(f"RTP timestamp {first_ts} is outside 0-2^32-1")
        if clock_rate <= 0:
            raise ValueError(f"clock rate {clock_rate} Hz must be positive")

        if self._last_out_timestamp is None:
            next_out_sequence = first_seq
            next_out_timestamp = first_ts
        else:
            next_out_sequence = self._highest_in + self._offsets[-1] + 1
            next_out_timestamp = self._last_out_timestamp + self._elapsed_ticks(now_ms, clock_rate)

        self.source_ssrc = new_ssrc
        self._clock_rate = clock_rate
        self._highest_in = first_seq - 1
        self._boundaries = [first_seq]
        self._offsets = [next_out_sequence - first_seq]
        self._timestamp_offset = (next_out_timestamp - first_ts) & 0xFFFFFFFF
        self._switch_time_ms = now_ms
        self._switch_out_timestamp = next_out_timestamp & 0xFFFFFFFF

    def _elapsed_ticks(self, now_ms: int, clock_rate: int) -> int:
        """RTP ticks since the newest output packet was sent, at least 1."""
        since_switch = (self._last_out_timestamp - self._switch_out_timestamp) & 0xFFFFFFFF  # type: ignore[operator]
        if since_switch >= 0x80000000:
            since_switch -= 0x100000000
        last_sent_ms = self._switch_time_ms + since_switch * 1000 // self._clock_rate
        return max(1, (now_ms - last_sent_ms) * clock_rate // 1000)

    def rewrite(self, seq: int, ts: int) -> tuple[int, int] | None:
        """Return ``(out_seq, out_ts)`` for a packet of the current source, or None.

        None means: do not forward, because the packet is from before the
        last switch, was dropped with ``drop``, or no source is set.
        Reordered and retransmitted packets get the same numbers they would
        have got in order.
        """
        if self.source_ssrc is None:
            return None

        highest = self._highest_in
        unwrapped = highest + ((seq - highest + 0x8000) & 0xFFFF) - 0x8000
        if unwrapped > highest:
            self._highest_in = unwrapped
            out_ts = (ts + self._timestamp_offset) & 0xFFFFFFFF
            self._last_out_timestamp = out_ts
            return (unwrapped + self._offsets[-1]) & 0xFFFF, out_ts

        offset = self._offset_of_older(unwrapped)
        if offset is None:
            return None
        return (unwrapped + offset) & 0xFFFF, (ts + self._timestamp_offset) & 0xFFFFFFFF

    def _offset_of_older(self, unwrapped: int) -> int | None:
        """Offset for a packet at or below the newest one, or None if dropped or too old."""
        boundaries = self._boundaries
        index = len(boundaries) - 1
        while boundaries[index] > unwrapped:
            index -= 1
            if index < 0:
                return None

        offsets = self._offsets
        if index + 1 < len(boundaries):
            dropped_run = offsets[index] - offsets[index + 1]
            if unwrapped >= boundaries[index + 1] - dropped_run:
                return None
        return offsets[index]

    def drop(self, seq: int) -> bool:
        """Leave packet ``seq`` of the current source out without a gap in the output.

        Later packets shift down by one, so the receiver never gets the
        number and never NACKs it. Returns False when that is impossible
        because a newer packet was already forwarded and the number is
        already reserved, so the receiver will see a gap.
        """
        if self.source_ssrc is None:
            return True

        highest = self._highest_in
        unwrapped = highest + ((seq - highest + 0x8000) & 0xFFFF) - 0x8000
        if unwrapped <= highest:
            return self._offset_of_older(unwrapped) is None

        self._highest_in = unwrapped
        boundaries = self._boundaries
        if boundaries[-1] == unwrapped:
            boundaries[-1] = unwrapped + 1
            self._offsets[-1] -= 1
        else:
            boundaries.append(unwrapped + 1)
            self._offsets.append(self._offsets[-1] - 1)
            if len(boundaries) > 2 * MAX_DROP_SEGMENTS:
                del boundaries[:-MAX_DROP_SEGMENTS]
                del self._offsets[:-MAX_DROP_SEGMENTS]
        return True

    def original_sequence(self, out_seq: int) -> int | None:
        """Map an output sequence number back to the current source's, e.g. for a NACK.

        Returns None for numbers that belong to an earlier source or were
        never given out.
        """
        last = self.last_sequence
        if last is None:
            return None

        newest_out = self._highest_in + self._offsets[-1]
        unwrapped_out = newest_out + ((out_seq - last + 0x8000) & 0xFFFF) - 0x8000
        if unwrapped_out > newest_out:
            return None

        boundaries = self._boundaries
        offsets = self._offsets
        for index in range(len(boundaries) - 1, -1, -1):
            unwrapped_in = unwrapped_out - offsets[index]
            upper = boundaries[index + 1] if index + 1 < len(boundaries) else self._highest_in + 1
            if boundaries[index] <= unwrapped_in < upper:
                if self._offset_of_older(unwrapped_in) is None:
                    return None
                return unwrapped_in & 0xFFFF
        return None

    def rewrite_timestamp(self, ts: int) -> int:
        """Map a timestamp of the current source to the output, e.g. for a sender report."""
        return (ts + self._timestamp_offset) & 0xFFFFFFFF
