// SPDX-License-Identifier: AGPL-3.0-or-later
// A signed-in account in one meeting room: moves between pre-join, the call
// and the chat-only view, and leaves the call when the page goes away.

import type { MatrixClient, Room } from "matrix-js-sdk";

import { RecordingApi } from "../recording/recordingApi";
import { RecordingBanner } from "../recording/recordingBanner";
import { RecordingButton } from "../recording/recordingButton";
import { RecordingStatus } from "../recording/recordingStatus";
import { CallConnection } from "../rtc/callConnection";
import { setCurrentCall } from "../testHooks";
import type { AppShell } from "../ui/appShell";
import { MeetingView } from "../views/meetingView";
import { type PreJoinChoice, PreJoinView } from "../views/preJoinView";

export class MeetingSession {
  private view: MeetingView | null = null;
  private call: CallConnection | null = null;
  private readonly recordingStatus: RecordingStatus;
  private readonly recordingBanner: RecordingBanner;
  private readonly recordingControl: Promise<RecordingButton | null>;

  constructor(
    private readonly shell: AppShell,
    private readonly client: MatrixClient,
    private readonly room: Room,
    private readonly title: string,
    private readonly guestLinks: HTMLElement | null,
  ) {
    window.addEventListener("pagehide", () => void this.call?.leave());
    this.recordingStatus = new RecordingStatus(client, room);
    this.recordingBanner = new RecordingBanner(this.recordingStatus);
    this.recordingControl = this.loadRecordingControl();
  }

  /** Show the meeting and join the call if the pre-join choice asked for it. */
  async enter(choice: PreJoinChoice): Promise<void> {
    const recordingControl = await this.recordingControl;
    this.view?.dispose();
    this.view = new MeetingView({
      client: this.client,
      room: this.room,
      guestLinks: this.guestLinks,
      recordingBanner: this.recordingBanner.element,
      recordingControl: recordingControl?.element ?? null,
      onJoinCall: () => this.showPreJoin(),
    });
    this.shell.show(this.view.element);
    if (choice.joinCall) await this.joinCall(choice);
  }

  /** Pre-join again, for joining the call from the chat-only view. */
  showPreJoin(): void {
    const preJoin = new PreJoinView({
      title: this.title,
      knownName: this.ownName(),
      requiresPassword: false,
      allowChatOnly: true,
      onJoin: async (choice) => {
        await this.enter(choice);
        // Only now: the call has taken the tracks, and dispose() stops what is left.
        preJoin.dispose();
      },
    });
    this.shell.show(preJoin.element);
    void preJoin.start();
  }

  ownName(): string {
    const userId = this.client.getUserId() ?? "";
    return this.room.getMember(userId)?.name ?? userId;
  }

  private async joinCall(choice: PreJoinChoice): Promise<void> {
    const view = this.view!;
    const call = new CallConnection(
      this.client,
      this.room,
      { audioDeviceId: choice.media.audioDeviceId, videoDeviceId: choice.media.videoDeviceId },
      (unexpected) => {
        if (this.call !== call) return;
        this.recordingStatus.leaveCall();
        this.call = null;
        setCurrentCall(null);
        view.showNotInCall(unexpected ? "callConnectionLost" : null);
      },
    );
    this.call = call;
    setCurrentCall(call);

    const tracks = choice.media.takeTracks();
    try {
      // The JoinResponse carries the SFU's recording flag; the banner must be
      // up before the first track is published.
      await call.join(tracks, (livekitRoom) => {
        this.recordingStatus.attachCall(livekitRoom);
        this.recordingBanner.render();
      });
      view.enterCall(call);
    } catch (error) {
      console.error(`Joining the call in ${this.room.roomId} failed`, error);
      for (const track of tracks) track.stop();
      this.recordingStatus.leaveCall();
      this.call = null;
      setCurrentCall(null);
      await call.leave();
      view.showNotInCall("errorCallFailed");
    }
  }

  /** Offer the start/stop button to moderators of meetings that may be recorded. */
  private async loadRecordingControl(): Promise<RecordingButton | null> {
    const api = new RecordingApi({ homeserverUrl: this.client.baseUrl, accessToken: this.client.getAccessToken() ?? "" });
    try {
      const state = await api.meetingState(this.room.roomId);
      return state.can_control && state.allowed ? new RecordingButton(api, this.room.roomId, this.recordingStatus) : null;
    } catch (error) {
      // A plain Matrix room is no meeting and has no recording.
      console.info(`No recording controls for ${this.room.roomId}`, error);
      return null;
    }
  }
}
