# SPDX-License-Identifier: AGPL-3.0-or-later
"""An organiser and a guest meet end to end: call, chat, restart, return.

The organiser signs in on the meeting page, creates a meeting and a guest
link with a password there. A guest opens the link in another browser
profile, types a name and the password, and both receive each other's
audio and video through the SFU. Chat with formatting goes both ways,
survives a Synapse restart, and the guest reads it again later through
the same link and the return token.
"""

import urllib.parse

import pytest

from tests.browser.join_page import (
    assert_audio_flowing,
    assert_video_flowing,
    join_call,
    meet_url,
    open_chat_only,
    record_request_hosts,
    send_chat,
    sign_in_with_password,
    wait_for_prejoin,
)
from tests.harness.browser import collect_console, new_context, wait_until

pytestmark = pytest.mark.browser

LINK_PASSWORD = "korrekt häst batteri"
GUEST_NAME = "Greta Gäst"


def create_meeting_on_page(page, homeserver, organiser):
    localpart = organiser.user_id[1:].split(":", 1)[0]
    page.goto(meet_url(homeserver.base_url))
    sign_in_with_password(page, localpart, organiser.password)
    page.fill("#meeting-title", "Styrelsemöte")
    # The test server requires e-ID from guests by default; test_guest_eid covers that path.
    page.select_option("#meeting-eid", "nobody")
    # The lobby is on by default; test_lobby_page covers admission through it.
    page.uncheck("#meeting-lobby")
    page.click(".new-meeting-form button[type=submit]")
    page.wait_for_url(lambda url: "/meet/%21" in url or "/meet/!" in url)
    return urllib.parse.unquote(page.url.rsplit("/", 1)[1])


def create_password_link_on_page(page):
    page.click(".control-links")
    page.fill("#guest-link-password", LINK_PASSWORD)
    page.click(".create-link")
    def created_link():
        url = page.input_value("#created-link-url")
        return url if "/join/" in url else None

    # Polled from Python: wait_for_function evaluates a string, which the page's CSP forbids.
    return wait_until(created_link, 20, "no guest link appeared after creating one")


def join_as_guest(page, guest_url):
    page.goto(guest_url)
    wait_for_prejoin(page)
    page.fill("#display-name", GUEST_NAME)

    page.fill("#link-password", "fel lösenord")
    page.click(".join-button")
    page.wait_for_selector(".prejoin .form-error:text('Fel lösenord')")
    assert page.input_value("#display-name") == GUEST_NAME

    page.fill("#link-password", LINK_PASSWORD)
    page.click(".join-button")
    page.wait_for_selector(".stage .tile")


def test_guest_meets_organiser_end_to_end(own_homeserver, chromium):
    homeserver = own_homeserver
    organiser = homeserver.register_user()

    organiser_context = new_context(chromium)
    organiser_page = organiser_context.new_page()
    organiser_console = collect_console(organiser_page)
    organiser_hosts = record_request_hosts(organiser_page)
    room_id = create_meeting_on_page(organiser_page, homeserver, organiser)
    join_call(organiser_page)
    guest_url = create_password_link_on_page(organiser_page)

    guest_context = new_context(chromium)
    guest_page = guest_context.new_page()
    guest_console = collect_console(guest_page)
    guest_hosts = record_request_hosts(guest_page)
    join_as_guest(guest_page, guest_url)

    # Both sides receive the other's media.
    assert_video_flowing(organiser_page, "organiser")
    assert_video_flowing(guest_page, "guest")
    assert_audio_flowing(organiser_page, "organiser")
    assert_audio_flowing(guest_page, "guest")
    organiser_page.locator(".tile .tile-name bdi", has_text=GUEST_NAME).wait_for()

    # Formatted chat in both directions, each within 2 s. The organiser's
    # side panel shows the guest links, so switch it to the chat.
    organiser_page.click(".control-chat")
    send_chat(organiser_page, "**Välkommen** Greta")
    guest_page.wait_for_selector(".message-body strong:text('Välkommen')", timeout=2_000)
    send_chat(guest_page, "Tack, *hörs* jag?")
    organiser_page.wait_for_selector(".message-body em:text('hörs')", timeout=2_000)

    # Nothing but this homeserver and its SFU was contacted.
    allowed = {
        urllib.parse.urlsplit(homeserver.base_url).netloc,
        urllib.parse.urlsplit(homeserver.deployment.sfu_http_url).netloc,
    }
    assert organiser_hosts <= allowed, organiser_hosts - allowed
    assert guest_hosts <= allowed, guest_hosts - allowed

    # The chat survives a restart of Synapse.
    homeserver.restart_synapse()
    bodies = [event["content"].get("body") for event in organiser.messages(room_id)]
    assert "**Välkommen** Greta" in bodies
    assert "Tack, *hörs* jag?" in bodies

    # Later, the guest comes back through the same link and reads it again.
    guest_page.goto(guest_url)
    continue_button = guest_page.wait_for_selector(".continue-as")
    assert GUEST_NAME in continue_button.text_content()
    continue_button.click()
    open_chat_only(guest_page)
    guest_page.wait_for_selector(".message-body strong:text('Välkommen')")
    guest_page.wait_for_selector(".message-body em:text('hörs')")

    for console in (organiser_console, guest_console):
        assert not [line for line in console if line.startswith("pageerror")], console
    organiser_context.close()
    guest_context.close()
