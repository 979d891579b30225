// SPDX-License-Identifier: AGPL-3.0-or-later
// One chat message as a list item: sender, time, body, files and reactions.

import type { MatrixClient, MatrixEvent, Room } from "matrix-js-sdk";

import { bindAttribute, currentLanguage, text } from "../i18n";
import { el, truncate, userText } from "../ui/dom";
import { fetchMediaBlobUrl, isMxcUrl, saveMedia } from "./mediaFiles";
import { MATRIX_HTML_FORMAT, sanitizeFormattedBody } from "./messageFormat";
import { MAX_REACTION_KEY_LENGTH, REACTION_KEYS, type ReactionCount } from "./reactions";

export const MAX_SENDER_NAME_LENGTH = 64;

// Bodies longer than this are shown shortened until the reader expands them,
// so one huge message cannot push the whole conversation out of view.
export const COLLAPSED_BODY_LENGTH = 1500;
const COLLAPSED_LINE_COUNT = 20;

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]]/g;

export interface MessageActions {
  toggleReaction(targetId: string, key: string, ownReactionId: string | null): void;
  reportError(error: unknown): void;
}

export function isRenderableMessage(event: MatrixEvent): boolean {
  // TODO: apply edits (m.replace) to the original message; they are skipped for now.
  return event.getType() === "m.room.message" && !event.isRelation("m.replace");
}

export function senderName(room: Room, event: MatrixEvent): string {
  const sender = event.getSender() ?? "";
  return room.getMember(sender)?.name ?? sender;
}

export function renderMessage(client: MatrixClient, room: Room, event: MatrixEvent, actions: MessageActions): HTMLLIElement {
  const item = el("li", { class: "message" });
  if (event.getSender() === client.getUserId()) item.classList.add("own");
  item.append(renderMeta(room, event), renderBody(client, event), el("div", { class: "message-reactions" }));
  updateMessage(item, client, event, [], actions);
  return item;
}

/** Refresh the parts of a message that change after it arrives: its id, reactions, redaction. */
export function updateMessage(
  item: HTMLElement,
  client: MatrixClient,
  event: MatrixEvent,
  reactions: ReactionCount[],
  actions: MessageActions,
): void {
  const eventId = event.getId() ?? "";
  item.dataset.eventId = eventId;
  item.classList.toggle("pending", eventId.startsWith("~"));

  if (event.isRedacted() && !item.classList.contains("redacted")) {
    item.classList.add("redacted");
    item.querySelector(".message-body")?.replaceChildren(text("messageDeleted"));
    item.querySelector(".message-expand")?.remove();
  }

  const reactionRow = item.querySelector<HTMLElement>(".message-reactions");
  if (reactionRow && !event.isRedacted() && !eventId.startsWith("~")) {
    renderReactions(reactionRow, eventId, reactions, actions);
  }
}

function renderMeta(room: Room, event: MatrixEvent): HTMLElement {
  const time = el("time", { datetime: new Date(event.getTs()).toISOString() });
  time.textContent = new Date(event.getTs()).toLocaleTimeString(currentLanguage(), {
    hour: "2-digit",
    minute: "2-digit",
  });
  return el("div", { class: "message-meta" }, [
    userText(senderName(room, event), MAX_SENDER_NAME_LENGTH, "user-text message-sender"),
    " ",
    time,
  ]);
}

function renderBody(client: MatrixClient, event: MatrixEvent): HTMLElement {
  const content = event.getContent();
  const body = el("div", { class: "message-body", dir: "auto" });
  const wrapper = el("div", { class: "message-content" }, [body]);

  if (event.isRedacted()) {
    body.append(text("messageDeleted"));
    return wrapper;
  }

  const msgtype = content.msgtype;
  if ((msgtype === "m.file" || msgtype === "m.image" || msgtype === "m.video" || msgtype === "m.audio") && isMxcUrl(content.url)) {
    body.append(renderFile(client, content));
    return wrapper;
  }

  const plain = typeof content.body === "string" ? content.body : "";
  const html = content.format === MATRIX_HTML_FORMAT && typeof content.formatted_body === "string" ? content.formatted_body : null;
  if (msgtype === "m.emote") body.append("* ", userText(event.getSender() ?? "", MAX_SENDER_NAME_LENGTH), " ");
  if (msgtype === "m.notice") wrapper.classList.add("notice");

  if (isLong(plain) || (html !== null && html.length > 4 * COLLAPSED_BODY_LENGTH)) {
    renderCollapsed(wrapper, body, plain, html);
  } else {
    fillBody(body, plain, html);
  }
  return wrapper;
}

function isLong(plain: string): boolean {
  return plain.length > COLLAPSED_BODY_LENGTH || plain.split("\n", COLLAPSED_LINE_COUNT + 1).length > COLLAPSED_LINE_COUNT;
}

/**
 * Show the start of a long message as plain text and render the whole of it
 * only on request, so the page stays quick with huge messages.
 */
function renderCollapsed(wrapper: HTMLElement, body: HTMLElement, plain: string, html: string | null): void {
  body.classList.add("collapsed", "plain");
  const preview = plain.split("\n").slice(0, COLLAPSED_LINE_COUNT).join("\n");
  body.append(linkify(truncate(preview, COLLAPSED_BODY_LENGTH)));

  const expand = el("button", { type: "button", class: "message-expand link-button" });
  expand.append(text("showWholeMessage", { count: plain.length.toLocaleString(currentLanguage()) }));
  expand.addEventListener("click", () => {
    body.classList.remove("collapsed");
    body.replaceChildren();
    fillBody(body, plain, html);
    expand.remove();
  });
  wrapper.append(expand);
}

function fillBody(body: HTMLElement, plain: string, html: string | null): void {
  // Plain text keeps its line breaks through CSS (white-space: pre-wrap).
  body.classList.toggle("plain", html === null);
  body.append(html !== null ? sanitizeFormattedBody(html) : linkify(plain));
}

/** Plain text with http(s) links made clickable; everything else stays text. */
export function linkify(plain: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of plain.matchAll(URL_IN_TEXT)) {
    const start = match.index ?? 0;
    fragment.append(plain.slice(last, start));
    fragment.append(safeLink(match[0]));
    last = start + match[0].length;
  }
  fragment.append(plain.slice(last));
  return fragment;
}

function safeLink(url: string): Node {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return document.createTextNode(url);
  }
  const link = el("a", { href: parsed.href, target: "_blank", rel: "noopener noreferrer nofollow ugc" });
  link.textContent = url;
  return link;
}

function renderFile(client: MatrixClient, content: Record<string, unknown>): HTMLElement {
  const url = content.url as string;
  let name = "file";
  if (typeof content.filename === "string") name = content.filename;
  else if (typeof content.body === "string") name = content.body;
  const info = (content.info ?? {}) as { size?: unknown };
  const size = typeof info.size === "number" ? formatBytes(info.size) : "";

  const download = el("button", { type: "button", class: "file-download" }, [
    userText(name, 80, "user-text file-name"),
    size ? el("span", { class: "file-size" }, [` (${size})`]) : null,
  ]);
  bindAttribute(download, "title", "downloadFile");
  download.addEventListener("click", () => {
    saveMedia(client, url, name).catch((error: unknown) => {
      console.error("Downloading shared file failed", error);
      download.classList.add("failed");
    });
  });

  const container = el("div", { class: "file" }, [download]);
  if (content.msgtype === "m.image") {
    const image = el("img", { class: "file-preview", alt: truncate(name, 80) });
    container.prepend(image);
    fetchMediaBlobUrl(client, url, { width: 320, height: 240 })
      .then((blobUrl) => {
        image.src = blobUrl;
      })
      .catch((error: unknown) => console.warn("Loading image preview failed", error));
  }
  return container;
}

function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toLocaleString(currentLanguage(), { maximumFractionDigits: 1 })} ${units[unit]}`;
}

function renderReactions(row: HTMLElement, eventId: string, reactions: ReactionCount[], actions: MessageActions): void {
  const buttons: HTMLElement[] = reactions.map((reaction) => {
    const shown = truncate(reaction.key, MAX_REACTION_KEY_LENGTH);
    const button = el("button", {
      type: "button",
      class: reaction.ownReactionId ? "reaction own" : "reaction",
      "aria-pressed": reaction.ownReactionId ? "true" : "false",
    });
    button.append(userText(shown, MAX_REACTION_KEY_LENGTH, "reaction-key"), el("span", { class: "reaction-count" }, [String(reaction.count)]));
    bindAttribute(button, "aria-label", "reactionCount", { key: shown, count: reaction.count });
    button.addEventListener("click", () => actions.toggleReaction(eventId, reaction.key, reaction.ownReactionId));
    return button;
  });

  row.replaceChildren(...buttons, reactionPicker(eventId, reactions, actions));
}

function reactionPicker(eventId: string, reactions: ReactionCount[], actions: MessageActions): HTMLElement {
  const details = el("details", { class: "reaction-picker" });
  const summary = el("summary", { class: "reaction-add" }, ["+"]);
  bindAttribute(summary, "aria-label", "addReaction");
  bindAttribute(summary, "title", "addReaction");
  details.append(summary);

  const choices = el("div", { class: "reaction-choices" });
  for (const key of REACTION_KEYS) {
    const own = reactions.find((reaction) => reaction.key === key)?.ownReactionId ?? null;
    const choice = el("button", { type: "button", class: "reaction-choice" }, [key]);
    bindAttribute(choice, "aria-label", "reactWith", { key });
    choice.addEventListener("click", () => {
      details.open = false;
      actions.toggleReaction(eventId, key, own);
    });
    choices.append(choice);
  }
  details.append(choices);
  return details;
}
