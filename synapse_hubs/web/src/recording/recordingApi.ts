// SPDX-License-Identifier: AGPL-3.0-or-later
// The Hubs recording endpoints (/_synapse/client/hubs/v1, docs/api.md) as the page uses them.

import { ApiError, requestJson } from "../api/http";

/** Why a meeting cannot be recorded; null when it can. */
export type RecordingRefusal = "e2ee" | "not_enabled" | "not_configured" | null;

export interface RunningRecording {
  recording_id: string;
  room_id: string;
  /** Milliseconds since the epoch, by the server clock. */
  started_ts: number;
  /** Null when the server started it by itself. */
  started_by: string | null;
}

export interface MeetingRecordingState {
  allowed: boolean;
  reason: RecordingRefusal;
  can_control: boolean;
  active: boolean;
  recording: RunningRecording | null;
}

export interface RecordingInfo extends RunningRecording {
  status: "recording" | "ready" | "discarded" | "failed" | "deleted";
  ended_ts: number | null;
  duration_ms: number | null;
  size_bytes: number | null;
  shared: boolean;
  is_owner: boolean;
  can_download: boolean;
  download_path: string;
}

/** The homeserver and access token the calls go to. */
export interface ApiSession {
  homeserverUrl: string;
  accessToken: string;
}

export class RecordingApi {
  private readonly base: string;

  constructor(private readonly session: ApiSession) {
    this.base = `${session.homeserverUrl}/_synapse/client/hubs/v1`;
  }

  meetingState(roomId: string): Promise<MeetingRecordingState> {
    return requestJson("GET", `${this.base}/meetings/${encodeURIComponent(roomId)}/recording`, this.auth());
  }

  start(roomId: string): Promise<RunningRecording> {
    return requestJson("POST", `${this.base}/meetings/${encodeURIComponent(roomId)}/recording`, { ...this.auth(), body: {} });
  }

  stop(roomId: string): Promise<RecordingInfo> {
    return requestJson("DELETE", `${this.base}/meetings/${encodeURIComponent(roomId)}/recording`, this.auth());
  }

  recording(recordingId: string): Promise<RecordingInfo> {
    return requestJson("GET", `${this.base}/recordings/${encodeURIComponent(recordingId)}`, this.auth());
  }

  /** Fetch the WebM file with the access token; browsers cannot put one on a plain link. */
  async download(info: RecordingInfo): Promise<Blob> {
    const response = await fetch(`${this.session.homeserverUrl}${info.download_path}`, {
      headers: { Authorization: `Bearer ${this.session.accessToken}` },
    }).catch((error: unknown) => {
      throw new ApiError(0, "NETWORK", String(error));
    });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { errcode?: string; error?: string };
      throw new ApiError(response.status, body.errcode ?? "M_UNKNOWN", body.error ?? response.statusText);
    }
    return await response.blob();
  }

  private auth(): { accessToken: string } {
    return { accessToken: this.session.accessToken };
  }
}
