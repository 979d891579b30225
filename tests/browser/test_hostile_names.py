# SPDX-License-Identifier: AGPL-3.0-or-later
"""Names that other people chose are shown as text and cannot reorder the page.

A display name may contain a right-to-left override, zero-width characters
and markup. The page must show it as plain text inside a bidi isolate, so it
neither runs as HTML nor flips the text around it.
"""

import pytest

from tests.browser.join_page import (
    create_call_room,
    join_call,
    meet_url,
    open_chat_only,
    remember_session,
    send_chat,
)
from tests.harness.browser import new_context
from tests.harness.matrix_client import quote

pytestmark = pytest.mark.browser

HOSTILE_NAME = "\u202eevil\u2067\u200b<script>window.hacked=1</script><img src=x onerror=window.hacked=2>"
# matrix-js-sdk drops the LRO/RLO overrides (U+202D, U+202E) from member
# names; the unpaired isolate U+2067 and everything else stays, so the page
# must contain it. Names are cut to 64 characters with an ellipsis.
SHOWN_NAME = HOSTILE_NAME.replace("\u202e", "")[:63] + "…"


def set_display_name(user, name):
    user.request("PUT", f"/_matrix/client/v3/profile/{quote(user.user_id)}/displayname",
                 json={"displayname": name})


def assert_isolated_text(element, expected_text):
    assert element.evaluate("node => node.tagName") == "BDI"
    assert element.get_attribute("dir") == "auto"
    assert element.evaluate("node => getComputedStyle(node).unicodeBidi") == "isolate"
    assert element.text_content() == expected_text
    assert element.evaluate("node => node.children.length") == 0


def test_hostile_sender_name_in_chat(homeserver, chromium):
    reader = homeserver.register_user()
    sender = homeserver.register_user()
    room_id = reader.create_room(name="Namn", preset="public_chat")
    sender.join(room_id)
    set_display_name(sender, HOSTILE_NAME)

    context = new_context(chromium)
    remember_session(context, homeserver.base_url, reader)
    page = context.new_page()
    page.goto(meet_url(homeserver.base_url, room_id))
    open_chat_only(page)
    sender.send_message(room_id, "hej")

    name = page.wait_for_selector(".message-sender")

    assert_isolated_text(name, SHOWN_NAME)
    assert page.evaluate("window.hacked") is None
    assert page.query_selector(".chat script, .chat img") is None
    context.close()


def test_hostile_participant_name_on_tile(homeserver, chromium):
    viewer = homeserver.register_user()
    hostile = homeserver.register_user()
    room_id = create_call_room(viewer, "Namn i samtal")
    hostile.join(room_id)
    set_display_name(hostile, HOSTILE_NAME)

    contexts = []
    pages = []
    for user in (viewer, hostile):
        context = new_context(chromium)
        remember_session(context, homeserver.base_url, user)
        page = context.new_page()
        page.goto(meet_url(homeserver.base_url, room_id))
        join_call(page)
        contexts.append(context)
        pages.append(page)

    hostile_identity = pages[1].evaluate("window.hubsTest.identity()")
    # A locator, not an element handle: a tile may be re-rendered between checks.
    name = pages[0].locator(f".tile[data-identity='{hostile_identity}'][data-source='camera'] .tile-name bdi")
    name.wait_for()

    assert_isolated_text(name, SHOWN_NAME)
    assert pages[0].evaluate("window.hacked") is None
    for context in contexts:
        context.close()


def test_own_typed_message_is_text(homeserver, chromium):
    user = homeserver.register_user()
    room_id = user.create_room(name="Text", preset="public_chat")
    context = new_context(chromium)
    remember_session(context, homeserver.base_url, user)
    page = context.new_page()
    page.goto(meet_url(homeserver.base_url, room_id))
    open_chat_only(page)

    send_chat(page, "\u202e<img src=x onerror=window.hacked=3> **fet**")

    page.wait_for_selector(".message-body strong:text('fet')")
    assert page.query_selector(".message-body img") is None
    assert page.evaluate("window.hacked") is None
    assert page.eval_on_selector(".message-body", "node => node.getAttribute('dir')") == "auto"
    context.close()
