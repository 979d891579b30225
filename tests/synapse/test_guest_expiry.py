# SPDX-License-Identifier: AGPL-3.0-or-later
"""An expired guest link is refused at redemption, on return and at SFU token issue.

One scenario is set up per database and then checked from several sides:
a guest redeems a two-second link and fetches an OpenID token, then the
link expires by the server clock.
"""

import time
from dataclasses import dataclass
from typing import Any

import pytest

from tests.harness.hubs_api import (
    GuestApi,
    create_link,
    create_meeting,
    guest_client,
    link_token,
    request_get_token,
    request_sfu_get,
)
from tests.harness.matrix_client import MatrixClient, MatrixError

LINK_LIFETIME_S = 2


@dataclass
class ExpiredGuest:
    room_id: str
    token: str
    session: dict[str, Any]
    openid_token: dict[str, Any]
    guests: GuestApi
    organiser: MatrixClient


@pytest.fixture(scope="module")
def expired_guest(homeserver) -> ExpiredGuest:
    organiser = homeserver.register_user()
    room_id = create_meeting(organiser, title="Kortlivat möte")["room_id"]
    link = create_link(organiser, room_id, expires_in_s=LINK_LIFETIME_S)
    token = link_token(link["url"])
    guests = GuestApi(homeserver.base_url)
    session = guests.redeem(token, "Greta").json()
    openid_token = guest_client(homeserver.base_url, session).openid_token()

    # Wait for the server clock to pass the expiry, with a margin.
    time.sleep(max(0.0, link["expires_at"] / 1000 - time.time()) + 0.5)
    return ExpiredGuest(room_id, token, session, openid_token, guests, organiser)


def test_describe_expired_link(expired_guest):
    answer = expired_guest.guests.describe(expired_guest.token)

    assert answer.status_code == 410
    assert answer.json()["errcode"] == "SE_HUBS_LINK_EXPIRED"


def test_redeem_expired_link(expired_guest):
    answer = expired_guest.guests.redeem(expired_guest.token, "Sen gäst")

    assert answer.status_code == 410
    assert answer.json()["errcode"] == "SE_HUBS_LINK_EXPIRED"


def test_come_back_after_expiry(expired_guest):
    answer = expired_guest.guests.come_back(expired_guest.token)

    assert answer.status_code == 410
    assert answer.json()["errcode"] == "SE_HUBS_LINK_EXPIRED"


def test_guest_account_expired(homeserver, expired_guest):
    guest = guest_client(homeserver.base_url, expired_guest.session)

    with pytest.raises(MatrixError) as refused:
        guest.messages(expired_guest.room_id)

    assert refused.value.status == 403
    assert refused.value.errcode == "ORG_MATRIX_EXPIRED_ACCOUNT"


def test_sfu_get_refused_after_expiry(homeserver, expired_guest):
    answer = request_sfu_get(homeserver.base_url, {
        "room": expired_guest.room_id,
        "openid_token": expired_guest.openid_token,
        "device_id": expired_guest.session["device_id"],
    })

    assert answer.status_code == 403
    assert answer.json()["errcode"] == "M_FORBIDDEN"


def test_get_token_refused_after_expiry(homeserver, expired_guest):
    session = expired_guest.session
    answer = request_get_token(homeserver.base_url, {
        "room_id": expired_guest.room_id,
        "slot_id": "m.call#ROOM",
        "openid_token": expired_guest.openid_token,
        "member": {"id": "member-1", "claimed_user_id": session["user_id"],
                   "claimed_device_id": session["device_id"]},
    })

    assert answer.status_code == 403
    assert answer.json()["errcode"] == "M_FORBIDDEN"


def test_refusal_logged_without_token(homeserver, expired_guest):
    request_sfu_get(homeserver.base_url, {
        "room": expired_guest.room_id,
        "openid_token": expired_guest.openid_token,
        "device_id": expired_guest.session["device_id"],
    })

    log = homeserver.synapse_log()
    assert (f"Refused SFU token in {expired_guest.room_id} for "
            f"{expired_guest.session['user_id']}") in log
    assert expired_guest.openid_token["access_token"] not in log
