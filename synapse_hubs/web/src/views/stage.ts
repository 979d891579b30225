// SPDX-License-Identifier: AGPL-3.0-or-later
// The call's video area: one tile per camera and per screen share, in a grid
// or with one large tile (speaker layout), plus the remote audio elements.

import {
  type Participant,
  type RemoteTrack,
  type Room as LivekitRoom,
  RoomEvent,
  Track,
} from "livekit-client";

import { bindAttribute, text } from "../i18n";
import { el, userText } from "../ui/dom";
import { icon } from "../ui/icons";
import { MAX_DISPLAY_NAME_LENGTH } from "./preJoinView";

export type Layout = "grid" | "speaker";

interface Tile {
  element: HTMLElement;
  video: HTMLVideoElement;
  name: HTMLElement;
  avatar: HTMLElement;
  mutedIcon: HTMLElement;
  attached: Track | null;
}

const TILE_SOURCES = [Track.Source.Camera, Track.Source.ScreenShare];

const RENDER_EVENTS = [
  RoomEvent.ParticipantConnected,
  RoomEvent.ParticipantDisconnected,
  RoomEvent.TrackPublished,
  RoomEvent.TrackUnpublished,
  RoomEvent.TrackSubscribed,
  RoomEvent.TrackUnsubscribed,
  RoomEvent.TrackMuted,
  RoomEvent.TrackUnmuted,
  RoomEvent.LocalTrackPublished,
  RoomEvent.LocalTrackUnpublished,
  RoomEvent.ActiveSpeakersChanged,
  RoomEvent.ParticipantNameChanged,
] as const;

export class Stage {
  readonly element: HTMLElement;
  private readonly tileArea: HTMLElement;
  private readonly audioArea: HTMLElement;
  private readonly tiles = new Map<string, Tile>();
  private layout: Layout = "grid";
  private renderScheduled = false;

  constructor(
    private readonly room: LivekitRoom,
    private readonly nameFor: (participant: Participant) => string,
  ) {
    this.tileArea = el("div", { class: "tiles" });
    this.audioArea = el("div", { class: "remote-audio", hidden: "" });
    this.element = el("section", { class: "stage layout-grid" }, [this.tileArea, this.audioArea]);
    bindAttribute(this.element, "aria-label", "participants");
  }

  start(): void {
    for (const event of RENDER_EVENTS) this.room.on(event, this.scheduleRender);
    this.room.on(RoomEvent.TrackSubscribed, this.attachAudio);
    this.room.on(RoomEvent.TrackUnsubscribed, this.detachAudio);
    for (const participant of this.room.remoteParticipants.values()) {
      for (const publication of participant.trackPublications.values()) {
        if (publication.track) this.attachAudio(publication.track as RemoteTrack);
      }
    }
    this.render();
  }

  stop(): void {
    for (const event of RENDER_EVENTS) this.room.off(event, this.scheduleRender);
    this.room.off(RoomEvent.TrackSubscribed, this.attachAudio);
    this.room.off(RoomEvent.TrackUnsubscribed, this.detachAudio);
    for (const tile of this.tiles.values()) tile.attached?.detach(tile.video);
    this.tiles.clear();
    this.tileArea.replaceChildren();
    this.audioArea.replaceChildren();
  }

  setLayout(layout: Layout): void {
    this.layout = layout;
    this.element.classList.toggle("layout-grid", layout === "grid");
    this.element.classList.toggle("layout-speaker", layout === "speaker");
    this.render();
  }

  get currentLayout(): Layout {
    return this.layout;
  }

  readonly scheduleRender = (): void => {
    if (this.renderScheduled) return;
    this.renderScheduled = true;
    setTimeout(() => {
      this.renderScheduled = false;
      this.render();
    }, 0);
  };

  private readonly attachAudio = (track: RemoteTrack): void => {
    if (track.kind !== Track.Kind.Audio) return;
    const audio = track.attach();
    audio.dataset.trackSid = track.sid ?? "";
    this.audioArea.append(audio);
  };

  private readonly detachAudio = (track: RemoteTrack): void => {
    if (track.kind !== Track.Kind.Audio) return;
    for (const element of track.detach()) element.remove();
  };

  private render(): void {
    const participants: Participant[] = [this.room.localParticipant, ...this.room.remoteParticipants.values()];
    const wanted = new Set<string>();
    const ordered: HTMLElement[] = [];

    for (const participant of participants) {
      for (const source of TILE_SOURCES) {
        const publication = participant.getTrackPublication(source);
        // Every participant gets a camera tile (an avatar without video); a
        // screen share tile exists only while the share is published.
        if (source === Track.Source.ScreenShare && !publication) continue;

        const key = `${participant.identity}/${source}`;
        wanted.add(key);
        const tile = this.tiles.get(key) ?? this.createTile(key, participant, source);
        this.updateTile(tile, participant, source);
        ordered.push(tile.element);
      }
    }

    for (const [key, tile] of this.tiles) {
      if (wanted.has(key)) continue;
      tile.attached?.detach(tile.video);
      tile.element.remove();
      this.tiles.delete(key);
    }

    this.markMainTile(participants);
    // Touch the DOM only when the order changed: moving playing <video> elements is needless work.
    const current = Array.from(this.tileArea.children);
    if (current.length !== ordered.length || current.some((child, index) => child !== ordered[index])) {
      this.tileArea.replaceChildren(...ordered);
    }
    this.tileArea.dataset.count = String(ordered.length);
  }

  private createTile(key: string, participant: Participant, source: Track.Source): Tile {
    const video = el("video", { class: "tile-video", autoplay: "", playsinline: "" });
    // Sound plays through the separate audio elements; tiles stay silent.
    video.muted = true;
    const avatar = el("div", { class: "tile-avatar", "aria-hidden": "true" });
    const name = el("span", { class: "tile-name" });
    const mutedIcon = el("span", { class: "tile-muted", hidden: "" }, [icon("micOff")]);
    bindAttribute(mutedIcon, "aria-label", "microphoneIsOff");
    mutedIcon.setAttribute("role", "img");

    const caption = el("figcaption", { class: "tile-caption" }, [name, mutedIcon]);
    const element = el("figure", { class: "tile" }, [video, avatar, caption]);
    element.dataset.identity = participant.identity;
    element.dataset.source = source;
    if (source === Track.Source.ScreenShare) {
      element.classList.add("tile-screen");
      caption.append(text("screenShareSuffix"));
    }
    if (participant === this.room.localParticipant) element.classList.add("local");

    const tile: Tile = { element, video, name, avatar, mutedIcon, attached: null };
    this.tiles.set(key, tile);
    return tile;
  }

  private updateTile(tile: Tile, participant: Participant, source: Track.Source): void {
    const name = this.nameFor(participant);
    tile.name.replaceChildren(userText(name, MAX_DISPLAY_NAME_LENGTH));
    tile.avatar.textContent = initials(name);
    tile.element.classList.toggle("speaking", participant.isSpeaking);

    const publication = participant.getTrackPublication(source);
    const track = publication && !publication.isMuted ? (publication.track ?? null) : null;
    if (track !== tile.attached) {
      tile.attached?.detach(tile.video);
      track?.attach(tile.video);
      tile.attached = track;
    }
    tile.element.classList.toggle("has-video", track !== null);

    if (source === Track.Source.Camera) {
      const microphone = participant.getTrackPublication(Track.Source.Microphone);
      tile.mutedIcon.hidden = Boolean(microphone && !microphone.isMuted);
    }
  }

  /** In speaker layout, the screen share or else the loudest remote participant gets the large tile. */
  private markMainTile(participants: Participant[]): void {
    for (const tile of this.tiles.values()) tile.element.classList.remove("main");
    if (this.layout !== "speaker") return;

    const screenShare = [...this.tiles.entries()].find(([key]) => key.endsWith(`/${Track.Source.ScreenShare}`));
    const speaker =
      this.room.activeSpeakers.find((participant) => participant !== this.room.localParticipant) ??
      participants.find((participant) => participant !== this.room.localParticipant) ??
      this.room.localParticipant;
    const main = screenShare?.[1] ?? this.tiles.get(`${speaker.identity}/${Track.Source.Camera}`);
    main?.element.classList.add("main");
  }
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return words
    .slice(0, 2)
    .map((word) => Array.from(word)[0]?.toUpperCase() ?? "")
    .join("");
}
