# SPDX-License-Identifier: AGPL-3.0-or-later
"""No personal identity number, token or BankID evidence survives a full step-up.

After flows through every provider, the test number 19121212-1212 must not
appear in any form in any database table, Synapse's log, the SFU's log or
the room's events.
"""

from tests.eid.database import dump_all_tables, query
from tests.eid.step_up_client import (
    PREFIX,
    BrowserStepUp,
    create_meeting,
    failure_reason,
    is_verified_page,
)

NUMBER_VARIANTS = ("191212121212", "19121212-1212", "1212121212", "121212-1212",
                   "19121212+1212", "121212+1212")
BANKID_EVIDENCE = ("192.0.2.77", "FAKE-UHI-VALUE", "RkFLRS1TSUdOQVRVUkUtVkFMVUU=",
                   "RkFLRS1PQ1NQLVJFU1BPTlNF", "2020-01-01")


def run_every_flow(homeserver, providers, owner, room_id):
    routes = [("idura", "bankid"), ("sweden-connect", "bankid"), ("freja", "freja"),
              ("inera", "siths")]
    for provider_id, method in routes:
        participant = homeserver.register_user()
        step_up = BrowserStepUp(homeserver, participant, room_id)
        step_up.open_start_link()
        page = step_up.oidc_flow(provider_id, method)
        assert is_verified_page(page), failure_reason(page)
        participant.join(room_id)
        participant.send_message(room_id, f"hej från {provider_id}")

    participant = homeserver.register_user()
    step_up = BrowserStepUp(homeserver, participant, room_id)
    step_up.open_start_link()
    final, _ = step_up.bankid_flow()
    assert final["status"] == "complete"
    participant.join(room_id)

    for typed_number in ("19121212-1212", "121212+1212", "191212121212"):
        participant = homeserver.register_user()
        step_up = BrowserStepUp(homeserver, participant, room_id)
        step_up.open_start_link()
        state = step_up.choose("test", "bankid").location.split("state=")[1]
        page = step_up.post(f"{PREFIX}/test_provider", {
            "state": state, "action": "identify", "number": typed_number,
            "given_name": "Tolvan", "family_name": "Tolvansson", "loa": "loa3"})
        assert is_verified_page(page), failure_reason(page)
        participant.join(room_id)


def test_full_flow_leaves_no_identity_number(eid_homeserver, providers):
    owner = eid_homeserver.register_user()
    room_id = create_meeting(owner)

    run_every_flow(eid_homeserver, providers, owner, room_id)

    stored = query(eid_homeserver, "SELECT COUNT(*) FROM hubs_eid_verifications "
                                   "WHERE room_id = ?", (room_id,))
    assert stored == [(8,)]
    events = str(owner.state(room_id)) + str(owner.messages(room_id, limit=200))
    captured = {
        "database": dump_all_tables(eid_homeserver),
        "synapse log": eid_homeserver.synapse_log(),
        "sfu log": eid_homeserver.sfu_log(),
        "room events": events,
    }
    assert "hej från idura" in captured["room events"]
    assert "hubs_eid_verifications" in captured["database"]

    tokens = [token for fake in providers.all_openid() for token in fake.issued_tokens]
    assert len(tokens) == 8
    for where, text in captured.items():
        for variant in NUMBER_VARIANTS:
            assert variant not in text, \
                f"identity number {variant!r} found in {where}: {context(text, variant)}"
        for evidence in BANKID_EVIDENCE:
            assert evidence not in text, \
                f"BankID evidence {evidence!r} found in {where}: {context(text, evidence)}"
        for token in tokens:
            assert token not in text, f"a provider token was found in {where}"


def context(text: str, needle: str) -> str:
    """Return the text around the first `needle`, so a failure shows where it leaked."""
    index = text.find(needle)
    return repr(text[max(0, index - 120):index + len(needle) + 120])
