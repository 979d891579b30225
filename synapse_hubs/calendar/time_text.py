# SPDX-License-Identifier: AGPL-3.0-or-later
"""Meeting times and recurrences written out in Swedish and English.

Every time is written as local wall-clock time followed by its zone name and
abbreviation, for example "tisdag 31 mars 2026 kl. 10:00 (Europe/Stockholm,
CEST)", so a reader in another zone can still work out the instant. The
names are kept here rather than taken from the process locale, which Synapse
does not set and which may lack Swedish.
"""

from datetime import datetime

from synapse_hubs.calendar.local_time import load_zone, zone_abbreviation
from synapse_hubs.calendar.model import Frequency, MeetingTimes, Recurrence

_WEEKDAYS = {
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}
_AT = {"sv": "kl.", "en": "at"}


def format_date(day: datetime, language: str) -> str:
    """Return "tisdag 31 mars 2026" or "Tuesday 31 March 2026"."""
    weekday = _WEEKDAYS[language][day.weekday()]
    month = _MONTHS[language][day.month - 1]
    return f"{weekday} {day.day} {month} {day.year}"


def format_local_time(local: datetime, time_zone: str, language: str) -> str:
    """Return a local time with its zone, such as "tisdag 31 mars 2026 kl. 10:00 (Europe/Stockholm, CEST)"."""
    zone_label = _zone_label(local, time_zone)
    return f"{format_date(local, language)} {_AT[language]} {local:%H:%M} ({zone_label})"


def format_time_range(times: MeetingTimes, language: str, start: datetime | None = None) -> str:
    """Return the start and end of one occurrence with the zone written once.

    `start` selects an occurrence of a series; None means the first one.
    """
    start = start or times.start_local
    end = start + (times.end_local - times.start_local)
    zone_label = _zone_label(start, times.time_zone)

    if end.date() == start.date():
        return (f"{format_date(start, language)} {_AT[language]} "
                f"{start:%H:%M}–{end:%H:%M} ({zone_label})")
    return (f"{format_date(start, language)} {_AT[language]} {start:%H:%M} – "
            f"{format_date(end, language)} {_AT[language]} {end:%H:%M} ({zone_label})")


def format_recurrence(recurrence: Recurrence, language: str) -> str:
    """Return a short description such as "Varje vecka, 6 gånger"."""
    text = _REPEAT[language](recurrence.frequency, recurrence.interval)
    if recurrence.count is not None:
        times_word = {"sv": "gång" if recurrence.count == 1 else "gånger",
                      "en": "time" if recurrence.count == 1 else "times"}[language]
        return f"{text}, {recurrence.count} {times_word}"
    if recurrence.until is not None:
        until_date = datetime.combine(recurrence.until, datetime.min.time())
        until_word = {"sv": "till och med", "en": "until"}[language]
        day = f"{until_date.day} {_MONTHS[language][until_date.month - 1]} {until_date.year}"
        return f"{text} {until_word} {day}"
    return text


def _zone_label(local: datetime, time_zone: str) -> str:
    abbreviation = zone_abbreviation(local, load_zone(time_zone))
    return f"{time_zone}, {abbreviation}"


def _repeat_sv(frequency: Frequency, interval: int) -> str:
    units = {Frequency.DAILY: ("Varje dag", "dag"),
             Frequency.WEEKLY: ("Varje vecka", "vecka"),
             Frequency.MONTHLY: ("Varje månad", "månad")}
    every, unit = units[frequency]
    if interval == 1:
        return every
    if interval == 2:
        return {Frequency.DAILY: "Varannan dag", Frequency.WEEKLY: "Varannan vecka",
                Frequency.MONTHLY: "Varannan månad"}[frequency]
    return f"Var {interval}:e {unit}"


def _repeat_en(frequency: Frequency, interval: int) -> str:
    unit = {Frequency.DAILY: "day", Frequency.WEEKLY: "week", Frequency.MONTHLY: "month"}[frequency]
    if interval == 1:
        return f"Every {unit}"
    return f"Every {interval} {unit}s"


_REPEAT = {"sv": _repeat_sv, "en": _repeat_en}
