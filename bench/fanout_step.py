# SPDX-License-Identifier: AGPL-3.0-or-later
"""One benchmark step: P publishers (audio + VP8 simulcast each) fanned out to S subscribers.

Each subscriber requests one simulcast layer of every video track and sends
receiver reports, REMB and NACKs (receiver_feedback.py). With a speaker
schedule the publishers take turns talking, which their audio-level
extension shows, and they send Opus DTX while silent. An SFU with last-N
then forwards video only of the recent speakers.

The step joins the publishers, then the subscribers at a fixed rate, waits
for media to settle and measures a steady window. Forwarded packets are
those the subscribers received in the window. CPU time is the system
under test's utime + stime from /proc over the same window, so "CPU-µs
per forwarded packet" charges the SFU's receive, routing, RTCP and send
work to the packets it delivered. Latency is one-way, from the
publisher's send-time trailer to the subscriber's receive callback, so it
also contains the generator's own send and receive queueing.
"""

import asyncio
import logging
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.loadgen.media_source import EncodedLayer
from bench.loadgen.receiver_feedback import ReceiverFeedback
from bench.loadgen.reception_counter import ReceptionCounter
from bench.loadgen.synthetic_participant import SyntheticParticipant, speech_levels
from bench.process_usage import (
    cpu_seconds,
    rss_bytes,
    runqueue_wait_seconds,
    udp_receive_buffer_errors,
)
from bench.sut_adapters import SystemUnderTest

logger = logging.getLogger(__name__)

# Service level a step must meet to count for R_cap and R_cpu.
SLO_LOSS_PCT = 1.0
SLO_P99_MS = 50.0
SLO_CORE_PCT = 90.0
# Above this share of its own core the generator, not the SFU, may be the limit.
GENERATOR_LIMIT_PCT = 70.0
# A generator whose event loop wakes this late is starved of CPU by other load on
# its core. It then reads sockets late, and that shows up as SFU latency.
GENERATOR_LAG_LIMIT_MS = 20.0
LAG_PROBE_INTERVAL_S = 0.05


@dataclass
class StepPlan:
    scenario: str
    subscribers: int
    publishers: int = 4
    join_rate_per_s: float = 20.0
    settle_s: float = 3.0
    steady_s: float = 10.0
    first_packet_timeout_s: float = 15.0
    latency_sample_every: int = 10
    # Simulcast layer every subscriber requests: 0 lowest (320x180), 1 middle (640x360).
    video_layer: int = 1
    # The SFU's last-N, ours only. 0 forwards all video.
    last_n: int = 0
    # Seconds per speaker turn: publisher i talks in slots i, i + P, and so on.
    # 0 keeps every publisher at one constant level.
    speaker_slot_s: float = 0.0
    slo_p99_ms: float = SLO_P99_MS
    slo_loss_pct: float = SLO_LOSS_PCT


@dataclass
class Joined:
    participant: SyntheticParticipant
    counter: ReceptionCounter
    started_at: float
    feedback: ReceiverFeedback


def speaker_schedule(index: int, publishers: int, slot_s: float) -> Callable[[float], int]:
    """Audio levels for publisher `index` of a round-robin talk schedule of `slot_s` per turn."""
    return speech_levels(index, lambda now: int(now / slot_s) % publishers == index)


@dataclass
class Window:
    """Counters at one instant, subtracted to get a window's figures."""

    at: float
    sut_cpu_s: float
    generator_cpu_s: float
    received: int
    expected: int
    udp_drops: int
    sut_wait_s: float


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def _join_subscribers(system: SystemUnderTest, plan: StepPlan) -> tuple[list[Joined], int]:
    joined: list[Joined] = []
    failures = 0
    started = time.monotonic()

    async def join(index: int) -> None:
        nonlocal failures
        await asyncio.sleep(max(0.0, started + index / plan.join_rate_per_s - time.monotonic()))
        began = time.monotonic()
        try:
            participant, counter = await system.subscriber(f"sub{index}", plan.latency_sample_every,
                                                           plan.video_layer)
        except Exception as error:  # noqa: BLE001 - one failed join must not end the step
            failures += 1
            logger.warning("%s: subscriber sub%d failed to join: %r", system.name, index, error)
            return
        feedback = ReceiverFeedback(participant.subscriber, counter)
        feedback.start()
        joined.append(Joined(participant, counter, began, feedback))

    await asyncio.gather(*(join(index) for index in range(plan.subscribers)))
    return joined, failures


async def _wait_first_packets(system: SystemUnderTest, joined: list[Joined], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if all(entry.counter.first_packet_at is not None for entry in joined):
            return
        await asyncio.sleep(0.1)
    for entry in joined:
        if entry.counter.first_packet_at is None:
            logger.warning("%s: %s received no media within %.0f s", system.name,
                           entry.participant.identity, timeout_s)


def _snapshot(system: SystemUnderTest, joined: list[Joined]) -> Window:
    received = expected = 0
    for entry in joined:
        stream_received, stream_expected = entry.counter.totals()
        received += stream_received
        expected += stream_expected
    return Window(time.monotonic(), cpu_seconds(system.pid), time.process_time(), received, expected,
                  udp_receive_buffer_errors(), runqueue_wait_seconds(system.pid))


async def run_step(system: SystemUnderTest, plan: StepPlan, video: list[EncodedLayer]) -> dict:
    """Run one step against a started system and return its row of figures."""
    base_rss = rss_bytes(system.pid)
    publishers: list[SyntheticParticipant] = []
    joined: list[Joined] = []
    try:
        await system.open()
        for index in range(plan.publishers):
            levels = (speaker_schedule(index, plan.publishers, plan.speaker_slot_s)
                      if plan.speaker_slot_s else None)
            publishers.append(await system.publisher(f"pub{index}", video, audio_level=levels,
                                                     dtx=bool(plan.speaker_slot_s)))
        joined, failures = await _join_subscribers(system, plan)
        await _wait_first_packets(system, joined, plan.first_packet_timeout_s)
        await asyncio.sleep(plan.settle_s)

        for entry in joined:
            entry.counter.recording_latency = True
        lags_ms: list[float] = []
        probe = asyncio.ensure_future(_probe_loop_lag(lags_ms))
        before = _snapshot(system, joined)
        await asyncio.sleep(plan.steady_s)
        after = _snapshot(system, joined)
        probe.cancel()
        for entry in joined:
            entry.counter.recording_latency = False
        rss = rss_bytes(system.pid)
    finally:
        for entry in joined:
            entry.feedback.stop()
        await asyncio.gather(*(p.close() for p in publishers + [e.participant for e in joined]),
                             return_exceptions=True)
        await system.close()

    row = _row(system, plan, joined, failures, before, after, rss - base_rss)
    row["nacks_sent"] = sum(entry.feedback.nacks_sent for entry in joined)
    row["receiver_reports_sent"] = sum(entry.feedback.reports_sent for entry in joined)
    row["srtp_profile"] = _srtp_profile(joined)
    row["generator_lag_p99_ms"] = _rounded(percentile(lags_ms, 0.99))
    row["generator_bound"] = (row["generator_core_pct"] > GENERATOR_LIMIT_PCT
                              or (row["generator_lag_p99_ms"] or 0) > GENERATOR_LAG_LIMIT_MS)
    return row


def _srtp_profile(joined: list[Joined]) -> str | None:
    """Return the SRTP profile the SUT chose for subscribers; it sets the per-packet crypto cost."""
    for entry in joined:
        try:
            return entry.participant.subscriber._dtls._ssl.get_selected_srtp_profile().decode()
        except AttributeError:  # not connected, or aiortc internals changed
            continue
    return None


async def _probe_loop_lag(lags_ms: list[float]) -> None:
    """Append how late each short sleep of the generator's event loop wakes up, in ms."""
    while True:
        slept_at = time.monotonic()
        await asyncio.sleep(LAG_PROBE_INTERVAL_S)
        lags_ms.append((time.monotonic() - slept_at - LAG_PROBE_INTERVAL_S) * 1000)


def _row(system: SystemUnderTest, plan: StepPlan, joined: list[Joined], failures: int,
         before: Window, after: Window, rss_growth: int) -> dict:
    wall = after.at - before.at
    forwarded = after.received - before.received
    expected = after.expected - before.expected
    sut_cpu = after.sut_cpu_s - before.sut_cpu_s
    latencies_ms = [us / 1000 for entry in joined for us in entry.counter.latencies_us]
    join_ms = [(entry.counter.first_packet_at - entry.started_at) * 1000 for entry in joined
               if entry.counter.first_packet_at is not None]
    no_media = len(joined) - len(join_ms)
    participants = plan.publishers + len(joined)

    loss_pct = max(0.0, (expected - forwarded) / expected * 100) if expected else None
    row = {
        "system": system.name,
        "scenario": plan.scenario,
        "subscribers": plan.subscribers,
        "publishers": plan.publishers,
        "participants": participants,
        "video_layer": plan.video_layer,
        "last_n": plan.last_n,
        "join_failures": failures + no_media,
        "window_s": round(wall, 2),
        "forwarded_packets": forwarded,
        "forwarded_pps": round(forwarded / wall) if wall else 0,
        "pps_per_subscriber": round(forwarded / wall / len(joined)) if wall and joined else 0,
        "sut_cpu_us_per_packet": round(sut_cpu * 1e6 / forwarded, 2) if forwarded else None,
        "sut_core_pct": round(sut_cpu / wall * 100, 1) if wall else None,
        # Share of the window the SUT's threads were runnable but waited for a CPU (summed over threads).
        "sut_runqueue_wait_pct": round((after.sut_wait_s - before.sut_wait_s) / wall * 100, 1) if wall else None,
        "generator_core_pct": round((after.generator_cpu_s - before.generator_cpu_s) / wall * 100, 1),
        "latency_samples": len(latencies_ms),
        "latency_p50_ms": _rounded(percentile(latencies_ms, 0.50)),
        "latency_p99_ms": _rounded(percentile(latencies_ms, 0.99)),
        "loss_pct": round(loss_pct, 3) if loss_pct is not None else None,
        # Datagrams the kernel dropped at any full UDP socket of the namespace (SUT or generator).
        "udp_receive_buffer_drops": after.udp_drops - before.udp_drops,
        "join_p50_ms": _rounded(percentile(join_ms, 0.50)),
        "join_p99_ms": _rounded(percentile(join_ms, 0.99)),
        "rss_kib_per_participant": round(rss_growth / 1024 / participants) if participants else None,
    }
    row["meets_slo"] = _meets_slo(row, plan)
    return row


def _rounded(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def _meets_slo(row: dict, plan: StepPlan) -> bool:
    return (row["forwarded_packets"] > 0 and row["join_failures"] == 0
            and row["loss_pct"] is not None and row["loss_pct"] <= plan.slo_loss_pct
            and row["latency_p99_ms"] is not None and row["latency_p99_ms"] <= plan.slo_p99_ms
            and row["sut_core_pct"] is not None and row["sut_core_pct"] <= SLO_CORE_PCT)


def median_or_none(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None
