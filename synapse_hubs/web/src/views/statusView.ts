// SPDX-License-Identifier: AGPL-3.0-or-later
// A card with one message, for loading states and errors that end the flow
// (expired link, unknown meeting).

import { type MessageKey, type Params, text } from "../i18n";
import { el } from "../ui/dom";

export function statusView(headingKey: MessageKey, detailKey?: MessageKey, params?: Params, actions: HTMLElement[] = []): HTMLElement {
  const heading = text(headingKey, params, "h1");
  const card = el("section", { class: "card status", role: "status" }, [heading]);
  if (detailKey) card.append(text(detailKey, params, "p"));
  if (actions.length > 0) card.append(el("div", { class: "card-actions" }, actions));
  return card;
}

/** Build the view for a homeserver that could not be reached or rejected the session, with a reload button. */
export function connectionFailedView(): HTMLElement {
  const reload = el("button", { type: "button", class: "primary" }, [text("tryAgain")]);
  reload.addEventListener("click", () => location.reload());
  return statusView("errorConnectHeading", "errorConnectDetail", undefined, [reload]);
}
