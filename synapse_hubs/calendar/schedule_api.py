# SPDX-License-Identifier: AGPL-3.0-or-later
"""HTTP endpoints of scheduled meetings, under /_synapse/client/hubs/v1:

    POST  /schedule                    schedule a meeting (201)
    GET   /schedule                    meetings the user organises or is invited to
    GET   /schedule/{id}               one meeting
    PATCH /schedule/{id}               reschedule, retitle, change participants (organiser)
    POST  /schedule/{id}/cancel        cancel every occurrence (organiser)
    GET   /schedule/{id}/ics           the ICS file (organiser, participants, room members)
    POST  /schedule/from-message       follow-up meeting or to-do from a chat message

Every endpoint needs a Matrix access token. Errors are Matrix-style
`{"errcode", "error"}` JSON.
"""

import logging
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable

from synapse.module_api import ModuleApi, SynapseRequest, parse_json_object_from_request
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.calendar.chat_messages import (
    ChatMessageReader,
    description_from_text,
    title_from_text,
)
from synapse_hubs.calendar.config import CalendarConfig
from synapse_hubs.calendar.ics import METHOD_CANCEL, METHOD_PUBLISH, build_todo_calendar
from synapse_hubs.calendar.local_time import occurrences_utc
from synapse_hubs.calendar.meeting_ics import build_meeting_ics, resolve_addresses
from synapse_hubs.calendar.model import MeetingStatus, ScheduledMeeting
from synapse_hubs.calendar.participant_directory import ParticipantDirectory
from synapse_hubs.calendar.permalinks import message_permalink
from synapse_hubs.calendar.schedule_request import (
    DESCRIPTION_MAX_LENGTH,
    RequestDefaults,
    parse_create_body,
    parse_fields,
)
from synapse_hubs.calendar.schedule_service import ScheduleService
from synapse_hubs.calendar.texts import bilingual
from synapse_hubs.http.file_response import respond_with_file
from synapse_hubs.http.router import JsonRouter

logger = logging.getLogger(__name__)

_MEETING_ID = r"(?P<meeting_id>[0-9a-f]{24})"
KINDS = ("meeting", "todo")


class ScheduleApi:
    def __init__(
        self,
        api: ModuleApi,
        config: CalendarConfig,
        defaults: RequestDefaults,
        service: ScheduleService,
        directory: ParticipantDirectory,
        messages: ChatMessageReader,
        sender_address: str,
        api_prefix: str,
        wait_ready: Callable[[], Awaitable[None]],
        is_guest: Callable[[str], Awaitable[bool]],
    ) -> None:
        self._api = api
        self._config = config
        self._defaults = defaults
        self._service = service
        self._directory = directory
        self._messages = messages
        self._sender_address = sender_address
        self._api_prefix = api_prefix
        self._wait_ready = wait_ready
        self._is_guest = is_guest

    def register(self, router: JsonRouter) -> None:
        router.add("POST", "/schedule", self._create)
        router.add("GET", "/schedule", self._list)
        router.add("POST", "/schedule/from-message", self._from_message)
        router.add("GET", f"/schedule/{_MEETING_ID}", self._get)
        router.add("PATCH", f"/schedule/{_MEETING_ID}", self._update)
        router.add("POST", f"/schedule/{_MEETING_ID}/cancel", self._cancel)
        router.add("GET", f"/schedule/{_MEETING_ID}/ics", self._download_ics)

    async def _create(self, request: SynapseRequest) -> tuple[int, Any]:
        user_id = await self._authenticate(request)
        body = parse_json_object_from_request(request)
        fields = parse_create_body(body, self._defaults, _now())
        meeting = await self._service.create(user_id, fields)
        return 201, self._meeting_json(meeting, user_id)

    async def _list(self, request: SynapseRequest) -> tuple[int, Any]:
        user_id = await self._authenticate(request)
        meetings = await self._service.list_for(user_id)
        return 200, {"meetings": [self._meeting_json(meeting, user_id) for meeting in meetings]}

    async def _get(self, request: SynapseRequest, meeting_id: str) -> tuple[int, Any]:
        user_id = await self._authenticate(request)
        meeting = await self._service.get_visible(meeting_id, user_id)
        return 200, self._meeting_json(meeting, user_id)

    async def _update(self, request: SynapseRequest, meeting_id: str) -> tuple[int, Any]:
        user_id = await self._authenticate(request)
        body = parse_json_object_from_request(request)
        current = await self._service.get_visible(meeting_id, user_id)
        fields = parse_fields(body, self._defaults, _now(), current.times)
        meeting = await self._service.update(meeting_id, user_id, fields)
        return 200, self._meeting_json(meeting, user_id)

    async def _cancel(self, request: SynapseRequest, meeting_id: str) -> tuple[int, Any]:
        user_id = await self._authenticate(request)
        meeting = await self._service.cancel(meeting_id, user_id)
        return 200, self._meeting_json(meeting, user_id)

    async def _download_ics(self, request: SynapseRequest, meeting_id: str) -> None:
        user_id = await self._authenticate(request)
        meeting = await self._service.get_visible(meeting_id, user_id)

        # PUBLISH adds the event to the importer's calendar without making
        # them an attendee who must reply. A cancelled meeting downloads as
        # CANCEL, which removes an earlier import.
        cancelled = meeting.status is MeetingStatus.CANCELLED
        method = METHOD_CANCEL if cancelled else METHOD_PUBLISH
        addresses = await resolve_addresses(meeting, self._directory, self._sender_address)
        ics = build_meeting_ics(
            meeting, method, self._api.server_name, addresses,
            self._config.reminder_offsets_s, self._config.email_language, _now(),
        )
        respond_with_file(
            request, ics, f"text/calendar; charset=utf-8; method={method}",
            f"meeting-{meeting.meeting_id}.ics",
        )
        return None

    async def _from_message(self, request: SynapseRequest) -> tuple[int, Any]:
        user_id = await self._authenticate(request)
        body = parse_json_object_from_request(request)
        room_id, event_id, kind = _parse_message_reference(body)
        client_text = body.get("text") if isinstance(body.get("text"), str) else None

        message = await self._messages.read(request, room_id, event_id, client_text)
        permalink = message_permalink(
            self._config.permalink_prefix, room_id, event_id, self._api.server_name
        )
        requested_title = body.get("title")
        title = (title_from_text(requested_title) if isinstance(requested_title, str) else "")
        title = title or title_from_text(message.text) or "Uppföljning / Follow-up"
        description = description_from_text(message.text, DESCRIPTION_MAX_LENGTH)
        logger.info("%s creates a %s from event %s in %s", user_id, kind, event_id, room_id)

        if kind == "todo":
            return 200, self._todo_json(title, description, permalink)

        prefilled = {**body, "title": title, "description": body.get("description", description)}
        if "participants" not in body and message.sender and message.sender != user_id:
            # A follow-up meeting invites the author of the message by default.
            prefilled["participants"] = [message.sender]
        for name in ("room_id", "event_id", "kind", "text"):
            prefilled.pop(name, None)

        fields = parse_create_body(prefilled, self._defaults, _now())
        meeting = await self._service.create(user_id, fields, source_permalink=permalink)
        return 201, self._meeting_json(meeting, user_id)

    async def _authenticate(self, request: SynapseRequest) -> str:
        requester = await self._api.get_user_by_req(request)
        await self._wait_ready()
        user_id = requester.user.to_string()
        # Guest accounts exist for one meeting; they neither schedule nor list meetings.
        if await self._is_guest(user_id):
            logger.info("Refused schedule request from guest account %s", user_id)
            raise SynapseError(403, "Guest accounts cannot use the schedule", Codes.FORBIDDEN)
        return user_id

    def _todo_json(self, title: str, description: str, permalink: str) -> dict[str, Any]:
        uid = f"todo-{secrets.token_hex(12)}@{self._api.server_name}"
        source = bilingual("todo.source", self._config.email_language, url=permalink)
        full_description = f"{description}\n\n{source}" if description else source
        calendar = build_todo_calendar(uid, title, full_description, permalink, _now())
        return {
            "kind": "todo",
            "uid": uid,
            "summary": title,
            "permalink": permalink,
            "ics": calendar.to_ical().decode("utf-8"),
        }

    def _meeting_json(self, meeting: ScheduledMeeting, user_id: str) -> dict[str, Any]:
        times = meeting.times
        return {
            "meeting_id": meeting.meeting_id,
            "role": "organiser" if meeting.organiser_id == user_id else "participant",
            "organiser_id": meeting.organiser_id,
            "room_id": meeting.room_id,
            "join_url": meeting.join_url,
            "title": meeting.title,
            "description": meeting.description,
            "start": times.start_local.isoformat(),
            "end": times.end_local.isoformat(),
            "time_zone": times.time_zone,
            "next_start_utc": _next_start_utc(meeting),
            "recurrence": meeting.recurrence.to_json() if meeting.recurrence else None,
            "participants": [participant.to_json() for participant in meeting.participants],
            "policy": meeting.policy.to_json(),
            "source_permalink": meeting.source_permalink,
            "sequence": meeting.sequence,
            "status": meeting.status.value,
            "ics_url": self._ics_url(meeting),
            "created_ts": meeting.created_ts,
            "updated_ts": meeting.updated_ts,
        }

    def _ics_url(self, meeting: ScheduledMeeting) -> str:
        base = self._api.public_baseurl.rstrip("/")
        return f"{base}{self._api_prefix}/schedule/{meeting.meeting_id}/ics"


def _parse_message_reference(body: dict[str, Any]) -> tuple[str, str, str]:
    room_id = body.get("room_id")
    event_id = body.get("event_id")
    kind = body.get("kind", "meeting")
    if not isinstance(room_id, str) or not room_id.startswith("!"):
        raise SynapseError(400, "room_id must be a room ID such as '!abc:example.org'",
                           Codes.INVALID_PARAM)
    if not isinstance(event_id, str) or not event_id.startswith("$"):
        raise SynapseError(400, "event_id must be an event ID starting with '$'",
                           Codes.INVALID_PARAM)
    if kind not in KINDS:
        raise SynapseError(400, "kind must be 'meeting' or 'todo'", Codes.INVALID_PARAM)
    return room_id, event_id, kind


def _next_start_utc(meeting: ScheduledMeeting) -> str | None:
    """Return the start of the running or next occurrence in ISO 8601 UTC, None if all are over."""
    duration = timedelta(seconds=meeting.times.duration_s)
    after = _now() - duration
    upcoming = next(occurrences_utc(meeting.times, meeting.recurrence, after=after), None)
    return upcoming.isoformat().replace("+00:00", "Z") if upcoming else None


def _now() -> datetime:
    return datetime.now(timezone.utc)
