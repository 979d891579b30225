// SPDX-License-Identifier: AGPL-3.0-or-later
// Camera and microphone before the call: preview tracks and device lists.
// The tracks chosen here are handed to the call and published as they are,
// so the camera does not switch off and on again at the moment of joining.

import {
  createLocalAudioTrack,
  createLocalVideoTrack,
  type LocalAudioTrack,
  type LocalTrack,
  type LocalVideoTrack,
  Room as LivekitRoom,
} from "livekit-client";

export class LocalMedia {
  videoTrack: LocalVideoTrack | null = null;
  audioTrack: LocalAudioTrack | null = null;
  videoDeviceId: string | undefined;
  audioDeviceId: string | undefined;

  async startCamera(deviceId = this.videoDeviceId): Promise<LocalVideoTrack> {
    // TODO: offer background blur (a LiveKit track processor bundled with the page, no CDN).
    this.stopCamera();
    this.videoTrack = await createLocalVideoTrack({ deviceId, resolution: { width: 1280, height: 720, frameRate: 30 } });
    this.videoDeviceId = this.videoTrack.mediaStreamTrack.getSettings().deviceId ?? deviceId;
    return this.videoTrack;
  }

  stopCamera(): void {
    this.videoTrack?.stop();
    this.videoTrack = null;
  }

  async startMicrophone(deviceId = this.audioDeviceId): Promise<LocalAudioTrack> {
    this.stopMicrophone();
    this.audioTrack = await createLocalAudioTrack({ deviceId, echoCancellation: true, noiseSuppression: true });
    this.audioDeviceId = this.audioTrack.mediaStreamTrack.getSettings().deviceId ?? deviceId;
    return this.audioTrack;
  }

  stopMicrophone(): void {
    this.audioTrack?.stop();
    this.audioTrack = null;
  }

  /** Hand the running tracks over to the call; this object no longer stops them. */
  takeTracks(): LocalTrack[] {
    const tracks: LocalTrack[] = [];
    if (this.audioTrack) tracks.push(this.audioTrack);
    if (this.videoTrack) tracks.push(this.videoTrack);
    this.audioTrack = null;
    this.videoTrack = null;
    return tracks;
  }

  dispose(): void {
    this.stopCamera();
    this.stopMicrophone();
  }
}

/** Cameras or microphones; labels are only filled in once the user allowed access. */
export async function listDevices(kind: "videoinput" | "audioinput"): Promise<MediaDeviceInfo[]> {
  try {
    return await LivekitRoom.getLocalDevices(kind, false);
  } catch (error) {
    console.warn(`Listing ${kind} devices failed`, error);
    return [];
  }
}
