# SPDX-License-Identifier: AGPL-3.0-or-later
"""RTCP a synthetic subscriber sends back, as a browser's receiver would.

Once per interval each subscriber sends one compound packet. It contains
a receiver report with a block per received SSRC and a REMB with a fixed
estimate for a well-provisioned link. A generic NACK follows for each
stream with gaps queued by the ReceptionCounter. The SFU then does its
real per-subscriber RTCP work (reports, bandwidth allocation,
retransmission) under load.

Jitter and the last-SR fields stay 0: the counter does not decrypt
sender reports, and neither SFU acts on them.
"""

import asyncio
import logging
import random

from bench.loadgen.reception_counter import ReceptionCounter, StreamCount
from sfu.room.ids import random_ssrc
from sfu.rtp import rtcp
from sfu.webrtc.peer_transport import PeerTransport

logger = logging.getLogger(__name__)

INTERVAL_S = 1.0
# Estimate of a good link, above every layer's bitrate, so it limits no layer choice.
ESTIMATE_BPS = 20_000_000


class ReceiverFeedback:
    def __init__(self, transport: PeerTransport, counter: ReceptionCounter,
                 interval_s: float = INTERVAL_S) -> None:
        self._transport = transport
        self._counter = counter
        self._interval_s = interval_s
        self.ssrc = random_ssrc()
        self._previous: dict[int, tuple[int, int]] = {}  # ssrc -> (received, expected) at last report
        self.reports_sent = 0
        self.nacks_sent = 0
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        # Spread subscribers over the interval, as independent browsers are.
        await asyncio.sleep(random.uniform(0, self._interval_s))
        while True:
            if self._transport.connected and self._counter.streams:
                self.send_once()
            await asyncio.sleep(self._interval_s)

    def send_once(self) -> None:
        streams = list(self._counter.streams.items())
        packets = [rtcp.build_receiver_report(
            self.ssrc, [self._block(ssrc, stream) for ssrc, stream in streams[:rtcp.MAX_REPORT_BLOCKS]])]
        packets.append(rtcp.build_remb(self.ssrc, ESTIMATE_BPS, [ssrc for ssrc, _ in streams[:255]]))
        for ssrc, stream in streams:
            if stream.nack_pending:
                packets.append(rtcp.build_nack(self.ssrc, ssrc, stream.nack_pending))
                stream.nack_pending = []
                self.nacks_sent += 1
        self._transport.send_rtcp(rtcp.build_compound(packets))
        self.reports_sent += 1

    def _block(self, ssrc: int, stream: StreamCount) -> rtcp.ReportBlock:
        received, expected = stream.received, stream.expected
        previous_received, previous_expected = self._previous.get(ssrc, (0, 0))
        self._previous[ssrc] = (received, expected)

        interval_expected = expected - previous_expected
        interval_lost = interval_expected - (received - previous_received)
        fraction = (interval_lost * 256 // interval_expected) if interval_expected > 0 and interval_lost > 0 else 0
        return rtcp.ReportBlock(ssrc, min(fraction, 255), max(0, expected - received),
                                stream.highest_sequence & 0xFFFFFFFF, 0, 0, 0)
