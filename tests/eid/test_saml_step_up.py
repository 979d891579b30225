# SPDX-License-Identifier: AGPL-3.0-or-later
"""Step-up through a SAML2 identity provider (Sweden Connect / Inera style)."""

import pytest

from tests.eid.fake_saml_idp import LOA2
from tests.eid.step_up_client import (
    PREFIX,
    BrowserStepUp,
    create_meeting,
    eid_status,
    failure_reason,
    is_verified_page,
)
from tests.harness.matrix_client import MatrixError


def start(homeserver, providers):
    owner = homeserver.register_user()
    participant = homeserver.register_user()
    room_id = create_meeting(owner)
    step_up = BrowserStepUp(homeserver, participant, room_id)
    step_up.open_start_link()
    redirect = step_up.choose("saml-freja", "freja")
    assert redirect.status == 303
    assert "SAMLRequest=" in redirect.location
    return owner, participant, room_id, step_up, redirect.location


def test_saml_step_up_admits_participant(eid_homeserver, providers):
    owner, participant, room_id, step_up, location = start(eid_homeserver, providers)
    fields = providers.saml.respond(location)

    # The IdP's cross-site POST carries no SameSite=Lax cookie: the page posts again.
    jar = step_up.browser.cookies
    step_up.browser.cookies = type(jar)()
    repost = step_up.post(f"{PREFIX}/saml/acs", fields)
    step_up.browser.cookies = jar
    assert repost.status == 200
    assert 'name="reposted" value="1"' in repost.text

    page = step_up.post(f"{PREFIX}/saml/acs", {**fields, "reposted": "1"})

    assert is_verified_page(page), failure_reason(page)
    verification = eid_status(participant, room_id)["verification"]
    assert verification["method"] == "freja"
    assert verification["loa"] == "loa3"
    assert verification["verified_name"] == "Tolvan Tolvansson"
    participant.join(room_id)
    assert owner.membership(room_id, participant.user_id) == "join"


@pytest.mark.parametrize(("fault", "shown"), [
    ({"tamper": True}, "failed"),
    ({"in_response_to": "id-not-our-request"}, "failed"),
    ({"class_ref": LOA2}, "loa_too_low"),
    ({"number": "191212121213"}, "invalid_identity"),
])
def test_saml_refusal(eid_homeserver, providers, fault, shown):
    owner, participant, room_id, step_up, location = start(eid_homeserver, providers)

    page = step_up.post(f"{PREFIX}/saml/acs", providers.saml.respond(location, **fault))

    assert failure_reason(page) == shown
    assert eid_status(participant, room_id)["verified"] is False
    with pytest.raises(MatrixError) as refused:
        participant.join(room_id)
    assert refused.value.errcode == "SE_HUBS_EID_REQUIRED"


def test_saml_response_replay_is_refused(eid_homeserver, providers):
    owner, participant, room_id, step_up, location = start(eid_homeserver, providers)
    fields = providers.saml.respond(location)
    assert is_verified_page(step_up.post(f"{PREFIX}/saml/acs", fields))

    replay = step_up.post(f"{PREFIX}/saml/acs", fields)

    assert failure_reason(replay) == "session_invalid"
