// SPDX-License-Identifier: AGPL-3.0-or-later
// Matrix account credentials and where the page keeps them between visits.

import { loadJson, remove, storeJson } from "../storage";

export interface Credentials {
  homeserverUrl: string;
  userId: string;
  accessToken: string;
  deviceId: string;
}

/** Return token and name with which a guest comes back through the same link later. */
export interface GuestReturn {
  returnToken: string;
  displayName: string;
  userId: string;
}

const SESSION_KEY = "hubs.session";
const RETURN_KEY_PREFIX = "hubs.return.";

function isCredentials(value: unknown): value is Credentials {
  const fields = value as Partial<Credentials> | null;
  return (
    typeof fields?.homeserverUrl === "string" &&
    typeof fields.userId === "string" &&
    typeof fields.accessToken === "string" &&
    typeof fields.deviceId === "string"
  );
}

function isGuestReturn(value: unknown): value is GuestReturn {
  const fields = value as Partial<GuestReturn> | null;
  return (
    typeof fields?.returnToken === "string" &&
    typeof fields.displayName === "string" &&
    typeof fields.userId === "string"
  );
}

/** Load the signed-in staff session if it belongs to this homeserver. */
export function loadSignedInSession(homeserverUrl: string): Credentials | null {
  const session = loadJson(SESSION_KEY, isCredentials);
  return session && session.homeserverUrl === homeserverUrl ? session : null;
}

export function storeSignedInSession(credentials: Credentials): void {
  storeJson(SESSION_KEY, credentials);
}

export function forgetSignedInSession(): void {
  remove(SESSION_KEY);
}

export function loadGuestReturn(linkToken: string): GuestReturn | null {
  return loadJson(RETURN_KEY_PREFIX + linkToken, isGuestReturn);
}

export function storeGuestReturn(linkToken: string, guestReturn: GuestReturn): void {
  storeJson(RETURN_KEY_PREFIX + linkToken, guestReturn);
}

export function forgetGuestReturn(linkToken: string): void {
  remove(RETURN_KEY_PREFIX + linkToken);
}
