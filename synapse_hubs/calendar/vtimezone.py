# SPDX-License-Identifier: AGPL-3.0-or-later
"""Build an RFC 5545 VTIMEZONE from the system's IANA time zone data.

Calendar clients that do not know a TZID, and Outlook for any TZID it cannot
map to a Windows zone, compute local times from the VTIMEZONE alone. So the
component must describe every offset change in the span the event covers.

The transitions come from zoneinfo. A kind of transition that recurs every
year on the same weekday rule ("last Sunday in March at 02:00") becomes one
observance with a yearly RRULE, the form Outlook and Google Calendar write.
Anything irregular is listed with RDATE. Each observance's DTSTART is the
local time of the change in the offset before it (TZOFFSETFROM), as
RFC 5545 section 3.6.5 requires.
"""

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import groupby
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_DAY = timedelta(days=1)
_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    """One change of UTC offset, as zoneinfo reports it."""

    at: datetime  # UTC
    offset_before: timedelta
    offset_after: timedelta
    name_after: str

    @property
    def is_dst_after(self) -> bool:
        # Outlook and Windows call the larger of two alternating offsets
        # daylight time. tzdata's own DST flag is negative in winter for
        # Europe/Dublin, which such clients do not expect.
        return self.offset_after > self.offset_before

    @property
    def onset_local(self) -> datetime:
        """The naive local time of the change, in the offset before it."""
        return (self.at + self.offset_before).replace(tzinfo=None)

    @property
    def kind(self) -> tuple[bool, timedelta, timedelta, str]:
        return (self.is_dst_after, self.offset_before, self.offset_after, self.name_after)


def build_vtimezone(tzid: str, first: datetime, last: datetime) -> Timezone:
    """Return a VTIMEZONE for `tzid` valid from the year before `first` to the year after `last`.

    `first` and `last` are naive local times. Yearly rules found in that span
    are written without an end, so an open-ended series stays covered as long
    as the zone keeps its current rules.
    """
    zone = ZoneInfo(tzid)
    window_start = datetime(first.year - 1, 1, 1, tzinfo=timezone.utc)
    window_end = datetime(last.year + 2, 1, 1, tzinfo=timezone.utc)
    transitions = find_transitions(zone, window_start, window_end)

    vtimezone = Timezone()
    vtimezone.add("TZID", tzid)
    if not transitions:
        vtimezone.add_component(_fixed_offset_observance(zone, window_start))
        return vtimezone

    final_year = window_end.year - 1
    ordered = sorted(transitions, key=lambda transition: transition.kind)
    for _, group in groupby(ordered, key=lambda transition: transition.kind):
        vtimezone.add_component(_observance(list(group), final_year))
    return vtimezone


def find_transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[Transition]:
    """Return the offset changes of `zone` between two UTC instants, in order.

    Scans day by day and then bisects to the minute. That finds at most one
    change per day, which holds for every zone in the IANA database.
    """
    transitions = []
    day_start = start
    offset = _offset(zone, day_start)
    while day_start < end:
        day_end = day_start + _DAY
        next_offset = _offset(zone, day_end)
        if next_offset != offset:
            transitions.append(_bisect_transition(zone, day_start, day_end))
        day_start, offset = day_end, next_offset
    return transitions


def _bisect_transition(zone: ZoneInfo, before: datetime, after: datetime) -> Transition:
    """Find the minute at which the offset changes between two UTC instants."""
    offset_before = _offset(zone, before)
    while after - before > timedelta(minutes=1):
        middle = before + (after - before) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= before:
            middle = before + timedelta(minutes=1)
        if _offset(zone, middle) == offset_before:
            before = middle
        else:
            after = middle

    local_after = after.astimezone(zone)
    return Transition(
        at=after,
        offset_before=offset_before,
        offset_after=_offset(zone, after),
        name_after=local_after.tzname() or zone.key,
    )


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _observance(group: list[Transition], final_year: int) -> TimezoneStandard | TimezoneDaylight:
    first = group[0]
    observance = TimezoneDaylight() if first.is_dst_after else TimezoneStandard()
    observance.add("DTSTART", first.onset_local)
    observance.add("TZOFFSETFROM", first.offset_before)
    observance.add("TZOFFSETTO", first.offset_after)
    observance.add("TZNAME", first.name_after)

    rule = _yearly_rule([transition.onset_local for transition in group])
    if rule is None:
        for transition in group[1:]:
            observance.add("RDATE", transition.onset_local)
        return observance

    # A rule that did not apply in the window's final year has ended (the
    # zone changed its rules), so it gets an UNTIL.
    if group[-1].at.year < final_year:
        rule["UNTIL"] = group[-1].at
    observance.add("RRULE", rule)
    return observance


def _yearly_rule(onsets: list[datetime]) -> dict | None:
    """Return RRULE parts if the onsets follow one yearly weekday rule, else None.

    A rule needs at least two consecutive years with the same month, weekday
    and time of day, and either always the last such weekday of the month or
    always the same numbered one ("second Sunday").
    """
    if len(onsets) < 2:
        return None

    first = onsets[0]
    for index, onset in enumerate(onsets):
        same_pattern = (
            onset.year == first.year + index
            and onset.month == first.month
            and onset.weekday() == first.weekday()
            and onset.time() == first.time()
        )
        if not same_pattern:
            return None

    weekday = _WEEKDAY_CODES[first.weekday()]
    if all(_is_last_weekday_of_month(onset) for onset in onsets):
        by_day = f"-1{weekday}"
    elif len({(onset.day - 1) // 7 for onset in onsets}) == 1:
        by_day = f"{(first.day - 1) // 7 + 1}{weekday}"
    else:
        return None
    return {"FREQ": "YEARLY", "BYMONTH": first.month, "BYDAY": by_day}


def _is_last_weekday_of_month(day: datetime) -> bool:
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    return day.day + 7 > days_in_month


def _fixed_offset_observance(zone: ZoneInfo, at: datetime) -> TimezoneStandard:
    local = at.astimezone(zone)
    offset = local.utcoffset()
    observance = TimezoneStandard()
    observance.add("DTSTART", datetime(1970, 1, 1))
    observance.add("TZOFFSETFROM", offset)
    observance.add("TZOFFSETTO", offset)
    observance.add("TZNAME", local.tzname() or zone.key)
    return observance
