# SPDX-License-Identifier: AGPL-3.0-or-later
"""What the SFU recorder refuses or leaves out: encrypted tracks, short files, bad requests."""

import asyncio

import aiohttp
import pytest
from livekit.protocol import models as pb

from bench.loadgen.media_source import DEFAULT_LAYERS, encode_layers
from bench.loadgen.opus_tone import encode_tone
from bench.loadgen.synthetic_participant import SyntheticParticipant
from tests.harness.recording_api import call_recording_api
from tests.harness.sfu import SfuServer, mint_token
from tests.harness.webm_file import read_streams, tone_level

ROOM = "refusal-room"


@pytest.fixture
def recording_sfu(tmp_path):
    server = SfuServer(tmp_path, recording={"directory": str(tmp_path / "recordings"),
                                            "min_duration_s": 2})
    server.start()
    yield server
    server.stop()


async def join(server: SfuServer, identity: str, tone_hz: float,
               encryption: int = pb.Encryption.NONE) -> SyntheticParticipant:
    layers = encode_layers(DEFAULT_LAYERS[:2], frame_count=60)
    tone = encode_tone(tone_hz)
    participant = SyntheticParticipant(server.ws_url, server.token(identity, ROOM), identity)
    participant.audio_payloads = tone
    await participant.join()
    await participant.publish(audio=True, video=layers, encryption=encryption)
    return participant


async def test_start_refused_without_recording_folder(sfu_server):
    alice = await join(sfu_server, "alice", 440)
    try:
        refusal = await call_recording_api(sfu_server, "StartRoomRecording", ROOM, expect=412)
    finally:
        await alice.close()
    assert refusal["code"] == "failed_precondition"
    assert "recording.directory" in refusal["msg"]


async def test_start_refused_without_call(recording_sfu):
    refusal = await call_recording_api(recording_sfu, "StartRoomRecording", "empty-room", expect=404)
    assert refusal["code"] == "not_found"


async def test_encrypted_tracks_never_recorded(recording_sfu):
    alice = await join(recording_sfu, "alice", 440)
    try:
        await asyncio.sleep(1)
        await call_recording_api(recording_sfu, "StartRoomRecording", ROOM)
        # Bob's tracks are declared end-to-end encrypted: the SFU must not record them.
        bob = await join(recording_sfu, "bob", 660, encryption=pb.Encryption.GCM)
        await asyncio.sleep(4)
        final = await call_recording_api(recording_sfu, "StopRoomRecording", ROOM)

        refusal = await call_recording_api(recording_sfu, "StartRoomRecording", ROOM, expect=412)
        await bob.close()
    finally:
        await alice.close()

    assert "end-to-end encrypted" in refusal["msg"]
    path = recording_sfu.data_dir / "recordings" / final["fileResults"][0]["filename"]
    audio = read_streams(path).audio_samples
    assert tone_level(audio, 440) > 0.05
    assert tone_level(audio, 660) < 0.01
    assert "not recording end-to-end encrypted track" in recording_sfu.log()


async def test_short_recording_discarded(recording_sfu):
    alice = await join(recording_sfu, "alice", 440)
    try:
        await asyncio.sleep(1)
        await call_recording_api(recording_sfu, "StartRoomRecording", ROOM)
        await asyncio.sleep(1)
        final = await call_recording_api(recording_sfu, "StopRoomRecording", ROOM)
    finally:
        await alice.close()

    assert final["status"] == "EGRESS_ABORTED"
    assert "shorter than the minimum" in final["error"]
    assert "fileResults" not in final
    assert list((recording_sfu.data_dir / "recordings").iterdir()) == []
    assert "discarded, nothing kept" in recording_sfu.log()


async def test_second_start_and_idle_stop_refused(recording_sfu):
    alice = await join(recording_sfu, "alice", 440)
    try:
        await call_recording_api(recording_sfu, "StartRoomRecording", ROOM)
        again = await call_recording_api(recording_sfu, "StartRoomRecording", ROOM, expect=409)
        await call_recording_api(recording_sfu, "StopRoomRecording", ROOM)
        idle = await call_recording_api(recording_sfu, "StopRoomRecording", ROOM, expect=404)
    finally:
        await alice.close()
    assert again["code"] == "already_exists"
    assert idle["code"] == "not_found"


async def test_recording_api_needs_room_admin(recording_sfu):
    token = mint_token(recording_sfu.api_key, recording_sfu.api_secret, "alice", ROOM)
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{recording_sfu.http_url}/twirp/hubs.RecordingService/StartRoomRecording",
                                json={"room": ROOM}, headers={"Authorization": f"Bearer {token}"}) as response:
            body = await response.json()
    assert response.status == 403
    assert body["code"] == "permission_denied"
