# SPDX-License-Identifier: AGPL-3.0-or-later
"""Loss detection on one incoming RTP stream, for generic NACK (RFC 4585 §6.2.1).

``NackTracker.on_packet`` takes every sequence number of one SSRC and
stores the gaps, and ``due`` returns those to request now. The caller packs
them with ``sfu.rtp.rtcp.build_nack``.
"""

# Defaults. libwebrtc's NACK module also stops after 10 requests per packet.
DEFAULT_REORDER_WAIT_MS = 20
DEFAULT_MAX_RETRIES = 10
DEFAULT_MAX_AGE_MS = 1000
DEFAULT_MAX_GAP = 500
DEFAULT_RTT_MS = 100
# Retries never come faster than this, even when the measured RTT is tiny.
MIN_RETRY_INTERVAL_MS = 5


class _Missing:
    __slots__ = ("first_seen_ms", "last_request_ms", "requests")

    def __init__(self, first_seen_ms: int) -> None:
        self.first_seen_ms = first_seen_ms
        self.last_request_ms = -1
        self.requests = 0


class NackTracker:
    """Gaps in one SSRC's sequence numbers and when to request them again.

    Handles 16-bit wraparound and reordering: a late packet removes its gap.
    A forward jump of more than ``max_gap`` sequence numbers resets the
    tracker instead of queueing thousands of requests. ``on_packet`` then
    returns True, so the caller can request a keyframe instead.
    """

    def __init__(
        self,
        reorder_wait_ms: int = DEFAULT_REORDER_WAIT_MS,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_age_ms: int = DEFAULT_MAX_AGE_MS,
        max_gap: int = DEFAULT_MAX_GAP,
    ) -> None:
        if max_retries < 1:
            raise ValueError(f"max_retries {max_retries} must be at least 1")
        if max_gap < 1:
            raise ValueError(f"max_gap {max_gap} must be at least 1")
        self.reorder_wait_ms = reorder_wait_ms
        self.max_retries = max_retries
        self.max_age_ms = max_age_ms
        self.max_gap = max_gap
        self._highest: int | None = None  # unwrapped
        self._missing: dict[int, _Missing] = {}  # unwrapped sequence -> state, in ascending order

    @property
    def missing_count(self) -> int:
        """Number of sequence numbers currently tracked as missing."""
        return len(self._missing)

    def on_packet(self, sequence: int, now_ms: int) -> bool:
        """Note the arrival of ``sequence`` (0-65535).

        Returns True when the packet jumped so far ahead that the tracker
        reset and dropped the gap instead of requesting it.
        """
        if not 0 <= sequence <= 0xFFFF:
            raise ValueError(f"RTP sequence number {sequence} is outside 0-65535")

        highest = self._highest
        if highest is None:
            self._highest = sequence
            return False

        unwrapped = highest + ((sequence - highest + 0x8000) & 0xFFFF) - 0x8000
        if unwrapped <= highest:
            # Reordered or retransmitted: it fills its gap, if any.
            if self._missing:
                self._missing.pop(unwrapped, None)
            return False

        self._highest = unwrapped
        gap = unwrapped - highest - 1
        if gap == 0:
            return False
        if gap > self.max_gap:
            self._missing.clear()
            return True

        missing = self._missing
        for lost in range(highest + 1, unwrapped):
            missing[lost] = _Missing(now_ms)
        return False

    def due(self, now_ms: int, rtt_ms: int) -> list[int]:
        """Return the sequence numbers (0-65535) to request now, oldest first.

        A gap is requested first ``reorder_wait_ms`` after it was seen, then
        again every round-trip time (``rtt_ms``, or 100 ms when it is 0 or
        less, i.e. unknown) until ``max_retries`` requests were sent or it is older
        than ``max_age_ms``, when it is dropped.
        """
        if not self._missing:
            return []

        retry_interval = max(rtt_ms if rtt_ms > 0 else DEFAULT_RTT_MS, MIN_RETRY_INTERVAL_MS)
        requests = []
        expired = []
        for sequence, state in self._missing.items():
            if now_ms - state.first_seen_ms > self.max_age_ms or state.requests >= self.max_retries:
                expired.append(sequence)
                continue
            if state.requests == 0:
                if now_ms - state.first_seen_ms < self.reorder_wait_ms:
                    continue
            elif now_ms - state.last_request_ms < retry_interval:
                continue
            state.requests += 1
            state.last_request_ms = now_ms
            requests.append(sequence & 0xFFFF)

        for sequence in expired:
            del self._missing[sequence]
        return requests

    def reset(self) -> None:
        """Forget every gap and the highest sequence number, e.g. after an SSRC change."""
        self._highest = None
        self._missing.clear()
