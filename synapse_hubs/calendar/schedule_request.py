# SPDX-License-Identifier: AGPL-3.0-or-later
"""Validate the JSON bodies of the schedule API.

Every reader raises SynapseError 400 naming the field: M_MISSING_PARAM for a
missing required field, M_BAD_JSON for a wrong type and M_INVALID_PARAM for
a value out of range. Nothing is stored before the whole body is valid.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Mapping

from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.calendar.local_time import exists_locally, load_zone
from synapse_hubs.calendar.model import (
    Access,
    Frequency,
    MeetingPolicy,
    MeetingTimes,
    Participant,
    ParticipantKind,
    Recurrence,
)
from synapse_hubs.eid.config import EidConfig
from synapse_hubs.eid.policy import PolicyError

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 4000
MAX_DURATION = timedelta(days=7)
MAX_PARTICIPANTS = 100
MAX_INTERVAL = 52
MAX_COUNT = 520
# An `until` further ahead than this is refused like a count above MAX_COUNT.
MAX_SERIES_SPAN = timedelta(days=10 * 366)
LANGUAGES = ("sv", "en")

_USER_ID = re.compile(r"^@[^:\s]+:[^\s]+$")
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\]+$")
_EMAIL_MAX_LENGTH = 254


@dataclass(frozen=True)
class ScheduleFields:
    """The schedule fields of a request; None where the request left a field out."""

    title: str | None = None
    description: str | None = None
    times: MeetingTimes | None = None
    recurrence: Recurrence | None = None
    recurrence_given: bool = False
    participants: tuple[Participant, ...] | None = None
    policy: MeetingPolicy | None = None


@dataclass(frozen=True)
class RequestDefaults:
    """Server settings that fill what a request leaves out."""

    time_zone: str
    # The server's e-ID settings; a request's `policy.eid` without `methods`
    # or `min_loa` takes them from the default policy.
    eid_config: EidConfig


def parse_create_body(body: Mapping[str, Any], defaults: RequestDefaults, now: datetime) -> ScheduleFields:
    """Validate a create request; title, start and end are required."""
    for name in ("title", "start", "end"):
        if body.get(name) is None:
            raise SynapseError(400, f"Missing field: {name}", Codes.MISSING_PARAM)
    return parse_fields(body, defaults, now, current=None)


def parse_fields(
    body: Mapping[str, Any],
    defaults: RequestDefaults,
    now: datetime,
    current: MeetingTimes | None,
) -> ScheduleFields:
    """Validate the fields present in `body`.

    For an edit, `current` contains the stored times, so a request may move only
    the start, only the end or only the time zone.
    """
    times = _parse_times(body, defaults.time_zone, now, current)
    recurrence_given = "recurrence" in body
    recurrence = _parse_recurrence(body.get("recurrence"), times or current) if recurrence_given else None
    return ScheduleFields(
        title=_optional_text(body, "title", TITLE_MAX_LENGTH, single_line=True),
        description=_optional_text(body, "description", DESCRIPTION_MAX_LENGTH, single_line=False),
        times=times,
        recurrence=recurrence,
        recurrence_given=recurrence_given,
        participants=_parse_participants(body["participants"]) if "participants" in body else None,
        policy=_parse_policy(body["policy"], defaults.eid_config) if "policy" in body else None,
    )


def _optional_text(body: Mapping[str, Any], name: str, max_length: int, single_line: bool) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SynapseError(400, f"{name} must be a string", Codes.BAD_JSON)

    _check_unicode(value, name)
    value = unicodedata.normalize("NFC", value.strip())
    allowed_controls = "" if single_line else "\n\t"
    if any(unicodedata.category(char) == "Cc" and char not in allowed_controls for char in value):
        kind = "line breaks or control characters" if single_line else "control characters"
        raise SynapseError(400, f"{name} must not contain {kind}", Codes.INVALID_PARAM)
    if single_line and not value:
        raise SynapseError(400, f"{name} must not be empty", Codes.INVALID_PARAM)
    if len(value) > max_length:
        raise SynapseError(
            400, f"{name} is longer than {max_length} characters", Codes.INVALID_PARAM
        )
    return value


def _check_unicode(value: str, name: str) -> None:
    # JSON allows an escaped lone surrogate ("\ud800"), which no database
    # driver can encode as UTF-8.
    if any(unicodedata.category(char) == "Cs" for char in value):
        raise SynapseError(400, f"{name} contains an unpaired UTF-16 surrogate",
                           Codes.INVALID_PARAM)


def _parse_times(
    body: Mapping[str, Any], default_time_zone: str, now: datetime, current: MeetingTimes | None
) -> MeetingTimes | None:
    if not any(name in body for name in ("start", "end", "time_zone")):
        return None

    zone_name = body.get("time_zone")
    if zone_name is None:
        zone_name = current.time_zone if current else default_time_zone
    if not isinstance(zone_name, str):
        raise SynapseError(400, "time_zone must be a string", Codes.BAD_JSON)
    try:
        zone = load_zone(zone_name)
    except ValueError:
        raise SynapseError(
            400, f"time_zone: unknown time zone {zone_name[:64]!r}; use an IANA name "
            "such as 'Europe/Stockholm'", Codes.INVALID_PARAM,
        )

    start = _parse_local_datetime(body, "start", zone) if "start" in body else None
    end = _parse_local_datetime(body, "end", zone) if "end" in body else None
    if current is not None:
        start = start or current.start_local
        end = end or current.end_local
    if start is None or end is None:
        raise SynapseError(400, "Missing field: start or end", Codes.MISSING_PARAM)

    _check_span(start, end, zone, now)
    return MeetingTimes(start_local=start, end_local=end, time_zone=zone_name)


def _parse_local_datetime(body: Mapping[str, Any], name: str, zone) -> datetime:
    """Read an ISO 8601 date-time; one with an offset is converted to local time in `zone`."""
    value = body.get(name)
    if not isinstance(value, str):
        raise SynapseError(400, f"{name} must be an ISO 8601 date-time string", Codes.BAD_JSON)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise SynapseError(
            400, f"{name}: {value[:40]!r} is not an ISO 8601 date-time such as "
            "'2026-03-31T10:00'", Codes.INVALID_PARAM,
        )

    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(zone).replace(tzinfo=None)
    parsed = parsed.replace(microsecond=0)
    if not exists_locally(parsed, zone):
        raise SynapseError(
            400, f"{name}: {parsed:%Y-%m-%d %H:%M} does not exist in {zone.key}, because the "
            "clocks skip that hour for daylight saving time; choose another time",
            Codes.INVALID_PARAM,
        )
    return parsed


def _check_span(start: datetime, end: datetime, zone, now: datetime) -> None:
    if end <= start:
        raise SynapseError(400, "end must be after start", Codes.INVALID_PARAM)
    if end - start > MAX_DURATION:
        raise SynapseError(400, "A meeting can last at most 7 days", Codes.INVALID_PARAM)
    if end.replace(tzinfo=zone) <= now:
        raise SynapseError(400, "end must be in the future", Codes.INVALID_PARAM)


def _parse_recurrence(raw: Any, times: MeetingTimes | None) -> Recurrence | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise SynapseError(400, "recurrence must be a JSON object or null", Codes.BAD_JSON)

    try:
        frequency = Frequency(raw.get("frequency"))
    except ValueError:
        raise SynapseError(
            400, "recurrence.frequency must be 'daily', 'weekly' or 'monthly'", Codes.INVALID_PARAM
        )

    interval = _bounded_int(raw, "interval", 1, MAX_INTERVAL, default=1)
    count = _bounded_int(raw, "count", 1, MAX_COUNT, default=None)
    until = _parse_until(raw.get("until"), times)
    if count is not None and until is not None:
        raise SynapseError(
            400, "recurrence: give either count or until, not both", Codes.INVALID_PARAM
        )
    return Recurrence(frequency=frequency, interval=interval, count=count, until=until)


def _parse_until(raw: Any, times: MeetingTimes | None) -> date | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise SynapseError(400, "recurrence.until must be a date string", Codes.BAD_JSON)
    try:
        until = date.fromisoformat(raw)
    except ValueError:
        raise SynapseError(
            400, f"recurrence.until: {raw[:40]!r} is not a date such as '2026-06-30'",
            Codes.INVALID_PARAM,
        )

    if times is not None:
        start_day = times.start_local.date()
        if until < start_day:
            raise SynapseError(400, "recurrence.until is before start", Codes.INVALID_PARAM)
        if until - start_day > MAX_SERIES_SPAN:
            raise SynapseError(
                400, "recurrence.until is more than 10 years after start", Codes.INVALID_PARAM
            )
    return until


def _bounded_int(raw: Mapping[str, Any], name: str, minimum: int, maximum: int, default):
    value = raw.get(name, default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise SynapseError(400, f"recurrence.{name} must be an integer", Codes.BAD_JSON)
    if not minimum <= value <= maximum:
        raise SynapseError(
            400, f"recurrence.{name} must be between {minimum} and {maximum}", Codes.INVALID_PARAM
        )
    return value


def _parse_participants(raw: Any) -> tuple[Participant, ...]:
    if not isinstance(raw, list):
        raise SynapseError(400, "participants must be a list", Codes.BAD_JSON)
    if len(raw) > MAX_PARTICIPANTS:
        raise SynapseError(
            400, f"participants: at most {MAX_PARTICIPANTS} are allowed", Codes.INVALID_PARAM
        )

    participants: dict[str, Participant] = {}
    for index, item in enumerate(raw):
        participant = _parse_participant(item, f"participants[{index}]")
        participants.setdefault(participant.address.lower(), participant)
    return tuple(participants.values())


def _parse_participant(item: Any, path: str) -> Participant:
    language = None
    if isinstance(item, dict):
        language = item.get("language")
        if language is not None and language not in LANGUAGES:
            raise SynapseError(400, f"{path}.language must be 'sv' or 'en'", Codes.INVALID_PARAM)
        address = item.get("user_id") or item.get("email")
    else:
        address = item

    if not isinstance(address, str):
        raise SynapseError(
            400, f"{path} must be a Matrix user ID, an e-mail address or an object with "
            "user_id or email", Codes.BAD_JSON,
        )

    _check_unicode(address, path)
    address = address.strip()
    if _USER_ID.match(address):
        return Participant(ParticipantKind.MATRIX, address, language)
    if len(address) <= _EMAIL_MAX_LENGTH and _EMAIL.match(address):
        return Participant(ParticipantKind.EMAIL, address, language)
    raise SynapseError(
        400, f"{path}: {address[:80]!r} is neither a Matrix user ID (@name:server) nor an "
        "e-mail address", Codes.INVALID_PARAM,
    )


def _parse_policy(raw: Any, eid_config: EidConfig) -> MeetingPolicy:
    if not isinstance(raw, dict):
        raise SynapseError(400, "policy must be a JSON object", Codes.BAD_JSON)

    try:
        access = Access(raw.get("access", Access.PUBLIC.value))
    except ValueError:
        raise SynapseError(400, "policy.access must be 'public' or 'private'", Codes.INVALID_PARAM)

    lobby = raw.get("lobby", True)
    if not isinstance(lobby, bool):
        raise SynapseError(400, "policy.lobby must be true or false", Codes.BAD_JSON)

    eid = _parse_eid_policy(raw.get("eid"), eid_config)
    return MeetingPolicy(access=access, eid=eid, lobby=lobby)


def _parse_eid_policy(raw: Any, eid_config: EidConfig) -> dict[str, Any] | None:
    """Return the `se.hubs.eid_policy` content for the room, or None for the server default."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise SynapseError(400, "policy.eid must be a JSON object or null", Codes.BAD_JSON)

    try:
        return eid_config.requested_policy(raw).to_content()
    except PolicyError as error:
        raise SynapseError(400, f"policy.eid: {error}", Codes.INVALID_PARAM) from error
