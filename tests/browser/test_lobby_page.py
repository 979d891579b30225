# SPDX-License-Identifier: AGPL-3.0-or-later
"""Lobby, raised hands and reactions on the join page.

A guest opens the link of a meeting with a lobby and waits on a waiting
card, outside the call, until the moderator's page lets them in. Then both
receive each other's video. In a second meeting the guest and the
moderator raise hands, the guest reloads the page and keeps first place,
hands are lowered, and a reaction from one page floats on the other.
"""

import urllib.parse

import pytest

from tests.browser.join_page import (
    assert_video_flowing,
    capture_json_responses,
    first_captured,
    join_call,
    meet_url,
    remember_session,
    wait_for_prejoin,
)
from tests.harness.browser import collect_console, new_context, wait_until
from tests.harness.hubs_api import (
    GuestApi,
    create_link,
    create_meeting,
    guest_client,
    link_token,
    lobby_decide,
    lobby_waiting,
)
from tests.synapse.test_guest_eid import verify_with_test_provider

pytestmark = pytest.mark.browser

GUEST_NAME = "Greta Gäst"


def organiser_in_call(chromium, homeserver, organiser, room_id):
    context = new_context(chromium)
    remember_session(context, homeserver.base_url, organiser)
    page = context.new_page()
    page.goto(meet_url(homeserver.base_url, room_id))
    join_call(page)
    return context, page


def guest_link_url(homeserver, organiser, room_id):
    link = create_link(organiser, room_id)
    return urllib.parse.urljoin(homeserver.base_url, link["url"])


def open_link_as_guest(page, link_url):
    page.goto(link_url)
    wait_for_prejoin(page)
    page.fill("#display-name", GUEST_NAME)
    page.click(".join-button")


def queue_names(page):
    return page.locator(".hand-queue .hand-entry .hand-name").all_text_contents()


def test_guest_waits_until_admitted(homeserver, chromium):
    organiser = homeserver.register_user()
    room_id = create_meeting(organiser, title="Nämndmöte", lobby=True)["room_id"]
    link_url = guest_link_url(homeserver, organiser, room_id)
    organiser_context, organiser_page = organiser_in_call(chromium, homeserver, organiser, room_id)
    organiser_console = collect_console(organiser_page)

    guest_context = new_context(chromium, locale="sv-SE")
    guest_page = guest_context.new_page()
    guest_console = collect_console(guest_page)
    redeemed = capture_json_responses(guest_page, "/redeem")
    open_link_as_guest(guest_page, link_url)

    # The guest waits on the Swedish waiting card, outside the room and the call.
    guest_page.wait_for_selector(".lobby-waiting h1:text('Du är i väntrummet')")
    guest_id = first_captured(guest_page, redeemed)["user_id"]
    assert organiser.membership(room_id, guest_id) == "knock"
    guest_page.wait_for_timeout(3_000)
    assert guest_page.locator(".stage").count() == 0
    assert organiser.membership(room_id, guest_id) == "knock"

    # The moderator's page shows the waiting guest and lets them in.
    organiser_page.wait_for_selector(".control-lobby[data-waiting='1']")
    organiser_page.click(".control-lobby")
    entry = organiser_page.locator(".lobby-entry", has_text=GUEST_NAME)
    entry.wait_for()
    entry.locator(".lobby-admit").click()

    # The waiting card moves on by itself; both are in the call.
    guest_page.wait_for_selector(".stage .tile", timeout=30_000)
    assert organiser.membership(room_id, guest_id) == "join"
    assert lobby_waiting(organiser, room_id)["waiting"] == []
    organiser_page.locator(".tile .tile-name bdi", has_text=GUEST_NAME).wait_for()
    assert_video_flowing(organiser_page, "organiser")
    assert_video_flowing(guest_page, "guest")
    organiser_page.wait_for_selector(".control-lobby[data-waiting='0']")

    for console in (organiser_console, guest_console):
        assert not [line for line in console if line.startswith("pageerror")], console
    organiser_context.close()
    guest_context.close()


def test_hand_queue_and_reactions(homeserver, chromium):
    organiser = homeserver.register_user()
    room_id = create_meeting(organiser, title="Frågestund", lobby=False)["room_id"]
    link_url = guest_link_url(homeserver, organiser, room_id)
    organiser_context, organiser_page = organiser_in_call(chromium, homeserver, organiser, room_id)

    guest_context = new_context(chromium, locale="sv-SE")
    guest_page = guest_context.new_page()
    guest_console = collect_console(guest_page)
    redeemed = capture_json_responses(guest_page, "/redeem")
    open_link_as_guest(guest_page, link_url)
    guest_page.wait_for_selector(".stage .tile")
    guest_id = first_captured(guest_page, redeemed)["user_id"]

    # The guest raises first, then the moderator.
    guest_page.click(".control-hand")
    guest_page.wait_for_selector(".control-hand[aria-pressed='true']")
    organiser_page.click(".control-hand")
    organiser_name = organiser.user_id[1:].split(":", 1)[0]
    wait_until(lambda: len(queue_names(organiser_page)) == 2, 10,
               "the moderator's page does not show two raised hands")
    assert queue_names(organiser_page)[0] == GUEST_NAME

    # The guest reloads and comes back through the return token: still first.
    guest_page.reload()
    guest_page.wait_for_selector(".continue-as").click()
    join_call(guest_page)
    wait_until(lambda: len(queue_names(guest_page)) == 2, 10,
               "the reloaded guest page does not show the hand queue")
    assert queue_names(guest_page)[0] == GUEST_NAME
    assert organiser_name in queue_names(guest_page)[1]
    guest_page.wait_for_selector(".control-hand[aria-pressed='true']")

    # A lowered hand leaves the queue; the moderator lowers the guest's hand.
    organiser_page.click(".control-hand")
    wait_until(lambda: queue_names(guest_page) == [GUEST_NAME], 10,
               f"the moderator's hand stayed in the queue: {queue_names(guest_page)}")
    organiser_page.locator(".hand-entry", has_text=GUEST_NAME).locator(".hand-lower").click()
    guest_page.wait_for_selector(".hand-queue", state="hidden")
    guest_page.wait_for_selector(".control-hand[aria-pressed='false']")

    # A reaction from the guest floats on the moderator's page.
    guest_page.click(".control-react")
    guest_page.click(".reaction-choice[data-reaction='clap']")
    bubble = organiser_page.locator(f".floating-reaction[data-sender='{guest_id}']")
    bubble.wait_for(timeout=5_000)
    assert bubble.locator(".floating-emoji").text_content() == "👏"
    assert GUEST_NAME in bubble.locator(".floating-name").text_content()

    assert not [line for line in guest_console if line.startswith("pageerror")], guest_console
    organiser_context.close()
    guest_context.close()


def test_signed_in_user_asks_to_join(homeserver, chromium):
    organiser = homeserver.register_user()
    colleague = homeserver.register_user()
    room_id = create_meeting(organiser, title="Nämndmöte", lobby=True)["room_id"]
    context = new_context(chromium, locale="sv-SE")
    remember_session(context, homeserver.base_url, colleague)
    page = context.new_page()

    page.goto(meet_url(homeserver.base_url, room_id))
    page.click(".ask-to-join")

    page.wait_for_selector(".lobby-waiting")
    wait_until(lambda: organiser.membership(room_id, colleague.user_id) == "knock", 10,
               "the colleague's knock did not reach the room")
    lobby_decide(organiser, room_id, "admit", colleague.user_id)
    join_call(page)
    assert organiser.membership(room_id, colleague.user_id) == "join"
    context.close()


def test_removed_guest_stays_out(homeserver, chromium):
    """An admitted guest reloads straight back in; once removed, only the lobby is left."""
    organiser = homeserver.register_user()
    room_id = create_meeting(organiser, title="Nämndmöte", lobby=True)["room_id"]
    link_url = guest_link_url(homeserver, organiser, room_id)
    guest_context = new_context(chromium, locale="sv-SE")
    guest_page = guest_context.new_page()
    redeemed = capture_json_responses(guest_page, "/redeem")
    open_link_as_guest(guest_page, link_url)
    guest_page.wait_for_selector(".lobby-waiting")
    guest_id = first_captured(guest_page, redeemed)["user_id"]
    lobby_decide(organiser, room_id, "admit", guest_id)
    guest_page.wait_for_selector(".stage .tile", timeout=30_000)

    # A reload brings the admitted guest back without the lobby.
    guest_page.reload()
    guest_page.wait_for_selector(".continue-as").click()
    join_call(guest_page)
    assert guest_page.locator(".lobby-waiting").count() == 0

    # Removed: the page shows it within 5 s, and a reload with the same session stays out.
    lobby_decide(organiser, room_id, "remove", guest_id)
    guest_page.wait_for_selector("h1:text('Du har tagits bort från mötet')", timeout=5_000)
    guest_page.reload()
    guest_page.wait_for_selector(".continue-as").click()
    guest_page.wait_for_selector("h1:text('Du har tagits bort från mötet')")
    assert organiser.membership(room_id, guest_id) == "leave"

    # A fresh browser profile with the same link lands in the lobby.
    fresh_context = new_context(chromium, locale="sv-SE")
    fresh_page = fresh_context.new_page()
    fresh_redeemed = capture_json_responses(fresh_page, "/redeem")
    open_link_as_guest(fresh_page, link_url)
    fresh_page.wait_for_selector(".lobby-waiting h1:text('Du är i väntrummet')")
    assert organiser.membership(room_id, fresh_redeemed[0]["user_id"]) == "knock"
    guest_context.close()
    fresh_context.close()


def test_moderator_sees_verified_name(homeserver, chromium):
    organiser = homeserver.register_user()
    # The server default requires BankID from guests; the test provider confirms "Tolvan Tolvansson".
    room_id = create_meeting(organiser, title="Bygglov", lobby=True, eid_policy=None)["room_id"]
    token = link_token(create_link(organiser, room_id)["url"])
    guests = GuestApi(homeserver.base_url)
    redeemed = guests.redeem(token, GUEST_NAME).json()
    verify_with_test_provider(homeserver, guest_client(homeserver.base_url, redeemed), room_id)
    assert guests.come_back(token, redeemed["return_token"]).json()["waiting"] is True

    context, page = organiser_in_call(chromium, homeserver, organiser, room_id)
    page.wait_for_selector(".control-lobby[data-waiting='1']")
    page.click(".control-lobby")

    entry = page.locator(".lobby-entry", has_text=GUEST_NAME)
    note = entry.locator(".lobby-verified").inner_text()
    assert note == "Identifierad med BankID som Tolvan Tolvansson"
    context.close()
