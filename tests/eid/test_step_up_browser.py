# SPDX-License-Identifier: AGPL-3.0-or-later
"""The e-ID pages work in a real browser: start link, chooser, test provider, BankID QR.

These drive Debian Chromium through the pages' own scripts (the ticket in
the URL fragment, the BankID page polling once a second), which the HTTP
tests cannot run.
"""

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.eid.step_up_client import BrowserStepUp, create_meeting, eid_status
from tests.harness.browser import new_context, wait_until
from tests.harness.matrix_client import MatrixError

pytestmark = pytest.mark.browser


def start_url(homeserver, user, room_id, return_to=None) -> str:
    return BrowserStepUp(homeserver, user, room_id, return_to=return_to).start_url


def test_test_provider_in_browser(eid_homeserver, providers, chromium):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner, {"required_for": "everyone", "methods": ["bankid"]})
    context = new_context(chromium, locale="sv-SE")
    page = context.new_page()

    page.goto(start_url(eid_homeserver, participant, room_id))
    page.locator('button[value="test:bankid"]').click()

    assert page.get_by_test_id("test-banner").inner_text() == "TEST – inte riktig e-legitimation"
    assert "#ticket=" not in page.url
    page.get_by_test_id("test-identify").click()
    page.get_by_test_id("verified").wait_for()
    context.close()

    participant.join(room_id)
    assert owner.membership(room_id, participant.user_id) == "join"


def test_cancel_in_browser_keeps_guest_out(eid_homeserver, providers, chromium):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner, {"required_for": "everyone", "methods": ["bankid"]})
    context = new_context(chromium, locale="en-GB")
    page = context.new_page()

    page.goto(start_url(eid_homeserver, participant, room_id))
    page.locator('button[value="test:bankid"]').click()
    page.get_by_test_id("test-cancel").click()

    failure = page.get_by_test_id("failure")
    assert failure.get_attribute("data-reason") == "cancelled"
    assert "You cancelled the identification" in failure.inner_text()
    page.get_by_test_id("try-again").click()
    assert page.locator('button[value="test:bankid"]').is_visible()
    context.close()

    assert eid_status(participant, room_id)["verified"] is False
    with pytest.raises(MatrixError) as refused:
        participant.join(room_id)
    assert refused.value.errcode == "SE_HUBS_EID_REQUIRED"


def test_bankid_qr_page_in_browser(eid_homeserver, providers, chromium):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner, {"required_for": "everyone", "methods": ["bankid"]})
    providers.bankid.pending_collects = 4
    return_to = eid_homeserver.base_url + "/_synapse/client/hubs/v1/version"
    context = new_context(chromium)
    page = context.new_page()

    page.goto(start_url(eid_homeserver, participant, room_id, return_to=return_to))
    page.locator('button[value="bankid:bankid"]').click()
    page.get_by_test_id("bankid-qr").wait_for()
    seen: set[str] = set()

    def reached_return_to() -> bool:
        if page.url.startswith(return_to):
            return True
        try:
            source = page.evaluate(
                "document.querySelector('[data-testid=bankid-qr]')?.getAttribute('src')")
        except PlaywrightError:
            # The page navigated away between the URL check and this read.
            return False
        if source:
            seen.add(source)
        return False

    try:
        wait_until(reached_return_to, timeout_s=30, message="BankID page did not finish")
    finally:
        providers.bankid.pending_collects = 2
    context.close()

    # The order ran for about 8 s, and the QR code changes every second.
    assert len(seen) >= 4
    assert "state=" not in page.url
    participant.join(room_id)
    assert owner.membership(room_id, participant.user_id) == "join"


def test_test_provider_page_fits_phone(eid_homeserver, providers, chromium):
    owner = eid_homeserver.register_user()
    participant = eid_homeserver.register_user()
    room_id = create_meeting(owner, {"required_for": "everyone", "methods": ["bankid"]})
    context = new_context(chromium, viewport={"width": 390, "height": 844})
    page = context.new_page()

    page.goto(start_url(eid_homeserver, participant, room_id))
    page.locator('button[value="test:bankid"]').click()
    page.get_by_test_id("test-identify").wait_for()

    # Inputs must end within the body's content box, not spill over its padding.
    overflow = page.evaluate("""() => {
        const body = document.body.getBoundingClientRect();
        const padding = parseFloat(getComputedStyle(document.body).paddingRight);
        const inputs = [...document.querySelectorAll("input:not([type=hidden]), select")];
        return Math.max(...inputs.map((input) => input.getBoundingClientRect().right))
            - (body.right - padding);
    }""")
    assert overflow <= 0.5
    context.close()
