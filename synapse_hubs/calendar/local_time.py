# SPDX-License-Identifier: AGPL-3.0-or-later
"""Local wall-clock times in IANA zones and the UTC instants they denote.

Occurrences of a series are expanded in local time and only then converted
to UTC, as RFC 5545 section 3.3.10 prescribes for a DTSTART with a TZID. A
local time that falls in a daylight-saving gap uses the offset in force
before the gap, and an ambiguous local time denotes its first occurrence
(RFC 5545 section 3.3.5). zoneinfo's fold=0 behaves exactly that way.
"""

from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule

from synapse_hubs.calendar.model import Frequency, MeetingTimes, Recurrence

_RRULE_FREQUENCY = {
    Frequency.DAILY: rrule.DAILY,
    Frequency.WEEKLY: rrule.WEEKLY,
    Frequency.MONTHLY: rrule.MONTHLY,
}


def load_zone(name: str) -> ZoneInfo:
    """Return the zone for an IANA name or raise ValueError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Return the UTC instant of a naive local time in `zone`."""
    return local.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)


def exists_locally(local: datetime, zone: ZoneInfo) -> bool:
    """Tell whether a naive local time occurs in `zone` (is not in a DST gap)."""
    round_trip = to_utc(local, zone).astimezone(zone).replace(tzinfo=None)
    return round_trip == local


def zone_abbreviation(local: datetime, zone: ZoneInfo) -> str:
    """Return the zone's abbreviation in force at a local time, such as "CEST"."""
    return local.replace(tzinfo=zone, fold=0).tzname() or zone.key


def until_as_local_datetime(until: date) -> datetime:
    """Return the last local instant of the `until` day; RRULE UNTIL is inclusive."""
    return datetime.combine(until, time(23, 59, 59))


def local_occurrences(
    times: MeetingTimes, recurrence: Recurrence | None
) -> Iterator[datetime]:
    """Yield the naive local start of every occurrence, in order.

    An open-ended series yields without end, so callers must stop.
    """
    if recurrence is None:
        yield times.start_local
        return

    rule = rrule.rrule(
        _RRULE_FREQUENCY[recurrence.frequency],
        dtstart=times.start_local,
        interval=recurrence.interval,
        count=recurrence.count,
        until=until_as_local_datetime(recurrence.until) if recurrence.until else None,
    )
    yield from rule


def occurrences_utc(
    times: MeetingTimes, recurrence: Recurrence | None, after: datetime | None = None
) -> Iterator[datetime]:
    """Yield the UTC start of every occurrence that starts after `after`."""
    zone = load_zone(times.time_zone)
    for local_start in local_occurrences(times, recurrence):
        start = to_utc(local_start, zone)
        if after is None or start > after:
            yield start


def last_local_start(times: MeetingTimes, recurrence: Recurrence | None) -> datetime | None:
    """Return the local start of the last occurrence, or None if the series is open-ended."""
    if recurrence is None:
        return times.start_local
    if recurrence.count is None and recurrence.until is None:
        return None

    last = times.start_local
    for last in local_occurrences(times, recurrence):
        pass
    return last


def local_end(local_start: datetime, times: MeetingTimes) -> datetime:
    """Return the local end of an occurrence, keeping the first occurrence's length."""
    return local_start + timedelta(seconds=times.duration_s)
