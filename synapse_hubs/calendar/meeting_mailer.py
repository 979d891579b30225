# SPDX-License-Identifier: AGPL-3.0-or-later
"""E-mail invitations, updates, cancellations and reminders of scheduled meetings.

Each recipient gets one message in their own language. A failure for one
recipient is logged and does not stop the others. Without SMTP settings in
Synapse's `email:` section every send is skipped with a log line.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from synapse.module_api import ModuleApi

from synapse_hubs.calendar.config import CalendarConfig
from synapse_hubs.calendar.email_content import EmailKind, EmailTemplates, render_email
from synapse_hubs.calendar.email_message import build_email
from synapse_hubs.calendar.ics import METHOD_CANCEL, METHOD_REQUEST
from synapse_hubs.calendar.meeting_ics import build_meeting_ics, resolve_addresses
from synapse_hubs.calendar.model import ScheduledMeeting
from synapse_hubs.calendar.participant_directory import ParticipantDirectory
from synapse_hubs.calendar.smtp_client import SmtpSettings, send_email

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str


@dataclass(frozen=True)
class MailReport:
    sent: list[str]
    failed: list[str]


class MeetingMailer:
    def __init__(
        self,
        api: ModuleApi,
        config: CalendarConfig,
        directory: ParticipantDirectory,
        templates: EmailTemplates,
        smtp: SmtpSettings | None,
    ) -> None:
        self._api = api
        self._config = config
        self._directory = directory
        self._templates = templates
        self._smtp = smtp
        self._sender = config.email_from or (smtp.sender if smtp else "")

    @property
    def enabled(self) -> bool:
        return self._smtp is not None

    async def send_schedule_change(self, meeting: ScheduledMeeting, kind: EmailKind) -> MailReport:
        """Send an invitation, update or cancellation with the ICS attached.

        Recipients are the e-mail participants and the Matrix participants
        whose accounts have an e-mail address.
        """
        recipients = await self._recipients(meeting, include_matrix_users=True)
        if not self._can_send(meeting, kind, recipients):
            return MailReport([], [])

        method = METHOD_CANCEL if kind is EmailKind.CANCELLATION else METHOD_REQUEST
        addresses = await resolve_addresses(meeting, self._directory, self._sender)
        ics = build_meeting_ics(
            meeting,
            method,
            self._api.server_name,
            addresses,
            self._config.reminder_offsets_s,
            self._config.email_language,
            datetime.now(timezone.utc),
        )
        return await self._send_all(meeting, kind, recipients, addresses.organiser.name or "", ics, method)

    async def send_reminder(self, meeting: ScheduledMeeting, occurrence_start: datetime) -> MailReport:
        """Remind the e-mail participants; Matrix participants get a mention in the room instead."""
        recipients = await self._recipients(meeting, include_matrix_users=False)
        if not self._can_send(meeting, EmailKind.REMINDER, recipients):
            return MailReport([], [])

        organiser_name = await self._directory.display_name(meeting.organiser_id)
        return await self._send_all(
            meeting, EmailKind.REMINDER, recipients, organiser_name, None, None, occurrence_start
        )

    def _can_send(self, meeting: ScheduledMeeting, kind: EmailKind, recipients: list[Recipient]) -> bool:
        if not recipients:
            return False
        if self._smtp is None:
            logger.info(
                "E-mail is disabled (no email section in Synapse's config); "
                "not sending %s of meeting %s to %d recipients",
                kind.value, meeting.meeting_id, len(recipients),
            )
            return False
        return True

    async def _recipients(
        self, meeting: ScheduledMeeting, include_matrix_users: bool
    ) -> list[Recipient]:
        default = self._config.email_language
        recipients = [
            Recipient(participant.address, participant.language or default)
            for participant in meeting.email_participants
        ]
        if include_matrix_users:
            for user_id in meeting.matrix_participants:
                recipients.extend(
                    Recipient(address, default)
                    for address in await self._directory.email_addresses(user_id)
                )

        unique: dict[str, Recipient] = {}
        for recipient in recipients:
            unique.setdefault(recipient.address.lower(), recipient)
        return list(unique.values())

    async def _send_all(
        self,
        meeting: ScheduledMeeting,
        kind: EmailKind,
        recipients: list[Recipient],
        organiser_name: str,
        ics: bytes | None,
        method: str | None,
        occurrence_start: datetime | None = None,
    ) -> MailReport:
        assert self._smtp is not None
        report = MailReport([], [])
        for recipient in recipients:
            content = render_email(
                self._templates, kind, meeting, organiser_name, recipient.language, occurrence_start
            )
            message = build_email(
                self._sender, recipient.address, content, ics, method, self._api.server_name
            )
            try:
                await send_email(self._smtp, message)
            except Exception:
                logger.exception(
                    "Failed to send %s of meeting %s (room %s) to %s",
                    kind.value, meeting.meeting_id, meeting.room_id, recipient.address,
                )
                report.failed.append(recipient.address)
                continue
            report.sent.append(recipient.address)

        logger.info(
            "Sent %s of meeting %s (room %s): %d sent, %d failed",
            kind.value, meeting.meeting_id, meeting.room_id, len(report.sent), len(report.failed),
        )
        return report
