// SPDX-License-Identifier: AGPL-3.0-or-later
// Matrix login for staff on the meeting page: login token, password or SSO.

import { requestJson } from "../api/http";
import type { Credentials } from "./credentials";

interface LoginResponse {
  user_id: string;
  access_token: string;
  device_id: string;
}

interface LoginFlows {
  flows: { type: string; identity_providers?: { id: string; name: string }[] }[];
}

const DEVICE_NAME = "Hubs";

export async function loginWithToken(homeserverUrl: string, loginToken: string): Promise<Credentials> {
  const body = { type: "m.login.token", token: loginToken, initial_device_display_name: DEVICE_NAME };
  return toCredentials(homeserverUrl, await requestJson("POST", `${homeserverUrl}/_matrix/client/v3/login`, { body }));
}

export async function loginWithPassword(homeserverUrl: string, user: string, password: string): Promise<Credentials> {
  const body = {
    type: "m.login.password",
    identifier: { type: "m.id.user", user },
    password,
    initial_device_display_name: DEVICE_NAME,
  };
  return toCredentials(homeserverUrl, await requestJson("POST", `${homeserverUrl}/_matrix/client/v3/login`, { body }));
}

export async function logout(credentials: Credentials): Promise<void> {
  await requestJson("POST", `${credentials.homeserverUrl}/_matrix/client/v3/logout`, {
    accessToken: credentials.accessToken,
    body: {},
  });
}

export interface LoginOptions {
  password: boolean;
  sso: boolean;
}

export async function fetchLoginOptions(homeserverUrl: string): Promise<LoginOptions> {
  const { flows } = await requestJson<LoginFlows>("GET", `${homeserverUrl}/_matrix/client/v3/login`);
  const types = new Set(flows.map((flow) => flow.type));
  return { password: types.has("m.login.password"), sso: types.has("m.login.sso") };
}

/** Send the browser to the homeserver's SSO login, which returns here with ?loginToken=. */
export function startSsoLogin(homeserverUrl: string): void {
  const returnUrl = location.origin + location.pathname;
  location.assign(`${homeserverUrl}/_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent(returnUrl)}`);
}

/**
 * Take a login token from the URL (`#loginToken=` from `hubs up`, `?loginToken=`
 * from SSO) and remove it, so it does not stay in history or get bookmarked.
 */
export function takeLoginTokenFromUrl(): string | null {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
  const query = new URLSearchParams(location.search);
  const token = fragment.get("loginToken") ?? query.get("loginToken");
  if (token) history.replaceState(null, "", location.pathname);
  return token;
}

function toCredentials(homeserverUrl: string, response: LoginResponse): Credentials {
  return {
    homeserverUrl,
    userId: response.user_id,
    accessToken: response.access_token,
    deviceId: response.device_id,
  };
}
