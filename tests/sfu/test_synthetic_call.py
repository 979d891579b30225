# SPDX-License-Identifier: AGPL-3.0-or-later
"""Two synthetic participants exchange simulcast video and audio through the SFU."""

import asyncio

from bench.loadgen.media_source import DEFAULT_LAYERS, encode_layers
from bench.loadgen.synthetic_participant import SyntheticParticipant


async def test_synthetic_publisher_reaches_subscriber(sfu_server):
    layers = encode_layers(DEFAULT_LAYERS[:2], frame_count=60)
    alice = SyntheticParticipant(sfu_server.ws_url, sfu_server.token("alice", "room"), "alice")
    bob = SyntheticParticipant(sfu_server.ws_url, sfu_server.token("bob", "room"), "bob")
    try:
        await alice.join()
        await bob.join()
        await alice.publish(audio=True, video=layers)
        await asyncio.sleep(3)

        video_sid = next(sid for cid, sid in alice.track_sids.items() if cid.startswith("video"))
        audio_sid = next(sid for cid, sid in alice.track_sids.items() if cid.startswith("audio"))
        assert bob.packets_of(video_sid) > 50, bob.received
        assert bob.packets_of(audio_sid) > 50, bob.received
    finally:
        await alice.close()
        await bob.close()
