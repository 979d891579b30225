// SPDX-License-Identifier: AGPL-3.0-or-later
// The Hubs schedule API (/_synapse/client/hubs/v1/schedule) as the schedule page uses it.

import { ApiError, requestJson } from "../api/http";
import type { Credentials } from "../auth/credentials";

export type EidRequirement = "nobody" | "external" | "everyone";

export interface Recurrence {
  frequency: "daily" | "weekly" | "monthly";
  interval?: number;
  count?: number;
  until?: string;
}

export interface ScheduleRequest {
  title: string;
  description?: string;
  start: string;
  end: string;
  time_zone: string;
  recurrence?: Recurrence | null;
  participants: string[];
  policy: {
    access: "public" | "private";
    lobby: boolean;
    // null keeps the server's default e-ID policy.
    eid: { required_for: EidRequirement } | null;
  };
}

export interface ScheduledMeeting {
  meeting_id: string;
  role: "organiser" | "participant";
  organiser_id: string;
  room_id: string;
  join_url: string;
  title: string;
  description: string;
  start: string;
  end: string;
  time_zone: string;
  next_start_utc: string | null;
  status: "scheduled" | "cancelled";
  sequence: number;
  ics_url: string;
}

const SCHEDULE_API = "/_synapse/client/hubs/v1/schedule";

export function scheduleMeeting(credentials: Credentials, request: ScheduleRequest): Promise<ScheduledMeeting> {
  return requestJson("POST", credentials.homeserverUrl + SCHEDULE_API, {
    body: request,
    accessToken: credentials.accessToken,
  });
}

export async function listMeetings(credentials: Credentials): Promise<ScheduledMeeting[]> {
  const body = await requestJson<{ meetings: ScheduledMeeting[] }>("GET", credentials.homeserverUrl + SCHEDULE_API, {
    accessToken: credentials.accessToken,
  });
  return body.meetings;
}

export function cancelMeeting(credentials: Credentials, meetingId: string): Promise<ScheduledMeeting> {
  const url = `${credentials.homeserverUrl}${SCHEDULE_API}/${encodeURIComponent(meetingId)}/cancel`;
  return requestJson("POST", url, { body: {}, accessToken: credentials.accessToken });
}

/** Fetch the meeting's ICS file; it needs the access token, so a plain link cannot download it. */
export async function fetchIcs(credentials: Credentials, meeting: ScheduledMeeting): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(meeting.ics_url, { headers: { Authorization: `Bearer ${credentials.accessToken}` } });
  } catch (error) {
    throw new ApiError(0, "NETWORK", String(error));
  }
  if (!response.ok) throw new ApiError(response.status, "M_UNKNOWN", response.statusText);
  return await response.blob();
}
