# SPDX-License-Identifier: AGPL-3.0-or-later
"""e-ID claims map to a stable, clean identity (names, localparts, repeated logins)."""

import re
import unicodedata

import pytest

from synapse_hubs.eid.claim_profiles import PROFILES, read_display_name
from synapse_hubs.eid.identity_number import luhn_valid, parse_identity_number
from synapse_hubs.eid.subject_key import SubjectKeyring
from tests.eid.database import verification_rows
from tests.eid.fake_openid_provider import TEST_COORDINATION_NUMBER, Persona
from tests.eid.step_up_client import (
    BrowserStepUp,
    create_meeting,
    eid_status,
    failure_reason,
    is_verified_page,
)

NUMBER_VARIANTS = ("191212121212", "19121212-1212", "1212121212", "121212-1212")
ASA = "Åsa Öberg-Nilsson"


def decomposed(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def other_valid_number() -> str:
    check = next(c for c in "0123456789" if luhn_valid("811228987" + c))
    return "19811228987" + check


def test_display_name_is_nfc():
    claims = {"given_name": decomposed("Åsa"), "family_name": decomposed("Öberg-Nilsson")}

    name = read_display_name(PROFILES["oidc_sweden"], claims)

    assert name == ASA
    assert unicodedata.is_normalized("NFC", name)


def test_localpart_is_clean_and_stable():
    keyring = SubjectKeyring(b"k" * 32)
    number = parse_identity_number("19121212-1212")
    subject = keyring.subject_key("!room:localhost", number)

    localpart = keyring.localpart(subject)

    assert re.fullmatch(r"[a-z0-9._=-]+", localpart)
    assert not re.search(r"=[0-9a-fA-F]{2}", localpart)
    assert not any(variant in localpart for variant in NUMBER_VARIANTS)
    assert keyring.localpart(keyring.subject_key("!room:localhost", number)) == localpart


def test_subject_key_differs_per_meeting():
    keyring = SubjectKeyring(b"k" * 32)
    number = parse_identity_number("191212121212")

    assert keyring.subject_key("!a:localhost", number) != keyring.subject_key("!b:localhost",
                                                                             number)


def verify(homeserver, user, room_id) -> BrowserStepUp:
    step_up = BrowserStepUp(homeserver, user, room_id)
    step_up.open_start_link()
    return step_up


def test_repeated_login_keeps_one_record(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner)
    providers.sweden_connect.reset(persona=Persona(
        given_name=decomposed("Åsa"), family_name=decomposed("Öberg-Nilsson"), sub="ABC123"))

    first = verify(eid_homeserver, participant, room_id).oidc_flow("sweden-connect", "bankid")
    assert is_verified_page(first), failure_reason(first)
    [(subject_before, name, _, _, verified_before, _)] = verification_rows(
        eid_homeserver, participant.user_id, room_id)

    second = verify(eid_homeserver, participant, room_id).oidc_flow("sweden-connect", "bankid")
    assert is_verified_page(second), failure_reason(second)
    rows = verification_rows(eid_homeserver, participant.user_id, room_id)

    assert len(rows) == 1
    assert rows[0][0] == subject_before
    assert rows[0][4] >= verified_before
    assert name == ASA
    assert eid_status(participant, room_id)["verification"]["verified_name"] == ASA
    assert not any(variant in subject_before for variant in NUMBER_VARIANTS)


def test_previous_number_maps_to_same_person(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner)

    providers.sweden_connect.reset(persona=Persona(number=TEST_COORDINATION_NUMBER))
    page = verify(eid_homeserver, participant, room_id).oidc_flow("sweden-connect", "bankid")
    assert is_verified_page(page), failure_reason(page)
    [(coordination_subject, *_)] = verification_rows(eid_homeserver, participant.user_id,
                                                     room_id)

    # The person has since been given a personal identity number.
    providers.sweden_connect.reset(persona=Persona(previous_number=TEST_COORDINATION_NUMBER))
    page = verify(eid_homeserver, participant, room_id).oidc_flow("sweden-connect", "bankid")

    assert is_verified_page(page), failure_reason(page)
    rows = verification_rows(eid_homeserver, participant.user_id, room_id)
    assert len(rows) == 1
    assert rows[0][0] != coordination_subject


def test_other_person_cannot_take_over_verified_account(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner)
    page = verify(eid_homeserver, participant, room_id).oidc_flow("sweden-connect", "bankid")
    assert is_verified_page(page)
    before = verification_rows(eid_homeserver, participant.user_id, room_id)

    providers.sweden_connect.reset(persona=Persona(number=other_valid_number(),
                                                   given_name="Annan", family_name="Person"))
    page = verify(eid_homeserver, participant, room_id).oidc_flow("sweden-connect", "bankid")

    assert failure_reason(page) == "different_person"
    assert verification_rows(eid_homeserver, participant.user_id, room_id) == before


@pytest.mark.parametrize("sub", ["ABC123", "abc123", "Mixed.Case-Sub_1"])
def test_subject_case_is_accepted(eid_homeserver, providers, sub):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner)
    providers.idura.reset(persona=Persona(sub=sub))

    page = verify(eid_homeserver, participant, room_id).oidc_flow("idura", "bankid")

    assert is_verified_page(page), failure_reason(page)
