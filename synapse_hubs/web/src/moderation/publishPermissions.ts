// SPDX-License-Identifier: AGPL-3.0-or-later
// The sources the SFU currently lets a participant publish. The SFU is the
// authority because moderators change these permissions there; the page follows.

import type { Participant } from "livekit-client";

// LiveKit's TrackSource numbers in ParticipantPermission.canPublishSources.
const SOURCE_NUMBERS = { camera: 1, microphone: 2, screen_share: 3 } as const;

export type PublishSource = keyof typeof SOURCE_NUMBERS;

export function mayPublish(participant: Participant, source: PublishSource): boolean {
  const permissions = participant.permissions;
  // Before the JoinResponse arrives there is nothing to go by; the SFU still checks.
  if (!permissions) return true;
  if (!permissions.canPublish) return false;
  const sources = permissions.canPublishSources as number[];
  // An empty list means every source, as in LiveKit.
  return sources.length === 0 || sources.includes(SOURCE_NUMBERS[source]);
}
