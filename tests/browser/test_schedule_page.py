# SPDX-License-Identifier: AGPL-3.0-or-later
"""Schedule a meeting on the schedule page, then join it through the invitation.

The organiser signs in on /_synapse/client/hubs/schedule and fills in the
form; the invitation e-mail reaches an SMTP sink the test runs. A guest then
opens the link from that invitation in another browser profile and joins
the call on the join page.
"""

import urllib.parse
from datetime import timedelta
from typing import Iterator

import pytest
from icalendar import Calendar

from tests.calendar.scheduling import SCHEDULE, stockholm_now
from tests.conftest import start_homeserver
from tests.harness.browser import collect_console, new_context
from tests.harness.homeserver import Homeserver
from tests.harness.mail_sink import MailSink, ReceivedMail

pytestmark = pytest.mark.browser

SCHEDULE_PAGE = "/_synapse/client/hubs/schedule"
GUEST_EMAIL = "greta@example.org"
GUEST_NAME = "Greta Gäst"
TITLE = "Samråd <detaljplan> & budget"


@pytest.fixture
def mail_sink() -> Iterator[MailSink]:
    with MailSink() as sink:
        yield sink


@pytest.fixture
def homeserver_with_mail(tmp_path_factory: pytest.TempPathFactory,
                         mail_sink: MailSink) -> Iterator[Homeserver]:
    server = start_homeserver(tmp_path_factory, "sqlite", smtp_port=mail_sink.port)
    yield server
    server.stop()


def schedule_on_page(page, homeserver: Homeserver, organiser, eid_choice: str = "nobody") -> str:
    """Sign in, fill in the form, submit; return the join link the page shows."""
    localpart = organiser.user_id[1:].split(":", 1)[0]
    page.goto(homeserver.base_url + SCHEDULE_PAGE)
    page.fill("#sign-in-user", localpart)
    page.fill("#sign-in-password", organiser.password)
    page.click(".sign-in-form button[type=submit]")

    day = (stockholm_now() + timedelta(days=1)).date().isoformat()
    page.fill("#schedule-title", TITLE)
    page.fill("#schedule-date", day)
    page.fill("#schedule-start", "10:00")
    page.fill("#schedule-end", "11:00")
    page.fill("#schedule-participants", GUEST_EMAIL)
    # The number of occurrences is asked for only when the meeting repeats.
    assert not page.is_visible("#schedule-count")
    page.select_option("#schedule-repeat", "weekly")
    assert page.is_visible("#schedule-count")
    page.select_option("#schedule-repeat", "")
    assert not page.is_visible("#schedule-count")
    page.uncheck("#schedule-lobby")
    page.select_option("#schedule-eid", eid_choice)
    page.click(".schedule-submit")

    page.wait_for_selector(".invitation #join-url")
    return page.input_value("#join-url")


def invitation_link(mail: ReceivedMail) -> str:
    attachment = mail.part("text/calendar", attachment=True)
    assert attachment is not None
    event = Calendar.from_ical(attachment.get_payload(decode=True)).walk("VEVENT")[0]
    return str(event["URL"])


def test_schedule_page_books_meeting(homeserver_with_mail, mail_sink, chromium):
    homeserver = homeserver_with_mail
    organiser = homeserver.register_user()
    context = new_context(chromium, accept_downloads=True)
    page = context.new_page()
    console = collect_console(page)

    join_url = schedule_on_page(page, homeserver, organiser, eid_choice="external")

    meetings = organiser.request("GET", SCHEDULE)["meetings"]
    assert [meeting["title"] for meeting in meetings] == [TITLE]
    assert join_url == meetings[0]["join_url"]
    assert meetings[0]["policy"]["lobby"] is False
    room_id = meetings[0]["room_id"]
    assert organiser.state_event(room_id, "se.hubs.eid_policy")["required_for"] == "external"
    assert page.locator(".invitation-title bdi").text_content() == TITLE, console
    assert "(Europe/Stockholm)" in page.locator(".invitation-time").text_content()
    assert page.locator("#schedule-time-zone").input_value() == "Europe/Stockholm"
    page.locator(".my-meetings li", has_text=TITLE).wait_for()

    mail = mail_sink.wait_for(lambda received: GUEST_EMAIL in received.envelope_to,
                              description="invitation to the guest")
    assert invitation_link(mail) == join_url

    with page.expect_download() as download_info:
        page.click(".invitation .download-ics")
    downloaded = Calendar.from_ical(open(download_info.value.path(), "rb").read())
    event = downloaded.walk("VEVENT")[0]
    assert str(event["UID"]) == f"{meetings[0]['meeting_id']}@{homeserver.server_name}"
    assert str(event["SUMMARY"]) == TITLE
    context.close()


def test_guest_joins_through_invitation(homeserver_with_mail, mail_sink, chromium):
    # The guest flow lives in the join page's test helpers.
    from tests.browser.join_page import join_call, wait_for_prejoin

    homeserver = homeserver_with_mail
    organiser = homeserver.register_user()
    organiser_context = new_context(chromium)
    organiser_page = organiser_context.new_page()
    join_url = schedule_on_page(organiser_page, homeserver, organiser)
    room_id = organiser.request("GET", SCHEDULE)["meetings"][0]["room_id"]

    mail = mail_sink.wait_for(lambda received: GUEST_EMAIL in received.envelope_to,
                              description="invitation to the guest")
    link = invitation_link(mail)
    assert link == join_url
    assert urllib.parse.urlsplit(link).path.startswith("/_synapse/client/hubs/join/"), (
        "public meetings must invite guests with a guest link")

    guest_context = new_context(chromium)
    guest_page = guest_context.new_page()
    guest_console = collect_console(guest_page)
    guest_page.goto(link)
    wait_for_prejoin(guest_page)
    guest_page.fill("#display-name", GUEST_NAME)
    join_call(guest_page)

    members = organiser.request(
        "GET", f"/_matrix/client/v3/rooms/{urllib.parse.quote(room_id)}/joined_members")["joined"]
    guest_names = [member.get("display_name") for member in members.values()]
    assert GUEST_NAME in guest_names, guest_console
    organiser_context.close()
    guest_context.close()
