# SPDX-License-Identifier: AGPL-3.0-or-later
"""The recording banner on the join page: up before the page sends media, gone when recording stops.

A synthetic participant keeps a call running; the pages join it in Chromium.
The order of "banner shown" and "camera track publishing" comes from the
page's own timeline (performance.now()), not from the test's clock.
"""

import re

import pytest

from tests.browser.join_page import join_call, meet_url, remember_session
from tests.harness.background_call import BackgroundCall
from tests.harness.browser import collect_console, new_context, wait_until
from tests.harness.hubs_api import create_meeting
from tests.harness.recording_http import recording_state, set_room_policy, start_recording, stop_recording

pytestmark = pytest.mark.browser


def timeline(page) -> dict[str, float]:
    """Return the first time of each milestone the page marked."""
    first: dict[str, float] = {}
    for entry in page.evaluate("() => window.hubsTest.timeline()"):
        first.setdefault(entry["name"], entry["at"])
    return first


def banner_state(page) -> str | None:
    return page.get_attribute(".recording-banner", "data-recording")


@pytest.fixture
def recorded_meeting(homeserver):
    admin = homeserver.register_user(admin=True)
    organiser = homeserver.register_user()
    speaker = homeserver.register_user()
    room_id = create_meeting(organiser, title="Föreläsning")["room_id"]
    organiser.invite(room_id, speaker.user_id)
    speaker.join(room_id)
    set_room_policy(admin, room_id, allowed=True)
    call = BackgroundCall(homeserver.base_url, speaker, room_id).start()
    yield organiser, room_id
    call.leave()


def test_late_joiner_sees_banner_before_publishing(homeserver, chromium, recorded_meeting):
    organiser, room_id = recorded_meeting
    late = homeserver.register_user()
    organiser.invite(room_id, late.user_id)
    late.join(room_id)
    start_recording(organiser, room_id)

    context = new_context(chromium)
    remember_session(context, homeserver.base_url, late)
    page = context.new_page()
    console = collect_console(page)
    try:
        page.goto(meet_url(homeserver.base_url, room_id))
        join_call(page)
        marks = wait_until(lambda: (m := timeline(page)) and "publishTrack:camera" in m and m,
                           20, f"the page never published its camera: {console}")

        assert "recordingBannerShown" in marks, console
        assert marks["recordingBannerShown"] < marks["publishTrack:camera"]
        assert marks["recordingBannerShown"] < marks["publishTrack:microphone"]
        assert banner_state(page) == "active"
        assert page.is_visible(".recording-banner")
        assert page.inner_text(".recording-banner strong") == "Mötet spelas in"
        assert re.fullmatch(r"Inspelning pågår \d+:\d\d", page.inner_text(".recording-elapsed"))
        # Nothing in the banner dismisses it.
        assert page.locator(".recording-banner button").count() == 0

        stop_recording(organiser, room_id)
        wait_until(lambda: banner_state(page) == "inactive", 20, "the banner stayed after recording stopped")
        assert not page.is_visible(".recording-banner")
    finally:
        context.close()


def test_moderator_records_from_the_page(homeserver, chromium, recorded_meeting):
    organiser, room_id = recorded_meeting
    context = new_context(chromium)
    remember_session(context, homeserver.base_url, organiser)
    page = context.new_page()
    console = collect_console(page)
    try:
        page.goto(meet_url(homeserver.base_url, room_id))
        join_call(page)
        assert banner_state(page) == "inactive"

        page.click(".control-record")
        wait_until(lambda: banner_state(page) == "active", 20, f"no banner after recording started: {console}")
        assert recording_state(organiser, room_id)["active"] is True
        assert page.get_attribute(".control-record", "aria-pressed") == "true"
        page.wait_for_timeout(3000)

        page.click(".control-record")
        wait_until(lambda: banner_state(page) == "inactive", 20, "the banner stayed after stopping")
        assert recording_state(organiser, room_id)["active"] is False
        assert page.get_attribute(".control-record", "aria-pressed") == "false"
    finally:
        context.close()


def test_encrypted_meeting_says_no_recording(homeserver, chromium):
    organiser = homeserver.register_user()
    room_id = create_meeting(organiser, title="Krypterat samtal", access="private")["room_id"]

    context = new_context(chromium)
    remember_session(context, homeserver.base_url, organiser)
    page = context.new_page()
    try:
        page.goto(meet_url(homeserver.base_url, room_id))
        # The loading card has the same class; wait for the one that replaces it.
        text = wait_until(lambda: "krypter" in (t := page.inner_text(".status")) and t, 30,
                          "the page never said the meeting is encrypted")
        assert "totalsträckskryptering kan inte spelas in på servern" in text
        # Nothing of the meeting, and so nothing to publish, comes after that.
        assert page.locator(".join-button").count() == 0
    finally:
        context.close()
