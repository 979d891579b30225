// SPDX-License-Identifier: AGPL-3.0-or-later
// A mute-all that lets people unmute themselves. The SFU does not enforce
// it, so the page turns the microphone off itself: when it joins the call
// during such a mute-all, and when a moderator starts one. The person may
// turn the microphone on again.

import type { Room as LivekitRoom } from "livekit-client";
import { type MatrixClient, type MatrixEvent, type Room as MatrixRoom, RoomStateEvent } from "matrix-js-sdk";

import type { ModerationApi } from "./moderationApi";

export const MODERATION_STATE_EVENT = "se.hubs.moderation";

export class MuteRequests {
  constructor(
    private readonly client: MatrixClient,
    private readonly matrixRoom: MatrixRoom,
    private readonly api: ModerationApi,
    private readonly onMuted: () => void,
  ) {}

  /** Follow mute requests while in `room`; returns a function that stops it. */
  attachCall(room: LivekitRoom): () => void {
    const check = async (): Promise<void> => {
      // The server decides who is asked: moderators and people given the word are not.
      const state = await this.api.state();
      if (!state.you.asked_to_mute || !room.localParticipant.isMicrophoneEnabled) return;
      await room.localParticipant.setMicrophoneEnabled(false);
      this.onMuted();
    };
    const checkLogged = (): void => {
      void check().catch((error: unknown) => console.warn(`Following a mute request in ${this.matrixRoom.roomId} failed`, error));
    };
    const onStateEvent = (event: MatrixEvent): void => {
      if (event.getRoomId() !== this.matrixRoom.roomId || event.getType() !== MODERATION_STATE_EVENT) return;
      // Only the change that starts a request mutes; later changes leave the microphone alone.
      if (isRequest(event.getContent()) && !isRequest(event.getPrevContent())) checkLogged();
    };
    this.client.on(RoomStateEvent.Events, onStateEvent);
    checkLogged();
    return () => this.client.off(RoomStateEvent.Events, onStateEvent);
  }
}

function isRequest(content: Record<string, unknown>): boolean {
  return content.muted_all === true && content.self_unmute === true;
}
