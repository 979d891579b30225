# SPDX-License-Identifier: AGPL-3.0-or-later
"""Scheduled meetings as the calendar feature stores and exchanges them.

Times are kept as the organiser wrote them: a local wall-clock time plus an
IANA zone name. The UTC instant of each occurrence is derived from those,
because a weekly meeting at 10:00 in Stockholm stays at 10:00 local time when
daylight saving time starts or ends.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any


class Frequency(str, Enum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class ParticipantKind(str, Enum):
    MATRIX = "matrix"
    EMAIL = "email"


class MeetingStatus(str, Enum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Access(str, Enum):
    # Anyone with the guest link may ask to join.
    PUBLIC = "public"
    # Only invited Matrix users may join.
    PRIVATE = "private"


@dataclass(frozen=True)
class Recurrence:
    """A repeating series in the sense of an RFC 5545 RRULE.

    `until` is the last local date on which an occurrence may start. Without
    `count` and `until` the series repeats without end.
    """

    frequency: Frequency
    interval: int = 1
    count: int | None = None
    until: date | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"frequency": self.frequency.value, "interval": self.interval}
        if self.count is not None:
            body["count"] = self.count
        if self.until is not None:
            body["until"] = self.until.isoformat()
        return body

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> "Recurrence":
        until = body.get("until")
        return cls(
            frequency=Frequency(body["frequency"]),
            interval=int(body.get("interval", 1)),
            count=body.get("count"),
            until=date.fromisoformat(until) if until else None,
        )


@dataclass(frozen=True)
class MeetingPolicy:
    """Join policy chosen at scheduling time.

    `eid` is the content of the room's `se.hubs.eid_policy` state, which the
    e-ID feature enforces; None leaves the server's default policy in force.
    `lobby` makes non-members knock and wait for a moderator (see meetings.creation).
    """

    access: Access = Access.PUBLIC
    eid: dict[str, Any] | None = None
    lobby: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"access": self.access.value, "eid": self.eid, "lobby": self.lobby}

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> "MeetingPolicy":
        return cls(
            access=Access(body.get("access", Access.PUBLIC.value)),
            eid=body.get("eid"),
            lobby=bool(body.get("lobby", True)),
        )


@dataclass(frozen=True)
class Participant:
    """An invited person: a Matrix user ID or an e-mail address.

    `language` ("sv" or "en") selects the language of e-mails to this
    participant; None uses the configured default.
    """

    kind: ParticipantKind
    address: str
    language: str | None = None

    def to_json(self) -> dict[str, Any]:
        key = "user_id" if self.kind is ParticipantKind.MATRIX else "email"
        body: dict[str, Any] = {key: self.address}
        if self.language is not None:
            body["language"] = self.language
        return body


@dataclass(frozen=True)
class MeetingTimes:
    """Start and end of the first occurrence, in the local time of `time_zone`."""

    start_local: datetime
    end_local: datetime
    time_zone: str

    @property
    def duration_s(self) -> int:
        return int((self.end_local - self.start_local).total_seconds())


@dataclass(frozen=True)
class ScheduledMeeting:
    meeting_id: str
    organiser_id: str
    room_id: str
    join_url: str
    title: str
    description: str
    times: MeetingTimes
    recurrence: Recurrence | None
    policy: MeetingPolicy
    participants: tuple[Participant, ...] = field(default_factory=tuple)
    # Link to the chat message this meeting follows up, if any.
    source_permalink: str | None = None
    # RFC 5546 SEQUENCE: 0 when created, one higher for every change sent
    # to the participants.
    sequence: int = 0
    status: MeetingStatus = MeetingStatus.SCHEDULED
    created_ts: int = 0
    updated_ts: int = 0

    @property
    def matrix_participants(self) -> list[str]:
        return [p.address for p in self.participants if p.kind is ParticipantKind.MATRIX]

    @property
    def email_participants(self) -> list[Participant]:
        return [p for p in self.participants if p.kind is ParticipantKind.EMAIL]
