// SPDX-License-Identifier: AGPL-3.0-or-later
// One participation in the meeting's call: the LiveKit media connection plus
// the MatrixRTC membership that shows Matrix clients (Element Call, Element
// Web, Element X) that this account and device are in the call.
//
// Order as Element Call does it: get the SFU token first, connect the media,
// and only then publish the `org.matrix.msc3401.call.member` state event, so
// a failed connection never leaves a membership behind.

import { type LocalTrack, Room as LivekitRoom, RoomEvent, type RoomOptions } from "livekit-client";
import type { MatrixClient, Room as MatrixRoom } from "matrix-js-sdk";
import { type LivekitTransport, type MatrixRTCSession, MatrixRTCSessionEvent } from "matrix-js-sdk/lib/matrixrtc/index.js";

import { markTimeline } from "../testHooks";
import { fetchSfuAccess, type SfuAccess } from "./sfuToken";
import { discoverLivekitTransport } from "./transportDiscovery";

// How long leaving waits for the homeserver to take the membership back
// before giving up; the delayed leave event removes it later in any case.
const LEAVE_TIMEOUT_MS = 5000;

export interface DeviceChoice {
  audioDeviceId?: string;
  videoDeviceId?: string;
}

export class CallConnection {
  readonly livekitRoom: LivekitRoom;
  private rtcSession: MatrixRTCSession | null = null;
  private access: SfuAccess | null = null;
  private leaving = false;

  constructor(
    private readonly client: MatrixClient,
    private readonly matrixRoom: MatrixRoom,
    devices: DeviceChoice,
    private readonly onEnded: (unexpected: boolean) => void,
  ) {
    this.livekitRoom = new LivekitRoom(roomOptions(devices));
    this.livekitRoom.on(RoomEvent.Disconnected, () => {
      const unexpected = !this.leaving;
      void this.leave();
      this.onEnded(unexpected);
    });
  }

  get identity(): string | null {
    return this.access?.identity ?? null;
  }

  /**
   * Connect and publish `tracks`. `beforePublish` runs after the JoinResponse
   * (room state such as an active recording is known) and before any media
   * is sent, so the page can show notices the participant must see first.
   */
  async join(tracks: LocalTrack[], beforePublish: (room: LivekitRoom) => void = () => {}): Promise<void> {
    const roomId = this.matrixRoom.roomId;
    // TODO: members of partner servers publish on their own SFUs; Element Call also
    // subscribes there (their call.member foci), but this page joins only its own SFU.
    const transportConfig = await discoverLivekitTransport(this.client);
    this.access = await fetchSfuAccess(this.client, transportConfig.livekit_service_url, roomId);
    console.info(`Joining the call in ${roomId} as ${this.access.identity}`);

    // ICE servers come from the SFU's join response, which carries our own
    // TURN servers in production. Passing rtcConfig.iceServers here would
    // replace that list, so none are set.
    await this.livekitRoom.connect(this.access.url, this.access.jwt, { autoSubscribe: true });
    beforePublish(this.livekitRoom);
    for (const track of tracks) {
      markTimeline(`publishTrack:${track.source}`);
      await this.livekitRoom.localParticipant.publishTrack(track);
    }

    const transport: LivekitTransport = { ...transportConfig, livekit_alias: roomId };
    this.rtcSession = this.client.matrixRTC.getRoomSession(this.matrixRoom);
    this.rtcSession.on(MatrixRTCSessionEvent.MembershipManagerError, (error: unknown) => {
      console.error(`Publishing the call membership in ${roomId} failed`, error);
    });
    this.rtcSession.joinRoomSession([], transport, { callIntent: "video" });
  }

  async leave(): Promise<void> {
    if (this.leaving) return;
    this.leaving = true;
    console.info(`Leaving the call in ${this.matrixRoom.roomId}`);
    await Promise.allSettled([
      this.rtcSession?.leaveRoomSession(LEAVE_TIMEOUT_MS),
      this.livekitRoom.disconnect(),
    ]);
  }

  /** Both peer connections of the media connection, for statistics. */
  peerConnections(): RTCPeerConnection[] {
    // pcManager and its transports are internal to livekit-client (2.23);
    // `_pc` is read rather than `pc`, whose getter would create a connection.
    const manager = (this.livekitRoom.engine as unknown as { pcManager?: Record<string, { _pc?: RTCPeerConnection }> })
      .pcManager;
    const connections = [manager?.publisher?._pc, manager?.subscriber?._pc];
    return connections.filter((connection): connection is RTCPeerConnection => connection !== undefined);
  }
}

function roomOptions(devices: DeviceChoice): RoomOptions {
  return {
    adaptiveStream: true,
    dynacast: true,
    audioCaptureDefaults: { deviceId: devices.audioDeviceId, echoCancellation: true, noiseSuppression: true },
    videoCaptureDefaults: { deviceId: devices.videoDeviceId, resolution: { width: 1280, height: 720, frameRate: 30 } },
    // As Element Call publishes: VP8 with simulcast, no RED (it breaks with E2EE), DTX for speech.
    publishDefaults: { videoCodec: "vp8", simulcast: true, red: false, dtx: true },
  };
}
