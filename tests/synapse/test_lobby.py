# SPDX-License-Identifier: AGPL-3.0-or-later
"""Lobby: guests knock and wait; only a moderator's admit, admit-all or deny decides.

Covers the replay of a removed guest's session (refused, and a fresh
redemption lands in the lobby again) and the return of an admitted guest
(straight back in, no lobby and no password).
"""

import pytest

from tests.harness.hubs_api import (
    GuestApi,
    create_link,
    create_meeting,
    guest_client,
    lobby_decide,
    lobby_status,
    lobby_waiting,
    link_token,
    request_sfu_get,
)
from tests.harness.matrix_client import MatrixError, quote

LINK_PASSWORD = "korrekt häst batteri"


@pytest.fixture
def organiser(homeserver):
    return homeserver.register_user()


@pytest.fixture
def room_id(organiser):
    return create_meeting(organiser, title="Kommunfullmäktige", lobby=True)["room_id"]


@pytest.fixture
def token(organiser, room_id):
    return link_token(create_link(organiser, room_id, password=LINK_PASSWORD)["url"])


@pytest.fixture
def guests(homeserver):
    return GuestApi(homeserver.base_url)


def redeem(guests, token, name="Greta Gäst"):
    answer = guests.redeem(token, name, password=LINK_PASSWORD)
    assert answer.status_code == 200, answer.text
    return answer.json()


def waiting_ids(organiser, room_id):
    return [user["user_id"] for user in lobby_waiting(organiser, room_id)["waiting"]]


def test_public_meeting_has_lobby_by_default(organiser):
    body = create_meeting(organiser, title="Öppet samråd", lobby=None)

    assert body["lobby"] is True
    assert organiser.state_event(body["room_id"], "se.hubs.meeting")["lobby"] is True
    assert organiser.state_event(body["room_id"], "m.room.join_rules")["join_rule"] == "knock"


def test_lobby_off_keeps_invite_rule(organiser):
    body = create_meeting(organiser, title="Direkt in", lobby=False)

    assert body["lobby"] is False
    assert organiser.state_event(body["room_id"], "m.room.join_rules")["join_rule"] == "invite"


def test_guest_knocks_instead_of_joining(organiser, room_id, token, guests, homeserver):
    body = redeem(guests, token)

    assert body["joined"] is False
    assert body["waiting"] is True
    assert organiser.membership(room_id, body["user_id"]) == "knock"
    assert waiting_ids(organiser, room_id) == [body["user_id"]]
    waiting = lobby_waiting(organiser, room_id)["waiting"][0]
    assert waiting["display_name"] == "Greta Gäst"
    assert isinstance(waiting["knocked_ts"], int)
    guest = guest_client(homeserver.base_url, body)
    assert lobby_status(guest, room_id) == {"status": "waiting"}


def test_waiting_guest_cannot_join_by_itself(room_id, token, guests, homeserver, organiser):
    guest = guest_client(homeserver.base_url, redeem(guests, token))

    with pytest.raises(MatrixError) as refused:
        guest.join(room_id)

    assert refused.value.status == 403
    assert organiser.membership(room_id, guest.user_id) == "knock"


def test_waiting_guest_sees_nothing(room_id, token, guests, homeserver, organiser):
    """In the lobby: no chat history, no participant list, no SFU token."""
    organiser.send_message(room_id, "Intern förberedelse")
    guest = guest_client(homeserver.base_url, redeem(guests, token))

    for path in (f"/_matrix/client/v3/rooms/{quote(room_id)}/messages",
                 f"/_matrix/client/v3/rooms/{quote(room_id)}/joined_members",
                 f"/_matrix/client/v3/rooms/{quote(room_id)}/members"):
        with pytest.raises(MatrixError) as refused:
            guest.request("GET", path)
        assert refused.value.status == 403, path
    token_answer = request_sfu_get(homeserver.base_url,
                                   {"room": room_id, "openid_token": guest.openid_token(),
                                    "device_id": guest.device_id})
    assert token_answer.status_code == 403


def test_admit_one_joins_only_that_guest(organiser, room_id, token, guests, homeserver):
    greta = redeem(guests, token, "Greta Gäst")
    bo = redeem(GuestApi(homeserver.base_url), token, "Bo Besökare")

    answer = lobby_decide(organiser, room_id, "admit", greta["user_id"])

    assert answer == {"user_id": greta["user_id"], "membership": "join"}
    assert organiser.membership(room_id, greta["user_id"]) == "join"
    assert organiser.membership(room_id, bo["user_id"]) == "knock"
    assert waiting_ids(organiser, room_id) == [bo["user_id"]]
    assert lobby_status(guest_client(homeserver.base_url, greta), room_id) == {
        "status": "admitted"}


def test_admit_all_admits_everyone_waiting(organiser, room_id, token, homeserver):
    waiting = [redeem(GuestApi(homeserver.base_url), token, f"Gäst {n}") for n in range(3)]

    answer = lobby_decide(organiser, room_id, "admit_all")

    admitted = {entry["user_id"]: entry.get("membership") for entry in answer["admitted"]}
    assert admitted == {guest["user_id"]: "join" for guest in waiting}
    for guest in waiting:
        assert organiser.membership(room_id, guest["user_id"]) == "join"
    assert waiting_ids(organiser, room_id) == []


def test_matrix_user_knock_is_listed_and_admitted(organiser, room_id, homeserver):
    visitor = homeserver.register_user()
    visitor.request("POST", f"/_matrix/client/v3/knock/{quote(room_id)}",
                    json={"reason": "Vill delta"})

    assert waiting_ids(organiser, room_id) == [visitor.user_id]
    lobby_decide(organiser, room_id, "admit", visitor.user_id)

    assert organiser.membership(room_id, visitor.user_id) == "join"


def test_deny_rejects_knock_and_session(organiser, room_id, token, guests, homeserver):
    body = redeem(guests, token)

    lobby_decide(organiser, room_id, "deny", body["user_id"])

    assert organiser.membership(room_id, body["user_id"]) == "leave"
    assert waiting_ids(organiser, room_id) == []
    guest = guest_client(homeserver.base_url, body)
    assert lobby_status(guest, room_id) == {"status": "denied"}
    replay = guests.come_back(token, body["return_token"])
    assert replay.status_code == 403
    assert replay.json()["errcode"] == "SE_HUBS_REMOVED"
    assert replay.json()["se.hubs.decision"] == "deny"
    with pytest.raises(MatrixError) as refused:
        guest.request("POST", f"/_matrix/client/v3/knock/{quote(room_id)}", json={})
    assert refused.value.status == 403
    assert refused.value.errcode == "SE_HUBS_REMOVED"


def test_removed_guest_replay_refused(organiser, room_id, token, guests, homeserver):
    """A removed guest replays link, password, cookie and return token: refused every way."""
    body = redeem(guests, token)
    lobby_decide(organiser, room_id, "admit", body["user_id"])

    lobby_decide(organiser, room_id, "remove", body["user_id"])

    assert organiser.membership(room_id, body["user_id"]) == "leave"
    with_cookie = guests.come_back(token)
    assert with_cookie.status_code == 403
    assert with_cookie.json()["errcode"] == "SE_HUBS_REMOVED"
    assert "removed from this meeting" in with_cookie.json()["error"]
    with_token = guests.come_back(token, body["return_token"], use_cookies=False)
    assert with_token.status_code == 403
    assert with_token.json()["se.hubs.decision"] == "remove"
    guest = guest_client(homeserver.base_url, body)
    for action in ("join", "knock"):
        with pytest.raises(MatrixError) as refused:
            guest.request("POST", f"/_matrix/client/v3/{action}/{quote(room_id)}", json={})
        assert refused.value.status == 403, action
    assert organiser.membership(room_id, body["user_id"]) == "leave"
    assert lobby_status(guest, room_id) == {"status": "removed"}


def test_removed_guest_fresh_profile_waits(organiser, room_id, token, guests, homeserver):
    first = redeem(guests, token)
    lobby_decide(organiser, room_id, "admit", first["user_id"])
    lobby_decide(organiser, room_id, "remove", first["user_id"])

    # A fresh browser profile: no cookie, same link and password.
    second = redeem(GuestApi(homeserver.base_url), token)

    assert second["user_id"] != first["user_id"]
    assert second["joined"] is False
    assert organiser.membership(room_id, second["user_id"]) == "knock"


def test_removal_in_audit_log(organiser, room_id, token, guests, homeserver):
    body = redeem(guests, token)
    lobby_decide(organiser, room_id, "admit", body["user_id"])
    lobby_decide(organiser, room_id, "remove", body["user_id"])

    rows = homeserver.query(
        "SELECT actor_id, target_id, action FROM hubs_lobby_audit WHERE room_id = ?"
        " ORDER BY ts, action", (room_id,))

    assert rows == [(organiser.user_id, body["user_id"], "admit"),
                    (organiser.user_id, body["user_id"], "remove")]
    exclusions = homeserver.query(
        "SELECT user_id, action FROM hubs_lobby_exclusions WHERE room_id = ?", (room_id,))
    assert exclusions == [(body["user_id"], "remove")]


def test_admitted_guest_returns_without_lobby(organiser, room_id, token, guests, homeserver):
    body = redeem(guests, token)
    lobby_decide(organiser, room_id, "admit", body["user_id"])

    # A page reload: the return token only, no password.
    back = guests.come_back(token, body["return_token"], use_cookies=False)

    assert back.status_code == 200, back.text
    assert back.json()["joined"] is True
    assert "waiting" not in back.json()
    assert back.json()["user_id"] == body["user_id"]
    assert organiser.membership(room_id, body["user_id"]) == "join"
    assert waiting_ids(organiser, room_id) == []


def test_waiting_guest_returns_to_lobby(organiser, room_id, token, guests):
    body = redeem(guests, token)

    back = guests.come_back(token, body["return_token"])

    assert back.status_code == 200
    assert back.json()["joined"] is False
    assert back.json()["waiting"] is True
    assert organiser.membership(room_id, body["user_id"]) == "knock"


@pytest.mark.parametrize("action", ["admit", "deny", "remove", "admit_all"])
def test_non_moderator_refused(organiser, room_id, token, guests, homeserver, action):
    waiting = redeem(guests, token)
    member = homeserver.register_user()
    organiser.invite(room_id, member.user_id)
    member.join(room_id)
    target = None if action == "admit_all" else waiting["user_id"]

    with pytest.raises(MatrixError) as refused:
        lobby_decide(member, room_id, action, target)

    assert refused.value.status == 403
    assert organiser.membership(room_id, waiting["user_id"]) == "knock"
    with pytest.raises(MatrixError) as listing:
        lobby_waiting(member, room_id)
    assert listing.value.status == 403


def test_waiting_guest_cannot_admit_itself(room_id, token, guests, homeserver, organiser):
    body = redeem(guests, token)
    guest = guest_client(homeserver.base_url, body)

    with pytest.raises(MatrixError) as refused:
        lobby_decide(guest, room_id, "admit", body["user_id"])

    assert refused.value.status == 403
    assert organiser.membership(room_id, body["user_id"]) == "knock"


def test_admit_unknown_user_not_found(organiser, room_id, homeserver):
    with pytest.raises(MatrixError) as refused:
        lobby_decide(organiser, room_id, "admit", f"@nobody:{homeserver.server_name}")

    assert refused.value.status == 404
