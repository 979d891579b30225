# SPDX-License-Identifier: AGPL-3.0-or-later
"""Moderator controls on the join page, and what a muted participant sees, in Chromium.

The organiser mutes a speaker from the participant list; the speaker's
page says so, its microphone button is disabled, and the SFU's permission
for it lacks the microphone. Then the organiser gives the word back.
"""

import pytest

from tests.browser.join_page import join_call, meet_url, remember_session
from tests.harness.browser import collect_console, new_context, wait_until
from tests.harness.hubs_api import create_meeting

pytestmark = pytest.mark.browser

MUTED_SV = "En moderator har stängt av din mikrofon. Räck upp handen om du vill be om ordet."
MUTED_EN = "A moderator has turned off your microphone. Raise your hand if you want to ask to speak."
ASKED_SV = "En moderator har stängt av allas mikrofoner. Du kan slå på din igen."
AGAIN_SV = "Du får tala igen. Slå på mikrofonen när du är redo."


def notice(page) -> str | None:
    element = page.query_selector(".moderation-notice")
    return element.inner_text() if element and element.is_visible() else None


def test_moderator_mutes_and_unmutes_from_list(homeserver, chromium):
    organiser = homeserver.register_user()
    speaker = homeserver.register_user()
    room_id = create_meeting(organiser, title="Nämndmöte")["room_id"]
    organiser.invite(room_id, speaker.user_id)
    speaker.join(room_id)

    contexts = []
    pages = {}
    consoles = {}
    try:
        for name, user in (("organiser", organiser), ("speaker", speaker)):
            context = new_context(chromium)
            contexts.append(context)
            remember_session(context, homeserver.base_url, user)
            page = pages[name] = context.new_page()
            consoles[name] = collect_console(page)
            page.goto(meet_url(homeserver.base_url, room_id))
            join_call(page)

        moderator, muted = pages["organiser"], pages["speaker"]
        # Only moderators get the participant list.
        assert muted.locator(".control-moderation").count() == 0
        moderator.click(".control-moderation")
        mute_button = moderator.locator(".participant-row button", has_text="Stäng av mikrofonen")
        wait_until(lambda: mute_button.count() == 1, 20,
                   f"the speaker is not listed: {consoles['organiser']}")
        assert mute_button.get_attribute("aria-label").startswith("Stäng av mikrofonen för ")

        mute_button.click()
        wait_until(lambda: notice(muted) == MUTED_SV, 10,
                   f"the speaker was not told: {consoles['speaker']}")
        wait_until(lambda: muted.is_disabled(".control-mic"), 10, "the microphone button stayed enabled")
        assert muted.get_attribute(".control-mic", "data-off") == "true"
        wait_until(lambda: moderator.locator(".participant-row", has_text="Mikrofon avstängd").count() == 1,
                   10, "the list does not show the mute")

        # The notice follows a switch to English in place.
        muted.click(".language-switch")
        wait_until(lambda: notice(muted) == MUTED_EN, 5, "the notice was not translated")
        muted.click(".language-switch")

        moderator.locator(".participant-row button", has_text="Ge ordet").click()
        wait_until(lambda: notice(muted) == AGAIN_SV, 10, f"no word given: {consoles['speaker']}")
        assert not muted.is_disabled(".control-mic")

        # Mute everyone, then lift it, from the top of the list.
        moderator.click(".mute-all")
        wait_until(lambda: notice(muted) == MUTED_SV, 10, "mute all did not reach the speaker")
        wait_until(lambda: moderator.inner_text(".mute-all") == "Låt alla tala igen", 10,
                   "the button did not switch to unmute all")
        moderator.click(".mute-all")
        wait_until(lambda: notice(muted) == AGAIN_SV, 10, "unmute all did not reach the speaker")

        # Mute everyone but let them unmute: the page turns the microphone off, and it comes back on.
        assert muted.get_attribute(".control-mic", "data-off") == "true"
        muted.click(".control-mic")
        wait_until(lambda: muted.get_attribute(".control-mic", "data-off") == "false", 10,
                   "the speaker could not turn the microphone on")
        moderator.click(".mute-all-soft")
        wait_until(lambda: muted.get_attribute(".control-mic", "data-off") == "true", 10,
                   f"the soft mute-all did not turn the microphone off: {consoles['speaker']}")
        assert notice(muted) == ASKED_SV
        assert not muted.is_disabled(".control-mic")
        muted.click(".control-mic")
        wait_until(lambda: muted.get_attribute(".control-mic", "data-off") == "false", 10,
                   "the speaker could not unmute after a soft mute-all")

        # The moderator sees that a soft mute is on and can still enforce or end it.
        assert moderator.inner_text(".mute-all-state") == (
            "Alla mikrofoner är avstängda, men deltagarna får slå på sin egen.")
        assert moderator.inner_text(".mute-all") == "Stäng av allas mikrofoner"
        assert moderator.inner_text(".mute-all-soft") == "Avsluta avstängningen"

        # Removing asks for confirmation, then the speaker is out of the room and told so.
        moderator.once("dialog", lambda dialog: dialog.accept())
        moderator.locator(".participant-row .participant-remove").click()
        wait_until(lambda: organiser.membership(room_id, speaker.user_id) == "leave", 10,
                   f"the speaker was not removed: {consoles['organiser']}")
        muted.wait_for_selector("h1:text('Du har tagits bort från mötet')")
    finally:
        for context in contexts:
            context.close()
