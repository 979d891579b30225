# SPDX-License-Identifier: AGPL-3.0-or-later
"""Subject, plain-text and HTML body of the e-mails about a scheduled meeting."""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path

import jinja2

from synapse_hubs.calendar.model import ScheduledMeeting
from synapse_hubs.calendar.texts import text
from synapse_hubs.calendar.time_text import format_recurrence, format_time_range

TEMPLATE_DIRECTORY = Path(__file__).parent / "templates"
HTML_TEMPLATE = "hubs_calendar_email.html"
TEXT_TEMPLATE = "hubs_calendar_email.txt"


class EmailKind(str, Enum):
    INVITATION = "invitation"
    UPDATE = "update"
    CANCELLATION = "cancellation"
    REMINDER = "reminder"


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class EmailTemplates:
    html: jinja2.Template
    text: jinja2.Template

    @classmethod
    def load_default(cls) -> "EmailTemplates":
        """Load the templates shipped with the package, autoescaping the HTML one.

        Inside Synapse the module loads them through ModuleApi.read_templates
        instead, so an admin's `templates.custom_template_directory` can
        override them.
        """
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATE_DIRECTORY)),
            autoescape=jinja2.select_autoescape(),
        )
        return cls(
            html=environment.get_template(HTML_TEMPLATE),
            text=environment.get_template(TEXT_TEMPLATE),
        )


def render_email(
    templates: EmailTemplates,
    kind: EmailKind,
    meeting: ScheduledMeeting,
    organiser_name: str,
    language: str,
    occurrence_start: datetime | None = None,
) -> EmailContent:
    """Render one e-mail in `language`.

    `occurrence_start` is the naive local start of the occurrence a reminder
    is about; other kinds describe the first occurrence.
    """
    when = format_time_range(meeting.times, language, occurrence_start)
    start = occurrence_start or meeting.times.start_local
    subject = text(language, f"subject.{kind.value}", title=meeting.title, time=f"{start:%H:%M}")

    context = {
        "language": language,
        "subject": subject,
        "heading": text(language, f"heading.{kind.value}"),
        "intro": text(language, f"intro.{kind.value}", organiser=organiser_name, time=when),
        "rows": _rows(meeting, organiser_name, language, when),
        "join_url": None if kind is EmailKind.CANCELLATION else meeting.join_url,
        "join_label": text(language, "button.join"),
        "description": meeting.description,
        "footer": _footer(kind, language),
    }
    return EmailContent(
        subject=subject,
        text=templates.text.render(context),
        html=templates.html.render(context),
    )


def _rows(
    meeting: ScheduledMeeting, organiser_name: str, language: str, when: str
) -> list[tuple[str, str]]:
    rows = [
        (text(language, "label.title"), meeting.title),
        (text(language, "label.when"), when),
    ]
    if meeting.recurrence is not None:
        rows.append((text(language, "label.repeats"), format_recurrence(meeting.recurrence, language)))
    rows.append((text(language, "label.organiser"), organiser_name))
    if meeting.source_permalink:
        rows.append((text(language, "label.source"), meeting.source_permalink))
    return rows


def _footer(kind: EmailKind, language: str) -> str:
    if kind is EmailKind.CANCELLATION:
        return text(language, "footer.cancellation")
    if kind is EmailKind.REMINDER:
        return text(language, "footer.reminder")
    return text(language, "footer.attachment")
