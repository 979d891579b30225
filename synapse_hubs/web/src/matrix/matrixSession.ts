// SPDX-License-Identifier: AGPL-3.0-or-later
// A started matrix-js-sdk client for one account and one meeting room.

import {
  ClientEvent,
  createClient,
  KnownMembership,
  type MatrixClient,
  type Room,
  SyncState,
} from "matrix-js-sdk";

import type { Credentials } from "../auth/credentials";

const INITIAL_SYNC_TIMEOUT_MS = 30_000;

export async function startMatrixClient(credentials: Credentials): Promise<MatrixClient> {
  const client = createClient({
    baseUrl: credentials.homeserverUrl,
    accessToken: credentials.accessToken,
    userId: credentials.userId,
    deviceId: credentials.deviceId,
    timelineSupport: true,
  });

  const prepared = waitForFirstSync(client);
  await client.startClient({ initialSyncLimit: 30, lazyLoadMembers: true });
  await prepared;
  return client;
}

/**
 * Return the joined room, joining it first when the account is not yet a member.
 * `viaServers` route the join to a room on another homeserver.
 */
export async function openRoom(client: MatrixClient, roomId: string, viaServers: string[] = []): Promise<Room> {
  const existing = client.getRoom(roomId);
  if (existing?.getMyMembership() === KnownMembership.Join) return existing;

  await client.joinRoom(roomId, { viaServers });
  return await waitForJoinedRoom(client, roomId);
}

function waitForFirstSync(client: MatrixClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(ClientEvent.Sync, onSync);
      reject(new Error("initial sync timed out"));
    }, INITIAL_SYNC_TIMEOUT_MS);

    function onSync(state: SyncState, _previous: SyncState | null, data?: { error?: Error }): void {
      if (state === SyncState.Prepared || state === SyncState.Syncing) {
        clearTimeout(timer);
        client.off(ClientEvent.Sync, onSync);
        resolve();
      } else if (state === SyncState.Error) {
        clearTimeout(timer);
        client.off(ClientEvent.Sync, onSync);
        reject(data?.error ?? new Error("initial sync failed"));
      }
    }

    client.on(ClientEvent.Sync, onSync);
  });
}

function waitForJoinedRoom(client: MatrixClient, roomId: string): Promise<Room> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const room = client.getRoom(roomId);
      if (room?.getMyMembership() !== KnownMembership.Join) return false;
      clearTimeout(timer);
      client.off(ClientEvent.Room, check);
      client.off(ClientEvent.Sync, check);
      resolve(room);
      return true;
    };
    const timer = setTimeout(() => {
      client.off(ClientEvent.Room, check);
      client.off(ClientEvent.Sync, check);
      reject(new Error(`room ${roomId} did not arrive in sync`));
    }, INITIAL_SYNC_TIMEOUT_MS);

    client.on(ClientEvent.Room, check);
    client.on(ClientEvent.Sync, check);
    check();
  });
}
