// SPDX-License-Identifier: AGPL-3.0-or-later
// A signed-in account in one meeting room: moves between pre-join, the call
// and the chat-only view, and leaves the call when the page goes away.

import type { MatrixClient, Room } from "matrix-js-sdk";

import { HubsApi } from "../api/hubsApi";
import { CallReactions } from "../lobby/callReactions";
import { HandQueueView } from "../lobby/handQueue";
import { LobbyApi } from "../lobby/lobbyApi";
import { LobbyPanel } from "../lobby/lobbyPanel";
import { watchRemoval } from "../lobby/removalWatcher";
import { ModerationApi } from "../moderation/moderationApi";
import { ModerationNotice } from "../moderation/moderationNotice";
import { ModerationPanel } from "../moderation/moderationPanel";
import { MuteRequests } from "../moderation/muteRequests";
import { RecordingApi } from "../recording/recordingApi";
import { RecordingBanner } from "../recording/recordingBanner";
import { RecordingButton } from "../recording/recordingButton";
import { RecordingStatus } from "../recording/recordingStatus";
import { CallConnection } from "../rtc/callConnection";
import { setCurrentCall } from "../testHooks";
import type { AppShell } from "../ui/appShell";
import { MeetingView } from "../views/meetingView";
import { statusView } from "../views/statusView";
import { type PreJoinChoice, PreJoinView } from "../views/preJoinView";

export class MeetingSession {
  private view: MeetingView | null = null;
  private call: CallConnection | null = null;
  private readonly recordingStatus: RecordingStatus;
  private readonly recordingBanner: RecordingBanner;
  private readonly recordingControl: Promise<RecordingButton | null>;
  private readonly meetingRole: Promise<MeetingRole | null>;
  private readonly moderationNotice = new ModerationNotice();
  private readonly muteRequests: MuteRequests;
  private readonly moderationPanel: Promise<ModerationPanel | null>;
  private detachModeration: (() => void)[] = [];

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
    this.meetingRole = this.loadMeetingRole();
    watchRemoval(client, room, () => void this.endAfterRemoval());
    this.moderationPanel = this.loadModerationPanel();
    this.muteRequests = new MuteRequests(client, room, this.moderationApi(), () => this.moderationNotice.showAskedToMute());
  }

  /** Show the meeting and join the call if the pre-join choice asked for it. */
  async enter(choice: PreJoinChoice): Promise<void> {
    const recordingControl = await this.recordingControl;
    const role = await this.meetingRole;
    const lobbyApi = new LobbyApi(this.client.baseUrl, this.client.getAccessToken() ?? "");
    const moderationPanel = await this.moderationPanel;
    this.view?.dispose();
    this.view = new MeetingView({
      client: this.client,
      room: this.room,
      guestLinks: this.guestLinks,
      recordingBanner: this.recordingBanner.element,
      recordingControl: recordingControl?.element ?? null,
      lobbyPanel: role?.isModerator && role.lobby ? new LobbyPanel(lobbyApi, this.room.roomId) : null,
      handQueue: role ? new HandQueueView(this.client, this.room, lobbyApi, role.isModerator) : null,
      reactions: role ? new CallReactions(this.client, this.room) : null,
      moderationPanel: moderationPanel?.element ?? null,
      moderationNotice: this.moderationNotice.element,
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
        this.stopModeration();
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
      const panel = await this.moderationPanel;
      this.detachModeration = [
        this.moderationNotice.attachCall(call.livekitRoom),
        this.muteRequests.attachCall(call.livekitRoom),
      ];
      if (panel) this.detachModeration.push(panel.attachCall(call.livekitRoom));
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

  /** End the call and tell the user that a moderator removed them. */
  private async endAfterRemoval(): Promise<void> {
    console.info(`Removed from ${this.room.roomId} by a moderator`);
    const call = this.call;
    this.call = null;
    setCurrentCall(null);
    this.view?.dispose();
    this.view = null;
    this.shell.show(statusView("removedHeading", "removedDetail"));
    await call?.leave();
  }

  /** Read whether the user moderates this meeting and whether it has a lobby; null for plain rooms. */
  private async loadMeetingRole(): Promise<MeetingRole | null> {
    const api = new HubsApi(this.client.baseUrl.replace(/\/+$/, ""));
    try {
      const meeting = await api.getMeeting(this.client.getAccessToken() ?? "", this.room.roomId);
      return { isModerator: meeting.is_moderator === true, lobby: meeting.lobby === true };
    } catch (error) {
      console.info(`No meeting tools for ${this.room.roomId}`, error);
      return null;
    }
  }

  private moderationApi(): ModerationApi {
    return new ModerationApi(this.client.baseUrl, this.client.getAccessToken() ?? "", this.room.roomId);
  }

  private stopModeration(): void {
    for (const detach of this.detachModeration) detach();
    this.detachModeration = [];
  }

  /** Offer the participant list with mute and rights to moderators of a meeting. */
  private async loadModerationPanel(): Promise<ModerationPanel | null> {
    const api = this.moderationApi();
    try {
      const state = await api.state();
      if (!state.can_moderate) return null;
      const lobbyApi = new LobbyApi(this.client.baseUrl, this.client.getAccessToken() ?? "");
      const panel = new ModerationPanel(api, this.room, (userId) => lobbyApi.remove(this.room.roomId, userId));
      await panel.load();
      return panel;
    } catch (error) {
      // A plain Matrix room is no meeting and has no moderation.
      console.info(`No moderation controls for ${this.room.roomId}`, error);
      return null;
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

interface MeetingRole {
  isModerator: boolean;
  lobby: boolean;
}
