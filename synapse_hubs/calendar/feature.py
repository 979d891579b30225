# SPDX-License-Identifier: AGPL-3.0-or-later
"""Wire the calendar feature into the Hubs module: tables, endpoints and reminders.

The schedule page is part of the join page app (synapse_hubs/web).
"""

import logging
from typing import Awaitable, Callable

from synapse.module_api import ModuleApi

from synapse_hubs.calendar.chat_messages import ChatMessageReader
from synapse_hubs.calendar.config import CalendarConfig
from synapse_hubs.calendar.email_content import (
    HTML_TEMPLATE,
    TEMPLATE_DIRECTORY,
    TEXT_TEMPLATE,
    EmailTemplates,
)
from synapse_hubs.calendar.meeting_mailer import MeetingMailer
from synapse_hubs.calendar.participant_directory import ParticipantDirectory
from synapse_hubs.calendar.reminder_runner import ReminderRunner
from synapse_hubs.calendar.room_messages import RoomMessages
from synapse_hubs.calendar.schedule_api import ScheduleApi
from synapse_hubs.calendar.schedule_request import RequestDefaults
from synapse_hubs.calendar.schedule_service import ScheduleService
from synapse_hubs.calendar.schedule_store import ScheduleStore
from synapse_hubs.calendar.schema import FEATURE, MIGRATIONS
from synapse_hubs.calendar.smtp_client import read_synapse_smtp_settings
from synapse_hubs.calendar.meeting_rooms import MeetingRooms
from synapse_hubs.eid.config import EidConfig
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.readiness import Readiness
from synapse_hubs.storage.store import SchemaGate

logger = logging.getLogger(__name__)


class CalendarFeature:
    def __init__(
        self,
        api: ModuleApi,
        config: CalendarConfig,
        eid_config: EidConfig,
        schema: SchemaGate,
        readiness: Readiness,
        rooms: MeetingRooms,
        is_guest: Callable[[str], Awaitable[bool]],
        service_user_id: str,
        api_router: JsonRouter,
        api_prefix: str,
    ) -> None:
        schema.register(FEATURE, MIGRATIONS)
        # Ready once the tables and the service account exist.
        wait_ready: Callable[[], Awaitable[None]] = readiness.wait

        smtp = read_synapse_smtp_settings(api)
        if smtp is None:
            logger.info(
                "Calendar e-mail is off because Synapse's config has no email section "
                "(email.notif_from); invitations and reminders go to the meeting rooms only"
            )
        sender = config.email_from or (smtp.sender if smtp else f"noreply@{api.server_name}")

        directory = ParticipantDirectory(api)
        messages = RoomMessages(api, service_user_id)
        mailer = MeetingMailer(api, config, directory, _load_templates(api), smtp)
        service = ScheduleService(
            api,
            config,
            ScheduleStore(api),
            rooms,
            messages,
            mailer,
            eid_config.default_policy,
        )
        reader = ChatMessageReader(api, config.client_api_base_url or api.public_baseurl)
        defaults = RequestDefaults(time_zone=config.default_time_zone, eid_config=eid_config)
        ScheduleApi(
            api, config, defaults, service, directory, reader, sender, api_prefix,
            wait_ready, is_guest,
        ).register(api_router)

        self._reminders = ReminderRunner(api, config, messages, mailer, directory, wait_ready)

    def start(self) -> None:
        self._reminders.start()


def _load_templates(api: ModuleApi) -> EmailTemplates:
    # Through read_templates an admin can override the files from Synapse's
    # `templates.custom_template_directory`.
    html, text = api.read_templates(
        [HTML_TEMPLATE, TEXT_TEMPLATE], custom_template_directory=str(TEMPLATE_DIRECTORY)
    )
    return EmailTemplates(html=html, text=text)
