// SPDX-License-Identifier: AGPL-3.0-or-later
// The guest's side of the lobby: a waiting card that checks every few
// seconds whether a moderator has decided, and the cards for "denied" and
// "removed".

import { ApiError } from "../api/http";
import { text } from "../i18n";
import type { AppShell } from "../ui/appShell";
import { el } from "../ui/dom";
import { statusView } from "../views/statusView";
import type { LobbyApi, LobbyStatus } from "./lobbyApi";

const POLL_INTERVAL_MS = 2_000;

export type LobbyOutcome = "admitted" | "denied" | "removed";

/** Show the waiting card until a moderator admits or denies; resolve with the decision. */
export async function waitInLobby(shell: AppShell, api: LobbyApi, roomId: string): Promise<LobbyOutcome> {
  shell.show(waitingView());
  for (;;) {
    let status: LobbyStatus;
    try {
      status = await api.status(roomId);
    } catch (error) {
      // The waiting continues through a short outage; a removed or expired account does not.
      console.warn(`Checking the lobby of ${roomId} failed`, error);
      if (error instanceof ApiError && error.status === 403) return "removed";
      status = "waiting";
    }
    if (status === "admitted") return "admitted";
    if (status === "removed") return "removed";
    // "none": the knock was withdrawn without a recorded decision, e.g. a staff account was denied.
    if (status === "denied" || status === "none") return "denied";
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

export function lobbyOutcomeView(outcome: Exclude<LobbyOutcome, "admitted">): HTMLElement {
  if (outcome === "denied") return statusView("lobbyDeniedHeading", "lobbyDeniedDetail");
  return statusView("removedHeading", "removedDetail");
}

function waitingView(): HTMLElement {
  const card = el("section", { class: "card lobby-waiting", role: "status", "aria-live": "polite" }, [
    text("lobbyWaitingHeading", undefined, "h1"),
    text("lobbyWaitingDetail", undefined, "p"),
    el("div", { class: "lobby-spinner", "aria-hidden": "true" }),
  ]);
  return card;
}
