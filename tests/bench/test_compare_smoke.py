# SPDX-License-Identifier: AGPL-3.0-or-later
"""The side-by-side benchmark's generator at tiny scale, against our SFU only.

Keeps bench/compare.py and its step runner working; Janus is not needed.
Figures are not asserted (timings belong in bench/), only that media was
forwarded, measured and written as a JSON row.
"""

import argparse
import json

from bench.compare import environment, format_row, summarize, write_results
from bench.fanout_step import StepPlan, run_step
from bench.loadgen.media_source import DEFAULT_LAYERS, encode_layers
from bench.sut_adapters import OurSfu

# Audio packets per second one S2 subscriber receives: one talking publisher
# at 50 packets/s and two silent ones sending DTX at 2.5 packets/s.
S2_AUDIO_PPS = 50 + 2 * 2.5
# Packets per second of one 320x180 video track, one per frame at 30 frames/s.
LOW_LAYER_PPS = 30


async def run_against_our_sfu(tmp_path, plan: StepPlan, layer_count: int) -> dict:
    video = encode_layers(DEFAULT_LAYERS[:layer_count], frame_count=60)
    system = OurSfu(tmp_path, "127.0.0.1", "127.0.0.1", last_n=plan.last_n)
    system.start()
    try:
        return await run_step(system, plan, video)
    finally:
        system.stop()


async def test_fanout_step_forwards_and_writes_json(tmp_path):
    plan = StepPlan("S1", subscribers=2, publishers=2, join_rate_per_s=10,
                    settle_s=1, steady_s=2, first_packet_timeout_s=10, latency_sample_every=2)
    row = await run_against_our_sfu(tmp_path, plan, layer_count=1)

    assert row["join_failures"] == 0, row
    assert row["forwarded_packets"] > 100, row
    assert row["sut_cpu_us_per_packet"] is not None and row["sut_cpu_us_per_packet"] > 0, row
    assert row["latency_samples"] > 0, row
    assert row["loss_pct"] is not None, row
    assert row["join_p50_ms"] is not None, row
    assert "ours" in format_row(row)

    args = argparse.Namespace(systems=["ours"], no_pin=True, janus_event_loops=0)
    output = tmp_path / "compare.json"
    write_results(output, args, environment(args), [row], summarize([row], ["ours"]), 1.0)
    written = json.loads(output.read_text())
    assert written["rows"][0]["forwarded_packets"] == row["forwarded_packets"]
    assert written["summary"]["by_size"]["ours"]["2"]["forwarded_pps"] > 0


async def test_large_meeting_step_with_last_n_and_simulcast(tmp_path):
    """S2 in miniature: speakers take turns, subscribers request the lowest layer, last-N is 1."""
    plan = StepPlan("S2", subscribers=2, publishers=3, join_rate_per_s=10, settle_s=1, steady_s=3,
                    first_packet_timeout_s=10, latency_sample_every=2, video_layer=0, last_n=1,
                    speaker_slot_s=1.0)
    row = await run_against_our_sfu(tmp_path, plan, layer_count=2)

    assert row["join_failures"] == 0, row
    assert row["forwarded_packets"] > 50, row
    assert row["receiver_reports_sent"] >= 2 * plan.steady_s, row
    assert (row["participants"], row["last_n"], row["video_layer"]) == (5, 1, 0), row
    # Last-N lets one low-layer video through, well below the three that all publishers send.
    assert row["pps_per_subscriber"] > S2_AUDIO_PPS, row
    assert row["pps_per_subscriber"] < S2_AUDIO_PPS + 2 * LOW_LAYER_PPS, row
    assert summarize([row], ["ours"])["s2_by_size"]["ours"][2]["participants"] == 5
