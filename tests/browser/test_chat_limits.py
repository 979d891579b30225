# SPDX-License-Identifier: AGPL-3.0-or-later
"""Huge and deeply nested chat messages keep the join page responsive.

A very long message once locked comparable chat rooms for minutes, and
HTML nested thousands of levels deep stalls layout in every receiving
browser. The page must show a clear error or a collapsed message, cap
nesting at 100 levels (the Matrix spec's recommendation) and stay usable.
"""

import pytest

from tests.browser.join_page import (
    max_nesting_depth,
    meet_url,
    open_chat_only,
    remember_session,
    send_chat,
)
from tests.harness.browser import collect_console, new_context

pytestmark = pytest.mark.browser


@pytest.fixture
def chat_page(homeserver, chromium):
    """A signed-in user on the meeting page of a fresh room, chat open, and a second member."""
    reader = homeserver.register_user()
    sender = homeserver.register_user()
    room_id = reader.create_room(name="C7", preset="public_chat")
    sender.join(room_id)

    context = new_context(chromium)
    remember_session(context, homeserver.base_url, reader)
    page = context.new_page()
    page.console_lines = collect_console(page)
    page.goto(meet_url(homeserver.base_url, room_id))
    open_chat_only(page)
    yield page, reader, sender, room_id
    context.close()


def test_oversized_message_shows_error_and_keeps_text(chat_page):
    page, reader, _sender, room_id = chat_page
    huge = "å" * 200_000

    send_chat(page, huge)

    error = page.wait_for_selector(".composer-error:not(:empty)")
    assert "för långt" in error.text_content()
    assert page.input_value(".composer-input") == huge
    assert all(len(event["content"].get("body", "")) < 1000 for event in reader.messages(room_id))

    send_chat(page, "efter det långa")
    page.wait_for_selector(".message-body:text('efter det långa')", timeout=5_000)
    assert page.text_content(".composer-error") == ""


def test_long_message_is_collapsed_until_expanded(chat_page):
    page, _reader, sender, room_id = chat_page
    long_body = "början " + "x" * 50_000 + " slutet"

    sender.send_message(room_id, long_body)

    body = page.wait_for_selector(".message-body.collapsed")
    assert len(body.text_content()) <= 1_500
    assert "slutet" not in body.text_content()

    page.click(".message-expand")

    assert "slutet" in page.text_content(".message-body:not(.collapsed)")


def test_deeply_nested_html_is_capped(chat_page):
    page, _reader, sender, room_id = chat_page
    # Closing tags are left out because Synapse refuses events over 64 KiB;
    # the HTML parser nests the unclosed <div>s all the same.
    nested = "<div>" * 10_000 + "x"

    sender.send_message(room_id, "x", format="org.matrix.custom.html", formatted_body=nested)

    page.wait_for_selector(".message .message-expand")
    page.click(".message-expand")
    page.locator(".message-body:not(.collapsed)").wait_for()

    assert page.text_content(".message-body") == "x"
    assert max_nesting_depth(page, ".message-body") <= 100
    assert page.evaluate("1 + 1") == 2
    send_chat(page, "fortfarande här")
    page.wait_for_selector(".message-body:text('fortfarande här')", timeout=5_000)
    assert not [line for line in page.console_lines if line.startswith("pageerror")]


def test_formatted_body_scripts_are_removed(chat_page):
    page, _reader, sender, room_id = chat_page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    html = ('<b>fet</b><script>alert(1)</script><img src=x onerror="alert(2)">'
            '<a href="javascript:alert(3)">js</a><a href="https://example.org/">ok</a>')

    sender.send_message(room_id, "fet", format="org.matrix.custom.html", formatted_body=html)

    body = page.wait_for_selector(".message-body b:text('fet')")
    assert body.evaluate("node => node.parentElement.querySelector('script, img, [onerror]')") is None
    links = page.eval_on_selector_all(".message-body a", "links => links.map(l => [l.getAttribute('href'), l.target, l.rel])")
    assert all(not (href or "").startswith("javascript:") for href, _, _ in links)
    assert ["https://example.org/", "_blank", "noopener noreferrer nofollow ugc"] in links
    assert dialogs == []
