// SPDX-License-Identifier: AGPL-3.0-or-later
// Floating reactions over the video, sent as Element Call's
// `io.element.call.reaction` room events so Element Call shows them too.
// Element Call relates each one to the sender's call membership event;
// without a membership event the page sends it unrelated, which this page
// still shows.

import { type MatrixClient, type MatrixEvent, type Room, RoomEvent } from "matrix-js-sdk";

import { bindAttribute } from "../i18n";
import { el, truncate, userText } from "../ui/dom";
import { ControlButton } from "../views/controlButton";
import { MAX_DISPLAY_NAME_LENGTH } from "../views/preJoinView";

export const CALL_REACTION_EVENT = "io.element.call.reaction";
const CALL_MEMBER_EVENT = "org.matrix.msc3401.call.member";

/** Emoji offered on the page, with Element Call's names for them. */
export const CALL_REACTIONS: { emoji: string; name: string }[] = [
  { emoji: "👍", name: "thumbsup" },
  { emoji: "👏", name: "clap" },
  { emoji: "❤️", name: "heart" },
  { emoji: "😂", name: "laugh" },
  { emoji: "🎉", name: "party" },
];

// Events older than this are history from a sync, not a reaction to show now.
const MAX_REACTION_AGE_MS = 10_000;
const FLOAT_DURATION_MS = 4_000;
const MAX_EMOJI_LENGTH = 8;

export class CallReactions {
  /** Overlay for the stage area; floating reactions appear here. */
  readonly layer: HTMLElement;
  readonly button: ControlButton;
  readonly menu: HTMLElement;

  constructor(
    private readonly client: MatrixClient,
    private readonly room: Room,
  ) {
    this.layer = el("div", { class: "reaction-layer", "aria-live": "polite" });
    this.menu = el("div", { class: "reaction-menu", role: "group", hidden: "" });
    bindAttribute(this.menu, "aria-label", "callReactions");
    for (const reaction of CALL_REACTIONS) {
      const choice = el("button", { type: "button", class: "reaction-choice" }, [reaction.emoji]);
      choice.dataset.reaction = reaction.name;
      bindAttribute(choice, "aria-label", "callReactWith", { emoji: reaction.emoji });
      choice.addEventListener("click", () => {
        this.menu.hidden = true;
        this.button.setExpanded(false);
        void this.send(reaction.emoji, reaction.name);
      });
      this.menu.append(choice);
    }
    this.button = new ControlButton("control-react", "react", "callReactions", () => {
      this.menu.hidden = !this.menu.hidden;
      this.button.setExpanded(!this.menu.hidden);
    });
    this.button.setExpanded(false);
    this.client.on(RoomEvent.Timeline, this.onTimeline);
  }

  dispose(): void {
    this.client.off(RoomEvent.Timeline, this.onTimeline);
  }

  private async send(emoji: string, name: string): Promise<void> {
    const content: Record<string, unknown> = { emoji, name };
    const membershipId = this.ownMembershipEventId();
    if (membershipId) content["m.relates_to"] = { rel_type: "m.reference", event_id: membershipId };
    try {
      // The SDK's typed event map does not know Element Call's type.
      await (this.client.sendEvent as (roomId: string, type: string, content: unknown) => Promise<unknown>)(
        this.room.roomId,
        CALL_REACTION_EVENT,
        content,
      );
    } catch (error) {
      console.warn(`Sending a reaction in ${this.room.roomId} failed`, error);
    }
  }

  private ownMembershipEventId(): string | null {
    const userId = this.client.getUserId();
    const events = this.room.currentState.getStateEvents(CALL_MEMBER_EVENT);
    const own = events.filter((event) => event.getSender() === userId && Object.keys(event.getContent()).length > 0);
    own.sort((a, b) => b.getTs() - a.getTs());
    return own[0]?.getId() ?? null;
  }

  private readonly onTimeline = (event: MatrixEvent, room: Room | undefined, toStartOfTimeline?: boolean): void => {
    if (toStartOfTimeline || room?.roomId !== this.room.roomId) return;
    if (event.getType() !== CALL_REACTION_EVENT) return;
    if (Date.now() - event.getTs() > MAX_REACTION_AGE_MS) return;
    const emoji: unknown = event.getContent().emoji;
    if (typeof emoji !== "string" || emoji.length === 0) return;
    this.float(truncate(emoji, MAX_EMOJI_LENGTH), event.getSender() ?? "");
  };

  private float(emoji: string, senderId: string): void {
    const name = this.room.getMember(senderId)?.name ?? senderId;
    const bubble = el("div", { class: "floating-reaction" }, [
      el("span", { class: "floating-emoji" }, [emoji]),
      userText(name, MAX_DISPLAY_NAME_LENGTH, "floating-name"),
    ]);
    bubble.dataset.sender = senderId;
    // Spread bubbles across the width so simultaneous ones do not overlap.
    bubble.style.left = `${10 + Math.random() * 70}%`;
    this.layer.append(bubble);
    window.setTimeout(() => bubble.remove(), FLOAT_DURATION_MS);
  }
}

