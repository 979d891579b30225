# SPDX-License-Identifier: AGPL-3.0-or-later
"""A crashed client leaves the call (case C5 from comparable products).

The client vanishes without a leave: its TCP connection is dropped and it
answers no more ICE checks. With the SFU's default timeouts it must be gone
from every participant list within 30 s, stop being a speaker, and a rejoin
under the same identity must give one participant, not two.
"""

import asyncio
import time

from livekit.protocol import models as pb

from bench.loadgen.media_source import DEFAULT_LAYERS, encode_layers
from bench.loadgen.synthetic_participant import SyntheticParticipant
from tests.harness.sfu import SfuServer


async def test_crashed_client_is_removed_within_30_seconds(tmp_path):
    server = SfuServer(tmp_path, room={})  # production defaults for every timeout
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, server.start)
    layers = encode_layers(DEFAULT_LAYERS[:1], frame_count=60)
    alice = SyntheticParticipant(server.ws_url, server.token("alice", "c5"), "alice")
    bob = SyntheticParticipant(server.ws_url, server.token("bob", "c5"), "bob")
    again = None
    try:
        await alice.join()
        await bob.join()
        alice.audio_level = lambda now: 10  # loud: alice is the active speaker
        await alice.publish(audio=True, video=layers)
        await bob.wait_for("speakers_changed", lambda s: any(
            p.sid == alice.participant_sid and p.active for p in s.speakers))

        crashed_at = time.monotonic()
        mark = len(bob.responses)
        alice.crash()

        gone = await bob.wait_for("update", lambda u: any(
            p.sid == alice.participant_sid and p.state == pb.ParticipantInfo.DISCONNECTED
            for p in u.participants), timeout_s=30, after=mark)
        assert gone is not None
        assert time.monotonic() - crashed_at < 30
        await bob.wait_for("speakers_changed", lambda s: any(
            p.sid == alice.participant_sid and not p.active for p in s.speakers),
            timeout_s=5, after=mark)

        listed = await loop.run_in_executor(
            None, lambda: server.admin("ListParticipants", {"room": "c5"}))
        assert [p["identity"] for p in listed["participants"]] == ["bob"]

        again = SyntheticParticipant(server.ws_url, server.token("alice", "c5"), "alice")
        await again.join()
        listed = await loop.run_in_executor(
            None, lambda: server.admin("ListParticipants", {"room": "c5"}))
        assert sorted(p["identity"] for p in listed["participants"]) == ["alice", "bob"]
    finally:
        # Closing the crashed client's leftovers only tidies this test process.
        for participant in (alice, bob, again):
            if participant is not None:
                await participant.close()
        await loop.run_in_executor(None, server.stop)
