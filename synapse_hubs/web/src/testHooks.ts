// SPDX-License-Identifier: AGPL-3.0-or-later
// Read-only hooks for the browser tests: `window.hubsTest` lists the peer
// connections of the running call so a test can read WebRTC statistics,
// and reports the call's identity and membership state. Nothing here can
// change what the page does.

import type { CallConnection } from "./rtc/callConnection";

let currentCall: CallConnection | null = null;

export function setCurrentCall(call: CallConnection | null): void {
  currentCall = call;
}

export function installTestHooks(): void {
  const hooks = Object.freeze({
    peerConnections: (): RTCPeerConnection[] => currentCall?.peerConnections() ?? [],
    identity: (): string | null => currentCall?.identity ?? null,
    inCall: (): boolean => currentCall !== null,
  });
  Object.defineProperty(window, "hubsTest", { value: hooks, writable: false, configurable: false });
}
