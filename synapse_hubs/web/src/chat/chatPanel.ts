// SPDX-License-Identifier: AGPL-3.0-or-later
// The chat of the meeting room: message list, reactions, older history and composer.

import {
  EventStatus,
  EventType,
  type MatrixClient,
  type MatrixEvent,
  type Room,
  RoomEvent,
  type IRoomTimelineData,
  RelationType,
} from "matrix-js-sdk";
import type { RoomMessageEventContent } from "matrix-js-sdk/lib/@types/events.js";

import { text } from "../i18n";
import { el } from "../ui/dom";
import { Composer } from "./composer";
import { uploadFile } from "./mediaFiles";
import { markdownToContent } from "./messageFormat";
import { isRenderableMessage, type MessageActions, renderMessage, updateMessage } from "./messageView";
import { ReactionIndex } from "./reactions";
import { describeSendError } from "./sendErrors";

const HISTORY_PAGE_SIZE = 30;
// Within this many pixels of the bottom the list follows new messages.
const STICK_TO_BOTTOM_PX = 80;

export class ChatPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly olderButton: HTMLButtonElement;
  private readonly composer: Composer;
  private readonly reactions = new ReactionIndex();
  // Keyed by the event object, because a local echo changes its id once sent.
  private readonly items = new Map<MatrixEvent, HTMLLIElement>();
  private readonly actions: MessageActions;

  constructor(
    private readonly client: MatrixClient,
    private readonly room: Room,
  ) {
    this.list = el("ol", { class: "chat-messages", role: "log", "aria-live": "polite", "aria-relevant": "additions" });
    this.olderButton = el("button", { type: "button", class: "chat-older link-button" }, [text("showOlderMessages")]);
    this.olderButton.addEventListener("click", () => void this.loadOlder());

    this.actions = {
      toggleReaction: (targetId, key, ownReactionId) => void this.toggleReaction(targetId, key, ownReactionId),
      reportError: (error) => this.composer.showError(describeSendError(error)),
    };
    this.composer = new Composer({
      sendText: (markdown) => this.sendText(markdown),
      sendFile: (file) => this.sendFile(file),
    });

    const heading = text("chat", undefined, "h2");
    heading.id = "chat-heading";
    heading.classList.add("panel-heading");
    this.element = el("section", { class: "chat", "aria-labelledby": "chat-heading" }, [
      heading,
      el("div", { class: "chat-scroll" }, [this.olderButton, this.list]),
      this.composer.element,
    ]);
  }

  start(): void {
    for (const event of this.room.getLiveTimeline().getEvents()) this.addEvent(event, false);
    this.scrollToBottom();

    this.room.on(RoomEvent.Timeline, this.onTimeline);
    this.room.on(RoomEvent.Redaction, this.onRedaction);
    this.room.on(RoomEvent.LocalEchoUpdated, this.onLocalEchoUpdated);
  }

  stop(): void {
    this.room.off(RoomEvent.Timeline, this.onTimeline);
    this.room.off(RoomEvent.Redaction, this.onRedaction);
    this.room.off(RoomEvent.LocalEchoUpdated, this.onLocalEchoUpdated);
  }

  private readonly onTimeline = (
    event: MatrixEvent,
    room: Room | undefined,
    toStartOfTimeline: boolean | undefined,
    removed: boolean,
    _data: IRoomTimelineData,
  ): void => {
    if (room?.roomId !== this.room.roomId) return;
    if (removed) {
      this.items.get(event)?.remove();
      this.items.delete(event);
      return;
    }
    const follow = this.isNearBottom();
    this.addEvent(event, Boolean(toStartOfTimeline));
    if (follow && !toStartOfTimeline) this.scrollToBottom();
  };

  private readonly onRedaction = (redaction: MatrixEvent): void => {
    const redactedId = redaction.event.redacts ?? (redaction.getContent().redacts as string | undefined);
    if (!redactedId) return;

    const targetId = this.reactions.remove(redactedId);
    if (targetId) this.refreshReactions(targetId);

    for (const [event, item] of this.items) {
      if (event.getId() === redactedId) updateMessage(item, this.client, event, [], this.actions);
    }
  };

  private readonly onLocalEchoUpdated = (event: MatrixEvent, _room: Room, oldEventId?: string): void => {
    if (oldEventId && oldEventId !== event.getId()) {
      const reactionTarget = this.reactions.rename(oldEventId, event.getId()!);
      if (reactionTarget) this.refreshReactions(reactionTarget);
    }

    // A message the server refused is reported by the composer; drop its echo.
    if (event.status === EventStatus.NOT_SENT) {
      this.client.cancelPendingEvent(event);
      return;
    }

    const item = this.items.get(event);
    if (item) updateMessage(item, this.client, event, this.reactionsFor(event), this.actions);
  };

  private addEvent(event: MatrixEvent, atStart: boolean): void {
    if (event.getType() === "m.reaction") {
      const targetId = this.reactions.add(event);
      if (targetId) this.refreshReactions(targetId);
      return;
    }
    if (!isRenderableMessage(event) || this.items.has(event) || this.hasItemWithId(event.getId())) return;

    const item = renderMessage(this.client, this.room, event, this.actions);
    updateMessage(item, this.client, event, this.reactionsFor(event), this.actions);
    this.items.set(event, item);
    if (atStart) this.list.prepend(item);
    else this.list.append(item);
  }

  private hasItemWithId(eventId: string | undefined): boolean {
    if (!eventId) return false;
    for (const event of this.items.keys()) if (event.getId() === eventId) return true;
    return false;
  }

  private reactionsFor(event: MatrixEvent): ReturnType<ReactionIndex["countsFor"]> {
    const eventId = event.getId();
    return eventId ? this.reactions.countsFor(eventId, this.client.getUserId() ?? "") : [];
  }

  private refreshReactions(targetId: string): void {
    for (const [event, item] of this.items) {
      if (event.getId() === targetId) updateMessage(item, this.client, event, this.reactionsFor(event), this.actions);
    }
  }

  private async sendText(markdown: string): Promise<void> {
    const content = { msgtype: "m.text", ...markdownToContent(markdown) } as RoomMessageEventContent;
    this.scrollToBottom();
    await this.client.sendEvent(this.room.roomId, EventType.RoomMessage, content);
  }

  private async sendFile(file: File): Promise<void> {
    const content = await uploadFile(this.client, file);
    await this.client.sendEvent(this.room.roomId, EventType.RoomMessage, content as unknown as RoomMessageEventContent);
  }

  private async toggleReaction(targetId: string, key: string, ownReactionId: string | null): Promise<void> {
    try {
      if (ownReactionId) {
        await this.client.redactEvent(this.room.roomId, ownReactionId);
      } else {
        await this.client.sendEvent(this.room.roomId, EventType.Reaction, {
          "m.relates_to": { rel_type: RelationType.Annotation, event_id: targetId, key },
        });
      }
    } catch (error) {
      console.warn("Changing a reaction failed", error);
      this.actions.reportError(error);
    }
  }

  private async loadOlder(): Promise<void> {
    this.olderButton.disabled = true;
    const scroller = this.list.parentElement!;
    const distanceFromBottom = scroller.scrollHeight - scroller.scrollTop;
    try {
      await this.client.scrollback(this.room, HISTORY_PAGE_SIZE);
    } catch (error) {
      console.warn("Loading older messages failed", error);
    } finally {
      this.olderButton.disabled = false;
    }
    // Keep the message the reader was looking at in place.
    scroller.scrollTop = scroller.scrollHeight - distanceFromBottom;
    if (this.room.oldState.paginationToken === null) this.olderButton.hidden = true;
  }

  private isNearBottom(): boolean {
    const scroller = this.list.parentElement;
    if (!scroller) return true;
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < STICK_TO_BOTTOM_PX;
  }

  private scrollToBottom(): void {
    const scroller = this.list.parentElement;
    if (scroller) scroller.scrollTop = scroller.scrollHeight;
  }
}
