// SPDX-License-Identifier: AGPL-3.0-or-later
// A meeting's local start and end written out with its zone name.

import { currentLanguage } from "../i18n";
import type { ScheduledMeeting } from "./scheduleApi";

const LOCALES = { sv: "sv-SE", en: "en-GB" } as const;

/**
 * Format "start–end (zone)" in the page language. The API returns local
 * wall-clock times of the meeting's zone; they are formatted as UTC so the
 * browser's own zone cannot shift them.
 */
export function formatMeetingTime(meeting: ScheduledMeeting): string {
  const locale = LOCALES[currentLanguage()];
  const start = wallClock(meeting.start);
  const end = wallClock(meeting.end);
  const day = new Intl.DateTimeFormat(locale, { timeZone: "UTC", dateStyle: "full" });
  const time = new Intl.DateTimeFormat(locale, { timeZone: "UTC", timeStyle: "short" });
  const sameDay = meeting.start.slice(0, 10) === meeting.end.slice(0, 10);
  const endText = sameDay ? time.format(end) : `${day.format(end)} ${time.format(end)}`;
  return `${day.format(start)} ${time.format(start)}–${endText} (${meeting.time_zone})`;
}

function wallClock(isoLocal: string): Date {
  const [date, clock = "00:00:00"] = isoLocal.split("T");
  const [year, month, day] = date.split("-").map(Number);
  const [hour, minute, second = 0] = clock.split(":").map(Number);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}
