# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rendered e-mails: both languages, escaped HTML, MIME layout with the ICS."""

import email
import email.policy
from datetime import datetime, timedelta

from synapse_hubs.calendar.email_content import EmailKind, EmailTemplates, render_email
from synapse_hubs.calendar.email_message import build_email
from synapse_hubs.calendar.model import (
    Frequency,
    MeetingPolicy,
    MeetingTimes,
    Recurrence,
    ScheduledMeeting,
)

HOSTILE_TITLE = '<script>alert("x")</script> & "Möte"'
JOIN_URL = "https://hubs.example.se/_synapse/client/hubs/join/abc"


def meeting(**changes) -> ScheduledMeeting:
    start = datetime(2026, 3, 31, 10, 0)
    base = dict(
        meeting_id="m1", organiser_id="@o:example.se", room_id="!r:example.se",
        join_url=JOIN_URL, title=HOSTILE_TITLE, description="<b>fet</b>\nrad två",
        times=MeetingTimes(start, start + timedelta(hours=1), "Europe/Stockholm"),
        recurrence=Recurrence(Frequency.WEEKLY, count=6), policy=MeetingPolicy(),
    )
    base.update(changes)
    return ScheduledMeeting(**base)


def test_swedish_invitation_names_local_time():
    content = render_email(EmailTemplates.load_default(), EmailKind.INVITATION, meeting(),
                           "Olle <Organisatör>", "sv")

    assert content.subject == f"Inbjudan: {HOSTILE_TITLE}"
    assert "tisdag 31 mars 2026 kl. 10:00–11:00 (Europe/Stockholm, CEST)" in content.text
    assert "Varje vecka, 6 gånger" in content.text
    assert f"Gå med i mötet: {JOIN_URL}" in content.text
    assert "Olle <Organisatör> har bjudit in dig" in content.text


def test_english_invitation():
    content = render_email(EmailTemplates.load_default(), EmailKind.INVITATION, meeting(),
                           "Olle", "en")

    assert content.subject == f"Invitation: {HOSTILE_TITLE}"
    assert "Tuesday 31 March 2026 at 10:00–11:00 (Europe/Stockholm, CEST)" in content.text
    assert "Every week, 6 times" in content.text


def test_html_escapes_user_input():
    content = render_email(EmailTemplates.load_default(), EmailKind.INVITATION, meeting(),
                           "Olle <img src=x>", "sv")

    assert "<script>" not in content.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;Möte&#34;" in content.html
    assert "<img src=x>" not in content.html
    assert "&lt;b&gt;fet&lt;/b&gt;" in content.html
    assert f'href="{JOIN_URL}"' in content.html


def test_cancellation_has_no_join_button():
    content = render_email(EmailTemplates.load_default(), EmailKind.CANCELLATION, meeting(),
                           "Olle", "sv")

    assert content.subject == f"Inställt: {HOSTILE_TITLE}"
    assert "Mötet är inställt" in content.text
    assert JOIN_URL not in content.html


def test_reminder_names_occurrence():
    content = render_email(EmailTemplates.load_default(), EmailKind.REMINDER, meeting(), "Olle",
                           "sv", occurrence_start=datetime(2026, 4, 14, 10, 0))

    assert content.subject == f"Påminnelse: {HOSTILE_TITLE} börjar kl. 10:00"
    assert "tisdag 14 april 2026 kl. 10:00–11:00 (Europe/Stockholm, CEST)" in content.text


def test_mime_layout_with_ics():
    content = render_email(EmailTemplates.load_default(), EmailKind.INVITATION, meeting(),
                           "Olle", "sv")
    ics = "BEGIN:VCALENDAR\r\nSUMMARY:Möte\r\nEND:VCALENDAR\r\n".encode()

    raw = build_email("Hubs <noreply@example.se>", "anna@example.org", content, ics,
                      "REQUEST", "example.se").as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)

    layout = [(part.get_content_type(), part.get_content_disposition())
              for part in parsed.walk()]
    assert layout == [
        ("multipart/mixed", None),
        ("multipart/alternative", None),
        ("text/plain", None),
        ("text/html", None),
        ("text/calendar", None),
        ("text/calendar", "attachment"),
    ]
    calendars = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert [part.get_param("method") for part in calendars] == ["REQUEST", "REQUEST"]
    assert calendars[1].get_filename() == "invite.ics"
    assert calendars[1].get_payload(decode=True) == ics
    assert str(parsed["Subject"]) == f"Inbjudan: {HOSTILE_TITLE}"
    # 7-bit clean: no raw UTF-8 bytes on the wire.
    assert max(raw) < 128
