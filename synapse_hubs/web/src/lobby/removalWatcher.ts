// SPDX-License-Identifier: AGPL-3.0-or-later
// Notice when a moderator removes the signed-in user from the room (a kick:
// a `leave` membership sent by someone else), so the page can end the call
// and show why instead of a meeting the user can no longer use.

import { type MatrixClient, type MatrixEvent, type Room, type RoomMember, RoomMemberEvent } from "matrix-js-sdk";

export function watchRemoval(client: MatrixClient, room: Room, onRemoved: () => void): () => void {
  const ownId = client.getUserId();
  const listener = (event: MatrixEvent, member: RoomMember): void => {
    if (member.roomId !== room.roomId || member.userId !== ownId) return;
    const membership = member.membership;
    if ((membership === "leave" || membership === "ban") && event.getSender() !== ownId) onRemoved();
  };
  client.on(RoomMemberEvent.Membership, listener);
  return () => client.off(RoomMemberEvent.Membership, listener);
}
