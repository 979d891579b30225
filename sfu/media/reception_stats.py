# SPDX-License-Identifier: AGPL-3.0-or-later
"""Receiver-report statistics of one incoming RTP stream (RFC 3550 §6.4.1, appendix A)."""

from sfu.rtp.rtcp import ReportBlock, ntp_middle_bits


class ReceptionStats:
    """Counts, loss and interarrival jitter for the receiver reports the SFU sends."""

    def __init__(self, clock_rate: int) -> None:
        self._clock_rate = clock_rate
        self._base: int | None = None
        self._highest = 0  # extended (unwrapped) highest sequence number
        self._received = 0
        self._expected_prior = 0
        self._received_prior = 0
        self._jitter = 0.0
        self._last_transit: int | None = None
        self._last_sr: int = 0
        self._last_sr_arrival_ms: int | None = None

    def on_packet(self, sequence: int, timestamp: int, arrival_ms: int) -> None:
        if self._base is None:
            self._base = sequence
            self._highest = sequence
        else:
            unwrapped = self._highest + ((sequence - self._highest + 0x8000) & 0xFFFF) - 0x8000
            if unwrapped > self._highest:
                self._highest = unwrapped
        self._received += 1

        # RFC 3550 A.8: jitter from differences in relative transit time.
        transit = arrival_ms * self._clock_rate // 1000 - timestamp
        if self._last_transit is not None:
            difference = abs(transit - self._last_transit)
            # Timestamps wrap at 2^32; a jump that large is a wrap, not jitter.
            if difference < 1 << 31:
                self._jitter += (difference - self._jitter) / 16
        self._last_transit = transit

    def on_sender_report(self, ntp_timestamp: int, arrival_ms: int) -> None:
        self._last_sr = ntp_middle_bits(ntp_timestamp)
        self._last_sr_arrival_ms = arrival_ms

    def report_block(self, ssrc: int, now_ms: int) -> ReportBlock | None:
        if self._base is None:
            return None
        expected = self._highest - self._base + 1
        lost = max(0, expected - self._received)

        expected_interval = expected - self._expected_prior
        received_interval = self._received - self._received_prior
        self._expected_prior = expected
        self._received_prior = self._received
        lost_interval = expected_interval - received_interval
        fraction = 0 if expected_interval <= 0 or lost_interval <= 0 else (
            (lost_interval << 8) // expected_interval)

        delay = 0
        if self._last_sr_arrival_ms is not None:
            # DLSR is in units of 1/65536 s.
            delay = (now_ms - self._last_sr_arrival_ms) * 65536 // 1000
        return ReportBlock(
            ssrc=ssrc,
            fraction_lost=min(fraction, 255),
            packets_lost=min(lost, (1 << 23) - 1),
            highest_sequence=self._highest & 0xFFFFFFFF,
            jitter=int(self._jitter),
            last_sr=self._last_sr,
            delay_since_last_sr=delay & 0xFFFFFFFF,
        )
