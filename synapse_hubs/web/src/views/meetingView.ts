// SPDX-License-Identifier: AGPL-3.0-or-later
// The meeting: call stage and controls, with the chat (and, for moderators,
// guest links) in a side panel. Without a call the stage offers to join and
// the chat stays usable, which is how guests come back to read it later.

import { type Participant, RoomEvent } from "livekit-client";
import type { MatrixClient, Room as MatrixRoom } from "matrix-js-sdk";

import { ChatPanel } from "../chat/chatPanel";
import type { CallReactions } from "../lobby/callReactions";
import type { HandQueueView } from "../lobby/handQueue";
import type { LobbyPanel } from "../lobby/lobbyPanel";
import { bindAttribute, type MessageKey, text } from "../i18n";
import { mayPublish } from "../moderation/publishPermissions";
import type { CallConnection } from "../rtc/callConnection";
import { el } from "../ui/dom";
import { ControlButton } from "./controlButton";
import { Stage } from "./stage";

export interface MeetingViewOptions {
  client: MatrixClient;
  room: MatrixRoom;
  /** Moderator panel, shown as a second tab next to the chat. */
  guestLinks: HTMLElement | null;
  /** Notice above the stage that the meeting is being recorded; it shows and hides itself. */
  recordingBanner?: HTMLElement | null;
  /** Moderators' start/stop recording control, shown among the call controls. */
  recordingControl?: HTMLElement | null;
  /** Moderators' lobby panel, shown as another side panel tab. */
  lobbyPanel?: LobbyPanel | null;
  /** Raised-hands queue above the stage, and its raise-hand button among the call controls. */
  handQueue?: HandQueueView | null;
  /** Floating reactions over the stage, and the button that sends them. */
  reactions?: CallReactions | null;
  /** Moderators' participant list with mute and rights, shown as a side panel tab. */
  moderationPanel?: HTMLElement | null;
  /** Notice of moderator changes to the participant's own microphone and camera. */
  moderationNotice?: HTMLElement | null;
  /** Go back to pre-join to (re)join the call. */
  onJoinCall(): void;
}

type PanelTab = "chat" | "links" | "lobby" | "moderation";

export class MeetingView {
  readonly element: HTMLElement;
  private readonly chat: ChatPanel;
  private readonly stageArea: HTMLElement;
  private readonly controls: HTMLElement;
  private readonly sidePanel: HTMLElement;
  private readonly chatToggle: ControlButton;
  private readonly linksToggle: ControlButton | null;
  private readonly lobbyToggle: ControlButton | null;
  private readonly moderationToggle: ControlButton | null;
  private stage: Stage | null = null;
  private openTab: PanelTab | null;
  // Listeners that belong to the current call and go away with it.
  private callCleanups: (() => void)[] = [];

  constructor(private readonly options: MeetingViewOptions) {
    this.chat = new ChatPanel(options.client, options.room);
    this.stageArea = el("div", { class: "stage-area" });
    this.controls = el("div", { class: "controls", role: "toolbar" });
    bindAttribute(this.controls, "aria-label", "callControls");

    this.chatToggle = new ControlButton("control-chat", "chat", "chat", () => this.togglePanel("chat"));
    this.linksToggle = options.guestLinks
      ? new ControlButton("control-links", "invite", "guestLinks", () => this.togglePanel("links"))
      : null;

    this.lobbyToggle = options.lobbyPanel
      ? new ControlButton("control-lobby", "lobby", "lobbyTab", () => this.togglePanel("lobby"))
      : null;
    this.moderationToggle = options.moderationPanel
      ? new ControlButton("control-moderation", "people", "participants", () => this.togglePanel("moderation"))
      : null;

    this.sidePanel = el("aside", { class: "side-panel" }, [this.chat.element]);
    if (options.guestLinks) this.sidePanel.append(options.guestLinks);
    if (options.lobbyPanel) {
      this.sidePanel.append(options.lobbyPanel.element);
      options.lobbyPanel.onCount((count) => this.showWaitingCount(count));
      options.lobbyPanel.start();
    }
    if (options.moderationPanel) this.sidePanel.append(options.moderationPanel);
    // Narrow screens start with the call in view and the chat closed.
    this.openTab = window.matchMedia("(max-width: 760px)").matches ? null : "chat";

    this.element = el("div", { class: "meeting" }, [
      el("div", { class: "meeting-main" }, [
        options.recordingBanner ?? null,
        options.handQueue?.element ?? null,
        this.stageArea,
        options.reactions?.layer ?? null,
        options.reactions?.menu ?? null,
        options.moderationNotice ?? null,
        this.controls,
      ]),
      this.sidePanel,
    ]);
    this.chat.start();
    this.showNotInCall(null);
    this.renderPanel();
  }

  /** Show the running call. */
  enterCall(call: CallConnection): void {
    this.stage = new Stage(call.livekitRoom, (participant) => this.nameFor(participant));
    this.stageArea.replaceChildren(this.stage.element, this.audioUnlockButton(call));
    this.stage.start();
    this.renderCallControls(call);
  }

  /** Show the stage without a call, after leaving or, with `reasonKey`, after a failure. */
  showNotInCall(reasonKey: MessageKey | null): void {
    for (const cleanup of this.callCleanups) cleanup();
    this.callCleanups = [];
    this.stage?.stop();
    this.stage = null;

    const join = el("button", { type: "button", class: "primary join-call" }, [text("joinCall")]);
    join.addEventListener("click", () => this.options.onJoinCall());
    const card = el("div", { class: "not-in-call card" }, [text("notInCall", undefined, "p")]);
    if (reasonKey) card.append(text(reasonKey, undefined, "p"));
    card.append(join);
    this.stageArea.replaceChildren(card);

    this.controls.replaceChildren(...this.panelButtons());
  }

  dispose(): void {
    for (const cleanup of this.callCleanups) cleanup();
    this.callCleanups = [];
    this.chat.stop();
    this.stage?.stop();
    this.options.lobbyPanel?.stop();
    this.options.handQueue?.dispose();
    this.options.reactions?.dispose();
  }

  private nameFor(participant: Participant): string {
    // LiveKit identities from the token service are "{user_id}:{device_id}".
    const separator = participant.identity.lastIndexOf(":");
    const userId = separator > 0 ? participant.identity.slice(0, separator) : participant.identity;
    return this.options.room.getMember(userId)?.name ?? participant.name ?? userId;
  }

  private renderCallControls(call: CallConnection): void {
    const room = call.livekitRoom;
    const local = room.localParticipant;

    const microphone = new ControlButton("control-mic", "mic", "muteMicrophone", () => {
      void local.setMicrophoneEnabled(!local.isMicrophoneEnabled).catch(reportMediaError);
    });
    const camera = new ControlButton("control-camera", "camera", "turnCameraOff", () => {
      void local.setCameraEnabled(!local.isCameraEnabled).catch(reportMediaError);
    });
    const screen = new ControlButton("control-screen", "screen", "shareScreen", () => {
      void local.setScreenShareEnabled(!local.isScreenShareEnabled, { audio: true }).catch(reportMediaError);
    });
    const layout = new ControlButton("control-layout", "speaker", "speakerLayout", () => {
      this.stage?.setLayout(this.stage.currentLayout === "grid" ? "speaker" : "grid");
      refresh();
    });
    const fullscreen = new ControlButton("control-fullscreen", "fullscreen", "fullscreen", () => void toggleFullscreen(this.element));
    const leave = new ControlButton("control-leave danger", "leave", "leaveCall", () => {
      void call.leave().then(() => this.showNotInCall(null));
    });

    const refresh = (): void => {
      // These labels name what a click does, so the state is not repeated in aria-pressed.
      microphone.set(local.isMicrophoneEnabled ? "mic" : "micOff", local.isMicrophoneEnabled ? "muteMicrophone" : "unmuteMicrophone");
      microphone.element.dataset.off = String(!local.isMicrophoneEnabled);
      camera.set(local.isCameraEnabled ? "camera" : "cameraOff", local.isCameraEnabled ? "turnCameraOff" : "turnCameraOn");
      camera.element.dataset.off = String(!local.isCameraEnabled);
      screen.set("screen", local.isScreenShareEnabled ? "stopSharing" : "shareScreen");
      screen.element.dataset.active = String(local.isScreenShareEnabled);
      // The SFU rejects sources a moderator took away, and the notice above the controls explains why.
      microphone.element.disabled = !mayPublish(local, "microphone") && !local.isMicrophoneEnabled;
      camera.element.disabled = !mayPublish(local, "camera") && !local.isCameraEnabled;
      screen.element.hidden = !mayPublish(local, "screen_share") && !local.isScreenShareEnabled;
      const speakerLayout = this.stage?.currentLayout === "speaker";
      layout.set(speakerLayout ? "grid" : "speaker", speakerLayout ? "gridLayout" : "speakerLayout");
      fullscreen.setPressed(document.fullscreenElement !== null);
    };
    for (const event of [RoomEvent.LocalTrackPublished, RoomEvent.LocalTrackUnpublished, RoomEvent.TrackMuted, RoomEvent.TrackUnmuted, RoomEvent.ParticipantPermissionsChanged]) {
      room.on(event, refresh);
    }
    document.addEventListener("fullscreenchange", refresh);
    this.callCleanups.push(() => document.removeEventListener("fullscreenchange", refresh));
    refresh();

    const buttons: HTMLElement[] = [microphone.element, camera.element];
    // Phones and some browsers cannot capture the screen.
    if (navigator.mediaDevices && "getDisplayMedia" in navigator.mediaDevices) buttons.push(screen.element);
    buttons.push(layout.element);
    if (this.options.handQueue) buttons.push(this.options.handQueue.button.element);
    if (this.options.reactions) buttons.push(this.options.reactions.button.element);
    if (this.options.recordingControl) buttons.push(this.options.recordingControl);
    if (document.fullscreenEnabled) buttons.push(fullscreen.element);
    this.controls.replaceChildren(...buttons, ...this.panelButtons(), leave.element);
  }

  private panelButtons(): HTMLElement[] {
    const buttons = [this.chatToggle.element];
    if (this.linksToggle) buttons.push(this.linksToggle.element);
    if (this.lobbyToggle) buttons.push(this.lobbyToggle.element);
    if (this.moderationToggle) buttons.push(this.moderationToggle.element);
    return buttons;
  }

  private togglePanel(tab: PanelTab): void {
    this.openTab = this.openTab === tab ? null : tab;
    this.renderPanel();
  }

  private renderPanel(): void {
    this.sidePanel.hidden = this.openTab === null;
    this.element.classList.toggle("panel-open", this.openTab !== null);
    this.chat.element.hidden = this.openTab !== "chat";
    if (this.options.guestLinks) this.options.guestLinks.hidden = this.openTab !== "links";
    if (this.options.lobbyPanel) this.options.lobbyPanel.element.hidden = this.openTab !== "lobby";
    this.lobbyToggle?.setExpanded(this.openTab === "lobby");
    if (this.options.moderationPanel) this.options.moderationPanel.hidden = this.openTab !== "moderation";
    this.chatToggle.setExpanded(this.openTab === "chat");
    this.linksToggle?.setExpanded(this.openTab === "links");
    this.moderationToggle?.setExpanded(this.openTab === "moderation");
  }

  /** Badge the lobby button with the number of people waiting, so moderators notice them. */
  private showWaitingCount(count: number): void {
    if (!this.lobbyToggle) return;
    const button = this.lobbyToggle.element;
    button.querySelector(".lobby-badge")?.remove();
    button.dataset.waiting = String(count);
    if (count > 0) {
      button.append(el("span", { class: "lobby-badge", "aria-hidden": "true" }, [String(count)]));
      bindAttribute(button, "aria-label", "lobbyTabWaiting", { count });
    } else {
      bindAttribute(button, "aria-label", "lobbyTab");
    }
  }

  /** Browsers may block sound until a click; offer one when they do. */
  private audioUnlockButton(call: CallConnection): HTMLElement {
    const button = el("button", { type: "button", class: "primary audio-unlock", hidden: "" }, [text("enableSound")]);
    const update = (): void => {
      button.hidden = call.livekitRoom.canPlaybackAudio;
    };
    button.addEventListener("click", () => void call.livekitRoom.startAudio().then(update));
    call.livekitRoom.on(RoomEvent.AudioPlaybackStatusChanged, update);
    update();
    return button;
  }
}

function reportMediaError(error: unknown): void {
  // Cancelling the screen picker also lands here; nothing else to do.
  console.warn("Changing camera, microphone or screen share failed", error);
}

async function toggleFullscreen(element: HTMLElement): Promise<void> {
  if (document.fullscreenElement) await document.exitFullscreen();
  else await element.requestFullscreen();
}

