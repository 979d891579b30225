// SPDX-License-Identifier: AGPL-3.0-or-later
// Client of the Hubs module API under /_synapse/client/hubs/v1.

import { requestJson } from "./http";

export interface GuestLinkInfo {
  title: string;
  requires_password: boolean;
  status: "active";
}

/** Account credentials that /redeem and /return hand to a guest. */
export interface GuestSession {
  user_id: string;
  access_token: string;
  device_id: string;
  room_id: string;
  homeserver_url: string;
  return_token: string;
  display_name: string;
  /** False while the meeting waits for the guest's e-ID verification. */
  joined: boolean;
  /** Present while `joined` is false because the meeting requires e-ID. */
  eid_url?: string;
  /** True while the guest knocks in the meeting's lobby and waits for a moderator. */
  waiting?: boolean;
}

export type MeetingAccess = "public" | "private";

/** The participants who must verify with e-ID before joining; `server-default` follows the server. */
export type EidRequirement = "server-default" | "nobody" | "external" | "everyone";

export interface Meeting {
  room_id: string;
  title: string;
  access: MeetingAccess;
  e2ee: boolean;
  owner?: string;
  is_moderator?: boolean;
  /** True when non-members knock and wait for a moderator. */
  lobby?: boolean;
  meeting_url?: string;
}

/** A guest link as moderators see it; times are milliseconds since the epoch. */
export interface GuestLink {
  link_id: string;
  /** Only in the response to creating the link, because the server keeps no copy of the token. */
  url?: string;
  label: string | null;
  created_at: number;
  expires_at: number | null;
  has_password: boolean;
  revoked?: boolean;
}

export class HubsApi {
  private readonly base: string;

  constructor(homeserverUrl: string) {
    this.base = `${homeserverUrl}/_synapse/client/hubs/v1`;
  }

  getGuestLink(token: string): Promise<GuestLinkInfo> {
    return requestJson("GET", `${this.base}/guest/${encodeURIComponent(token)}`);
  }

  redeemGuestLink(token: string, displayName: string, password?: string): Promise<GuestSession> {
    const body: Record<string, string> = { display_name: displayName };
    if (password) body.password = password;
    return requestJson("POST", `${this.base}/guest/${encodeURIComponent(token)}/redeem`, { body });
  }

  returnAsGuest(token: string, returnToken: string | null): Promise<GuestSession> {
    const body = returnToken ? { return_token: returnToken } : {};
    return requestJson("POST", `${this.base}/guest/${encodeURIComponent(token)}/return`, { body });
  }

  createMeeting(accessToken: string, title: string, access: MeetingAccess, eid: EidRequirement, lobby?: boolean): Promise<Meeting> {
    const body: Record<string, unknown> = { title, access };
    if (lobby !== undefined) body.lobby = lobby;
    if (eid !== "server-default") body.eid = { required_for: eid };
    return requestJson("POST", `${this.base}/meetings`, { accessToken, body });
  }

  /** Return a one-time e-ID start link for this meeting, which comes back to `returnTo`. */
  async createEidTicket(accessToken: string, roomId: string, returnTo: string): Promise<string> {
    const body = { room_id: roomId, return_to: returnTo };
    const answer = await requestJson<{ start_url: string }>("POST", `${this.base}/eid/tickets`, { accessToken, body });
    return answer.start_url;
  }

  getMeeting(accessToken: string, roomId: string): Promise<Meeting> {
    return requestJson("GET", `${this.base}/meetings/${encodeURIComponent(roomId)}`, { accessToken });
  }

  createGuestLink(
    accessToken: string,
    roomId: string,
    options: { password?: string; expiresInS?: number; label?: string },
  ): Promise<GuestLink> {
    const body: Record<string, string | number> = {};
    if (options.password) body.password = options.password;
    if (options.expiresInS) body.expires_in_s = options.expiresInS;
    if (options.label) body.label = options.label;
    return requestJson("POST", `${this.base}/meetings/${encodeURIComponent(roomId)}/links`, { accessToken, body });
  }

  async listGuestLinks(accessToken: string, roomId: string): Promise<GuestLink[]> {
    const body = await requestJson<{ links?: GuestLink[] } | GuestLink[]>(
      "GET",
      `${this.base}/meetings/${encodeURIComponent(roomId)}/links`,
      { accessToken },
    );
    return Array.isArray(body) ? body : (body.links ?? []);
  }

  revokeGuestLink(accessToken: string, roomId: string, linkId: string): Promise<unknown> {
    const path = `${this.base}/meetings/${encodeURIComponent(roomId)}/links/${encodeURIComponent(linkId)}`;
    return requestJson("DELETE", path, { accessToken });
  }
}
