// SPDX-License-Identifier: AGPL-3.0-or-later
// /join/{token}: a guest without an account joins through a guest link, or
// comes back later through the same link with the return token.

import { ApiError } from "../api/http";
import type { GuestSession, HubsApi } from "../api/hubsApi";
import { type Credentials, forgetGuestReturn, loadGuestReturn, storeGuestReturn } from "../auth/credentials";
import type { PageConfig } from "../config";
import { currentLanguage, text } from "../i18n";
import { openRoom, startMatrixClient } from "../matrix/matrixSession";
import type { AppShell } from "../ui/appShell";
import { el, userText } from "../ui/dom";
import { UserFacingError } from "../ui/userFacingError";
import { MAX_DISPLAY_NAME_LENGTH, type PreJoinChoice, PreJoinView } from "../views/preJoinView";
import { eidRequiredView } from "../views/eidRequiredView";
import { LobbyApi } from "../lobby/lobbyApi";
import { lobbyOutcomeView, waitInLobby } from "../lobby/waitingRoom";
import { connectionFailedView, statusView } from "../views/statusView";
import { MeetingSession } from "./meetingSession";
import { ensureUnencrypted } from "./encryptedRooms";

export async function runGuestFlow(shell: AppShell, config: PageConfig, api: HubsApi, token: string): Promise<void> {
  shell.show(statusView("loading"));

  let title: string;
  let requiresPassword: boolean;
  try {
    const info = await api.getGuestLink(token);
    title = info.title;
    requiresPassword = info.requires_password;
  } catch (error) {
    console.warn("Reading the guest link failed", error);
    shell.show(linkErrorView(error));
    return;
  }
  shell.setTitle(title);

  const saved = loadGuestReturn(token);
  const backFromEid = takeEidReturnMarker();
  if (saved && backFromEid) {
    // Straight on: the guest has just left this page for the e-ID pages.
    void returnAsGuest();
  } else if (saved) {
    shell.show(welcomeBackView(saved.displayName, () => void returnAsGuest(), () => showFreshPreJoin()));
  } else {
    showFreshPreJoin();
  }

  function showFreshPreJoin(): void {
    const preJoin = new PreJoinView({
      title,
      knownName: null,
      requiresPassword,
      allowChatOnly: false,
      onJoin: async (choice) => {
        const session = await redeem(api, token, choice);
        if (waitsForEid(session)) {
          rememberGuest(session);
          preJoin.dispose();
          showEidStep(session);
          return;
        }
        if (session.waiting) {
          rememberGuest(session);
          // The camera preview keeps running while the guest waits, ready for the call.
          if (!(await admittedFromLobby(session))) {
            preJoin.dispose();
            return;
          }
        }
        await enterMeeting(session, choice);
        // Only now: the call has taken the tracks, and dispose() stops what is left.
        preJoin.dispose();
      },
    });
    shell.show(preJoin.element);
    void preJoin.start();
  }

  async function returnAsGuest(): Promise<void> {
    shell.show(statusView("loading"));
    let session: GuestSession;
    try {
      session = await api.returnAsGuest(token, saved?.returnToken ?? null);
    } catch (error) {
      console.warn("Returning as guest failed", error);
      if (error instanceof ApiError && error.status === 410) {
        shell.show(linkErrorView(error));
        return;
      }
      if (error instanceof ApiError && error.errcode === "SE_HUBS_REMOVED") {
        // A denied or removed session stays out; the server refuses it anyway.
        shell.show(lobbyOutcomeView(error.serverMessage.includes("denied") ? "denied" : "removed"));
        return;
      }
      // The return token is no longer valid; start over as a new guest.
      forgetGuestReturn(token);
      showFreshPreJoin();
      return;
    }
    if (waitsForEid(session)) {
      showEidStep(session);
      return;
    }
    if (session.waiting && !(await admittedFromLobby(session))) return;

    const preJoin = new PreJoinView({
      title,
      knownName: session.display_name,
      requiresPassword: false,
      allowChatOnly: true,
      onJoin: async (choice) => {
        await enterMeeting(session, choice);
        preJoin.dispose();
      },
    });
    shell.show(preJoin.element);
    void preJoin.start();
  }

  /** Wait in the lobby; on a denial or removal show why and return false. */
  async function admittedFromLobby(session: GuestSession): Promise<boolean> {
    const lobbyApi = new LobbyApi(session.homeserver_url || config.homeserverUrl, session.access_token);
    const outcome = await waitInLobby(shell, lobbyApi, session.room_id);
    if (outcome === "admitted") return true;
    shell.show(lobbyOutcomeView(outcome));
    return false;
  }

  function rememberGuest(session: GuestSession): void {
    storeGuestReturn(token, {
      returnToken: session.return_token,
      displayName: session.display_name,
      userId: session.user_id,
    });
  }

  // The e-ID pages link back to this page. The return token then brings the
  // guest back, and the server joins them once the verification is stored.
  function showEidStep(session: GuestSession): void {
    shell.show(
      eidRequiredView(async () => {
        const returnTo = new URL(location.href);
        returnTo.searchParams.set(EID_RETURN_PARAM, "1");
        const startUrl = new URL(await api.createEidTicket(session.access_token, session.room_id, returnTo.href));
        // The e-ID pages keep the language the guest chose here.
        startUrl.searchParams.set("lang", currentLanguage());
        location.assign(startUrl.href);
      }),
    );
  }

  async function enterMeeting(session: GuestSession, choice: PreJoinChoice): Promise<void> {
    rememberGuest(session);
    const credentials: Credentials = {
      homeserverUrl: (session.homeserver_url || config.homeserverUrl).replace(/\/+$/, ""),
      userId: session.user_id,
      accessToken: session.access_token,
      deviceId: session.device_id,
    };

    shell.show(statusView("connecting"));
    try {
      const client = await startMatrixClient(credentials);
      const room = await openRoom(client, session.room_id);
      if (!ensureUnencrypted(shell, room)) return;
      await new MeetingSession(shell, client, room, title, null).enter(choice);
    } catch (error) {
      console.error(`Opening meeting room ${session.room_id} failed`, error);
      choice.media.dispose();
      shell.show(connectionFailedView());
    }
  }
}

const EID_RETURN_PARAM = "from_eid";

/** Return whether the page was opened by the e-ID pages' way back, and drop that marker from the URL. */
function takeEidReturnMarker(): boolean {
  const url = new URL(location.href);
  if (!url.searchParams.has(EID_RETURN_PARAM)) return false;

  url.searchParams.delete(EID_RETURN_PARAM);
  history.replaceState(history.state, "", url.href);
  return true;
}

function waitsForEid(session: GuestSession): boolean {
  return !session.joined && session.eid_url !== undefined;
}

async function redeem(api: HubsApi, token: string, choice: PreJoinChoice): Promise<GuestSession> {
  try {
    return await api.redeemGuestLink(token, choice.displayName, choice.password || undefined);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 403) throw new UserFacingError("errorWrongPassword", undefined, { cause: error });
    if (error.errcode === "M_INVALID_PARAM") throw new UserFacingError("errorNameInvalid", undefined, { cause: error });
    if (error.status === 410) throw new UserFacingError("errorLinkExpired", undefined, { cause: error });
    if (error.status === 429) throw new UserFacingError("errorRateLimited", undefined, { cause: error });
    if (error.isNetworkError) throw new UserFacingError("errorNoConnection", undefined, { cause: error });
    throw error;
  }
}

function linkErrorView(error: unknown): HTMLElement {
  if (error instanceof ApiError) {
    if (error.errcode === "SE_HUBS_LINK_EXPIRED") return statusView("linkExpiredHeading", "linkExpiredDetail");
    if (error.errcode === "SE_HUBS_LINK_REVOKED") return statusView("linkRevokedHeading", "linkRevokedDetail");
    if (error.status === 404) return statusView("linkNotFoundHeading", "linkNotFoundDetail");
    if (error.isNetworkError) return statusView("errorNoConnection");
  }
  return statusView("errorGenericHeading", "errorGenericDetail");
}

function welcomeBackView(displayName: string, onContinue: () => void, onStartOver: () => void): HTMLElement {
  const continueButton = el("button", { type: "button", class: "primary continue-as" }, [
    text("continueAs"),
    " ",
    userText(displayName, MAX_DISPLAY_NAME_LENGTH),
  ]);
  continueButton.addEventListener("click", onContinue);
  const startOver = el("button", { type: "button", class: "link-button start-over" }, [text("joinAsSomeoneElse")]);
  startOver.addEventListener("click", onStartOver);
  return el("section", { class: "card welcome-back" }, [
    text("welcomeBackHeading", undefined, "h1"),
    text("welcomeBackDetail", undefined, "p"),
    el("div", { class: "form-actions" }, [continueButton, startOver]),
  ]);
}
