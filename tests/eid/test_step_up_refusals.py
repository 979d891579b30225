# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every way a step-up can go wrong leaves no verification and keeps the user out."""

import time

import pytest

from tests.eid.fake_openid_provider import BAD_LUHN_NUMBER
from tests.eid.step_up_client import (
    PREFIX,
    BrowserStepUp,
    create_meeting,
    eid_status,
    failure_reason,
    is_verified_page,
)
from tests.harness.matrix_client import MatrixError

# (provider id, method, fake OP scenario, failure shown to the user, reason logged)
OIDC_REFUSALS = [
    ("idura", "bankid", "user_cancel", "cancelled", "user_cancel"),
    ("sweden-connect", "bankid", "wrong_loa", "loa_too_low", "loa_too_low:loa2<loa3"),
    ("freja", "freja", "wrong_loa", "loa_too_low", "loa_too_low:loa2<loa3"),
    ("inera", "siths", "wrong_loa", "loa_too_low", "loa_too_low:loa2<loa3"),
    ("idura", "bankid", "method_mismatch", "method_not_allowed", "method_mismatch"),
    ("idura", "bankid", "wrong_aud", "failed", "wrong_audience"),
    ("idura", "bankid", "bad_sig", "failed", "bad_signature"),
    ("idura", "bankid", "alg_none", "failed", "alg_not_allowed"),
    ("idura", "bankid", "nonce_mismatch", "failed", "nonce_mismatch"),
    ("idura", "bankid", "expired_id_token", "failed", "expired"),
    ("idura", "bankid", "wrong_iss_param", "failed", "issuer_mismatch"),
    ("freja", "freja", "userinfo_sub_mismatch", "failed", "userinfo_sub_mismatch"),
    ("sweden-connect", "bankid", "both_numbers", "invalid_identity", "both_numbers"),
    ("idura", "bankid", "bad_luhn", "invalid_identity", "number_invalid"),
    ("inera", "siths", "bad_luhn", "invalid_identity", "number_invalid"),
]


def assert_not_admitted(homeserver, owner, participant, room_id):
    assert eid_status(participant, room_id)["verified"] is False
    with pytest.raises(MatrixError) as refused:
        participant.join(room_id)
    assert refused.value.errcode == "SE_HUBS_EID_REQUIRED"
    assert owner.membership(room_id, participant.user_id) is None


@pytest.fixture
def meeting(eid_homeserver):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    return owner, participant, create_meeting(owner)


def logged_failure(homeserver, participant, room_id) -> str:
    marker = f"e-ID step-up of {participant.user_id} in {room_id} failed: "
    lines = [line for line in homeserver.synapse_log().splitlines() if marker in line]
    assert lines, "no failure was logged"
    return lines[-1].split(marker)[1].strip()


@pytest.mark.parametrize(("provider_id", "method", "scenario", "shown", "reason"), OIDC_REFUSALS)
def test_oidc_refusal(eid_homeserver, providers, meeting, provider_id, method, scenario, shown,
                      reason):
    owner, participant, room_id = meeting
    fake = {"idura": providers.idura, "sweden-connect": providers.sweden_connect,
            "freja": providers.freja, "inera": providers.inera}[provider_id]
    fake.reset(scenario)

    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    step_up.open_start_link()
    page = step_up.oidc_flow(provider_id, method)

    assert not is_verified_page(page)
    assert failure_reason(page) == shown
    assert logged_failure(eid_homeserver, participant, room_id) == reason
    assert f'href="{PREFIX}/choose"' in page.text
    assert_not_admitted(eid_homeserver, owner, participant, room_id)


def test_method_not_in_policy_is_refused_at_begin(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner, {"required_for": "everyone", "methods": ["freja"]})

    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    chooser = step_up.open_start_link()
    assert "idura:bankid" not in chooser.text
    page = step_up.choose("idura", "bankid")

    assert page.status == 403
    assert failure_reason(page) == "method_not_allowed"
    assert providers.idura.authorize_requests == []
    assert_not_admitted(eid_homeserver, owner, participant, room_id)


def test_replayed_state_is_refused(eid_homeserver, providers, meeting):
    owner, participant, room_id = meeting
    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    step_up.open_start_link()
    redirect = step_up.choose("idura", "bankid")
    callback = step_up.authorize_at_provider(redirect.location)
    assert is_verified_page(step_up.get(callback))

    replay = step_up.get(callback)

    assert replay.status == 400
    assert failure_reason(replay) == "session_invalid"
    assert providers.idura.token_errors == []


def test_callback_in_other_browser_is_refused(eid_homeserver, providers, meeting):
    owner, participant, room_id = meeting
    victim = BrowserStepUp(eid_homeserver, participant, room_id)
    victim.open_start_link()
    callback = victim.authorize_at_provider(victim.choose("idura", "bankid").location)

    attacker = BrowserStepUp(eid_homeserver, participant, room_id)
    attacker.open_start_link()
    page = attacker.get(callback)

    assert failure_reason(page) == "session_invalid"
    assert_not_admitted(eid_homeserver, owner, participant, room_id)


def test_pkce_mismatch_is_refused(eid_homeserver, providers, meeting):
    owner, participant, room_id = meeting
    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    step_up.open_start_link()
    first = step_up.authorize_at_provider(step_up.choose("idura", "bankid").location)
    second = step_up.authorize_at_provider(step_up.choose("idura", "bankid").location)

    # The code of the first attempt injected into the second attempt's callback.
    first_code = first.split("code=")[1].split("&")[0]
    second_state = second.split("state=")[1].split("&")[0]
    page = step_up.get(f"{PREFIX}/callback?code={first_code}&state={second_state}")

    assert failure_reason(page) == "failed"
    assert logged_failure(eid_homeserver, participant, room_id) == "token_refused:invalid_grant"
    assert providers.idura.token_errors == ["pkce_mismatch"]
    assert_not_admitted(eid_homeserver, owner, participant, room_id)


def test_code_reuse_is_refused(eid_homeserver, providers, meeting):
    owner, participant, room_id = meeting
    other = eid_homeserver.register_user()
    used = BrowserStepUp(eid_homeserver, other, room_id)
    used.open_start_link()
    used_callback = used.authorize_at_provider(used.choose("idura", "bankid").location)
    assert is_verified_page(used.get(used_callback))

    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    step_up.open_start_link()
    fresh = step_up.authorize_at_provider(step_up.choose("idura", "bankid").location)
    used_code = used_callback.split("code=")[1].split("&")[0]
    fresh_state = fresh.split("state=")[1].split("&")[0]
    page = step_up.get(f"{PREFIX}/callback?code={used_code}&state={fresh_state}")

    assert failure_reason(page) == "failed"
    assert logged_failure(eid_homeserver, participant, room_id) == "token_refused:invalid_grant"
    assert providers.idura.token_errors == ["code_reused"]
    assert_not_admitted(eid_homeserver, owner, participant, room_id)


def test_try_again_after_failure_succeeds(eid_homeserver, providers, meeting):
    owner, participant, room_id = meeting
    providers.idura.reset("user_cancel")
    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    step_up.open_start_link()
    assert failure_reason(step_up.oidc_flow("idura", "bankid")) == "cancelled"

    providers.idura.reset("success")
    chooser = step_up.get(f"{PREFIX}/choose")
    assert 'value="idura:bankid"' in chooser.text
    assert is_verified_page(step_up.oidc_flow("idura", "bankid"))
    participant.join(room_id)


@pytest.mark.parametrize(("scenario", "shown", "rfa"), [
    ("userCancel", "cancelled", "RFA6"),
    ("expiredTransaction", "expired", "RFA8"),
    ("certificateErr", "failed", "RFA16"),
    ("startFailed", "failed", "RFA17"),
])
def test_bankid_failed_order(eid_homeserver, providers, meeting, scenario, shown, rfa):
    owner, participant, room_id = meeting
    providers.bankid.reset(scenario)
    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    step_up.open_start_link()

    final, _ = step_up.bankid_flow()

    assert final["status"] == "failed"
    assert final["reason"] == shown
    assert final["rfa"] == rfa
    failure_page = step_up.get(final["redirect"])
    assert failure_reason(failure_page) == shown
    assert_not_admitted(eid_homeserver, owner, participant, room_id)


def test_bankid_already_in_progress(eid_homeserver, providers, meeting):
    owner, participant, room_id = meeting
    providers.bankid.reset("alreadyInProgress")
    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    step_up.open_start_link()

    page = step_up.choose("bankid", "bankid")

    assert failure_reason(page) == "failed"
    assert "pågår redan" in page.text
    assert_not_admitted(eid_homeserver, owner, participant, room_id)


def test_bankid_bad_luhn_is_refused(eid_homeserver, providers, meeting):
    owner, participant, room_id = meeting
    providers.bankid.reset("success", personal_number=BAD_LUHN_NUMBER)
    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    step_up.open_start_link()

    final, _ = step_up.bankid_flow()

    assert final["reason"] == "invalid_identity"
    assert_not_admitted(eid_homeserver, owner, participant, room_id)


def test_bankid_cancel_button_cancels_order(eid_homeserver, providers, meeting):
    owner, participant, room_id = meeting
    providers.bankid.reset("pending_forever")
    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    step_up.open_start_link()

    final, _ = step_up.bankid_flow(cancel_after=2)

    assert final["reason"] == "cancelled"
    assert len(providers.bankid.calls_to("cancel")) == 1
    assert_not_admitted(eid_homeserver, owner, participant, room_id)


def test_bankid_abandoned_order_is_cancelled(eid_homeserver, providers, meeting):
    owner, participant, room_id = meeting
    providers.bankid.reset("pending_forever")
    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    step_up.open_start_link()
    redirect = step_up.choose("bankid", "bankid")
    state = redirect.location.split("state=")[1]
    step_up.post_json(f"{PREFIX}/bankid/status", {"state": state})

    # The page is closed: no more polls. The cleanup task cancels the order.
    deadline = time.monotonic() + 40
    while not providers.bankid.calls_to("cancel") and time.monotonic() < deadline:
        time.sleep(1)

    assert len(providers.bankid.calls_to("cancel")) == 1
    status, answer = step_up.post_json(f"{PREFIX}/bankid/status", {"state": state})
    assert status == 400
    assert_not_admitted(eid_homeserver, owner, participant, room_id)


def test_bankid_collects_at_most_every_two_seconds(eid_homeserver, providers, meeting):
    owner, participant, room_id = meeting
    providers.bankid.reset("pending_forever")
    step_up = BrowserStepUp(eid_homeserver, participant, room_id)
    step_up.open_start_link()

    final, answers = step_up.bankid_flow(cancel_after=7)

    collect_times = [when for _, when, _ in providers.bankid.calls_to("collect")]
    assert len(collect_times) >= 3
    gaps = [later - earlier for earlier, later in zip(collect_times, collect_times[1:])]
    assert min(gaps) >= 1.9
    qr_codes = [answer["qr"] for answer in answers if answer.get("qr")]
    assert len(set(qr_codes)) >= 5, "the QR code must change every second"
