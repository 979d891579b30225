# SPDX-License-Identifier: AGPL-3.0-or-later
"""Meeting times written out in Swedish and English, with their zone."""

from datetime import date, datetime

import pytest

from synapse_hubs.calendar.model import Frequency, MeetingTimes, Recurrence
from synapse_hubs.calendar.time_text import (
    format_local_time,
    format_recurrence,
    format_time_range,
)


def test_local_time_swedish_summer():
    text = format_local_time(datetime(2026, 3, 31, 10, 0), "Europe/Stockholm", "sv")

    assert text == "tisdag 31 mars 2026 kl. 10:00 (Europe/Stockholm, CEST)"


def test_local_time_english_winter():
    text = format_local_time(datetime(2026, 10, 26, 9, 5), "Europe/Stockholm", "en")

    assert text == "Monday 26 October 2026 at 09:05 (Europe/Stockholm, CET)"


def test_range_on_one_day():
    times = MeetingTimes(datetime(2026, 12, 24, 13, 0), datetime(2026, 12, 24, 14, 30),
                         "Europe/Stockholm")

    assert format_time_range(times, "sv") == (
        "torsdag 24 december 2026 kl. 13:00–14:30 (Europe/Stockholm, CET)")


def test_range_over_midnight_names_both_days():
    times = MeetingTimes(datetime(2026, 6, 1, 23, 0), datetime(2026, 6, 2, 1, 0), "UTC")

    assert format_time_range(times, "en") == (
        "Monday 1 June 2026 at 23:00 – Tuesday 2 June 2026 at 01:00 (UTC, UTC)")


def test_range_of_later_occurrence_uses_its_zone_abbreviation():
    times = MeetingTimes(datetime(2026, 3, 16, 10, 0), datetime(2026, 3, 16, 11, 0),
                         "Europe/Stockholm")

    text = format_time_range(times, "sv", start=datetime(2026, 3, 30, 10, 0))

    assert text == "måndag 30 mars 2026 kl. 10:00–11:00 (Europe/Stockholm, CEST)"


@pytest.mark.parametrize("recurrence, language, expected", [
    (Recurrence(Frequency.WEEKLY, count=6), "sv", "Varje vecka, 6 gånger"),
    (Recurrence(Frequency.WEEKLY, count=1), "en", "Every week, 1 time"),
    (Recurrence(Frequency.WEEKLY, interval=2, until=date(2026, 6, 30)), "sv",
     "Varannan vecka till och med 30 juni 2026"),
    (Recurrence(Frequency.MONTHLY, interval=3), "sv", "Var 3:e månad"),
    (Recurrence(Frequency.DAILY, interval=2, until=date(2026, 6, 30)), "en",
     "Every 2 days until 30 June 2026"),
])
def test_recurrence_text(recurrence, language, expected):
    assert format_recurrence(recurrence, language) == expected
