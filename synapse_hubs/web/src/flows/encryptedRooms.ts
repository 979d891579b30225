// SPDX-License-Identifier: AGPL-3.0-or-later
// The page has no Matrix end-to-end encryption yet, so it cannot read or
// send messages in an encrypted room, nor take part in an encrypted call.

import type { Room } from "matrix-js-sdk";

import { text } from "../i18n";
import type { AppShell } from "../ui/appShell";
import { statusView } from "../views/statusView";

/** Show an explanation and return false when `room` is end-to-end encrypted. */
export function ensureUnencrypted(shell: AppShell, room: Room): boolean {
  if (!room.hasEncryptionStateEvent()) return true;
  // TODO: load matrix-js-sdk's Rust crypto (WASM) and LiveKit E2EE keys from MatrixRTC for encrypted meetings.
  console.warn(`Room ${room.roomId} is end-to-end encrypted; the join page cannot open it`);
  const view = statusView("encryptedMeetingHeading", "encryptedMeetingDetail");
  // Shown before the meeting starts, so that no participant expects a server-side recording.
  view.append(text("recordingE2eeNote", undefined, "p"));
  shell.show(view);
  return false;
}
