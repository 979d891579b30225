# SPDX-License-Identifier: AGPL-3.0-or-later
"""Joins and knocks to e-ID meetings are refused without a valid verification."""

import pytest
import requests

from synapse_hubs.event_types import EID_POLICY, MEETING
from tests.eid.database import execute
from tests.eid.step_up_client import (
    PREFIX,
    BrowserStepUp,
    create_meeting,
    eid_status,
    is_verified_page,
)
from tests.harness.matrix_client import MatrixClient, MatrixError


def register_guest(homeserver) -> MatrixClient:
    body = requests.post(homeserver.base_url + "/_matrix/client/v3/register",
                         params={"kind": "guest"}, json={}, timeout=10).json()
    return MatrixClient(homeserver.base_url, body["user_id"], body["access_token"])


def verify_with_test_provider(homeserver, user, room_id, method="bankid", loa="loa3"):
    step_up = BrowserStepUp(homeserver, user, room_id)
    step_up.open_start_link()
    redirect = step_up.choose("test", method)
    state = redirect.location.split("state=")[1]
    page = step_up.post(f"{PREFIX}/test_provider", {
        "state": state, "action": "identify", "number": "191212121212",
        "given_name": "Tolvan", "family_name": "Tolvansson", "loa": loa})
    assert is_verified_page(page), page.text
    return page


def refused_join(user, room_id) -> MatrixError:
    with pytest.raises(MatrixError) as refused:
        user.join(room_id)
    assert refused.value.status == 403
    assert refused.value.errcode == "SE_HUBS_EID_REQUIRED"
    return refused.value


def test_error_message_carries_working_link(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner)

    error = refused_join(participant, room_id)
    url = error.body["se.hubs.eid_url"]
    assert url in error.body["error"]
    assert url.startswith(eid_homeserver.base_url + "/_synapse/client/hubs/eid/start?")
    assert error.body["se.hubs.eid_policy"]["required_for"] == "everyone"

    # What an Element user does: open the link from the message, verify, join again.
    step_up = BrowserStepUp.__new__(BrowserStepUp)
    step_up.base = eid_homeserver.base_url
    step_up.browser = requests.Session()
    step_up.start_url = url
    step_up.open_start_link()
    assert is_verified_page(step_up.oidc_flow("idura", "bankid"))
    participant.join(room_id)
    assert owner.membership(room_id, participant.user_id) == "join"


def test_server_admin_join_is_refused(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    admin = eid_homeserver.register_user(admin=True)
    room_id = create_meeting(owner)

    # Synapse skips the spam checker for admins; check_event_allowed still refuses.
    error = refused_join(admin, room_id)

    assert "se.hubs.eid_url" in error.body
    assert owner.membership(room_id, admin.user_id) is None


def test_knock_is_refused_until_verified(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner)
    owner.put_state(room_id, "m.room.join_rules", "", {"join_rule": "knock"})
    knock_path = f"/_matrix/client/v3/knock/{room_id}"

    with pytest.raises(MatrixError) as refused:
        participant.request("POST", knock_path, json={})
    assert refused.value.errcode == "SE_HUBS_EID_REQUIRED"

    verify_with_test_provider(eid_homeserver, participant, room_id)
    participant.request("POST", knock_path, json={})
    assert owner.membership(room_id, participant.user_id) == "knock"


def test_external_policy_spares_staff_but_not_guests(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    staff = eid_homeserver.register_user()
    guest = register_guest(eid_homeserver)
    room_id = create_meeting(owner, {"required_for": "external", "methods": ["bankid"]})

    staff.join(room_id)
    refused_join(guest, room_id)
    assert eid_status(guest, room_id)["required"] is True

    verify_with_test_provider(eid_homeserver, guest, room_id)
    guest.join(room_id)
    assert owner.membership(room_id, guest.user_id) == "join"


def test_meeting_without_policy_uses_server_default(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    staff = eid_homeserver.register_user()
    guest = register_guest(eid_homeserver)
    room_id = owner.create_room(preset="public_chat", initial_state=[
        {"type": MEETING, "state_key": "", "content": {}},
        {"type": "m.room.guest_access", "state_key": "", "content": {"guest_access": "can_join"}},
    ])

    staff.join(room_id)
    error = refused_join(guest, room_id)

    assert error.body["se.hubs.eid_policy"] == {"required_for": "external", "methods": ["bankid"],
                                                "min_loa": "loa3"}


def test_plain_room_requires_nothing(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    guest = register_guest(eid_homeserver)
    room_id = owner.create_room(preset="public_chat", initial_state=[
        {"type": "m.room.guest_access", "state_key": "", "content": {"guest_access": "can_join"}}])

    guest.join(room_id)

    assert owner.membership(room_id, guest.user_id) == "join"


def test_expired_verification_is_refused(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner)
    verify_with_test_provider(eid_homeserver, participant, room_id)
    participant.join(room_id)
    participant.request("POST", f"/_matrix/client/v3/rooms/{room_id}/leave", json={})

    execute(eid_homeserver, "UPDATE hubs_eid_verifications SET expires_at = 1 "
            "WHERE user_id = ? AND room_id = ?", (participant.user_id, room_id))

    refused_join(participant, room_id)
    assert eid_status(participant, room_id)["verified"] is False


def test_stricter_policy_needs_new_verification(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner)
    verify_with_test_provider(eid_homeserver, participant, room_id, method="freja")
    participant.join(room_id)
    participant.request("POST", f"/_matrix/client/v3/rooms/{room_id}/leave", json={})

    owner.put_state(room_id, EID_POLICY, "", {"required_for": "everyone", "methods": ["bankid"]})

    refused_join(participant, room_id)


def test_low_assurance_is_refused(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner)
    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    step_up.open_start_link()
    state = step_up.choose("test", "bankid").location.split("state=")[1]

    page = step_up.post(f"{PREFIX}/test_provider", {
        "state": state, "action": "identify", "number": "191212121212", "loa": "loa2"})

    assert 'data-reason="loa_too_low"' in page.text
    refused_join(participant, room_id)


def test_test_provider_cancel_is_refused(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner)
    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    step_up.open_start_link()
    state = step_up.choose("test", "bankid").location.split("state=")[1]

    page = step_up.post(f"{PREFIX}/test_provider", {"state": state, "action": "cancel"})

    assert 'data-reason="cancelled"' in page.text
    assert 'data-testid="try-again"' in page.text
    refused_join(participant, room_id)


def test_invalid_policy_event_is_rejected(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    room_id = create_meeting(owner)

    with pytest.raises(MatrixError) as rejected:
        owner.put_state(room_id, EID_POLICY, "", {"required_for": "everyone",
                                                  "methods": ["passport"]})

    assert rejected.value.status == 400
    assert "passport" in rejected.value.body["error"]


def test_start_ticket_is_single_use(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner)
    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    step_up.open_start_link()

    other_browser = BrowserStepUp.__new__(BrowserStepUp)
    other_browser.base = eid_homeserver.base_url
    other_browser.browser = requests.Session()
    other_browser.start_url = step_up.start_url
    page = other_browser.open_start_link()

    assert 'data-testid="link-invalid"' in page.text


def test_return_to_must_be_on_this_server(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner)

    with pytest.raises(MatrixError) as rejected:
        BrowserStepUp(eid_homeserver, participant, room_id,
                      return_to="https://evil.example/phish")
    assert rejected.value.status == 400

    return_to = eid_homeserver.base_url + "/_synapse/client/hubs/join#meeting"
    step_up = BrowserStepUp(eid_homeserver, participant, room_id, return_to=return_to)
    step_up.open_start_link()
    callback = step_up.authorize_at_provider(step_up.choose("idura", "bankid").location)
    final = step_up.get(callback)
    assert final.status == 303
    assert final.location == return_to
