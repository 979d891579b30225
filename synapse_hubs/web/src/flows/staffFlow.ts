// SPDX-License-Identifier: AGPL-3.0-or-later
// /meet/{room_id} and /meet/: signed-in users (staff) open a meeting, or
// create one. Sign-in happens here with a login token from the URL, SSO or
// a password; the session is kept in localStorage until sign-out.

import { ApiError, requestJson } from "../api/http";
import type { HubsApi, Meeting } from "../api/hubsApi";
import {
  type Credentials,
  forgetSignedInSession,
  loadSignedInSession,
  storeSignedInSession,
} from "../auth/credentials";
import { loginWithToken, logout, takeLoginTokenFromUrl } from "../auth/login";
import type { PageConfig } from "../config";
import { bindAttribute, type MessageKey, text } from "../i18n";
import { openRoom, startMatrixClient } from "../matrix/matrixSession";
import { joinThrough, viaServersFromUrl } from "../matrix/roomRoute";
import type { AppShell } from "../ui/appShell";
import { el } from "../ui/dom";
import { GuestLinksPanel } from "../views/guestLinksPanel";
import { newMeetingView } from "../views/newMeetingView";
import { signInView } from "../views/signInView";
import { connectionFailedView, statusView } from "../views/statusView";
import { askToJoin } from "../lobby/askToJoin";
import { ensureUnencrypted } from "./encryptedRooms";
import { MeetingSession } from "./meetingSession";

export const MEET_PATH = "/_synapse/client/hubs/meet";

export async function runStaffFlow(shell: AppShell, config: PageConfig, api: HubsApi, roomId: string | null): Promise<void> {
  shell.show(statusView("loading"));
  const credentials = await signIn(shell, config);
  shell.addAction(signOutButton(credentials));

  if (roomId !== null) {
    // Organisers arrive at a meeting through its link; this is their way to the form.
    const newMeeting = el("a", { class: "link-button new-meeting-link", href: `${MEET_PATH}/` }, [text("newMeetingHeading")]);
    shell.addAction(newMeeting);
  }
  if (roomId === null) {
    shell.show(newMeetingView(api, credentials.accessToken, (createdRoomId) => {
      location.assign(`${MEET_PATH}/${encodeURIComponent(createdRoomId)}`);
    }));
    return;
  }
  await openMeeting(shell, api, credentials, roomId);
}

export async function signIn(shell: AppShell, config: PageConfig): Promise<Credentials> {
  const loginToken = takeLoginTokenFromUrl();
  let notice: MessageKey | undefined;
  if (loginToken) {
    try {
      const credentials = await loginWithToken(config.homeserverUrl, loginToken);
      storeSignedInSession(credentials);
      return credentials;
    } catch (error) {
      // Login tokens work once and for a few minutes; fall back to the sign-in form.
      console.warn("The login token was not accepted", error);
      notice = "loginLinkUsed";
    }
  }

  const stored = loadSignedInSession(config.homeserverUrl);
  if (stored && (await isStillValid(stored))) return stored;
  if (stored) forgetSignedInSession();

  return await new Promise<Credentials>((resolve) => {
    void signInView(config.homeserverUrl, (credentials) => {
      storeSignedInSession(credentials);
      resolve(credentials);
    }, notice).then((view) => shell.show(view));
  });
}

async function isStillValid(credentials: Credentials): Promise<boolean> {
  try {
    await requestJson("GET", `${credentials.homeserverUrl}/_matrix/client/v3/account/whoami`, {
      accessToken: credentials.accessToken,
    });
    return true;
  } catch (error) {
    // Only a rejected token means signed out; a network error keeps the session.
    return !(error instanceof ApiError && error.status === 401);
  }
}

async function openMeeting(shell: AppShell, api: HubsApi, credentials: Credentials, roomId: string, joinTried = false): Promise<void> {
  const meeting = await readMeeting(api, credentials, roomId);
  if (meeting === "forbidden") {
    // A meeting on a partner's server is unknown here until the user joins
    // through the link's via servers; an invited user gets in at once.
    const viaServers = viaServersFromUrl();
    if (!joinTried && viaServers.length > 0 && (await joinThrough(credentials, roomId, viaServers))) {
      await openMeeting(shell, api, credentials, roomId, true);
      return;
    }
    // Not a member: knock, and open the meeting once a moderator admits.
    if (await askToJoin(shell, credentials, roomId, viaServers)) await openMeeting(shell, api, credentials, roomId, true);
    return;
  }
  if (meeting) shell.setTitle(meeting.title);

  let session: MeetingSession;
  try {
    const client = await startMatrixClient(credentials);
    const room = await openRoom(client, roomId, viaServersFromUrl()).catch((error: unknown) => {
      console.warn(`Joining room ${roomId} failed`, error);
      return null;
    });
    if (room === null) {
      shell.show(statusView("noAccessHeading", "noAccessDetail"));
      return;
    }
    if (!ensureUnencrypted(shell, room)) return;

    const title = meeting?.title ?? room.name;
    shell.setTitle(title);
    const guestLinks = meeting?.is_moderator ? new GuestLinksPanel(api, credentials.accessToken, roomId) : null;
    void guestLinks?.start();
    session = new MeetingSession(shell, client, room, title, guestLinks?.element ?? null);
  } catch (error) {
    console.error(`Opening meeting room ${roomId} failed`, error);
    shell.show(connectionFailedView());
    return;
  }

  session.showPreJoin();
}

/** Fetch the meeting's details: null for a room that is not a Hubs meeting, "forbidden" without access. */
async function readMeeting(api: HubsApi, credentials: Credentials, roomId: string): Promise<Meeting | null | "forbidden"> {
  try {
    return await api.getMeeting(credentials.accessToken, roomId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return "forbidden";
    // Any Matrix room can hold a call; without meeting details the page
    // still works, only without the moderator panel.
    console.warn(`No meeting details for ${roomId}`, error);
    return null;
  }
}

export function signOutButton(credentials: Credentials): HTMLButtonElement {
  const button = el("button", { type: "button", class: "link-button sign-out" }, [text("signOut")]);
  bindAttribute(button, "title", "signOut");
  button.addEventListener("click", () => {
    forgetSignedInSession();
    logout(credentials)
      .catch((error: unknown) => console.warn("Logging out failed", error))
      .finally(() => location.reload());
  });
  return button;
}

