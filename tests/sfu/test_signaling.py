# SPDX-License-Identifier: AGPL-3.0-or-later
"""LiveKit v0 signaling of the SFU: join, auth, ping, grants and robustness against bad input."""

import asyncio
import time

import aiohttp
import pytest
from livekit.protocol import models as pb
from livekit.protocol import rtc as rtc_pb

from bench.loadgen.signal_client import SignalClient
from tests.harness.sfu import mint_token
from tests.unit.sfu.chrome_offers import AUDIO, DATA, SESSION, VIDEO_SIMULCAST, chrome_offer


async def connect(sfu_server, identity: str, room: str = "room", **grants) -> SignalClient:
    client = SignalClient(sfu_server.ws_url, sfu_server.token(identity, room, **grants))
    await client.connect()
    return client


async def test_join_response_describes_server_and_room(sfu_server):
    client = await connect(sfu_server, "alice")
    try:
        join = client.join
        assert join.server_info.version
        assert join.subscriber_primary is False
        assert join.ping_interval > 0 and join.ping_timeout > join.ping_interval
        assert join.room.name == "room" and join.room.sid.startswith("RM_")
        assert join.participant.identity == "alice" and join.participant.sid.startswith("PA_")
    finally:
        await client.close()


async def test_second_participant_sees_first_and_first_gets_update(sfu_server):
    alice = await connect(sfu_server, "alice")
    bob = await connect(sfu_server, "bob")
    try:
        assert [p.identity for p in bob.join.other_participants] == ["alice"]
        update = await alice.wait_for("update", predicate=lambda u: any(
            p.identity == "bob" for p in u.participants))
        assert update.participants[0].sid == bob.join.participant.sid
    finally:
        await alice.close()
        await bob.close()


async def test_hidden_participant_is_not_listed(sfu_server):
    recorder = await connect(sfu_server, "recorder", hidden=True)
    alice = await connect(sfu_server, "alice")
    try:
        assert [p.identity for p in alice.join.other_participants] == []
        await asyncio.sleep(0.5)
        updates = [r.update for r in alice.received if r.WhichOneof("message") == "update"]
        assert not any(p.identity == "recorder" for u in updates for p in u.participants)
    finally:
        await recorder.close()
        await alice.close()


@pytest.mark.parametrize("case", ["garbage", "expired", "wrong secret", "no join grant", "no identity"])
async def test_bad_tokens_are_refused_with_401(sfu_server, case):
    token = {
        "garbage": "not-a-jwt",
        "expired": mint_token(sfu_server.api_key, sfu_server.api_secret, "a", "room", ttl_s=-120),
        "wrong secret": mint_token(sfu_server.api_key, "x" * 40, "a", "room"),
        "no join grant": mint_token(sfu_server.api_key, sfu_server.api_secret, "a", "room",
                                    roomJoin=False),
        "no identity": mint_token(sfu_server.api_key, sfu_server.api_secret, "", "room"),
    }[case]
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as raised:
            await session.ws_connect(f"{sfu_server.ws_url}/rtc?access_token={token}")
        assert raised.value.status == 401

        async with session.get(f"{sfu_server.http_url}/rtc/validate?access_token={token}") as reply:
            assert reply.status == 401


async def test_v1_paths_answer_404_so_clients_fall_back(sfu_server):
    token = sfu_server.token("alice", "room")
    async with aiohttp.ClientSession() as session:
        for path in ("/rtc/v1", "/rtc/v1/validate"):
            async with session.get(f"{sfu_server.http_url}{path}?access_token={token}") as reply:
                assert reply.status == 404
                assert "requested room does not exist" not in await reply.text()


async def test_ping_request_gets_pong(sfu_server):
    client = await connect(sfu_server, "alice")
    try:
        sent = int(time.time() * 1000)
        await client.send(rtc_pb.SignalRequest(ping_req=rtc_pb.Ping(timestamp=sent)))
        pong = await client.wait_for("pong_resp", timeout_s=2)
        assert pong.last_ping_timestamp == sent
    finally:
        await client.close()


async def test_add_track_beyond_grant_is_refused(sfu_server):
    client = await connect(sfu_server, "guest", canPublishSources=["camera", "microphone"])
    try:
        await client.send(rtc_pb.SignalRequest(add_track=rtc_pb.AddTrackRequest(
            cid="screen", type=pb.TrackType.VIDEO, source=pb.TrackSource.SCREEN_SHARE)))
        refusal = await client.wait_for("request_response", timeout_s=2)
        assert refusal.reason == rtc_pb.RequestResponse.NOT_ALLOWED
        assert refusal.add_track.cid == "screen"

        await client.send(rtc_pb.SignalRequest(add_track=rtc_pb.AddTrackRequest(
            cid="camera", type=pb.TrackType.VIDEO, source=pb.TrackSource.CAMERA)))
        published = await client.wait_for("track_published", timeout_s=2)
        assert published.cid == "camera" and published.track.sid.startswith("TR_")
    finally:
        await client.close()


async def test_listener_without_publish_grant_cannot_add_tracks(sfu_server):
    client = await connect(sfu_server, "listener", canPublish=False)
    try:
        await client.send(rtc_pb.SignalRequest(add_track=rtc_pb.AddTrackRequest(
            cid="mic", type=pb.TrackType.AUDIO, source=pb.TrackSource.MICROPHONE)))
        refusal = await client.wait_for("request_response", timeout_s=2)
        assert refusal.reason == rtc_pb.RequestResponse.NOT_ALLOWED
    finally:
        await client.close()


async def test_same_identity_replaces_old_connection(sfu_server):
    first = await connect(sfu_server, "alice")
    second = await connect(sfu_server, "alice")
    try:
        leave = await first.wait_for("leave", timeout_s=3)
        assert leave.reason == pb.DisconnectReason.DUPLICATE_IDENTITY
        assert second.join.participant.sid != first.join.participant.sid
    finally:
        await first.close()
        await second.close()


BAD_OFFERS = {
    "not sdp at all": ("hello", "leave"),
    "no media": (SESSION, "leave"),
    "missing ICE credentials": (
        (SESSION + DATA).replace("a=ice-ufrag:Wx8m\r\n", "").replace(
            "a=ice-pwd:g4GX6Y3Wjq0Bc1ZKk4mG5nJQ\r\n", ""), "leave"),
    "missing fingerprint": (
        (SESSION + DATA).replace("a=fingerprint:", "a=x-fingerprint:"), "leave"),
    "broken rtpmap": (SESSION + DATA + AUDIO.replace("a=rtpmap:111 opus/48000/2",
                                                     "a=rtpmap:111 opus"), "leave"),
    "unknown codec only": (SESSION + DATA + AUDIO.replace("opus/48000/2", "speex/8000").replace(
        "a=rtpmap:9 G722/8000\r\n", "").replace("a=rtpmap:0 PCMU/8000\r\n", "").replace(
        "a=rtpmap:8 PCMA/8000\r\n", ""), "rejected"),
    "unknown media kind": (SESSION + DATA + "m=text 9 RTP/AVP 98\r\na=mid:9\r\n", "rejected"),
    "video without rids or ssrcs": (SESSION + DATA + VIDEO_SIMULCAST.replace(
        "a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;f\r\n", ""),
        "answer"),
    "duplicate mids": (SESSION + DATA + AUDIO + AUDIO, "answer"),
}


@pytest.mark.parametrize("name", sorted(BAD_OFFERS))
async def test_unusual_offers_get_clear_answer_within_two_seconds(sfu_server, name):
    offer, outcome = BAD_OFFERS[name]
    bystander = await connect(sfu_server, "bystander")
    client = await connect(sfu_server, "client")
    try:
        started = time.monotonic()
        await client.send(rtc_pb.SignalRequest(offer=rtc_pb.SessionDescription(
            type="offer", sdp=offer, id=7)))

        if outcome == "leave":
            leave = await client.wait_for("leave", timeout_s=2)
            assert leave.reason == pb.DisconnectReason.STATE_MISMATCH
        else:
            answer = await client.wait_for("answer", timeout_s=2)
            assert answer.id == 7
            if outcome == "rejected":
                assert "m=text 0" in answer.sdp or "m=audio 0" in answer.sdp
        assert time.monotonic() - started < 2

        await bystander.ping()
        await bystander.wait_for("pong_resp", timeout_s=2)
    finally:
        await client.close()
        await bystander.close()


async def test_valid_offer_is_answered(sfu_server):
    client = await connect(sfu_server, "client")
    try:
        await client.send(rtc_pb.SignalRequest(offer=rtc_pb.SessionDescription(
            type="offer", sdp=chrome_offer(), id=1)))
        answer = await client.wait_for("answer", timeout_s=2)
        assert "a=simulcast:recv q;h;f" in answer.sdp
    finally:
        await client.close()


@pytest.mark.parametrize("frame, code", [
    (b"\xff\xff\xff\xff garbage", 1003),
    ("{not json", 1003),
    (b"\x00" * (2 * 1024 * 1024), 1009),
])
async def test_bad_frames_close_only_that_connection(sfu_server, frame, code):
    bystander = await connect(sfu_server, "bystander")
    other_room = await connect(sfu_server, "elsewhere", room="other")
    client = await connect(sfu_server, "client")
    try:
        await client.send_raw(frame)
        assert await client.wait_closed(timeout_s=2) == code

        for survivor in (bystander, other_room):
            await survivor.ping()
            await survivor.wait_for("pong_resp", timeout_s=2)
    finally:
        for c in (client, bystander, other_room):
            await c.close()


async def test_garbage_trickle_is_ignored(sfu_server):
    client = await connect(sfu_server, "client")
    try:
        for candidate in ('not json', '{"candidate": "candidate:garbage"}', '{"candidate": 5}'):
            await client.send(rtc_pb.SignalRequest(trickle=rtc_pb.TrickleRequest(
                candidateInit=candidate, target=rtc_pb.PUBLISHER)))
        await client.ping()
        await client.wait_for("pong_resp", timeout_s=2)
    finally:
        await client.close()


async def test_shutdown_tells_clients_to_leave(tmp_path):
    from tests.harness.sfu import SfuServer

    server = SfuServer(tmp_path).start()
    client = SignalClient(server.ws_url, server.token("alice", "room"))
    await client.connect()
    try:
        await asyncio.get_running_loop().run_in_executor(None, server.stop)
        leave = await client.wait_for("leave", timeout_s=5)
        assert leave.reason == pb.DisconnectReason.SERVER_SHUTDOWN
    finally:
        await client.close()
