# SPDX-License-Identifier: AGPL-3.0-or-later
"""Simulcast layer switches without freezes (case C3 from comparable products).

A synthetic VP8 publisher sends three layers (q, h, f). The subscriber's
bandwidth estimate (REMB) is low, rises at t = 5 s and falls at t = 10 s,
while it also floods the SFU with PLIs. The forwarded stream must change
layer only on a keyframe of the target layer, keep sequence numbers
continuous and timestamps increasing, reach the new layer within a second,
and the publisher must see at most one PLI per 500 ms per layer.
"""

import asyncio
import time

from bench.loadgen.media_source import DEFAULT_LAYERS, encode_layers
from bench.loadgen.synthetic_participant import SyntheticParticipant
from sfu.rtp import vp8

# Below the lowest layer's bitrate, so the SFU sees congestion and never probes upwards.
LOW_ESTIMATE = 100_000
HIGH_ESTIMATE = 10_000_000


def frames_received(log, known):
    """Group logged packets into frames and name each (layer rid, keyframe) by its bytes."""
    frames = []
    current_ts = None
    parts = []
    first_at = 0.0
    for arrival, _, timestamp, _, payload in log:
        if timestamp != current_ts and parts:
            frames.append((first_at, current_ts, known.get(b"".join(parts))))
            parts = []
        if not parts:
            first_at = arrival
        current_ts = timestamp
        size = vp8.parse_descriptor(payload).descriptor_size
        parts.append(payload[size:])
    if parts:
        frames.append((first_at, current_ts, known.get(b"".join(parts))))
    return frames


async def test_layer_switches_follow_estimate_on_keyframes(sfu_server):
    layers = encode_layers(DEFAULT_LAYERS, frame_count=150)
    known = {frame.data: (layer.spec.rid, frame.keyframe) for layer in layers
             for frame in layer.frames}
    alice = SyntheticParticipant(sfu_server.ws_url, sfu_server.token("alice", "c3"), "alice")
    bob = SyntheticParticipant(sfu_server.ws_url, sfu_server.token("bob", "c3"), "bob", record=True)
    try:
        await alice.join()
        await bob.join()
        await alice.publish(audio=False, video=layers)
        video = next(iter(alice.track_sids.values()))

        started = time.monotonic()
        raised_at = lowered_at = 0.0
        while (elapsed := time.monotonic() - started) < 15:
            if elapsed >= 10 and not lowered_at:
                lowered_at = time.monotonic()
            elif elapsed >= 5 and not raised_at:
                raised_at = time.monotonic()
            high = raised_at and not lowered_at
            bob.send_remb(HIGH_ESTIMATE if high else LOW_ESTIMATE)
            bob.send_pli(video)  # a storm of 20 PLIs per second
            await asyncio.sleep(0.05)

        stream = max(bob.streams_of(video), key=lambda s: s.packets)
        log = stream.log
        frames = frames_received(log, known)
    finally:
        await alice.close()
        await bob.close()

    sequences = [entry[1] for entry in log]
    gaps = [(a, b) for a, b in zip(sequences, sequences[1:]) if (b - a) & 0xFFFF != 1]
    assert not gaps, f"sequence numbers jump: {gaps[:5]}"
    timestamps = [entry[2] for entry in log]
    backwards = [(a, b) for a, b in zip(timestamps, timestamps[1:]) if (b - a) & 0xFFFFFFFF >= 1 << 31]
    assert not backwards, f"timestamps go back: {backwards[:5]}"

    assert all(identity is not None for _, _, identity in frames), "a frame the publisher never sent"
    switches = [(at, previous[2], current[2]) for previous, current in zip(frames, frames[1:])
                for at in [current[0]] if previous[2][0] != current[2][0]]
    for at, _, (rid, keyframe) in switches:
        assert keyframe, f"switch to {rid} at {at - started:.2f} s on a delta frame"

    def layer_at(moment: float) -> str:
        return [identity[0] for at, _, identity in frames if at <= moment][-1]

    assert layer_at(raised_at - 0.1) == "q"
    assert layer_at(raised_at + 1.0) == "f"
    assert layer_at(lowered_at + 1.0) == "q"

    for state in alice.layers:
        intervals = [b - a for a, b in zip(state.plis, state.plis[1:])]
        assert all(interval >= 0.45 for interval in intervals), (state.layer.spec.rid, intervals)
