# SPDX-License-Identifier: AGPL-3.0-or-later
"""The moderator API through a real Synapse, checked on the SFU's state and packet counters.

A moderator's change updates the `se.hubs.moderation` state, the
permissions of the participants already in the call and the tokens of
people who join later. Guests come in through guest links, get their SFU
token from the token service and join the SFU as synthetic participants
that keep sending after they are muted.
"""

import asyncio
import time

import jwt
import pytest
import requests

from bench.loadgen.media_source import DEFAULT_LAYERS, encode_layers
from bench.loadgen.synthetic_participant import SyntheticParticipant
from livekit.protocol import models as pb
from tests.harness.hubs_api import (
    API_PREFIX,
    GuestApi,
    create_link,
    create_meeting,
    guest_client,
    link_token,
    lobby_decide,
    request_sfu_get,
)
from tests.harness.matrix_client import MatrixError, quote
from tests.harness.sfu import mint_token

MODERATION = "se.hubs.moderation"


def moderation_path(room_id, action=""):
    return f"{API_PREFIX}/meetings/{quote(room_id)}/moderation" + (f"/{action}" if action else "")


def moderate(client, room_id, action, expect=200, **body):
    return client.request("POST", moderation_path(room_id, action), json=body, expect=expect)


def sfu_token(homeserver, client, room_id):
    answer = request_sfu_get(homeserver.base_url, {
        "room": room_id, "openid_token": client.openid_token(), "device_id": client.device_id,
    })
    assert answer.status_code == 200, answer.text
    return answer.json()


def granted_sources(answer):
    video = jwt.decode(answer["jwt"], options={"verify_signature": False})["video"]
    return video["canPublishSources"] if video["canPublish"] else []


class SfuAdmin:
    """The SFU's admin APIs with the deployment's own key, as an operator would call them."""

    def __init__(self, homeserver, livekit_room):
        self.url = homeserver.deployment.sfu_http_url
        self.key = homeserver.secrets.sfu_api_key
        self.secret = homeserver.secrets.sfu_api_secret
        self.room = livekit_room

    def _post(self, service, method, body):
        token = mint_token(self.key, self.secret, "test-admin", self.room, roomAdmin=True,
                           roomJoin=False)
        response = requests.post(f"{self.url}/twirp/{service}/{method}",
                                 json={"room": self.room, **body},
                                 headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def permission_sources(self, identity):
        listed = self._post("livekit.RoomService", "ListParticipants", {})["participants"]
        info = next(p for p in listed if p["identity"] == identity)
        permission = info.get("permission", {})
        if not permission.get("canPublish"):
            return []
        return sorted(source.lower() for source in permission.get("canPublishSources", []))

    def identities(self):
        listed = self._post("livekit.RoomService", "ListParticipants", {})["participants"]
        return sorted(p["identity"] for p in listed)

    def stats(self, identity):
        return self._post("hubs.StatsService", "GetParticipantStats", {"identity": identity})


@pytest.fixture
def meeting(homeserver):
    organiser = homeserver.register_user()
    room_id = create_meeting(organiser, title="Fullmäktige", access="public")["room_id"]
    return organiser, room_id


def admit_guest(homeserver, organiser, room_id, name, password=None):
    token = link_token(create_link(organiser, room_id, **(
        {"password": password} if password else {}))["url"])
    guests = GuestApi(homeserver.base_url)
    answer = guests.redeem(token, name, password=password)
    assert answer.status_code == 200, answer.text
    return guest_client(homeserver.base_url, answer.json())


async def blocking(function, *args):
    """Run a blocking HTTP call off the event loop, so synthetic clients keep sending meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)


async def join_call(homeserver, client, room_id, name):
    answer = await blocking(sfu_token, homeserver, client, room_id)
    participant = SyntheticParticipant(answer["url"], answer["jwt"], name)
    await participant.join()
    return participant, jwt.decode(answer["jwt"], options={"verify_signature": False})["sub"]


async def wait_until(check, timeout_s, message):
    deadline = time.monotonic() + timeout_s
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(message)
        await asyncio.sleep(0.2)


async def assert_no_forwarding(admin, identity, kind, seconds=1.5):
    """The client keeps sending, but the SFU forwards nothing of `kind` from it."""
    before = await blocking(admin.stats, identity)
    await asyncio.sleep(seconds)
    after = await blocking(admin.stats, identity)
    assert after["packetsReceived"] > before["packetsReceived"] + 20, (before, after)
    field = f"{kind}PacketsForwarded"
    assert after[field] == before[field], (before, after)


async def forwarded_rises(admin, identity, kind, by=20, timeout_s=10):
    field = f"{kind}PacketsForwarded"
    start = (await blocking(admin.stats, identity))[field]

    async def risen():
        return (await blocking(admin.stats, identity))[field] >= start + by

    await wait_until(risen, timeout_s, f"{identity}: no {kind} forwarded within {timeout_s} s")


def test_non_moderator_refused(homeserver, meeting):
    organiser, room_id = meeting
    guest = admit_guest(homeserver, organiser, room_id, "Greta Gäst")

    for action, body in (("mute_all", {"muted": True}),
                         ("mute", {"user_id": organiser.user_id, "muted": True}),
                         ("presenter", {"user_id": guest.user_id, "presenter": True}),
                         ("camera", {"user_id": organiser.user_id, "allowed": False}),
                         ("screen_share", {"policy": "everyone"})):
        with pytest.raises(MatrixError) as refused:
            moderate(guest, room_id, action, **body)
        assert refused.value.status == 403, action
        assert refused.value.errcode == "M_FORBIDDEN", action

    # Nothing changed: no state event, and the guest's view shows the defaults.
    assert not any(e["type"] == MODERATION for e in organiser.state(room_id))
    view = guest.request("GET", moderation_path(room_id))
    assert view["can_moderate"] is False
    assert view["screen_share"] == "presenters"
    assert view["you"] == {"muted": False, "asked_to_mute": False, "camera_allowed": True,
                           "may_share_screen": False, "sources": ["camera", "microphone"]}


def test_invalid_requests_rejected(homeserver, meeting):
    organiser, room_id = meeting
    for action, body, status in (
            ("mute", {"user_id": "@nobody:localhost", "muted": True}, 404),
            ("mute", {"user_id": "not-a-user", "muted": True}, 400),
            ("mute", {"user_id": organiser.user_id}, 400),
            ("mute_all", {"muted": "yes"}, 400),
            ("screen_share", {"policy": "anyone"}, 400)):
        with pytest.raises(MatrixError) as refused:
            moderate(organiser, room_id, action, **body)
        assert refused.value.status == status, (action, body, refused.value.body)


async def test_mute_reaches_call_and_late_joiner(homeserver, meeting):
    organiser, room_id = meeting
    greta = await blocking(admit_guest, homeserver, organiser, room_id, "Greta Gäst")
    listener, _ = await join_call(homeserver, organiser, room_id, "organiser")
    speaker, identity = await join_call(homeserver, greta, room_id, "greta")
    admin = SfuAdmin(homeserver, speaker.signal.join.room.name)
    late = None
    try:
        await speaker.publish(audio=True, video=None)
        await forwarded_rises(admin, identity, "audio")

        # Mute one: the SFU permission loses the microphone, and forwarding stops.
        answer = await blocking(lambda: moderate(organiser, room_id, "mute",
                                                 user_id=greta.user_id, muted=True))
        assert answer["muted"] == [greta.user_id]
        assert answer["updated_participants"] == 1
        assert await blocking(admin.permission_sources, identity) == ["camera"]
        await assert_no_forwarding(admin, identity, "audio")
        assert await speaker.republish("audio") is False
        state = await blocking(organiser.state_event, room_id, MODERATION)
        assert state["muted"] == [greta.user_id]

        # Mute all while Greta is unmuted again: a guest joining later is muted too.
        await blocking(lambda: moderate(organiser, room_id, "mute", user_id=greta.user_id,
                                        muted=False))
        assert await blocking(admin.permission_sources, identity) == ["camera", "microphone"]
        answer = await blocking(lambda: moderate(organiser, room_id, "mute_all", muted=True))
        assert answer["muted_all"] is True
        assert await blocking(admin.permission_sources, identity) == ["camera"]

        hugo = await blocking(admit_guest, homeserver, organiser, room_id, "Hugo Gäst")
        token = await blocking(sfu_token, homeserver, hugo, room_id)
        assert granted_sources(token) == ["camera"]
        late, late_identity = await join_call(homeserver, hugo, room_id, "hugo")
        await late.publish(audio=True, video=None, send_if_refused=True)
        assert late.refused_cids == [late.audio_cid]
        await assert_no_forwarding(admin, late_identity, "audio")

        # The moderator is not muted by mute-all.
        assert granted_sources(await blocking(sfu_token, homeserver, organiser, room_id)) == [
            "camera", "microphone", "screen_share", "screen_share_audio"]

        # Unmute all: permissions and tokens allow the microphone again, and it is forwarded.
        await blocking(lambda: moderate(organiser, room_id, "mute_all", muted=False))
        assert await blocking(admin.permission_sources, late_identity) == ["camera", "microphone"]
        assert await late.republish("audio") is True
        await forwarded_rises(admin, late_identity, "audio")
    finally:
        for participant in (listener, speaker, late):
            if participant is not None:
                await participant.close()


async def test_presenter_right_lets_screen_share_through(homeserver, meeting):
    organiser, room_id = meeting
    greta = await blocking(admit_guest, homeserver, organiser, room_id, "Greta Gäst")
    viewer, _ = await join_call(homeserver, organiser, room_id, "organiser")
    guest, identity = await join_call(homeserver, greta, room_id, "greta")
    admin = SfuAdmin(homeserver, guest.signal.join.room.name)
    try:
        # Public meetings let only presenters share; the SFU refuses the share and drops its RTP.
        layers = encode_layers(DEFAULT_LAYERS[:1], frame_count=60)
        await guest.publish(audio=False, video=layers, source=pb.TrackSource.SCREEN_SHARE,
                            send_if_refused=True)
        assert guest.refused_cids == [guest.video_cid]
        await assert_no_forwarding(admin, identity, "video")

        answer = await blocking(lambda: moderate(organiser, room_id, "presenter",
                                                 user_id=greta.user_id, presenter=True))
        assert answer["presenters"] == [greta.user_id]
        assert await blocking(admin.permission_sources, identity) == [
            "camera", "microphone", "screen_share", "screen_share_audio"]
        assert await guest.republish("video") is True
        await forwarded_rises(admin, identity, "video")
        stats = await blocking(admin.stats, identity)
        assert [track["source"] for track in stats["tracks"]] == ["screen_share"]

        # Revoking the right stops the share at once.
        await blocking(lambda: moderate(organiser, room_id, "presenter", user_id=greta.user_id,
                                        presenter=False))
        await guest.wait_for("track_unpublished")
        await assert_no_forwarding(admin, identity, "video")
    finally:
        await viewer.close()
        await guest.close()


async def test_camera_revoke_keeps_guest_in_call(homeserver, meeting):
    """A guest whose camera right is revoked stays in the call and needs no password to return."""
    organiser, room_id = meeting
    greta = await blocking(admit_guest, homeserver, organiser, room_id, "Greta Gäst", "Rätt lösen")
    viewer, _ = await join_call(homeserver, organiser, room_id, "organiser")
    guest, identity = await join_call(homeserver, greta, room_id, "greta")
    admin = SfuAdmin(homeserver, guest.signal.join.room.name)
    rejoined = None
    try:
        layers = encode_layers(DEFAULT_LAYERS[:1], frame_count=60)
        await guest.publish(audio=True, video=layers)
        await forwarded_rises(admin, identity, "video")

        await blocking(lambda: moderate(organiser, room_id, "camera", user_id=greta.user_id,
                                        allowed=False))
        await guest.wait_for("track_unpublished")
        assert await blocking(admin.permission_sources, identity) == ["microphone"]
        await assert_no_forwarding(admin, identity, "video")
        # Still in the call, still heard: only the camera was taken.
        assert identity in await blocking(admin.identities)
        assert not guest.signal.closed
        await forwarded_rises(admin, identity, "audio")

        # A reconnect uses the guest's Matrix session, no password, and keeps the revocation.
        await guest.close()
        reconnect_started = time.monotonic()
        rejoined, rejoined_identity = await join_call(homeserver, greta, room_id, "greta again")
        assert rejoined_identity == identity
        assert time.monotonic() - reconnect_started < 10
        await rejoined.publish(audio=True, video=layers, send_if_refused=True)
        assert rejoined.refused_cids == [rejoined.video_cid]
        await assert_no_forwarding(admin, identity, "video")

        # Restored: the guest publishes the camera again and video flows within 10 s.
        restored_at = time.monotonic()
        await blocking(lambda: moderate(organiser, room_id, "camera", user_id=greta.user_id,
                                        allowed=True))
        assert await rejoined.republish("video") is True
        await forwarded_rises(admin, identity, "video")
        assert time.monotonic() - restored_at < 10
    finally:
        await viewer.close()
        await guest.close()
        if rejoined is not None:
            await rejoined.close()


async def test_state_event_from_element_reaches_sfu(homeserver, meeting):
    """A moderator without the join page sets the state event directly; the SFU follows it."""
    organiser, room_id = meeting
    greta = await blocking(admit_guest, homeserver, organiser, room_id, "Greta Gäst")
    guest, identity = await join_call(homeserver, greta, room_id, "greta")
    admin = SfuAdmin(homeserver, guest.signal.join.room.name)
    try:
        with pytest.raises(MatrixError) as refused:
            await blocking(greta.put_state, room_id, MODERATION, "", {"muted_all": False})
        assert refused.value.status == 403

        await blocking(organiser.put_state, room_id, MODERATION, "", {"muted_all": True})

        async def muted():
            return await blocking(admin.permission_sources, identity) == ["camera"]

        await wait_until(muted, 10, "the SFU never applied the state event")
        assert granted_sources(await blocking(sfu_token, homeserver, greta, room_id)) == ["camera"]
    finally:
        await guest.close()


async def test_old_token_after_mute_all_is_corrected(homeserver, meeting):
    """A token fetched before mute-all but used after it: the join webhook mutes the participant."""
    organiser, room_id = meeting
    greta = await blocking(admit_guest, homeserver, organiser, room_id, "Greta Gäst")
    listener, _ = await join_call(homeserver, organiser, room_id, "organiser")
    old_token = await blocking(sfu_token, homeserver, greta, room_id)
    assert "microphone" in granted_sources(old_token)
    await blocking(lambda: moderate(organiser, room_id, "mute_all", muted=True))

    guest = SyntheticParticipant(old_token["url"], old_token["jwt"], "greta")
    identity = jwt.decode(old_token["jwt"], options={"verify_signature": False})["sub"]
    admin = SfuAdmin(homeserver, listener.signal.join.room.name)
    try:
        await guest.join()

        async def muted():
            return await blocking(admin.permission_sources, identity) == ["camera"]

        await wait_until(muted, 10, "the join webhook did not apply mute-all")
        assert await guest.republish("audio") is False
    finally:
        await listener.close()
        await guest.close()


async def test_removed_guest_leaves_the_call(homeserver, meeting):
    organiser, room_id = meeting
    greta = await blocking(admit_guest, homeserver, organiser, room_id, "Greta Gäst")
    listener, _ = await join_call(homeserver, organiser, room_id, "organiser")
    guest, identity = await join_call(homeserver, greta, room_id, "greta")
    admin = SfuAdmin(homeserver, guest.signal.join.room.name)
    try:
        assert identity in await blocking(admin.identities)
        await blocking(lambda: lobby_decide(organiser, room_id, "remove", greta.user_id))

        leave = await guest.wait_for("leave")
        assert leave.reason == pb.DisconnectReason.PARTICIPANT_REMOVED
        assert identity not in await blocking(admin.identities)
    finally:
        await listener.close()
        await guest.close()


async def test_mute_all_with_self_unmute_not_enforced(homeserver, meeting):
    """People asked to mute may unmute themselves, so the SFU keeps their microphone grant."""
    organiser, room_id = meeting
    greta = await blocking(admit_guest, homeserver, organiser, room_id, "Greta Gäst")
    guest, identity = await join_call(homeserver, greta, room_id, "greta")
    admin = SfuAdmin(homeserver, guest.signal.join.room.name)
    try:
        answer = await blocking(lambda: moderate(organiser, room_id, "mute_all", muted=True,
                                                 allow_self_unmute=True))
        assert answer["muted_all"] is True
        assert answer["self_unmute"] is True
        assert answer["updated_participants"] == 0
        assert await blocking(admin.permission_sources, identity) == ["camera", "microphone"]
        assert "microphone" in granted_sources(await blocking(sfu_token, homeserver, greta, room_id))

        view = await blocking(greta.request, "GET", moderation_path(room_id))
        assert view["you"]["asked_to_mute"] is True
        assert view["you"]["muted"] is False
        moderator_view = await blocking(organiser.request, "GET", moderation_path(room_id))
        assert moderator_view["you"]["asked_to_mute"] is False

        # Switching to the enforced mute-all takes the microphone away.
        await blocking(lambda: moderate(organiser, room_id, "mute_all", muted=True))
        assert await blocking(admin.permission_sources, identity) == ["camera"]
    finally:
        await guest.close()
