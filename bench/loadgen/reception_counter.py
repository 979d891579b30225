# SPDX-License-Identifier: AGPL-3.0-or-later
"""Cheap counting of received SRTP media on a subscriber's PeerTransport.

A load generator that decrypted every packet would measure itself, not the
SFU. This counter reads SSRC and sequence number from the clear RTP header
(SRTP leaves the header unencrypted), and decrypts only every
`sample_every`-th packet to read the send-time trailer. Skipping packets is
safe for SRTP: the replay window only rejects packets older than the newest
one accepted, and the rollover counter is estimated from the sequence
number, which stays correct while fewer than 32768 packets are skipped.
Sequence gaps are counted and queued for a NACK (receiver_feedback.py).
RTCP from the SFU is dropped unread.
"""

import time
from dataclasses import dataclass, field

import pylibsrtp

from bench.loadgen.send_time_trailer import latency_us
from sfu.webrtc.peer_transport import PeerTransport


@dataclass
class StreamCount:
    """Packets of one SSRC: received, and the extended sequence range seen."""

    received: int = 0
    first_sequence: int = 0
    highest_sequence: int = 0  # extended with a rollover count
    gaps: int = 0
    # Sequence numbers (16-bit) missing since the last NACK, at most MAX_NACK_PENDING.
    nack_pending: list[int] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return self.highest_sequence - self.first_sequence + 1


# Upper bound of sequence numbers queued for one NACK. A longer gap is
# requested only for its most recent packets, which are still worth repairing.
MAX_NACK_PENDING = 32


class ReceptionCounter:
    def __init__(self, transport: PeerTransport, sample_every: int = 10) -> None:
        self._transport = transport
        self._sample_every = sample_every
        self.streams: dict[int, StreamCount] = {}
        self.packets = 0
        self.first_packet_at: float | None = None  # time.monotonic()
        self.latencies_us: list[int] = []
        self.recording_latency = False
        self.unprotect_failures = 0
        # The transport's fast path calls this attribute for every SRTP datagram.
        transport._receive_srtp = self._receive  # type: ignore[method-assign]

    def _receive(self, data: bytes) -> None:
        if len(data) < 12 or 191 < data[1] < 224:
            return
        self.packets += 1
        if self.first_packet_at is None:
            self.first_packet_at = time.monotonic()
        self._count(int.from_bytes(data[8:12], "big"), (data[2] << 8) | data[3])
        if self.recording_latency and self.packets % self._sample_every == 0:
            self._sample_latency(data)

    def _count(self, ssrc: int, sequence: int) -> None:
        stream = self.streams.get(ssrc)
        if stream is None:
            self.streams[ssrc] = StreamCount(1, sequence, sequence)
            return
        stream.received += 1
        highest = stream.highest_sequence
        delta = (sequence - highest) & 0xFFFF
        # A forward step of less than half the sequence space is new; the rest is reordering.
        if 0 < delta < 0x8000:
            stream.highest_sequence = highest + delta
            if delta > 1:
                self._note_gap(stream, sequence, delta - 1)

    @staticmethod
    def _note_gap(stream: StreamCount, sequence: int, missing: int) -> None:
        stream.gaps += 1
        room = MAX_NACK_PENDING - len(stream.nack_pending)
        for back in range(min(missing, room), 0, -1):
            stream.nack_pending.append((sequence - back) & 0xFFFF)

    def _sample_latency(self, data: bytes) -> None:
        session = self._transport._rx_srtp
        if session is None:
            return
        try:
            plain = session.unprotect(data)
        except pylibsrtp.Error:
            self.unprotect_failures += 1
            return
        latency = latency_us(plain, time.monotonic_ns() // 1000)
        if latency is not None:
            self.latencies_us.append(latency)

    def totals(self) -> tuple[int, int]:
        """Return (received, expected) packets summed over all streams."""
        received = sum(stream.received for stream in self.streams.values())
        expected = sum(stream.expected for stream in self.streams.values())
        return received, expected
