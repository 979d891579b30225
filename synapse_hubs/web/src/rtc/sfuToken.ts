// SPDX-License-Identifier: AGPL-3.0-or-later
// Exchange a Matrix OpenID token for a LiveKit JWT at the token service
// (`POST {livekit_service_url}/sfu/get`, as element-hq/lk-jwt-service defines it).

import type { MatrixClient } from "matrix-js-sdk";

import { requestJson } from "../api/http";

export interface SfuAccess {
  /** WebSocket URL of the SFU. */
  url: string;
  jwt: string;
  /** LiveKit participant identity, `{user_id}:{device_id}` for /sfu/get. */
  identity: string;
}

export async function fetchSfuAccess(client: MatrixClient, serviceUrl: string, roomId: string): Promise<SfuAccess> {
  const openidToken = await client.getOpenIdToken();
  const response = await requestJson<{ url: string; jwt: string }>("POST", `${serviceUrl}/sfu/get`, {
    body: { room: roomId, openid_token: openidToken, device_id: client.getDeviceId() },
  });
  return { url: response.url, jwt: response.jwt, identity: jwtSubject(response.jwt) };
}

function jwtSubject(jwt: string): string {
  const payload = jwt.split(".")[1] ?? "";
  const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
  const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (char) => char.charCodeAt(0)));
  const claims = JSON.parse(json) as { sub?: unknown };
  if (typeof claims.sub !== "string") throw new Error("the SFU token has no sub claim");
  return claims.sub;
}
