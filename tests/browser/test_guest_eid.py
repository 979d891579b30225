# SPDX-License-Identifier: AGPL-3.0-or-later
"""A guest of a meeting that requires e-ID, in the browser.

The test server's default policy requires BankID from external
participants, and its clearly labelled test provider stands in for
BankID. The guest redeems the link, leaves for the e-ID pages, comes back
through the return token and only then reaches the call; a guest who
cancels stays invited and the page never asks for an SFU token.
"""

import urllib.parse

import pytest

from tests.browser.join_page import (
    capture_json_responses,
    first_captured,
    join_call,
    wait_for_prejoin,
)
from tests.eid.step_up_client import eid_status
from tests.harness.browser import new_context
from tests.harness.hubs_api import create_link, create_meeting

pytestmark = pytest.mark.browser

GUEST_NAME = "Greta Gäst"


def eid_meeting_link(homeserver):
    organiser = homeserver.register_user()
    room_id = create_meeting(organiser, title="Samråd", eid_policy=None)["room_id"]
    link = create_link(organiser, room_id)
    return organiser, room_id, urllib.parse.urljoin(homeserver.base_url, link["url"])


def redeem_and_open_eid(page, link_url):
    """Redeem the link as a new guest and follow the page to the e-ID method chooser."""
    page.goto(link_url)
    wait_for_prejoin(page)
    page.fill("#display-name", GUEST_NAME)
    page.click(".join-button")

    page.wait_for_selector(".eid-required")
    page.click(".continue-to-eid")
    page.locator('button[value="test:bankid"]').click()
    assert page.get_by_test_id("test-banner").is_visible()


def guest_user_id(page, redeemed):
    user_id = first_captured(page, redeemed)["user_id"]
    assert len(redeemed) == 1, redeemed
    return user_id


def test_guest_verifies_then_joins(homeserver, chromium):
    organiser, room_id, link_url = eid_meeting_link(homeserver)
    context = new_context(chromium, locale="sv-SE")
    page = context.new_page()
    redeemed = capture_json_responses(page, "/redeem")
    tokens = capture_json_responses(page, "/sfu/get")

    redeem_and_open_eid(page, link_url)
    user_id = guest_user_id(page, redeemed)
    assert organiser.membership(room_id, user_id) == "invite"
    page.get_by_test_id("test-identify").click()

    # The verification sends the browser back to the join page, which goes on to the pre-join step.
    wait_for_prejoin(page)
    assert GUEST_NAME in page.inner_text(".known-name")
    assert "from_eid" not in page.url
    join_call(page)

    assert organiser.membership(room_id, user_id) == "join"
    assert first_captured(page, tokens)["jwt"]
    assert len(tokens) == 1
    context.close()


def test_guest_who_cancels_stays_out(homeserver, chromium):
    organiser, room_id, link_url = eid_meeting_link(homeserver)
    # A Swedish browser whose user switches the join page to English.
    context = new_context(chromium, locale="sv-SE")
    page = context.new_page()
    redeemed = capture_json_responses(page, "/redeem")
    token_requests = []
    page.on("request", lambda request: token_requests.append(request.url)
            if "/sfu/get" in request.url else None)

    page.goto(link_url)
    wait_for_prejoin(page)
    page.click(".language-switch")
    redeem_and_open_eid(page, link_url)
    page.get_by_test_id("test-cancel").click()
    failure = page.get_by_test_id("failure")
    assert failure.get_attribute("data-reason") == "cancelled"
    # The e-ID pages keep the language chosen on the join page, not the browser's.
    assert "You cancelled the identification" in failure.inner_text()

    assert page.inner_text("h1") == "Identification cancelled"

    # Back on the join page, the guest is asked for e-ID again, not let in.
    page.get_by_test_id("back").click()
    page.wait_for_selector(".eid-required")

    user_id = guest_user_id(page, redeemed)
    assert organiser.membership(room_id, user_id) == "invite"
    assert token_requests == []
    context.close()


def test_organiser_sees_no_verification_for_cancelled_guest(homeserver, chromium):
    organiser, room_id, link_url = eid_meeting_link(homeserver)
    context = new_context(chromium)
    page = context.new_page()

    redeem_and_open_eid(page, link_url)
    page.get_by_test_id("test-cancel").click()
    page.get_by_test_id("failure").wait_for()

    status = eid_status(organiser, room_id)
    assert status["policy"]["required_for"] == "external"
    assert status["required"] is False
    context.close()
