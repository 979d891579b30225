// SPDX-License-Identifier: AGPL-3.0-or-later
// A bare livekit-client call page for SFU interop tests. Query parameters:
//   url, token       SFU WebSocket URL and access token
//   e2ee             shared E2EE passphrase (optional)
//   worker           URL of the matching livekit E2EE worker bundle
//   publish          "camera,microphone" (default), "none", or a list with "screen"
//   adaptive         "1" to enable adaptive stream (default off: request top layer)
import { peerConnections } from "./peer_connection_registry";

type LivekitModule = typeof import("livekit-client");

interface TestState {
  room: unknown;
  peerConnections: () => RTCPeerConnection[];
  events: string[];
  errors: string[];
  connected: boolean;
  remoteTracks: () => { participant: string; source: string; kind: string; sid: string }[];
  publishScreen: () => Promise<void>;
  stopScreen: () => Promise<void>;
  setMicrophone: (enabled: boolean) => Promise<void>;
  setQuality: (identity: string, quality: "low" | "medium" | "high") => void;
  videoElements: (identity: string) => number;
  leave: () => Promise<void>;
}

declare global {
  interface Window {
    hubsTest: TestState;
  }
}

export async function runCall(LK: LivekitModule): Promise<void> {
  const params = new URLSearchParams(location.search);
  const events: string[] = [];
  const errors: string[] = [];
  const passphrase = params.get("e2ee");

  const options: Record<string, unknown> = {
    adaptiveStream: params.get("adaptive") === "1",
    dynacast: false,
    publishDefaults: { simulcast: true, videoCodec: "vp8", red: false },
    videoCaptureDefaults: { resolution: LK.VideoPresets.h720.resolution },
  };
  let keyProvider: InstanceType<LivekitModule["ExternalE2EEKeyProvider"]> | undefined;
  if (passphrase) {
    keyProvider = new LK.ExternalE2EEKeyProvider();
    options.e2ee = { keyProvider, worker: new Worker(params.get("worker") ?? "", { type: "module" }) };
  }

  const room = new LK.Room(options);
  // livekit-client may detach a track itself before TrackUnsubscribed fires,
  // so the page keeps its own map of elements.
  const elements = new Map<string, HTMLMediaElement>();
  room.on(LK.RoomEvent.TrackSubscribed, (track, publication, participant) => {
    events.push(`subscribed ${participant.identity} ${publication.source}`);
    const element = track.attach();
    elements.set(publication.trackSid, element);
    element.dataset.participant = participant.identity;
    element.dataset.source = publication.source;
    if (track.kind === "video") {
      // A large element keeps adaptive stream (when on) asking for the top layer.
      element.style.width = "1280px";
      element.style.height = "720px";
    }
    document.getElementById("media")?.appendChild(element);
  });
  room.on(LK.RoomEvent.TrackUnsubscribed, (track, publication, participant) => {
    events.push(`unsubscribed ${participant.identity} ${publication.source}`);
    track.detach();
    elements.get(publication.trackSid)?.remove();
    elements.delete(publication.trackSid);
  });
  room.on(LK.RoomEvent.ParticipantConnected, (p) => events.push(`joined ${p.identity}`));
  room.on(LK.RoomEvent.ParticipantDisconnected, (p) => events.push(`left ${p.identity}`));
  room.on(LK.RoomEvent.Disconnected, (reason) => events.push(`disconnected ${reason}`));
  room.on(LK.RoomEvent.EncryptionError, (error) => errors.push(`encryption: ${error}`));
  room.on(LK.RoomEvent.DataReceived, (payload, participant) =>
    events.push(`data ${participant?.identity} ${new TextDecoder().decode(payload)}`));
  room.on(LK.RoomEvent.ActiveSpeakersChanged, (speakers) =>
    events.push(`speakers ${speakers.map((s) => s.identity).join(",")}`));

  window.hubsTest = {
    room,
    peerConnections,
    events,
    errors,
    connected: false,
    remoteTracks: () => {
      const out: { participant: string; source: string; kind: string; sid: string }[] = [];
      room.remoteParticipants.forEach((participant) => {
        participant.trackPublications.forEach((publication) => {
          out.push({ participant: participant.identity, source: publication.source,
                     kind: publication.kind, sid: publication.trackSid });
        });
      });
      return out;
    },
    publishScreen: async () => { await room.localParticipant.setScreenShareEnabled(true); },
    stopScreen: async () => { await room.localParticipant.setScreenShareEnabled(false); },
    setMicrophone: async (enabled: boolean) => { await room.localParticipant.setMicrophoneEnabled(enabled); },
    setQuality: (identity: string, quality: "low" | "medium" | "high") => {
      const level = { low: LK.VideoQuality.LOW, medium: LK.VideoQuality.MEDIUM, high: LK.VideoQuality.HIGH }[quality];
      room.remoteParticipants.forEach((participant) => {
        if (participant.identity !== identity) return;
        participant.videoTrackPublications.forEach((publication) => publication.setVideoQuality(level));
      });
    },
    videoElements: (identity: string) =>
      document.querySelectorAll(`video[data-participant="${CSS.escape(identity)}"]`).length,
    leave: async () => { await room.disconnect(); },
  };

  try {
    if (keyProvider && passphrase) {
      await keyProvider.setKey(passphrase);
    }
    await room.connect(params.get("url") ?? "", params.get("token") ?? "", {
      rtcConfig: { iceServers: [] },
    });
    if (keyProvider) {
      await room.setE2EEEnabled(true);
    }
    const publish = (params.get("publish") ?? "camera,microphone").split(",");
    if (publish.includes("camera")) {
      await room.localParticipant.setCameraEnabled(true);
    }
    if (publish.includes("microphone")) {
      await room.localParticipant.setMicrophoneEnabled(true);
    }
    if (publish.includes("screen")) {
      await room.localParticipant.setScreenShareEnabled(true);
    }
    window.hubsTest.connected = true;
    events.push("connected");
  } catch (error) {
    errors.push(`connect: ${error}`);
  }
}
