# SPDX-License-Identifier: AGPL-3.0-or-later
"""On a 375×667 phone screen the call controls and the chat stay visible and usable."""

import pytest

from tests.browser.join_page import create_call_room, join_call, meet_url, remember_session, send_chat
from tests.harness.browser import new_context

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}


def assert_inside_viewport(element, description):
    box = element.bounding_box()
    assert box is not None, f"{description} is not rendered"
    assert box["x"] >= 0, f"{description} starts left of the screen: {box}"
    assert box["y"] >= 0, f"{description} starts above the screen: {box}"
    assert box["x"] + box["width"] <= PHONE["width"] + 0.5, f"{description} overflows right: {box}"
    assert box["y"] + box["height"] <= PHONE["height"] + 0.5, f"{description} overflows bottom: {box}"


def test_phone_call_controls_and_chat(homeserver, chromium):
    user = homeserver.register_user()
    room_id = create_call_room(user, "Mobilmöte")
    context = new_context(chromium, viewport=PHONE, is_mobile=True, has_touch=True)
    remember_session(context, homeserver.base_url, user)
    page = context.new_page()
    page.goto(meet_url(homeserver.base_url, room_id))

    page.wait_for_selector("#camera-select option", state="attached")
    assert_inside_viewport(page.query_selector(".preview"), "camera preview")
    page.locator(".join-button").scroll_into_view_if_needed()
    join_call(page)

    controls = page.query_selector_all(".controls button")
    assert len(controls) >= 5
    for control in controls:
        label = control.get_attribute("aria-label")
        assert label, "a control has no accessible name"
        assert control.is_visible(), f"{label} is hidden"
        assert_inside_viewport(control, label)
        box = control.bounding_box()
        assert box["width"] >= 40, f"{label} is too narrow to tap: {box}"
        assert box["height"] >= 40, f"{label} is too low to tap: {box}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_inside_viewport(page.query_selector(".tile"), "own video tile")

    page.tap(".control-mic")
    page.wait_for_selector(".control-mic[aria-label='Slå på mikrofonen']")

    page.tap(".control-chat")
    composer = page.wait_for_selector(".composer-input")
    assert_inside_viewport(composer, "chat composer")
    assert_inside_viewport(page.query_selector(".control-leave"), "leave button while chat is open")
    send_chat(page, "från **mobilen**")
    page.wait_for_selector(".message-body strong:text('mobilen')")

    page.tap(".control-chat")
    assert page.is_hidden(".chat")
    context.close()
