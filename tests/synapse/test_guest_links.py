# SPDX-License-Identifier: AGPL-3.0-or-later
"""Guest links: creation, listing, revocation, who may manage them, what is stored."""

import hashlib
import time

import pytest

from tests.harness.hubs_api import (
    GuestApi,
    create_link,
    create_meeting,
    link_token,
    list_links,
    revoke_link,
)


@pytest.fixture
def organiser(homeserver):
    return homeserver.register_user()


@pytest.fixture
def room_id(organiser):
    return create_meeting(organiser, title="Länkmöte", access="public")["room_id"]


def test_create_link_response(homeserver, organiser, room_id):
    before_ms = int(time.time() * 1000)

    body = create_link(organiser, room_id, password="Sommar-2026", expires_in_s=3600,
                       label="Medborgare")

    assert set(body) == {"link_id", "url", "label", "created_at", "expires_at", "has_password"}
    assert body["url"].startswith(f"{homeserver.base_url}/_synapse/client/hubs/join/")
    assert len(link_token(body["url"])) >= 43
    assert body["label"] == "Medborgare"
    assert body["has_password"] is True
    assert before_ms - 5000 <= body["created_at"] <= before_ms + 5000
    assert body["expires_at"] == body["created_at"] + 3600 * 1000


def test_create_link_defaults(organiser, room_id):
    body = create_link(organiser, room_id)

    assert body["has_password"] is False
    assert body["expires_at"] is None
    assert body["label"] is None


def test_list_links_never_shows_tokens(organiser, room_id):
    first = create_link(organiser, room_id, label="Första")
    second = create_link(organiser, room_id, password="lösen", label="Andra")

    body = list_links(organiser, room_id)

    assert [link["link_id"] for link in body["links"]] == [first["link_id"], second["link_id"]]
    assert body["links"][1] == {
        "link_id": second["link_id"],
        "label": "Andra",
        "created_at": second["created_at"],
        "expires_at": None,
        "revoked": False,
        "has_password": True,
    }
    listing = str(body)
    assert link_token(first["url"]) not in listing
    assert link_token(second["url"]) not in listing


def test_revoke_link(homeserver, organiser, room_id):
    link = create_link(organiser, room_id)

    assert revoke_link(organiser, room_id, link["link_id"]) == {}

    listed = list_links(organiser, room_id)["links"][0]
    assert listed["revoked"] is True
    answer = GuestApi(homeserver.base_url).describe(link_token(link["url"]))
    assert answer.status_code == 410
    assert answer.json()["errcode"] == "SE_HUBS_LINK_REVOKED"


def test_revoke_twice_is_harmless(organiser, room_id):
    link = create_link(organiser, room_id)
    revoke_link(organiser, room_id, link["link_id"])

    assert revoke_link(organiser, room_id, link["link_id"]) == {}


def test_revoke_unknown_link(organiser, room_id):
    body = revoke_link(organiser, room_id, "0123456789abcdef", expect=404)

    assert body["errcode"] == "M_NOT_FOUND"


def test_revoke_link_of_other_meeting(organiser, room_id):
    other_room = create_meeting(organiser, title="Annat möte")["room_id"]
    link = create_link(organiser, other_room)

    body = revoke_link(organiser, room_id, link["link_id"], expect=404)

    assert body["errcode"] == "M_NOT_FOUND"
    assert list_links(organiser, other_room)["links"][0]["revoked"] is False


def test_links_need_moderator(homeserver, organiser, room_id):
    member = homeserver.register_user()
    organiser.invite(room_id, member.user_id)
    member.join(room_id)
    link = create_link(organiser, room_id)

    assert create_link(member, room_id, expect=403)["errcode"] == "M_FORBIDDEN"
    assert list_links(member, room_id, expect=403)["errcode"] == "M_FORBIDDEN"
    assert revoke_link(member, room_id, link["link_id"], expect=403)["errcode"] == "M_FORBIDDEN"
    assert list_links(organiser, room_id)["links"][0]["revoked"] is False


def test_links_refused_to_outsider(homeserver, room_id):
    outsider = homeserver.register_user()

    assert create_link(outsider, room_id, expect=403)["errcode"] == "M_FORBIDDEN"


def test_moderator_by_power_level(homeserver, organiser, room_id):
    moderator = homeserver.register_user()
    organiser.invite(room_id, moderator.user_id)
    moderator.join(room_id)
    levels = organiser.state_event(room_id, "m.room.power_levels")
    levels["users"][moderator.user_id] = 50
    organiser.put_state(room_id, "m.room.power_levels", "", levels)

    body = create_link(moderator, room_id)

    assert body["link_id"]


def test_links_refused_for_private_meeting(organiser):
    room_id = create_meeting(organiser, access="private", e2ee=False)["room_id"]

    body = create_link(organiser, room_id, expect=403)

    assert body["errcode"] == "M_FORBIDDEN"
    assert "public" in body["error"]


def test_links_refused_for_encrypted_meeting(organiser):
    room_id = create_meeting(organiser, access="public", e2ee=True)["room_id"]

    body = create_link(organiser, room_id, expect=403)

    assert body["errcode"] == "M_FORBIDDEN"
    assert "end-to-end encrypted" in body["error"]


@pytest.mark.parametrize("body, errcode", [
    ({"password": ""}, "M_INVALID_PARAM"),
    ({"password": "x" * 1025}, "M_INVALID_PARAM"),
    ({"password": 1234}, "M_BAD_JSON"),
    ({"expires_in_s": 0}, "M_INVALID_PARAM"),
    ({"expires_in_s": 400 * 24 * 3600}, "M_INVALID_PARAM"),
    ({"expires_in_s": "60"}, "M_BAD_JSON"),
    ({"expires_in_s": True}, "M_BAD_JSON"),
    ({"label": "x" * 101}, "M_INVALID_PARAM"),
    ({"label": ["a"]}, "M_BAD_JSON"),
])
def test_create_link_validation(organiser, room_id, body, errcode):
    answer = create_link(organiser, room_id, expect=400, **body)

    assert answer["errcode"] == errcode


def test_link_row_holds_no_secrets(homeserver, organiser, room_id):
    password = "Hemligt-lösen-42"
    link = create_link(organiser, room_id, password=password)
    token = link_token(link["url"])

    rows = homeserver.query(
        "SELECT link_id, room_id, token_sha256, label, password_hash, created_by,"
        " created_ts, expires_ts, revoked_ts FROM hubs_guest_links WHERE link_id = ?",
        (link["link_id"],),
    )

    assert len(rows) == 1
    row = rows[0]
    stored = " ".join(str(column) for column in row)
    assert password not in stored
    assert token not in stored
    assert row[2] == hashlib.sha256(token.encode()).hexdigest()
    assert row[4].startswith("$argon2id$")
