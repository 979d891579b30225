# SPDX-License-Identifier: AGPL-3.0-or-later
"""Swedish is the default language; English is one click away and remembered."""

import pytest

from tests.browser.join_page import meet_url, open_chat_only, remember_session
from tests.harness.browser import new_context

pytestmark = pytest.mark.browser


def test_sign_in_page_switches_language(homeserver, chromium):
    context = new_context(chromium)
    page = context.new_page()
    page.goto(meet_url(homeserver.base_url))

    page.wait_for_selector(".sign-in h1")
    assert page.text_content(".sign-in h1") == "Logga in"
    assert page.get_attribute("html", "lang") == "sv"
    assert page.text_content("label[for=sign-in-password]") == "Lösenord"

    page.click(".language-switch")

    assert page.text_content(".sign-in h1") == "Sign in"
    assert page.get_attribute("html", "lang") == "en"
    assert page.text_content("label[for=sign-in-password]") == "Password"
    assert page.text_content(".language-switch") == "Svenska"

    page.reload()
    page.wait_for_selector(".sign-in h1")
    assert page.text_content(".sign-in h1") == "Sign in"

    page.click(".language-switch")
    assert page.text_content(".sign-in h1") == "Logga in"
    assert page.get_attribute("html", "lang") == "sv"
    context.close()


def test_meeting_labels_follow_language(homeserver, chromium):
    user = homeserver.register_user()
    room_id = user.create_room(name="Språk", preset="public_chat")
    context = new_context(chromium)
    remember_session(context, homeserver.base_url, user)
    page = context.new_page()
    page.goto(meet_url(homeserver.base_url, room_id))
    open_chat_only(page)

    assert page.get_attribute(".control-chat", "aria-label") == "Chatt"
    assert page.get_attribute(".composer-input", "placeholder").startswith("Skriv ett meddelande")

    page.click(".language-switch")

    assert page.get_attribute(".control-chat", "aria-label") == "Chat"
    assert page.get_attribute(".composer-input", "placeholder").startswith("Write a message")
    assert page.text_content(".join-call") == "Join the call"
    context.close()
