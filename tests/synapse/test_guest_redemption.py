# SPDX-License-Identifier: AGPL-3.0-or-later
"""Guest redemption: account creation, display names, passwords, coming back later."""

import hashlib

import pytest

from tests.harness.hubs_api import (
    GuestApi,
    create_link,
    create_meeting,
    guest_client,
    link_token,
    revoke_link,
)
from tests.harness.matrix_client import MatrixError


@pytest.fixture
def organiser(homeserver):
    return homeserver.register_user()


@pytest.fixture
def room_id(organiser):
    return create_meeting(organiser, title="Medborgardialog", access="public")["room_id"]


@pytest.fixture
def guests(homeserver):
    return GuestApi(homeserver.base_url)


def test_describe_active_link(organiser, room_id, guests):
    token = link_token(create_link(organiser, room_id, password="lösen")["url"])

    answer = guests.describe(token)

    assert answer.status_code == 200
    assert answer.json() == {
        "title": "Medborgardialog", "requires_password": True, "eid_required": False,
        "status": "active",
    }


def test_describe_unknown_link(guests):
    answer = guests.describe("x" * 43)

    assert answer.status_code == 404
    assert answer.json()["errcode"] == "M_NOT_FOUND"


def test_redeem_creates_joined_guest(homeserver, organiser, room_id, guests):
    token = link_token(create_link(organiser, room_id)["url"])

    answer = guests.redeem(token, "Greta Gäst")

    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"user_id", "access_token", "device_id", "room_id", "homeserver_url",
                         "return_token", "display_name", "joined"}
    assert body["joined"] is True
    assert body["user_id"].startswith("@guest-")
    assert body["user_id"].endswith(f":{homeserver.server_name}")
    assert body["room_id"] == room_id
    assert body["homeserver_url"] == homeserver.base_url
    assert body["display_name"] == "Greta Gäst"
    member = organiser.state_event(room_id, "m.room.member", body["user_id"])
    assert member["membership"] == "join"
    assert member["displayname"] == "Greta Gäst"
    whoami = guest_client(homeserver.base_url, body).request(
        "GET", "/_matrix/client/v3/account/whoami")
    assert whoami["user_id"] == body["user_id"]
    assert whoami["device_id"] == body["device_id"]


def test_redeem_sets_return_cookie(organiser, room_id, guests):
    link = create_link(organiser, room_id, expires_in_s=3600)

    answer = guests.redeem(link_token(link["url"]), "Greta")

    cookie = answer.headers["Set-Cookie"]
    parts = [part.strip() for part in cookie.split(";")]
    assert parts[0] == f"hubs_return_{link['link_id']}={answer.json()['return_token']}"
    assert "HttpOnly" in parts
    assert "SameSite=Strict" in parts
    assert "Path=/_synapse/client/hubs/" in parts
    max_age = next(int(part.split("=")[1]) for part in parts if part.startswith("Max-Age="))
    assert 3500 <= max_age <= 3600
    # The test server's public_baseurl is plain http://.
    assert "Secure" not in parts


def test_guest_row_holds_digest_only(homeserver, organiser, room_id, guests):
    link = create_link(organiser, room_id)

    body = guests.redeem(link_token(link["url"]), "Greta").json()

    rows = homeserver.query(
        "SELECT link_id, room_id, return_token_sha256 FROM hubs_guests WHERE user_id = ?",
        (body["user_id"],),
    )
    assert rows == [(link["link_id"], room_id,
                     hashlib.sha256(body["return_token"].encode()).hexdigest())]


@pytest.mark.parametrize("typed, shown", [
    ("\u202eevil\u202c Greta", "evil Greta"),
    ("\u2067Anna\u2069 Berg", "Anna Berg"),
    ("Gr\u200be\u200dta\ufeff", "Greta"),
    ("Bo\x00b\x07\x1b[31m", "Bob[31m"),
    ("  Greta \t\n  Gäst ", "Greta Gäst"),
    ("Gre\u0301ta", "Gr\u00e9ta"),
    ("A" * 10_000, "A" * 64),
])
def test_display_name_sanitised(organiser, room_id, guests, typed, shown):
    token = link_token(create_link(organiser, room_id)["url"])

    body = guests.redeem(token, typed).json()

    assert body["display_name"] == shown
    member = organiser.state_event(room_id, "m.room.member", body["user_id"])
    assert member["displayname"] == shown


@pytest.mark.parametrize("typed", ["", "   ", "\u200b\u202e\u2066", "\x00\x01\n"])
def test_empty_display_name_refused(organiser, room_id, guests, typed):
    token = link_token(create_link(organiser, room_id)["url"])

    answer = guests.redeem(token, typed)

    assert answer.status_code == 400
    assert answer.json()["errcode"] == "M_INVALID_PARAM"


def test_lone_surrogate_password_refused(organiser, room_id, guests):
    token = link_token(create_link(organiser, room_id, password="lösen")["url"])

    answer = guests.session.post(
        f"{guests.base_url}/_synapse/client/hubs/v1/guest/{token}/redeem",
        data=b'{"display_name": "Greta", "password": "\\ud800"}',
        headers={"Content-Type": "application/json"}, timeout=30)

    assert answer.status_code == 400
    assert answer.json()["errcode"] == "M_BAD_JSON"


def test_missing_display_name_refused(organiser, room_id, guests):
    token = link_token(create_link(organiser, room_id)["url"])

    answer = guests.session.post(
        f"{guests.base_url}/_synapse/client/hubs/v1/guest/{token}/redeem", json={}, timeout=30)

    assert answer.status_code == 400
    assert answer.json()["errcode"] == "M_MISSING_PARAM"


def test_password_link_admits_right_password(organiser, room_id, guests):
    token = link_token(create_link(organiser, room_id, password="Rätt lösen")["url"])

    answer = guests.redeem(token, "Greta", password="Rätt lösen")

    assert answer.status_code == 200


def test_wrong_password_generic_refusal(organiser, room_id, guests):
    token = link_token(create_link(organiser, room_id, password="Rätt lösen")["url"])

    wrong = guests.redeem(token, "Greta", password="fel")
    missing = guests.redeem(token, "Greta")

    assert wrong.status_code == 403
    assert wrong.json()["errcode"] == "M_FORBIDDEN"
    assert missing.status_code == 403
    assert missing.json() == wrong.json()
    assert "Set-Cookie" not in wrong.headers


def test_revoked_link_refused(organiser, room_id, guests):
    link = create_link(organiser, room_id)
    revoke_link(organiser, room_id, link["link_id"])

    answer = guests.redeem(link_token(link["url"]), "Greta")

    assert answer.status_code == 410
    assert answer.json()["errcode"] == "SE_HUBS_LINK_REVOKED"


def test_guest_reads_chat_after_coming_back(homeserver, organiser, room_id, guests):
    token = link_token(create_link(organiser, room_id)["url"])
    first = guests.redeem(token, "Greta Gäst").json()
    guest = guest_client(homeserver.base_url, first)
    guest.send_message(room_id, "Hej från gästen")
    organiser.send_message(room_id, "Välkommen, **Greta**!",
                           format="org.matrix.custom.html",
                           formatted_body="Välkommen, <strong>Greta</strong>!")

    answer = guests.come_back(token)

    assert answer.status_code == 200
    again = answer.json()
    assert again["user_id"] == first["user_id"]
    assert again["room_id"] == room_id
    assert again["display_name"] == "Greta Gäst"
    assert again["joined"] is True
    assert again["access_token"] != first["access_token"]
    assert again["device_id"] != first["device_id"]
    returned = guest_client(homeserver.base_url, again)
    bodies = [event["content"].get("body") for event in returned.messages(room_id)]
    assert "Välkommen, **Greta**!" in bodies
    assert "Hej från gästen" in bodies


def test_come_back_with_body_token(homeserver, organiser, room_id, guests):
    token = link_token(create_link(organiser, room_id)["url"])
    first = guests.redeem(token, "Greta").json()

    answer = guests.come_back(token, return_token=first["return_token"], use_cookies=False)

    assert answer.status_code == 200
    assert answer.json()["user_id"] == first["user_id"]


def test_come_back_refused_after_revoke(homeserver, organiser, room_id, guests):
    link = create_link(organiser, room_id)
    token = link_token(link["url"])
    first = guests.redeem(token, "Greta").json()
    revoke_link(organiser, room_id, link["link_id"])

    by_cookie = guests.come_back(token)
    by_body = guests.come_back(token, return_token=first["return_token"], use_cookies=False)

    assert by_cookie.status_code == 410
    assert by_cookie.json()["errcode"] == "SE_HUBS_LINK_REVOKED"
    assert by_body.status_code == 410
    with pytest.raises(MatrixError) as refused:
        guest_client(homeserver.base_url, first).messages(room_id)
    assert refused.value.status == 403
    assert refused.value.errcode == "ORG_MATRIX_EXPIRED_ACCOUNT"


def test_come_back_with_wrong_token(organiser, room_id, guests):
    token = link_token(create_link(organiser, room_id)["url"])

    answer = guests.come_back(token, return_token="not-a-return-token", use_cookies=False)

    assert answer.status_code == 403
    assert answer.json()["errcode"] == "M_FORBIDDEN"


def test_come_back_without_token(organiser, room_id, guests):
    token = link_token(create_link(organiser, room_id)["url"])

    answer = guests.come_back(token, use_cookies=False)

    assert answer.status_code == 400
    assert answer.json()["errcode"] == "M_MISSING_PARAM"


def test_return_token_bound_to_its_link(organiser, room_id, guests):
    first_token = link_token(create_link(organiser, room_id)["url"])
    other_token = link_token(create_link(organiser, room_id)["url"])
    first = guests.redeem(first_token, "Greta").json()

    answer = guests.come_back(other_token, return_token=first["return_token"], use_cookies=False)

    assert answer.status_code == 403


def test_guest_cannot_create_meeting(homeserver, organiser, room_id, guests):
    token = link_token(create_link(organiser, room_id)["url"])
    guest = guest_client(homeserver.base_url, guests.redeem(token, "Greta").json())

    body = create_meeting(guest, expect=403)

    assert body["errcode"] == "M_FORBIDDEN"


def test_guest_is_not_moderator(homeserver, organiser, room_id, guests):
    token = link_token(create_link(organiser, room_id)["url"])
    guest = guest_client(homeserver.base_url, guests.redeem(token, "Greta").json())

    assert create_link(guest, room_id, expect=403)["errcode"] == "M_FORBIDDEN"
