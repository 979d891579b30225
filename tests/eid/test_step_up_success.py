# SPDX-License-Identifier: AGPL-3.0-or-later
"""Each e-ID method admits a participant after a successful step-up, through real Synapse."""

import pytest

from tests.eid.step_up_client import (
    BrowserStepUp,
    create_meeting,
    eid_status,
    failure_reason,
    is_verified_page,
)
from tests.harness.matrix_client import MatrixError

OIDC_ROUTES = [
    ("idura", "bankid"),
    ("sweden-connect", "bankid"),
    ("freja", "freja"),
    ("inera", "siths"),
]


@pytest.mark.parametrize(("provider_id", "method"), OIDC_ROUTES)
def test_oidc_step_up_admits_participant(eid_homeserver, providers, provider_id, method):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner)

    with pytest.raises(MatrixError) as refused:
        participant.join(room_id)
    assert refused.value.status == 403
    assert refused.value.errcode == "SE_HUBS_EID_REQUIRED"

    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    chooser = step_up.open_start_link()
    assert f'value="{provider_id}:{method}"' in chooser.text
    page = step_up.oidc_flow(provider_id, method)

    assert is_verified_page(page), failure_reason(page)
    verification = eid_status(participant, room_id)["verification"]
    assert verification["method"] == method
    assert verification["loa"] == "loa3"
    assert verification["verified_name"] == "Tolvan Tolvansson"
    participant.join(room_id)
    assert owner.membership(room_id, participant.user_id) == "join"


def test_bankid_direct_step_up_admits_participant(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner, {"required_for": "everyone", "methods": ["bankid"]})

    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    step_up.open_start_link()
    final, answers = step_up.bankid_flow()

    assert final["status"] == "complete", answers
    assert final["redirect"].startswith("/_synapse/client/hubs/eid/done")
    assert is_verified_page(step_up.get(final["redirect"]))
    pending = [answer for answer in answers if answer["status"] == "pending"]
    assert pending and all(a["qr"].startswith("data:image/svg+xml") for a in pending)
    assert {a["rfa"] for a in pending} <= {"RFA1", "RFA15", "RFA9"}
    assert eid_status(participant, room_id)["verification"]["method"] == "bankid"
    participant.join(room_id)
    assert owner.membership(room_id, participant.user_id) == "join"


def test_test_provider_step_up_admits_participant(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner)

    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    chooser = step_up.open_start_link()
    assert "TEST – inte riktig e-legitimation" in chooser.text
    redirect = step_up.choose("test", "freja")
    test_page = step_up.get(redirect.location)
    assert "TEST – inte riktig e-legitimation" in test_page.text
    state = redirect.location.split("state=")[1]
    page = step_up.post("/_synapse/client/hubs/eid/test_provider",
                        {"state": state, "action": "identify", "number": "19121212-1212",
                         "given_name": "Tolvan", "family_name": "Tolvansson", "loa": "loa3"})

    assert is_verified_page(page), failure_reason(page)
    participant.join(room_id)
    assert owner.membership(room_id, participant.user_id) == "join"
