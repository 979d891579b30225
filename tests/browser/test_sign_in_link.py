# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff sign-in and navigation: a used sign-in link explains itself, and meeting pages lead to the new-meeting form."""

import pytest

from tests.browser.join_page import meet_url, remember_session
from tests.harness.browser import new_context
from tests.harness.hubs_api import create_meeting

pytestmark = pytest.mark.browser


def test_used_login_token_explains_form(homeserver, chromium):
    context = new_context(chromium, locale="sv-SE")
    page = context.new_page()

    page.goto(meet_url(homeserver.base_url) + "#loginToken=already-used-token")

    notice = page.wait_for_selector(".sign-in .sign-in-notice")
    assert "redan använd" in notice.inner_text()
    assert page.is_visible("#sign-in-user")
    assert "loginToken" not in page.url
    context.close()


def test_plain_sign_in_has_no_notice(homeserver, chromium):
    context = new_context(chromium, locale="sv-SE")
    page = context.new_page()

    page.goto(meet_url(homeserver.base_url))

    page.wait_for_selector("#sign-in-user")
    assert page.query_selector(".sign-in-notice") is None
    context.close()


def test_meeting_page_links_to_new_meeting(homeserver, chromium):
    organiser = homeserver.register_user()
    room_id = create_meeting(organiser, title="Nämndmöte")["room_id"]
    context = new_context(chromium, locale="sv-SE")
    remember_session(context, homeserver.base_url, organiser)
    page = context.new_page()
    page.goto(meet_url(homeserver.base_url, room_id))

    page.get_by_role("link", name="Nytt möte").click()

    page.wait_for_selector(".new-meeting-form #meeting-title")
    context.close()
