# SPDX-License-Identifier: AGPL-3.0-or-later
"""Guests and the SFU token service under a meeting's e-ID policy.

The test server enables the e-ID test provider, and its default policy
requires a BankID verification from external participants, which our
guest accounts are.
"""

import jwt

from tests.eid.step_up_client import BrowserStepUp, is_verified_page
from tests.harness.hubs_api import (
    EID_POLICY,
    GuestApi,
    create_link,
    create_meeting,
    guest_client,
    link_token,
    request_sfu_get,
)


def verify_with_test_provider(homeserver, user, room_id):
    step_up = BrowserStepUp(homeserver, user, room_id)
    step_up.open_start_link()
    redirect = step_up.choose("test", "bankid")
    state = redirect.location.split("state=")[1]
    page = step_up.post("/_synapse/client/hubs/eid/test_provider", {
        "state": state, "action": "identify", "number": "191212121212",
        "given_name": "Tolvan", "family_name": "Tolvansson", "loa": "loa3"})
    assert is_verified_page(page), page.text


def sfu_get_body(client, room_id):
    return {"room": room_id, "openid_token": client.openid_token(),
            "device_id": client.device_id}


def eid_meeting(homeserver):
    organiser = homeserver.register_user()
    room_id = create_meeting(organiser, title="Möte med e-legitimation",
                             eid_policy=None)["room_id"]
    return organiser, room_id


def test_describe_reports_eid(homeserver):
    organiser, room_id = eid_meeting(homeserver)
    token = link_token(create_link(organiser, room_id)["url"])

    body = GuestApi(homeserver.base_url).describe(token).json()

    assert body["eid_required"] is True


def test_redeem_waits_for_eid(homeserver):
    organiser, room_id = eid_meeting(homeserver)
    token = link_token(create_link(organiser, room_id)["url"])

    answer = GuestApi(homeserver.base_url).redeem(token, "Greta")

    assert answer.status_code == 200
    body = answer.json()
    assert body["joined"] is False
    assert body["eid_url"].startswith(f"{homeserver.base_url}/_synapse/client/hubs/eid/")
    assert body["eid_policy"]["required_for"] == "external"
    assert organiser.membership(room_id, body["user_id"]) == "invite"


def test_unverified_guest_gets_no_sfu_token(homeserver):
    organiser, room_id = eid_meeting(homeserver)
    token = link_token(create_link(organiser, room_id)["url"])
    guest = guest_client(homeserver.base_url,
                         GuestApi(homeserver.base_url).redeem(token, "Greta").json())

    answer = request_sfu_get(homeserver.base_url, sfu_get_body(guest, room_id))

    assert answer.status_code == 403
    assert answer.json()["errcode"] == "M_FORBIDDEN"


def test_guest_joins_after_eid(homeserver):
    organiser, room_id = eid_meeting(homeserver)
    token = link_token(create_link(organiser, room_id)["url"])
    guests = GuestApi(homeserver.base_url)
    guest = guest_client(homeserver.base_url, guests.redeem(token, "Greta").json())

    verify_with_test_provider(homeserver, guest, room_id)
    guest.join(room_id)

    assert organiser.membership(room_id, guest.user_id) == "join"
    assert guests.come_back(token).json()["joined"] is True
    answer = request_sfu_get(homeserver.base_url, sfu_get_body(guest, room_id))
    assert answer.status_code == 200
    claims = jwt.decode(answer.json()["jwt"], homeserver.secrets.sfu_api_secret,
                        algorithms=["HS256"])
    assert claims["sub"] == f"{guest.user_id}:{guest.device_id}"


def test_stricter_policy_stops_sfu_token(homeserver):
    organiser = homeserver.register_user()
    member = homeserver.register_user()
    room_id = create_meeting(organiser)["room_id"]
    organiser.invite(room_id, member.user_id)
    member.join(room_id)
    organiser.put_state(room_id, EID_POLICY, "",
                        {"required_for": "everyone", "methods": ["bankid"], "min_loa": "loa3"})

    answer = request_sfu_get(homeserver.base_url, sfu_get_body(member, room_id))

    assert answer.status_code == 403
    assert answer.json()["errcode"] == "SE_HUBS_EID_REQUIRED"
    assert answer.json()["se.hubs.eid_url"]


def test_come_back_joins_once_verified(homeserver):
    organiser, room_id = eid_meeting(homeserver)
    token = link_token(create_link(organiser, room_id)["url"])
    guests = GuestApi(homeserver.base_url)
    guest = guest_client(homeserver.base_url, guests.redeem(token, "Greta").json())

    before = guests.come_back(token).json()
    assert before["joined"] is False
    assert before["eid_policy"]["methods"] == ["bankid"]
    assert organiser.membership(room_id, guest.user_id) == "invite"

    verify_with_test_provider(homeserver, guest, room_id)
    after = guests.come_back(token).json()

    assert after["joined"] is True
    assert "eid_url" not in after
    assert organiser.membership(room_id, guest.user_id) == "join"
