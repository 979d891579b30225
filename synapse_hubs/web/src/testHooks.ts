// SPDX-License-Identifier: AGPL-3.0-or-later
// Read-only hooks for the browser tests: `window.hubsTest` lists the peer
// connections of the running call so a test can read WebRTC statistics,
// reports the call's identity and membership state, and keeps a timeline
// of page milestones (performance.now() times) so a test can check their
// order. Nothing here can change what the page does.

import type { CallConnection } from "./rtc/callConnection";

let currentCall: CallConnection | null = null;
const timeline: { name: string; at: number }[] = [];
// Enough for every milestone of a long session; older entries are dropped.
const MAX_TIMELINE_ENTRIES = 500;

/** Note that a milestone (such as "recordingBannerShown") happened now. */
export function markTimeline(name: string): void {
  timeline.push({ name, at: performance.now() });
  if (timeline.length > MAX_TIMELINE_ENTRIES) timeline.shift();
}

export function setCurrentCall(call: CallConnection | null): void {
  currentCall = call;
}

export function installTestHooks(): void {
  const hooks = Object.freeze({
    peerConnections: (): RTCPeerConnection[] => currentCall?.peerConnections() ?? [],
    identity: (): string | null => currentCall?.identity ?? null,
    inCall: (): boolean => currentCall !== null,
    timeline: (): { name: string; at: number }[] => timeline.map((entry) => ({ ...entry })),
  });
  Object.defineProperty(window, "hubsTest", { value: hooks, writable: false, configurable: false });
}
