// SPDX-License-Identifier: AGPL-3.0-or-later
// Calls to the homeserver: Matrix login and the Hubs schedule API.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    readonly serverMessage: string,
  ) {
    super(`${status} ${errcode}: ${serverMessage}`);
    this.name = "ApiError";
  }
}

export interface Session {
  homeserverUrl: string;
  userId: string;
  accessToken: string;
  deviceId: string;
}

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
    eid: { required_for: "nobody" | "external" | "everyone" } | null;
  };
}

export interface Meeting {
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

export const SCHEDULE_PATH = "/_synapse/client/hubs/v1/schedule";

export async function requestJson<T>(
  method: string,
  url: string,
  body?: unknown,
  accessToken?: string,
): Promise<T> {
  const response = await send(method, url, body, accessToken);
  return (await response.json()) as T;
}

/** Fetch a file with the access token, as the ICS download needs. */
export async function requestBlob(url: string, accessToken: string): Promise<Blob> {
  const response = await send("GET", url, undefined, accessToken);
  return await response.blob();
}

async function send(method: string, url: string, body: unknown, accessToken?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;

  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, "NETWORK", String(error));
  }
  if (response.ok) return response;

  const fields = (await response.json().catch(() => ({}))) as { errcode?: unknown; error?: unknown };
  throw new ApiError(
    response.status,
    typeof fields.errcode === "string" ? fields.errcode : "M_UNKNOWN",
    typeof fields.error === "string" ? fields.error : response.statusText,
  );
}

export function scheduleMeeting(session: Session, request: ScheduleRequest): Promise<Meeting> {
  return requestJson("POST", session.homeserverUrl + SCHEDULE_PATH, request, session.accessToken);
}

export async function listMeetings(session: Session): Promise<Meeting[]> {
  const body = await requestJson<{ meetings: Meeting[] }>(
    "GET", session.homeserverUrl + SCHEDULE_PATH, undefined, session.accessToken);
  return body.meetings;
}

export function cancelMeeting(session: Session, meetingId: string): Promise<Meeting> {
  const url = `${session.homeserverUrl}${SCHEDULE_PATH}/${encodeURIComponent(meetingId)}/cancel`;
  return requestJson("POST", url, {}, session.accessToken);
}
