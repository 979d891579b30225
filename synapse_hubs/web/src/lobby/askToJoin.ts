// SPDX-License-Identifier: AGPL-3.0-or-later
// A signed-in user who is not a member of a meeting can knock on it: the
// card offers "Ask to join", and after the knock the user waits in the
// lobby like a guest. Meetings without a lobby reject the knock, and the
// card then shows that there is no access.

import { ApiError, requestJson } from "../api/http";
import type { Credentials } from "../auth/credentials";
import { setText, text } from "../i18n";
import { serverNameQuery } from "../matrix/roomRoute";
import type { AppShell } from "../ui/appShell";
import { el } from "../ui/dom";
import { statusView } from "../views/statusView";
import { LobbyApi } from "./lobbyApi";
import { lobbyOutcomeView, waitInLobby } from "./waitingRoom";

/** Offer a knock on roomId (routed through viaServers); resolve true once a moderator admitted the user. */
export function askToJoin(shell: AppShell, credentials: Credentials, roomId: string, viaServers: string[] = []): Promise<boolean> {
  return new Promise((resolve) => {
    const ask = el("button", { type: "button", class: "primary ask-to-join" }, [text("askToJoin")]);
    const card = statusView("noAccessHeading", "askToJoinDetail", undefined, [ask]);
    ask.addEventListener("click", () => {
      ask.disabled = true;
      void knock(credentials, roomId, viaServers).then(async (knocked) => {
        if (!knocked) {
          ask.remove();
          const detail = card.querySelector("p");
          if (detail) setText(detail, "noAccessDetail");
          resolve(false);
          return;
        }
        // TODO: for a room on a partner's server the lobby status must come from that server.
        const outcome = await waitInLobby(shell, new LobbyApi(credentials.homeserverUrl, credentials.accessToken), roomId);
        if (outcome !== "admitted") shell.show(lobbyOutcomeView(outcome));
        resolve(outcome === "admitted");
      });
    });
    shell.show(card);
  });
}

async function knock(credentials: Credentials, roomId: string, viaServers: string[]): Promise<boolean> {
  const path = `/_matrix/client/v3/knock/${encodeURIComponent(roomId)}${serverNameQuery(viaServers)}`;
  try {
    await requestJson("POST", `${credentials.homeserverUrl}${path}`, {
      accessToken: credentials.accessToken,
      body: {},
    });
    return true;
  } catch (error) {
    // 403 for a meeting without a lobby, or for a user the room bans.
    console.warn(`Knocking on ${roomId} failed`, error instanceof ApiError ? error.errcode : error);
    return false;
  }
}
