// SPDX-License-Identifier: AGPL-3.0-or-later
// Whether the meeting is being recorded, from both places that tell it:
// the `se.hubs.recording` room state, which the page has synced before it
// shows the meeting, and the SFU's `Room.active_recording`, which arrives
// in the JoinResponse before anything is published. Either one is enough
// to show the banner.

import { type Room as LivekitRoom, RoomEvent } from "livekit-client";
import { type MatrixClient, type MatrixEvent, type Room as MatrixRoom, RoomStateEvent } from "matrix-js-sdk";

export const RECORDING_STATE_EVENT = "se.hubs.recording";

type Listener = () => void;

export class RecordingStatus {
  private stateActive = false;
  private stateStartedAt: number | null = null;
  private callActive = false;
  private callNoticedAt: number | null = null;
  private readonly listeners = new Set<Listener>();
  private detachCall: (() => void) | null = null;

  constructor(
    private readonly client: MatrixClient,
    private readonly room: MatrixRoom,
  ) {
    this.readState();
    this.client.on(RoomStateEvent.Events, this.onStateEvent);
  }

  get active(): boolean {
    return this.stateActive || this.callActive;
  }

  /** When the recording started, in epoch milliseconds, as precisely as the page knows it. */
  get startedAt(): number | null {
    if (!this.active) return null;
    return this.stateActive ? (this.stateStartedAt ?? this.callNoticedAt) : this.callNoticedAt;
  }

  /** Follow the SFU's flag too, from the JoinResponse this room was connected with. */
  attachCall(livekitRoom: LivekitRoom): void {
    this.detachCall?.();
    const update = (): void => this.setCallActive(livekitRoom.isRecording);
    livekitRoom.on(RoomEvent.RecordingStatusChanged, update);
    this.detachCall = () => {
      livekitRoom.off(RoomEvent.RecordingStatusChanged, update);
      this.setCallActive(false);
    };
    update();
  }

  leaveCall(): void {
    this.detachCall?.();
    this.detachCall = null;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    this.leaveCall();
    this.client.off(RoomStateEvent.Events, this.onStateEvent);
    this.listeners.clear();
  }

  private readonly onStateEvent = (event: MatrixEvent): void => {
    if (event.getRoomId() !== this.room.roomId || event.getType() !== RECORDING_STATE_EVENT) return;
    this.readState();
    this.notify();
  };

  private readState(): void {
    const content = this.room.currentState.getStateEvents(RECORDING_STATE_EVENT, "")?.getContent() ?? {};
    this.stateActive = content.active === true;
    this.stateStartedAt = typeof content.started_ts === "number" ? content.started_ts : null;
  }

  private setCallActive(active: boolean): void {
    if (active === this.callActive) return;
    this.callActive = active;
    this.callNoticedAt = active ? Date.now() : null;
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
