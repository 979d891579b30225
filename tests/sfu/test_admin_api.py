# SPDX-License-Identifier: AGPL-3.0-or-later
"""The Twirp admin API and webhooks, checked on forwarded packets and client state."""

import asyncio
import base64
import hashlib
import json

import jwt
import pytest
from aiohttp import web
from livekit.protocol import models as pb

from bench.loadgen.media_source import DEFAULT_LAYERS, encode_layers
from bench.loadgen.synthetic_participant import SyntheticParticipant
from tests.harness.ports import free_port
from tests.harness.sfu import SfuServer


async def admin(sfu_server, method, body, **grants):
    return await asyncio.get_running_loop().run_in_executor(
        None, lambda: sfu_server.admin(method, body, **grants))


async def start_call(sfu_server, room="room"):
    layers = encode_layers(DEFAULT_LAYERS[:1], frame_count=60)
    alice = SyntheticParticipant(sfu_server.ws_url, sfu_server.token("alice", room), "alice")
    bob = SyntheticParticipant(sfu_server.ws_url, sfu_server.token("bob", room), "bob")
    await alice.join()
    await bob.join()
    await alice.publish(audio=True, video=layers)
    return alice, bob


def track_sid(participant, kind):
    return next(sid for cid, sid in participant.track_sids.items() if cid.startswith(kind))


async def wait_packets(participant, track, minimum, timeout_s=10):
    for _ in range(int(timeout_s * 10)):
        if participant.packets_of(track) >= minimum:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{participant.identity} got {participant.packets_of(track)} packets of {track}")


async def test_mute_stops_forwarding_even_if_client_keeps_sending(sfu_server):
    alice, bob = await start_call(sfu_server)
    try:
        audio = track_sid(alice, "audio")
        await wait_packets(bob, audio, 20)

        await admin(sfu_server, "MutePublishedTrack",
                    {"room": "room", "identity": "alice", "track_sid": audio, "muted": True})
        mute = await alice.wait_for("mute", lambda m: m.sid == audio)
        assert mute.muted
        await asyncio.sleep(0.3)

        # The synthetic client ignores the mute and keeps sending.
        before = bob.packets_of(audio)
        await asyncio.sleep(1.5)
        assert bob.packets_of(audio) == before
        assert alice.audio_sending

        video = track_sid(alice, "video")
        await wait_packets(bob, video, bob.packets_of(video) + 20)

        await admin(sfu_server, "MutePublishedTrack",
                    {"room": "room", "identity": "alice", "track_sid": audio, "muted": False})
        await wait_packets(bob, audio, before + 20)
    finally:
        await alice.close()
        await bob.close()


async def test_remove_participant_disconnects_it(sfu_server):
    alice, bob = await start_call(sfu_server)
    try:
        await admin(sfu_server, "RemoveParticipant", {"room": "room", "identity": "bob"})
        leave = await bob.wait_for("leave")
        assert leave.reason == pb.DisconnectReason.PARTICIPANT_REMOVED

        listed = await admin(sfu_server, "ListParticipants", {"room": "room"})
        assert [p["identity"] for p in listed["participants"]] == ["alice"]
    finally:
        await alice.close()
        await bob.close()


async def test_revoked_publish_permission_unpublishes(sfu_server):
    alice, bob = await start_call(sfu_server)
    try:
        video = track_sid(alice, "video")
        await wait_packets(bob, video, 20)

        await admin(sfu_server, "UpdateParticipant", {
            "room": "room", "identity": "alice",
            "permission": {"can_publish": True, "can_subscribe": True,
                           "can_publish_sources": ["MICROPHONE"]}})
        unpublished = await alice.wait_for("track_unpublished", lambda u: u.track_sid == video)
        assert unpublished.track_sid == video

        before = bob.packets_of(video)
        await asyncio.sleep(1)
        assert bob.packets_of(video) == before
    finally:
        await alice.close()
        await bob.close()


async def test_list_rooms_and_metadata(sfu_server):
    alice, bob = await start_call(sfu_server)
    try:
        rooms = await admin(sfu_server, "ListRooms", {})
        assert [r["name"] for r in rooms["rooms"]] == ["room"]

        await admin(sfu_server, "UpdateRoomMetadata", {"room": "room", "metadata": "recording"})
        update = await bob.wait_for("room_update")
        assert update.room.metadata == "recording"
    finally:
        await alice.close()
        await bob.close()


@pytest.mark.parametrize("grants, status", [
    ({"roomAdmin": False, "roomList": False}, 403),
    ({"roomAdmin": True, "room": "another"}, 403),
])
async def test_admin_api_needs_room_admin_for_that_room(sfu_server, grants, status):
    await admin(sfu_server, "ListParticipants", {"room": "room"}, expect=status, **grants)


async def test_admin_api_reports_missing_room_and_bad_body(sfu_server):
    body = await admin(sfu_server, "ListParticipants", {"room": "nothing-here"}, expect=404)
    assert body["code"] == "not_found"
    bad = await admin(sfu_server, "RemoveParticipant", {"room": 5}, expect=400)
    assert bad["code"] == "malformed"


async def test_webhooks_are_signed_and_report_joins(tmp_path):
    received: list[tuple[dict, str, bytes]] = []

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        received.append((json.loads(body), request.headers.get("Authorization", ""), body))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()

    server = SfuServer(tmp_path, webhook={"url": f"http://127.0.0.1:{port}/hook",
                                          "api_key": "test-key"})
    await asyncio.get_running_loop().run_in_executor(None, server.start)
    try:
        alice, bob = await start_call(server)
        await bob.leave()
        for _ in range(50):
            if any(event["event"] == "participant_left" for event, _, _ in received):
                break
            await asyncio.sleep(0.1)
        events = [event["event"] for event, _, _ in received]
        assert "participant_joined" in events and "track_published" in events
        assert "participant_left" in events

        for event, authorization, body in received:
            claims = jwt.decode(authorization, server.api_secret, algorithms=["HS256"])
            assert claims["iss"] == "test-key"
            assert claims["sha256"] == base64.b64encode(hashlib.sha256(body).digest()).decode()
        await alice.close()
    finally:
        await asyncio.get_running_loop().run_in_executor(None, server.stop)
        await runner.cleanup()
