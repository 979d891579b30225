// SPDX-License-Identifier: AGPL-3.0-or-later
// A meeting link names the servers that can route a join to its room
// (`?via=hubs.kommun.example`). Room version 12 room ids name no server,
// so a user of another homeserver cannot join without them.

import { ApiError, requestJson } from "../api/http";
import type { Credentials } from "../auth/credentials";

const MAX_SERVER_NAME_LENGTH = 255;
const MAX_VIA_SERVERS = 5;

/** Return the via servers of the page's address (or of `search`), at most a few, each of a valid length. */
export function viaServersFromUrl(search: string = location.search): string[] {
  return new URLSearchParams(search)
    .getAll("via")
    .filter((server) => server.length > 0 && server.length <= MAX_SERVER_NAME_LENGTH)
    .slice(0, MAX_VIA_SERVERS);
}

/** Build the query string that names the via servers to a knock or join request. */
export function serverNameQuery(viaServers: string[]): string {
  if (viaServers.length === 0) return "";
  const query = new URLSearchParams();
  for (const server of viaServers) query.append("server_name", server);
  return `?${query.toString()}`;
}

/** Join roomId through viaServers; return false when the join is rejected or fails. */
export async function joinThrough(credentials: Credentials, roomId: string, viaServers: string[]): Promise<boolean> {
  const path = `/_matrix/client/v3/join/${encodeURIComponent(roomId)}${serverNameQuery(viaServers)}`;
  try {
    await requestJson("POST", `${credentials.homeserverUrl}${path}`, { accessToken: credentials.accessToken, body: {} });
    return true;
  } catch (error) {
    // 403 for a room that needs a knock, an invite or an e-ID verification first.
    console.warn(`Joining ${roomId} through ${viaServers.join(", ")} failed`, error instanceof ApiError ? error.errcode : error);
    return false;
  }
}
