# SPDX-License-Identifier: AGPL-3.0-or-later
"""Files go through authenticated media; reactions count and can be taken back."""

import pytest

from tests.browser.join_page import meet_url, open_chat_only, remember_session
from tests.harness.browser import new_context, wait_until

pytestmark = pytest.mark.browser

# A 1×1 PNG, so the page has a real image to preview.
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e2b0a1"
    "5e0000000049454e44ae426082"
)


def open_room_page(chromium, homeserver, user, room_id):
    context = new_context(chromium, accept_downloads=True)
    remember_session(context, homeserver.base_url, user)
    page = context.new_page()
    page.goto(meet_url(homeserver.base_url, room_id))
    open_chat_only(page)
    return context, page


@pytest.fixture
def two_members(homeserver, chromium):
    first = homeserver.register_user()
    second = homeserver.register_user()
    room_id = first.create_room(name="Filer", preset="public_chat")
    second.join(room_id)
    first_context, first_page = open_room_page(chromium, homeserver, first, room_id)
    second_context, second_page = open_room_page(chromium, homeserver, second, room_id)
    yield first, first_page, second, second_page, room_id
    first_context.close()
    second_context.close()


def test_shared_file_downloads_on_other_page(two_members, tmp_path):
    first, first_page, _second, second_page, room_id = two_members
    agenda = tmp_path / "dagordning.txt"
    agenda.write_text("1. Öppnande\n2. Övriga frågor\n", encoding="utf-8")

    first_page.set_input_files(".composer input[type=file]", str(agenda))

    event = first.wait_for_message(room_id, lambda event: event["content"].get("msgtype") == "m.file")
    assert event["content"]["body"] == "dagordning.txt"
    assert event["content"]["url"].startswith("mxc://")
    with second_page.expect_download() as download_info:
        second_page.click(".file-download")
    download = download_info.value
    assert download.suggested_filename == "dagordning.txt"
    assert open(download.path(), encoding="utf-8").read() == agenda.read_text(encoding="utf-8")


def test_shared_image_shows_preview(two_members, tmp_path):
    _first, first_page, _second, second_page, _room_id = two_members
    image = tmp_path / "bild.png"
    image.write_bytes(PIXEL_PNG)

    first_page.set_input_files(".composer input[type=file]", str(image))

    preview = second_page.wait_for_selector(".file-preview[src^='blob:']")
    wait_until(lambda: preview.evaluate("img => img.complete && img.naturalWidth > 0"), 10,
               "the image preview did not load")


def test_reactions_count_and_undo(two_members):
    first, first_page, second, second_page, room_id = two_members
    second.send_message(room_id, "Ska vi börja?")
    first_page.wait_for_selector(".message-body:text('Ska vi börja?')")
    second_page.wait_for_selector(".message-body:text('Ska vi börja?')")

    first_page.click(".reaction-add")
    first_page.click(".reaction-choice:text('👍')")
    second_page.wait_for_selector(".reaction:has(.reaction-count:text('1'))")
    second_page.click(".reaction:has-text('👍')")

    first_page.wait_for_selector(".reaction.own:has(.reaction-count:text('2'))")
    reactions = [event for event in first.messages(room_id) if event["type"] == "m.reaction"]
    assert len(reactions) == 2
    assert {event["content"]["m.relates_to"]["key"] for event in reactions} == {"👍"}

    first_page.click(".reaction.own")

    second_page.wait_for_selector(".reaction.own:has(.reaction-count:text('1'))")
    first_page.wait_for_selector(".reaction:not(.own):has(.reaction-count:text('1'))")
