// SPDX-License-Identifier: AGPL-3.0-or-later
// Record every RTCPeerConnection the page creates, so tests can read WebRTC
// stats without reaching into livekit-client internals. Import this module
// before livekit-client.
const created: RTCPeerConnection[] = [];
const Native = window.RTCPeerConnection;

class RecordedPeerConnection extends Native {
  constructor(configuration?: RTCConfiguration) {
    super(configuration);
    created.push(this);
  }
}

window.RTCPeerConnection = RecordedPeerConnection as typeof RTCPeerConnection;

export function peerConnections(): RTCPeerConnection[] {
  return created.filter((pc) => pc.connectionState !== "closed");
}
