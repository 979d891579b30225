// SPDX-License-Identifier: AGPL-3.0-or-later
// Tells a participant what a moderator changed about their microphone and
// camera. It follows the permissions the SFU sends, so it is right whether
// the change came from this page, another moderator or Element.

import { type Participant, type Room as LivekitRoom, RoomEvent } from "livekit-client";

import { type MessageKey, setText } from "../i18n";
import { el } from "../ui/dom";
import { mayPublish } from "./publishPermissions";

export class ModerationNotice {
  readonly element: HTMLElement;
  private wasMuted = false;

  constructor() {
    this.element = el("p", { class: "moderation-notice", role: "status", hidden: "" });
  }

  /** Follow the local participant's permissions in `room`; returns a function that stops it. */
  attachCall(room: LivekitRoom): () => void {
    const local = room.localParticipant;
    const update = (_previous: unknown, participant?: Participant): void => {
      if (participant && participant !== local) return;
      this.render(local);
    };
    room.on(RoomEvent.ParticipantPermissionsChanged, update);
    this.render(local);
    return () => {
      room.off(RoomEvent.ParticipantPermissionsChanged, update);
      this.element.hidden = true;
    };
  }

  /** Say that a mute-all turned the microphone off and that the person may turn it on again. */
  showAskedToMute(): void {
    this.element.hidden = false;
    setText(this.element, "mutedAllMayUnmute");
  }

  private render(local: Participant): void {
    const muted = !mayPublish(local, "microphone");
    const cameraOff = !mayPublish(local, "camera");
    let key: MessageKey | null = null;
    if (muted && cameraOff) key = "mutedAndCameraOffByModerator";
    else if (muted) key = "mutedByModerator";
    else if (cameraOff) key = "cameraOffByModerator";
    else if (this.wasMuted) key = "mayTalkAgain";
    this.wasMuted = muted;

    this.element.hidden = key === null;
    if (key) setText(this.element, key);
  }
}
