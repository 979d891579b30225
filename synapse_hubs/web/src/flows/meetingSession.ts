// SPDX-License-Identifier: AGPL-3.0-or-later
// A signed-in account in one meeting room: moves between pre-join, the call
// and the chat-only view, and leaves the call when the page goes away.

import type { MatrixClient, Room } from "matrix-js-sdk";

import { CallConnection } from "../rtc/callConnection";
import { setCurrentCall } from "../testHooks";
import type { AppShell } from "../ui/appShell";
import { MeetingView } from "../views/meetingView";
import { type PreJoinChoice, PreJoinView } from "../views/preJoinView";

export class MeetingSession {
  private view: MeetingView | null = null;
  private call: CallConnection | null = null;

  constructor(
    private readonly shell: AppShell,
    private readonly client: MatrixClient,
    private readonly room: Room,
    private readonly title: string,
    private readonly guestLinks: HTMLElement | null,
  ) {
    window.addEventListener("pagehide", () => void this.call?.leave());
  }

  /** Show the meeting and join the call if the pre-join choice asked for it. */
  async enter(choice: PreJoinChoice): Promise<void> {
    this.view?.dispose();
    this.view = new MeetingView({
      client: this.client,
      room: this.room,
      guestLinks: this.guestLinks,
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
        this.call = null;
        setCurrentCall(null);
        view.showNotInCall(unexpected ? "callConnectionLost" : null);
      },
    );
    this.call = call;
    setCurrentCall(call);

    const tracks = choice.media.takeTracks();
    try {
      await call.join(tracks);
      view.enterCall(call);
    } catch (error) {
      console.error(`Joining the call in ${this.room.roomId} failed`, error);
      for (const track of tracks) track.stop();
      this.call = null;
      setCurrentCall(null);
      await call.leave();
      view.showNotInCall("errorCallFailed");
    }
  }
}
