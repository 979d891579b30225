// SPDX-License-Identifier: AGPL-3.0-or-later
// The Hubs moderation endpoints (/_synapse/client/hubs/v1, docs/api.md) as the page uses them.

import { requestJson } from "../api/http";

export interface ModerationState {
  muted_all: boolean;
  /** With muted_all: people were asked to mute and may unmute themselves. */
  self_unmute: boolean;
  muted: string[];
  unmuted: string[];
  camera_revoked: string[];
  presenters: string[];
  screen_share: "presenters" | "everyone";
  can_moderate: boolean;
  you: { muted: boolean; asked_to_mute: boolean; camera_allowed: boolean; may_share_screen: boolean; sources: string[] };
}

export class ModerationApi {
  private readonly base: string;

  constructor(
    homeserverUrl: string,
    private readonly accessToken: string,
    roomId: string,
  ) {
    this.base = `${homeserverUrl}/_synapse/client/hubs/v1/meetings/${encodeURIComponent(roomId)}/moderation`;
  }

  state(): Promise<ModerationState> {
    return requestJson("GET", this.base, { accessToken: this.accessToken });
  }

  mute(userId: string, muted: boolean): Promise<ModerationState> {
    return this.post("mute", { user_id: userId, muted });
  }

  muteAll(muted: boolean, allowSelfUnmute = false): Promise<ModerationState> {
    return this.post("mute_all", { muted, allow_self_unmute: allowSelfUnmute });
  }

  setCameraAllowed(userId: string, allowed: boolean): Promise<ModerationState> {
    return this.post("camera", { user_id: userId, allowed });
  }

  setPresenter(userId: string, presenter: boolean): Promise<ModerationState> {
    return this.post("presenter", { user_id: userId, presenter });
  }

  private post(action: string, body: unknown): Promise<ModerationState> {
    return requestJson("POST", `${this.base}/${action}`, { accessToken: this.accessToken, body });
  }
}
