# SPDX-License-Identifier: AGPL-3.0-or-later
"""The recorder writes a valid, seekable WebM of a call: VP8 of the speaker, Opus of everyone.

Two synthetic participants publish real VP8 simulcast (libvpx) and real
Opus tones of different pitch. PyAV checks the file, and a walk over its
EBML elements checks the Cues.
"""

import asyncio
import time
from pathlib import Path

import pytest

from bench.loadgen.media_source import DEFAULT_LAYERS, encode_layers
from bench.loadgen.opus_tone import encode_tone
from bench.loadgen.synthetic_participant import SyntheticParticipant, speech_levels
from tests.harness.recording_api import call_recording_api
from tests.harness.sfu import SfuServer
from tests.harness.webm_file import CLUSTER, CUES, first_video_time_after_seek, read_layout, read_streams, tone_level

ROOM = "recorded-room"
ALICE_TONE_HZ = 440.0
BOB_TONE_HZ = 660.0


@pytest.fixture
def recording_sfu(tmp_path):
    server = SfuServer(tmp_path, recording={"directory": str(tmp_path / "recordings"),
                                            "min_duration_s": 2})
    server.start()
    yield server
    server.stop()


def recordings_dir(server: SfuServer) -> Path:
    return server.data_dir / "recordings"


def video_layers():
    # 60 frames at 30 fps with one key frame: a key frame every 2 s as the loop repeats.
    return encode_layers(DEFAULT_LAYERS[:2], frame_count=60)


async def join_speaker(server: SfuServer, identity: str, tone_hz: float, talking) -> SyntheticParticipant:
    # Encode before joining: the SFU drops a client whose event loop is busy for 15 s.
    layers = video_layers()
    tone = encode_tone(tone_hz)
    participant = SyntheticParticipant(server.ws_url, server.token(identity, ROOM), identity)
    participant.audio_payloads = tone
    participant.audio_level = speech_levels(sum(map(ord, identity)), talking)
    await participant.join()
    await participant.publish(audio=True, video=layers)
    return participant


def assert_valid_recording(path: Path, expected_duration_s: float) -> None:
    layout = read_layout(path)
    assert layout.doc_type == "webm"
    assert CLUSTER in layout.top_level_ids
    assert CUES in layout.top_level_ids
    assert layout.cue_points >= 1

    streams = read_streams(path)
    assert streams.format_name == "matroska,webm"
    assert streams.video_codec == "vp8"
    assert streams.audio_codec == "opus"
    assert abs(streams.duration_s - expected_duration_s) <= 0.5, (streams.duration_s, expected_duration_s)
    assert streams.video_frames > 10 * (expected_duration_s - 2)

    middle = expected_duration_s / 2
    landed = first_video_time_after_seek(path, middle)
    # Seeking lands on the key frame before the target; the publishers send one every 2 s at most.
    assert middle - 2.5 <= landed <= middle + 0.1, (landed, middle)


async def test_recording_of_two_speakers(recording_sfu):
    alice = await join_speaker(recording_sfu, "alice", ALICE_TONE_HZ, lambda now: int(now) % 4 < 2)
    bob = await join_speaker(recording_sfu, "bob", BOB_TONE_HZ, lambda now: int(now) % 4 >= 2)
    try:
        await asyncio.sleep(1)
        started = time.monotonic()
        info = await call_recording_api(recording_sfu, "StartRoomRecording", ROOM,
                                        initiatorIdentities=["alice"])
        assert info["status"] == "EGRESS_ACTIVE"
        await asyncio.sleep(6)
        stopped = time.monotonic()
        final = await call_recording_api(recording_sfu, "StopRoomRecording", ROOM)
    finally:
        await alice.close()
        await bob.close()

    assert final["status"] == "EGRESS_COMPLETE", final
    path = recordings_dir(recording_sfu) / final["fileResults"][0]["filename"]
    assert path.name == f"{info['egressId']}.webm"
    assert_valid_recording(path, stopped - started)
    assert not list(recordings_dir(recording_sfu).glob("*.part"))

    audio = read_streams(path).audio_samples
    assert tone_level(audio, ALICE_TONE_HZ) > 0.05
    assert tone_level(audio, BOB_TONE_HZ) > 0.05
    assert tone_level(audio, 1000.0) < 0.01


async def wait_for_end(server: SfuServer, egress_id: str, timeout_s: float = 30) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        listing = await call_recording_api(server, "ListRoomRecordings", ROOM)
        info = next(item for item in listing["items"] if item["egressId"] == egress_id)
        if info["status"] != "EGRESS_ACTIVE":
            return info
        await asyncio.sleep(0.2)
    raise AssertionError(f"recording {egress_id} still active after {timeout_s} s")


def reported_duration_s(info: dict) -> float:
    return (int(info["endedAt"]) - int(info["startedAt"])) / 1e9


async def test_recording_survives_killed_publisher(recording_sfu):
    alice = await join_speaker(recording_sfu, "alice", ALICE_TONE_HZ, lambda now: False)
    bob = await join_speaker(recording_sfu, "bob", BOB_TONE_HZ, lambda now: True)
    try:
        await asyncio.sleep(1)
        started = time.monotonic()
        await call_recording_api(recording_sfu, "StartRoomRecording", ROOM, initiatorIdentities=["alice"])
        await asyncio.sleep(3)
        # Bob, the recorded speaker, vanishes: no leave, no more media, no ICE responses.
        bob.crash()
        await asyncio.sleep(8)
        stopped = time.monotonic()
        final = await call_recording_api(recording_sfu, "StopRoomRecording", ROOM)
    finally:
        await alice.close()

    assert final["status"] == "EGRESS_COMPLETE", final
    path = recordings_dir(recording_sfu) / final["fileResults"][0]["filename"]
    assert_valid_recording(path, stopped - started)
    assert "bob): leaving (reason SIGNAL_CLOSE)" in recording_sfu.log()


async def test_recording_ends_when_initiator_crashes(recording_sfu):
    alice = await join_speaker(recording_sfu, "alice", ALICE_TONE_HZ, lambda now: True)
    bob = await join_speaker(recording_sfu, "bob", BOB_TONE_HZ, lambda now: False)
    try:
        await asyncio.sleep(1)
        info = await call_recording_api(recording_sfu, "StartRoomRecording", ROOM,
                                        initiatorIdentities=["alice"])
        await asyncio.sleep(3)
        crashed = time.monotonic()
        alice.crash()
        final = await wait_for_end(recording_sfu, info["egressId"])
        ended = time.monotonic()
    finally:
        await bob.close()

    assert final["status"] == "EGRESS_COMPLETE", final
    assert final["details"] == "the participant who started it left"
    # The SFU waits the departure timeout (5 s here) for a client whose signaling dropped.
    assert 5 <= ended - crashed <= 5 + 3, ended - crashed
    path = recordings_dir(recording_sfu) / final["fileResults"][0]["filename"]
    assert_valid_recording(path, reported_duration_s(final))


async def test_recording_finalised_on_sigterm(recording_sfu):
    alice = await join_speaker(recording_sfu, "alice", ALICE_TONE_HZ, lambda now: True)
    try:
        await asyncio.sleep(1)
        started = time.monotonic()
        info = await call_recording_api(recording_sfu, "StartRoomRecording", ROOM)
        await asyncio.sleep(5)
        terminated = time.monotonic()
        await asyncio.to_thread(recording_sfu.stop)
    finally:
        await alice.close()

    path = recordings_dir(recording_sfu) / f"{info['egressId']}.webm"
    assert path.exists(), recording_sfu.log()[-3000:]
    assert_valid_recording(path, terminated - started)
    assert not list(recordings_dir(recording_sfu).glob("*.part"))


async def test_killed_sfu_recording_repaired_on_restart(recording_sfu, tmp_path):
    alice = await join_speaker(recording_sfu, "alice", ALICE_TONE_HZ, lambda now: True)
    try:
        await asyncio.sleep(1)
        started = time.monotonic()
        info = await call_recording_api(recording_sfu, "StartRoomRecording", ROOM)
        await asyncio.sleep(6)
        killed = time.monotonic()
        recording_sfu.process.kill()
    finally:
        await alice.close()

    directory = recordings_dir(recording_sfu)
    part = directory / f"{info['egressId']}.webm.part"
    assert part.stat().st_size > 0
    assert not (directory / f"{info['egressId']}.webm").exists()

    restarted = SfuServer(tmp_path, recording={"directory": str(directory), "min_duration_s": 2})
    restarted.start()
    try:
        path = directory / f"{info['egressId']}.webm"
        for _ in range(100):
            if path.exists() and not part.exists():
                break
            await asyncio.sleep(0.1)
        assert path.exists(), restarted.log()[-3000:]
        assert not part.exists()
        layout = read_layout(path)
        assert CUES in layout.top_level_ids
        streams = read_streams(path)
        assert streams.video_codec == "vp8"
        assert streams.audio_codec == "opus"
        # Whatever the muxer had not flushed before the kill is lost.
        assert killed - started - 2.5 <= streams.duration_s <= killed - started + 0.5
        assert "Repaired interrupted recording" in restarted.log()
    finally:
        restarted.stop()


async def test_recording_flag_reaches_clients(recording_sfu):
    alice = await join_speaker(recording_sfu, "alice", ALICE_TONE_HZ, lambda now: True)
    bob = None
    try:
        seen_before_start = len(alice.responses)
        await call_recording_api(recording_sfu, "StartRoomRecording", ROOM)
        update = await alice.wait_for("room_update", lambda u: u.room.active_recording,
                                      after=seen_before_start)
        assert update.room.active_recording

        # A late joiner learns it from the JoinResponse, before it publishes anything.
        bob = SyntheticParticipant(recording_sfu.ws_url, recording_sfu.token("bob", ROOM), "bob")
        join = await bob.join()
        assert join.room.active_recording
        # The recorder is no participant: nobody sees it, nobody counts it.
        assert [p.identity for p in join.other_participants] == ["alice"]
        assert join.room.num_participants == 2

        seen_before_stop = len(alice.responses)
        await asyncio.sleep(2.5)
        await call_recording_api(recording_sfu, "StopRoomRecording", ROOM)
        stopped = await alice.wait_for("room_update", lambda u: not u.room.active_recording,
                                       after=seen_before_stop)
        assert not stopped.room.active_recording
    finally:
        await alice.close()
        if bob is not None:
            await bob.close()
