// SPDX-License-Identifier: AGPL-3.0-or-later
// Moderators' lobby panel: who waits, with admit and deny per person and
// "admit all". It checks the waiting list every few seconds and announces
// newcomers through a live region, so screen reader users hear them too.

import { bindAttribute, setText, text } from "../i18n";
import { el, userText } from "../ui/dom";
import { MAX_DISPLAY_NAME_LENGTH } from "../views/preJoinView";
import type { LobbyApi, WaitingUser } from "./lobbyApi";

const POLL_INTERVAL_MS = 2_000;

export class LobbyPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly admitAll: HTMLButtonElement;
  private readonly announcement: HTMLElement;
  private readonly countListeners = new Set<(count: number) => void>();
  private known = new Set<string>();
  private timer: number | null = null;

  constructor(
    private readonly api: LobbyApi,
    private readonly roomId: string,
  ) {
    this.list = el("ul", { class: "lobby-list" });
    this.empty = text("lobbyEmpty", undefined, "p");
    this.empty.classList.add("lobby-empty");
    this.admitAll = el("button", { type: "button", class: "primary lobby-admit-all", hidden: "" }, [text("lobbyAdmitAll")]);
    this.admitAll.addEventListener("click", () => void this.decide(() => this.api.admitAll(this.roomId)));
    this.announcement = el("p", { class: "visually-hidden lobby-announcement", role: "status", "aria-live": "polite" });

    const heading = text("lobbyPanelHeading", undefined, "h2");
    heading.id = "lobby-panel-heading";
    heading.classList.add("panel-heading");
    this.element = el("section", { class: "lobby-panel", "aria-labelledby": "lobby-panel-heading" }, [
      heading,
      this.announcement,
      this.empty,
      this.list,
      this.admitAll,
    ]);
  }

  start(): void {
    void this.refresh();
    this.timer = window.setInterval(() => void this.refresh(), POLL_INTERVAL_MS);
  }

  stop(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
  }

  /** Follow the number of people waiting, e.g. for a badge on the panel's button. */
  onCount(listener: (count: number) => void): void {
    this.countListeners.add(listener);
  }

  private async refresh(): Promise<void> {
    let waiting: WaitingUser[];
    try {
      waiting = await this.api.waiting(this.roomId);
    } catch (error) {
      console.warn(`Reading the lobby of ${this.roomId} failed`, error);
      return;
    }
    this.render(waiting);
  }

  private render(waiting: WaitingUser[]): void {
    const arrived = waiting.filter((user) => !this.known.has(user.user_id));
    this.known = new Set(waiting.map((user) => user.user_id));
    if (arrived.length > 0) setText(this.announcement, "lobbyArrived", { count: arrived.length });

    this.list.replaceChildren(...waiting.map((user) => this.row(user)));
    this.empty.hidden = waiting.length > 0;
    this.admitAll.hidden = waiting.length < 2;
    for (const listener of this.countListeners) listener(waiting.length);
  }

  private row(user: WaitingUser): HTMLElement {
    const name = user.display_name || user.user_id;
    const admit = el("button", { type: "button", class: "primary lobby-admit" }, [text("lobbyAdmit")]);
    bindAttribute(admit, "aria-label", "lobbyAdmitNamed", { name });
    admit.addEventListener("click", () => void this.decide(() => this.api.admit(this.roomId, user.user_id)));
    const deny = el("button", { type: "button", class: "lobby-deny" }, [text("lobbyDeny")]);
    bindAttribute(deny, "aria-label", "lobbyDenyNamed", { name });
    deny.addEventListener("click", () => void this.decide(() => this.api.deny(this.roomId, user.user_id)));

    const row = el("li", { class: "lobby-entry" }, [
      userText(name, MAX_DISPLAY_NAME_LENGTH, "lobby-name"),
      ...verificationNote(user),
      el("span", { class: "lobby-actions" }, [admit, deny]),
    ]);
    row.dataset.userId = user.user_id;
    return row;
  }

  private async decide(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      console.warn(`A lobby decision in ${this.roomId} failed`, error);
      setText(this.announcement, "lobbyDecisionFailed");
    }
    await this.refresh();
  }
}

const METHOD_NAMES: Record<string, string> = { bankid: "BankID", freja: "Freja eID+", siths: "SITHS" };

/** Show moderators whom the identity provider confirmed, next to the name the guest typed. */
function verificationNote(user: WaitingUser): HTMLElement[] {
  if (!user.verification) return [];
  const method = METHOD_NAMES[user.verification.method] ?? user.verification.method;
  const note = text("lobbyVerifiedAs", { method, name: user.verification.verified_name.slice(0, MAX_DISPLAY_NAME_LENGTH) });
  note.classList.add("lobby-verified");
  return [note];
}
