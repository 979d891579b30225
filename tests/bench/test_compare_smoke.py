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


async def test_fanout_step_forwards_and_writes_json(tmp_path):
    video = encode_layers(DEFAULT_LAYERS[:1], frame_count=60)
    system = OurSfu(tmp_path, "127.0.0.1", "127.0.0.1")
    plan = StepPlan("S1", subscribers=2, publishers=2, join_rate_per_s=10,
                    settle_s=1, steady_s=2, first_packet_timeout_s=10, latency_sample_every=2)
    system.start()
    try:
        row = await run_step(system, plan, video)
    finally:
        system.stop()

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
