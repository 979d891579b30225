// SPDX-License-Identifier: AGPL-3.0-or-later
// The moderators' participant list: mute everyone, and per person mute,
// camera and presenter rights. The server stores the change and the SFU
// enforces it; this panel shows the state the server returns.

import { type Participant, type Room as LivekitRoom, RoomEvent } from "livekit-client";
import type { Room as MatrixRoom } from "matrix-js-sdk";

import { bindAttribute, type MessageKey, setText, t, text } from "../i18n";
import { button, el, userText } from "../ui/dom";
import type { ModerationApi, ModerationState } from "./moderationApi";

const NAME_MAX_LENGTH = 64;
const RELOAD_DELAY_MS = 300;

type ActionKey =
  | "muteParticipant"
  | "allowToSpeak"
  | "turnCameraOffFor"
  | "allowCamera"
  | "makePresenter"
  | "removePresenter"
  | "removeFromMeeting";

// Accessible names, which name the person each button acts on.
const ACTION_LABELS: Record<ActionKey, MessageKey> = {
  muteParticipant: "muteParticipantLabel",
  allowToSpeak: "allowToSpeakLabel",
  turnCameraOffFor: "turnCameraOffForLabel",
  allowCamera: "allowCameraLabel",
  makePresenter: "makePresenterLabel",
  removePresenter: "removePresenterLabel",
  removeFromMeeting: "removeFromMeetingLabel",
};

export class ModerationPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly muteAllButton: HTMLButtonElement;
  private readonly muteAllSoftButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly muteAllState: HTMLElement;
  private state: ModerationState | null = null;
  private room: LivekitRoom | null = null;
  private busy = false;

  /** `remove` takes someone out of the meeting (the lobby API's remove). */
  constructor(
    private readonly api: ModerationApi,
    private readonly matrixRoom: MatrixRoom,
    private readonly remove: (userId: string) => Promise<unknown>,
  ) {
    const heading = text("participants", undefined, "h2");
    heading.id = "moderation-heading";
    heading.classList.add("panel-heading");
    this.muteAllButton = button("secondary mute-all");
    this.muteAllButton.addEventListener("click", () => {
      const enforced = this.state?.muted_all === true && !this.state.self_unmute;
      void this.run(() => this.api.muteAll(!enforced));
    });
    this.muteAllSoftButton = button("secondary mute-all-soft", [text("muteAllMayUnmute")]);
    this.muteAllSoftButton.addEventListener("click", () => {
      const soft = this.state?.muted_all === true && this.state.self_unmute;
      void this.run(() => this.api.muteAll(!soft, !soft));
    });
    this.status = el("p", { class: "moderation-status", role: "alert" });
    this.muteAllState = el("p", { class: "mute-all-state" });
    this.list = el("ul", { class: "participant-list" });
    this.element = el("section", { class: "moderation-panel", "aria-labelledby": "moderation-heading" }, [
      heading,
      this.muteAllState,
      el("div", { class: "moderation-actions" }, [this.muteAllButton, this.muteAllSoftButton]),
      this.status,
      this.list,
    ]);
    this.render();
  }

  /** Load the moderation state; the panel stays empty for a room that is no meeting. */
  async load(): Promise<void> {
    this.state = await this.api.state();
    this.render();
  }

  /** List the participants of `room` until the returned function is called. */
  attachCall(room: LivekitRoom): () => void {
    this.room = room;
    // Other moderators' changes reach everyone as permission updates from the SFU,
    // one per participant, so a mute-all is reloaded once, not once per person.
    let pending: number | undefined;
    const refresh = (): void => {
      window.clearTimeout(pending);
      pending = window.setTimeout(() => {
        void this.load().catch((error: unknown) => console.warn("Reloading moderation state failed", error));
      }, RELOAD_DELAY_MS);
    };
    const rerender = (): void => this.render();
    const events = [RoomEvent.ParticipantConnected, RoomEvent.ParticipantDisconnected];
    for (const event of events) room.on(event, rerender);
    room.on(RoomEvent.ParticipantPermissionsChanged, refresh);
    this.render();
    return () => {
      for (const event of events) room.off(event, rerender);
      room.off(RoomEvent.ParticipantPermissionsChanged, refresh);
      window.clearTimeout(pending);
      this.room = null;
      this.render();
    };
  }

  private render(): void {
    const state = this.state;
    // A soft mute-all can be turned into an enforced one, so that button stays.
    const enforced = state?.muted_all === true && !state.self_unmute;
    const soft = state?.muted_all === true && state.self_unmute;
    setText(this.muteAllButton, enforced ? "unmuteAll" : "muteAll");
    this.muteAllButton.disabled = this.busy || state === null;
    setText(this.muteAllSoftButton, soft ? "endSoftMute" : "muteAllMayUnmute");
    this.muteAllSoftButton.hidden = enforced;
    this.muteAllSoftButton.disabled = this.busy || state === null;
    if (enforced) setText(this.muteAllState, "muteAllStateEnforced");
    else if (soft) setText(this.muteAllState, "muteAllStateSoft");
    else this.muteAllState.textContent = "";
    this.muteAllState.hidden = !enforced && !soft;

    const participants = this.room ? [...this.room.remoteParticipants.values()] : [];
    if (participants.length === 0 || state === null) {
      this.list.replaceChildren(el("li", { class: "participant-empty" }, [text("noOtherParticipants")]));
      return;
    }
    this.list.replaceChildren(...participants.map((participant) => this.row(participant, state)));
  }

  private row(participant: Participant, state: ModerationState): HTMLElement {
    const userId = userIdOf(participant);
    const name = this.matrixRoom.getMember(userId)?.name ?? participant.name ?? userId;
    const muted = state.muted.includes(userId) || (state.muted_all && !state.self_unmute && !state.unmuted.includes(userId));
    const cameraRevoked = state.camera_revoked.includes(userId);
    const presenter = state.presenters.includes(userId);

    const actions = el("div", { class: "participant-actions", role: "group" }, [
      this.action(muted ? "allowToSpeak" : "muteParticipant", name, () => this.api.mute(userId, !muted)),
      this.action(cameraRevoked ? "allowCamera" : "turnCameraOffFor", name, () =>
        this.api.setCameraAllowed(userId, cameraRevoked),
      ),
      this.action(presenter ? "removePresenter" : "makePresenter", name, () => this.api.setPresenter(userId, !presenter)),
      this.removeAction(userId, name),
    ]);
    bindAttribute(actions, "aria-label", "actionsFor", { name });
    const badges = el("span", { class: "participant-badges" }, [
      muted ? text("badgeMuted") : null,
      cameraRevoked ? text("badgeCameraOff") : null,
      presenter ? text("badgePresenter") : null,
    ]);
    return el("li", { class: "participant-row" }, [userText(name, NAME_MAX_LENGTH), badges, actions]);
  }

  private action(key: ActionKey, name: string, change: () => Promise<ModerationState>): HTMLButtonElement {
    const element = button("secondary participant-action", [text(key)]);
    bindAttribute(element, "aria-label", ACTION_LABELS[key], { name });
    element.disabled = this.busy;
    element.addEventListener("click", () => void this.run(change));
    return element;
  }

  private removeAction(userId: string, name: string): HTMLButtonElement {
    const element = button("danger participant-remove", [text("removeFromMeeting")]);
    bindAttribute(element, "aria-label", ACTION_LABELS.removeFromMeeting, { name });
    element.disabled = this.busy;
    element.addEventListener("click", () => {
      // Removal is final for a guest, so the moderator confirms it.
      if (!window.confirm(t("removeFromMeetingConfirm", { name }))) return;
      void this.run(async () => {
        await this.remove(userId);
        return await this.api.state();
      });
    });
    return element;
  }

  private async run(change: () => Promise<ModerationState>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.status.textContent = "";
    this.render();
    try {
      this.state = await change();
    } catch (error) {
      console.warn(`Moderation change in ${this.matrixRoom.roomId} failed`, error);
      setText(this.status, "moderationFailed");
    } finally {
      this.busy = false;
      this.render();
    }
  }
}

/** Return the Matrix user ID of a LiveKit identity from /sfu/get, "{user_id}:{device_id}". */
// TODO: Element Call joins through /get_token with hashed identities, which this cannot map;
// its participants are listed but the server rejects actions on them.
function userIdOf(participant: Participant): string {
  const separator = participant.identity.lastIndexOf(":");
  return separator > 0 ? participant.identity.slice(0, separator) : participant.identity;
}
