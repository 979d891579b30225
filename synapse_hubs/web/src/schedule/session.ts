// SPDX-License-Identifier: AGPL-3.0-or-later
// Matrix sign-in for the schedule page. The session is kept under the same
// localStorage key and in the same shape as the join page's, so signing in
// on either page signs in on both.

import { requestJson, type Session } from "./api";

const SESSION_KEY = "hubs.session";
const DEVICE_NAME = "Hubs";

interface LoginResponse {
  user_id: string;
  access_token: string;
  device_id: string;
}

export function loadSession(homeserverUrl: string): Session | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Partial<Session>;
    const complete =
      session.homeserverUrl === homeserverUrl &&
      typeof session.userId === "string" &&
      typeof session.accessToken === "string" &&
      typeof session.deviceId === "string";
    return complete ? (session as Session) : null;
  } catch {
    // Storage disabled (private mode) or a value this page did not write.
    return null;
  }
}

export function storeSession(session: Session): void {
  try {
    localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  } catch {
    // The session then lasts only as long as the page.
  }
}

export function forgetSession(): void {
  try {
    localStorage.removeItem(SESSION_KEY);
  } catch {
    // Nothing stored, nothing to remove.
  }
}

export async function loginWithPassword(homeserverUrl: string, user: string, password: string): Promise<Session> {
  return toSession(homeserverUrl, await requestJson<LoginResponse>("POST", `${homeserverUrl}/_matrix/client/v3/login`, {
    type: "m.login.password",
    identifier: { type: "m.id.user", user },
    password,
    initial_device_display_name: DEVICE_NAME,
  }));
}

export async function loginWithToken(homeserverUrl: string, token: string): Promise<Session> {
  return toSession(homeserverUrl, await requestJson<LoginResponse>("POST", `${homeserverUrl}/_matrix/client/v3/login`, {
    type: "m.login.token",
    token,
    initial_device_display_name: DEVICE_NAME,
  }));
}

export async function supportsSso(homeserverUrl: string): Promise<boolean> {
  const body = await requestJson<{ flows: { type: string }[] }>("GET", `${homeserverUrl}/_matrix/client/v3/login`);
  return body.flows.some((flow) => flow.type === "m.login.sso");
}

export function startSsoLogin(homeserverUrl: string): void {
  const returnUrl = location.origin + location.pathname;
  location.assign(`${homeserverUrl}/_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent(returnUrl)}`);
}

/** Take a login token from the URL (SSO returns with ?loginToken=) and remove it from history. */
export function takeLoginToken(): string | null {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
  const query = new URLSearchParams(location.search);
  const token = fragment.get("loginToken") ?? query.get("loginToken");
  if (token) history.replaceState(null, "", location.pathname);
  return token;
}

function toSession(homeserverUrl: string, response: LoginResponse): Session {
  return {
    homeserverUrl,
    userId: response.user_id,
    accessToken: response.access_token,
    deviceId: response.device_id,
  };
}
