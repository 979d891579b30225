# SPDX-License-Identifier: AGPL-3.0-or-later
"""Last-N forwarding: with N = 1 a subscriber gets camera video of the latest dominant speaker only."""

import asyncio
import time

from livekit.protocol import rtc as rtc_pb

from bench.loadgen.media_source import DEFAULT_LAYERS, encode_layers
from bench.loadgen.synthetic_participant import SyntheticParticipant, speech_levels
from tests.harness.sfu import SfuServer


def video_sid(participant):
    return next(sid for cid, sid in participant.track_sids.items() if cid.startswith("video"))


async def packets_during(subscriber, tracks, seconds):
    before = {sid: subscriber.packets_of(sid) for sid in tracks}
    await asyncio.sleep(seconds)
    return {sid: subscriber.packets_of(sid) - before[sid] for sid in tracks}


async def test_video_follows_the_dominant_speaker(tmp_path):
    server = SfuServer(tmp_path, room={"last_n": 1})
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, server.start)
    layers = encode_layers(DEFAULT_LAYERS[:1], frame_count=60)
    started = time.monotonic()
    switch_at = 8.0

    def anna_talks(now):
        return now - started < switch_at

    def bert_talks(now):
        return now - started >= switch_at

    anna = SyntheticParticipant(server.ws_url, server.token("anna", "lastn"), "anna")
    bert = SyntheticParticipant(server.ws_url, server.token("bert", "lastn"), "bert")
    viewer = SyntheticParticipant(server.ws_url, server.token("viewer", "lastn"), "viewer")
    try:
        for participant in (anna, bert, viewer):
            await participant.join()
        anna.audio_level = speech_levels(1, anna_talks)
        bert.audio_level = speech_levels(2, bert_talks)
        await anna.publish(audio=True, video=layers)
        await bert.publish(audio=True, video=layers)
        tracks = [video_sid(anna), video_sid(bert)]

        await asyncio.sleep(max(0.0, switch_at - 3 - (time.monotonic() - started)))
        first = await packets_during(viewer, tracks, 2)
        assert first[tracks[0]] > 20 and first[tracks[1]] == 0, first

        await asyncio.sleep(max(0.0, switch_at + 3 - (time.monotonic() - started)))
        second = await packets_during(viewer, tracks, 2)
        assert second[tracks[1]] > 20 and second[tracks[0]] == 0, second

        paused = await viewer.wait_for("stream_state_update", lambda u: any(
            s.track_sid == tracks[0] and s.state == rtc_pb.PAUSED for s in u.stream_states))
        assert paused is not None
    finally:
        for participant in (anna, bert, viewer):
            await participant.close()
        await loop.run_in_executor(None, server.stop)
