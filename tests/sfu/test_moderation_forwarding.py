# SPDX-License-Identifier: AGPL-3.0-or-later
"""Moderation at the SFU: muted and revoked sources forward nothing, whatever the client sends.

The module enforces a mute by sending the participant a permission without
the microphone source, and a mute-all by issuing such tokens to people who
join later. These tests send exactly those permissions and tokens to a real
SFU, with synthetic clients that keep sending RTP after their tracks were unpublished,
and read the SFU's own counters (`hubs.StatsService`) of what it received
and forwarded.
"""

import asyncio

import requests
from livekit.protocol import models as pb
from livekit.protocol import rtc as rtc_pb

from bench.loadgen.media_source import DEFAULT_LAYERS, encode_layers
from bench.loadgen.synthetic_participant import SyntheticParticipant
from tests.harness.sfu import mint_token

ROOM = "moderated"
SPEAKING = ["CAMERA", "MICROPHONE"]
MUTED = ["CAMERA"]


async def admin(sfu_server, method, body):
    return await asyncio.get_running_loop().run_in_executor(
        None, lambda: sfu_server.admin(method, {"room": ROOM, **body}))


async def set_sources(sfu_server, identity, sources):
    await admin(sfu_server, "UpdateParticipant", {
        "identity": identity,
        "permission": {"can_publish": True, "can_subscribe": True, "can_publish_data": True,
                       "can_publish_sources": sources}})


def read_stats(sfu_server, identity, expect=200):
    token = mint_token(sfu_server.api_key, sfu_server.api_secret, "admin", ROOM,
                       roomAdmin=True, roomJoin=False)
    response = requests.post(
        f"{sfu_server.http_url}/twirp/hubs.StatsService/GetParticipantStats",
        json={"room": ROOM, "identity": identity},
        headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == expect, response.text
    return response.json()


async def stats(sfu_server, identity):
    return await asyncio.get_running_loop().run_in_executor(
        None, read_stats, sfu_server, identity)


async def join(sfu_server, identity, ttl_s=3600, **grants):
    participant = SyntheticParticipant(sfu_server.ws_url,
                                       mint_token(sfu_server.api_key, sfu_server.api_secret,
                                                  identity, ROOM, ttl_s=ttl_s, **grants), identity)
    await participant.join()
    return participant


async def wait_audio_forwarded(sfu_server, identity, minimum, timeout_s=10):
    for _ in range(int(timeout_s * 10)):
        current = await stats(sfu_server, identity)
        if current["audioPacketsForwarded"] >= minimum:
            return current
        await asyncio.sleep(0.1)
    raise AssertionError(f"{identity}: audio forwarded stayed below {minimum}: {current}")


async def assert_silenced(sfu_server, identity, listener, track_sid, seconds=1.5):
    """The client keeps sending (received rises), but the SFU forwards no audio of it."""
    before = await stats(sfu_server, identity)
    heard_before = listener.packets_of(track_sid) if track_sid else 0
    await asyncio.sleep(seconds)
    after = await stats(sfu_server, identity)

    # 50 audio packets per second are sent; allow for scheduling jitter.
    assert after["packetsReceived"] - before["packetsReceived"] >= 25 * seconds, (before, after)
    assert after["audioPacketsForwarded"] == before["audioPacketsForwarded"], (before, after)
    if track_sid:
        assert listener.packets_of(track_sid) == heard_before


async def test_mute_one_forwards_no_audio_while_client_sends(sfu_server):
    alice = await join(sfu_server, "alice")
    bob = await join(sfu_server, "bob")
    try:
        await alice.publish(audio=True, video=None)
        audio = next(iter(alice.track_sids.values()))
        await wait_audio_forwarded(sfu_server, "alice", 20)

        await set_sources(sfu_server, "alice", MUTED)
        await alice.wait_for("track_unpublished", lambda u: u.track_sid == audio)
        await asyncio.sleep(0.3)
        assert alice.audio_sending
        await assert_silenced(sfu_server, "alice", bob, audio)

        # Publishing the microphone again is refused while muted.
        assert await alice.republish("audio") is False
        await assert_silenced(sfu_server, "alice", bob, audio, seconds=1)

        await set_sources(sfu_server, "alice", SPEAKING)
        forwarded = (await stats(sfu_server, "alice"))["audioPacketsForwarded"]
        assert await alice.republish("audio") is True
        await wait_audio_forwarded(sfu_server, "alice", forwarded + 20)
    finally:
        await alice.close()
        await bob.close()


async def test_mute_all_covers_late_joiner(sfu_server):
    alice = await join(sfu_server, "alice")
    carol = await join(sfu_server, "carol")
    moderator = await join(sfu_server, "moderator")
    try:
        await alice.publish(audio=True, video=None)
        await carol.publish(audio=True, video=None)
        await moderator.publish(audio=True, video=None)
        for identity in ("alice", "carol", "moderator"):
            await wait_audio_forwarded(sfu_server, identity, 20)

        # Mute all: every participant except the moderator loses the microphone.
        await set_sources(sfu_server, "alice", MUTED)
        await set_sources(sfu_server, "carol", MUTED)
        await asyncio.sleep(0.3)

        # Someone joining after mute-all gets a token without the microphone,
        # and a client that sends its audio anyway is not forwarded either.
        dave = await join(sfu_server, "dave", canPublishSources=["camera"])
        try:
            await dave.publish(audio=True, video=None, send_if_refused=True)
            assert dave.refused_cids == [dave.audio_cid]
            refusal = await dave.wait_for("request_response",
                                          lambda r: r.add_track.cid == dave.audio_cid)
            assert refusal.reason == rtc_pb.RequestResponse.NOT_ALLOWED

            moderator_heard = (await stats(sfu_server, "moderator"))["audioPacketsForwarded"]
            await asyncio.gather(*(assert_silenced(sfu_server, identity, moderator, None)
                                   for identity in ("alice", "carol", "dave")))
            after = await stats(sfu_server, "moderator")
            assert after["audioPacketsForwarded"] > moderator_heard + 50

            # Unmute all restores forwarding after the clients publish again.
            for participant in (alice, carol, dave):
                await set_sources(sfu_server, participant.identity, SPEAKING)
            for participant in (alice, carol, dave):
                assert await participant.republish("audio") is True
            for identity in ("alice", "carol", "dave"):
                forwarded = (await stats(sfu_server, identity))["audioPacketsForwarded"]
                await wait_audio_forwarded(sfu_server, identity, forwarded + 20)
        finally:
            await dave.close()
    finally:
        await alice.close()
        await carol.close()
        await moderator.close()


async def test_server_mute_counts_no_forwarded_audio(sfu_server):
    alice = await join(sfu_server, "alice")
    bob = await join(sfu_server, "bob")
    try:
        await alice.publish(audio=True, video=None)
        audio = next(iter(alice.track_sids.values()))
        await wait_audio_forwarded(sfu_server, "alice", 20)

        await admin(sfu_server, "MutePublishedTrack",
                    {"identity": "alice", "track_sid": audio, "muted": True})
        await alice.wait_for("mute", lambda m: m.sid == audio and m.muted)
        await asyncio.sleep(0.3)
        await assert_silenced(sfu_server, "alice", bob, audio)
        listed = await stats(sfu_server, "alice")
        assert listed["tracks"] == [{"sid": audio, "source": "microphone", "muted": True}]

        await admin(sfu_server, "MutePublishedTrack",
                    {"identity": "alice", "track_sid": audio, "muted": False})
        await wait_audio_forwarded(sfu_server, "alice", listed["audioPacketsForwarded"] + 20)
    finally:
        await alice.close()
        await bob.close()


async def test_screen_share_needs_presenter_grant(sfu_server):
    layers = encode_layers(DEFAULT_LAYERS[:1], frame_count=60)
    guest = await join(sfu_server, "guest", canPublishSources=["camera", "microphone"])
    viewer = await join(sfu_server, "viewer")
    try:
        # A client that shares its screen without the grant: refused, and its RTP dropped.
        await guest.publish(audio=False, video=layers, source=pb.TrackSource.SCREEN_SHARE,
                            send_if_refused=True)
        assert guest.refused_cids == [guest.video_cid]
        before = await stats(sfu_server, "guest")
        await asyncio.sleep(1)
        after = await stats(sfu_server, "guest")
        assert after["packetsReceived"] > before["packetsReceived"] + 20
        assert after["videoPacketsForwarded"] == 0
        assert after["tracks"] == []

        await set_sources(sfu_server, "guest", ["CAMERA", "MICROPHONE", "SCREEN_SHARE"])
        assert await guest.republish("video") is True
        for _ in range(100):
            current = await stats(sfu_server, "guest")
            if current["videoPacketsForwarded"] > 20:
                break
            await asyncio.sleep(0.1)
        assert current["videoPacketsForwarded"] > 20, current
        assert [t["source"] for t in current["tracks"]] == ["screen_share"]
    finally:
        await guest.close()
        await viewer.close()


async def test_stats_api_checks_token_and_identity(sfu_server):
    alice = await join(sfu_server, "alice")
    try:
        loop = asyncio.get_running_loop()
        missing = await loop.run_in_executor(None, lambda: read_stats(sfu_server, "nobody", 404))
        assert missing["code"] == "not_found"
        response = await loop.run_in_executor(None, lambda: requests.post(
            f"{sfu_server.http_url}/twirp/hubs.StatsService/GetParticipantStats",
            json={"room": ROOM, "identity": "alice"},
            headers={"Authorization": "Bearer " + sfu_server.token("alice", ROOM)}, timeout=10))
        assert response.status_code == 403
    finally:
        await alice.close()


async def test_rejoin_with_same_token_stays_muted(sfu_server):
    # livekit-client rejoins after a broken connection with the token it already has.
    token = mint_token(sfu_server.api_key, sfu_server.api_secret, "alice", ROOM)
    alice = SyntheticParticipant(sfu_server.ws_url, token, "alice")
    bob = await join(sfu_server, "bob")
    again = None
    try:
        await alice.join()
        await alice.publish(audio=True, video=None)
        await set_sources(sfu_server, "alice", MUTED)
        await alice.wait_for("track_unpublished")
        await alice.close()

        again = SyntheticParticipant(sfu_server.ws_url, token, "alice")
        join_response = await again.join()
        sources = list(join_response.participant.permission.can_publish_sources)
        assert sources == [pb.TrackSource.CAMERA]
        await again.publish(audio=True, video=None, send_if_refused=True)
        assert again.refused_cids == [again.audio_cid]
        await assert_silenced(sfu_server, "alice", bob, None)

        # A new token from the issuer replaces the override: it carries the current policy.
        await again.close()
        # A different lifetime makes the new token differ even within the same second.
        fresh = await join(sfu_server, "alice", ttl_s=1800)
        try:
            fresh_sources = fresh.signal.join.participant.permission.can_publish_sources
            assert pb.TrackSource.MICROPHONE in fresh_sources
            await fresh.publish(audio=True, video=None)
            await wait_audio_forwarded(sfu_server, "alice", 20)
        finally:
            await fresh.close()
    finally:
        await alice.close()
        await bob.close()
        if again is not None:
            await again.close()
