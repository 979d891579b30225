// SPDX-License-Identifier: AGPL-3.0-or-later
// Client of the lobby and raised-hands endpoints under /_synapse/client/hubs/v1/meetings.

import { requestJson } from "../api/http";

/** Someone knocking on the meeting; `display_name` is their own choice, so render it as text. */
export interface WaitingUser {
  user_id: string;
  display_name: string | null;
  /** Server time of the knock, milliseconds since the epoch. */
  knocked_ts: number;
  /** A valid e-ID verification for this meeting, with the name the identity provider confirmed. */
  verification?: { method: string; loa: string; verified_name: string } | null;
}

/** The caller's own place: `none` means no knock and no membership (e.g. left). */
export type LobbyStatus = "waiting" | "admitted" | "denied" | "removed" | "none";

export interface RaisedHand {
  user_id: string;
  raised_ts: number;
}

export class LobbyApi {
  private readonly base: string;

  constructor(
    homeserverUrl: string,
    private readonly accessToken: string,
  ) {
    this.base = `${homeserverUrl.replace(/\/+$/, "")}/_synapse/client/hubs/v1/meetings`;
  }

  async waiting(roomId: string): Promise<WaitingUser[]> {
    const body = await requestJson<{ waiting: WaitingUser[] }>("GET", `${this.room(roomId)}/lobby`, this.auth());
    return body.waiting;
  }

  async status(roomId: string): Promise<LobbyStatus> {
    const body = await requestJson<{ status: LobbyStatus }>("GET", `${this.room(roomId)}/lobby/status`, this.auth());
    return body.status;
  }

  admit(roomId: string, userId: string): Promise<unknown> {
    return requestJson("POST", `${this.room(roomId)}/lobby/admit`, this.auth({ user_id: userId }));
  }

  admitAll(roomId: string): Promise<unknown> {
    return requestJson("POST", `${this.room(roomId)}/lobby/admit_all`, this.auth({}));
  }

  deny(roomId: string, userId: string): Promise<unknown> {
    return requestJson("POST", `${this.room(roomId)}/lobby/deny`, this.auth({ user_id: userId }));
  }

  remove(roomId: string, userId: string): Promise<unknown> {
    return requestJson("POST", `${this.room(roomId)}/remove`, this.auth({ user_id: userId }));
  }

  async hands(roomId: string): Promise<RaisedHand[]> {
    const body = await requestJson<{ queue: RaisedHand[] }>("GET", `${this.room(roomId)}/hands`, this.auth());
    return body.queue;
  }

  async raiseHand(roomId: string): Promise<RaisedHand[]> {
    const body = await requestJson<{ queue: RaisedHand[] }>("POST", `${this.room(roomId)}/hands/raise`, this.auth({}));
    return body.queue;
  }

  /** Lower the caller's own hand, or with `userId` someone else's (moderators only). */
  async lowerHand(roomId: string, userId?: string): Promise<RaisedHand[]> {
    const body = await requestJson<{ queue: RaisedHand[] }>(
      "POST",
      `${this.room(roomId)}/hands/lower`,
      this.auth(userId ? { user_id: userId } : {}),
    );
    return body.queue;
  }

  private room(roomId: string): string {
    return `${this.base}/${encodeURIComponent(roomId)}`;
  }

  private auth(body?: unknown): { accessToken: string; body?: unknown } {
    return body === undefined ? { accessToken: this.accessToken } : { accessToken: this.accessToken, body };
  }
}
