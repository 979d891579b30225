// SPDX-License-Identifier: AGPL-3.0-or-later
// The raised-hands queue, read from the `se.hubs.hand_queue` room state that
// the server publishes, in the order the server received the raises. Shows
// the queue to everyone, offers "lower" per hand to moderators, and drives
// the raise-hand button.

import { type MatrixClient, type MatrixEvent, type Room, RoomStateEvent } from "matrix-js-sdk";

import { bindAttribute, setText, text } from "../i18n";
import { el, userText } from "../ui/dom";
import { ControlButton } from "../views/controlButton";
import { MAX_DISPLAY_NAME_LENGTH } from "../views/preJoinView";
import type { LobbyApi, RaisedHand } from "./lobbyApi";

export const HAND_QUEUE_STATE_EVENT = "se.hubs.hand_queue";

export class HandQueueView {
  readonly element: HTMLElement;
  readonly button: ControlButton;
  private readonly list: HTMLElement;
  private queue: RaisedHand[] = [];

  constructor(
    private readonly client: MatrixClient,
    private readonly room: Room,
    private readonly api: LobbyApi,
    private readonly isModerator: boolean,
  ) {
    this.list = el("ol", { class: "hand-queue-list" });
    const heading = text("handQueueHeading", undefined, "strong");
    this.element = el("section", { class: "hand-queue", hidden: "" }, [heading, this.list]);
    bindAttribute(this.element, "aria-label", "handQueueHeading");
    this.button = new ControlButton("control-hand", "hand", "raiseHand", () => void this.toggleOwnHand());
    this.readState();
    this.client.on(RoomStateEvent.Events, this.onStateEvent);
  }

  dispose(): void {
    this.client.off(RoomStateEvent.Events, this.onStateEvent);
  }

  private get ownHandRaised(): boolean {
    const userId = this.client.getUserId();
    return this.queue.some((hand) => hand.user_id === userId);
  }

  private async toggleOwnHand(): Promise<void> {
    try {
      this.queue = this.ownHandRaised
        ? await this.api.lowerHand(this.room.roomId)
        : await this.api.raiseHand(this.room.roomId);
    } catch (error) {
      console.warn(`Changing the hand in ${this.room.roomId} failed`, error);
      return;
    }
    this.render();
  }

  private readonly onStateEvent = (event: MatrixEvent): void => {
    if (event.getRoomId() !== this.room.roomId || event.getType() !== HAND_QUEUE_STATE_EVENT) return;
    this.readState();
  };

  private readState(): void {
    const content = this.room.currentState.getStateEvents(HAND_QUEUE_STATE_EVENT, "")?.getContent() ?? {};
    const raw: unknown = content.queue;
    this.queue = Array.isArray(raw)
      ? raw.filter((hand): hand is RaisedHand => typeof hand?.user_id === "string" && typeof hand?.raised_ts === "number")
      : [];
    this.render();
  }

  private render(): void {
    this.list.replaceChildren(...this.queue.map((hand, index) => this.row(hand, index)));
    this.element.hidden = this.queue.length === 0;
    const raised = this.ownHandRaised;
    this.button.set("hand", raised ? "lowerHand" : "raiseHand");
    this.button.setPressed(raised);
  }

  private row(hand: RaisedHand, index: number): HTMLElement {
    const name = this.room.getMember(hand.user_id)?.name ?? hand.user_id;
    const row = el("li", { class: "hand-entry" }, [
      el("span", { class: "hand-position" }, [`${index + 1}.`]),
      " ",
      userText(name, MAX_DISPLAY_NAME_LENGTH, "hand-name"),
    ]);
    row.dataset.userId = hand.user_id;
    if (this.isModerator && hand.user_id !== this.client.getUserId()) {
      const lower = el("button", { type: "button", class: "link-button hand-lower" });
      setText(lower, "lowerHandOf");
      bindAttribute(lower, "aria-label", "lowerHandNamed", { name });
      lower.addEventListener("click", () => {
        void this.api
          .lowerHand(this.room.roomId, hand.user_id)
          .then((queue) => {
            this.queue = queue;
            this.render();
          })
          .catch((error: unknown) => console.warn(`Lowering the hand of ${hand.user_id} failed`, error));
      });
      row.append(" ", lower);
    }
    return row;
  }
}
